"""Helpers shared by every blueprint's forms."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField

from app.database import discard_changes
from pathways.errors import ValidationFailed


class FiniteDecimalField(DecimalField):
    """A decimal that is a real number: ``NaN``, ``sNaN`` and ``Infinity`` parse as Decimals, but
    no amount, distance or number of hours can be one (and ``sNaN`` breaks every comparison)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def valid_values(form: FlaskForm) -> dict[str, object]:
    """A validated filter form's usable values: fields with errors left out, text stripped.

    ``Optional()`` lets whitespace through as a choice; stripped, it reads as "no filter".
    """
    return {
        field.name: field.data.strip() if isinstance(field.data, str) else field.data
        for field in form
        if not field.errors
    }


def attach_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Show a domain rule's messages beside the fields they name, the rest above the form.

    Writes the domain flushed before the rule failed are undone, so the form's 200 never commits
    half a change.
    """
    discard_changes()
    for name, message in error.errors.items():
        target = form[name].errors if name in form else form.form_errors
        if message not in target:
            target.append(message)
    if not error.errors:
        form.form_errors.append(str(error))
