"""Helpers shared by every blueprint's forms."""

from flask_wtf import FlaskForm

from pathways.errors import ValidationFailed


def attach_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Show a domain rule's messages beside the fields they name, the rest above the form."""
    for name, message in error.errors.items():
        target = form[name].errors if name in form else form.form_errors
        if message not in target:
            target.append(message)
    if not error.errors:
        form.form_errors.append(str(error))
