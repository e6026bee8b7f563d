"""The report chooser: which cohorts a programme lead wants figures for."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional, ValidationError


class ReportChooserForm(FlaskForm):
    """Read-only choices sent by GET; they change nothing, so need no CSRF token."""

    class Meta:
        csrf = False

    cohort = SelectField("Cohort", coerce=int, validators=[Optional()])
    programme = SelectField("Programme", coerce=int, validators=[Optional()])
    employer = SelectField("Partner employer", coerce=int, validators=[Optional()])
    starts_from = DateField("Cohorts starting from", validators=[Optional()])
    starts_to = DateField("Cohorts starting up to", validators=[Optional()])

    def validate_starts_to(self, field) -> None:
        if field.data and self.starts_from.data and field.data < self.starts_from.data:
            raise ValidationError("The end of the period must be on or after its start")

    def with_choices(self, choices: dict[str, list[tuple[int, str]]]) -> "ReportChooserForm":
        for field, key in (
            (self.cohort, "cohorts"),
            (self.programme, "programmes"),
            (self.employer, "employers"),
        ):
            field.choices = [SelectChoice(0, "Any")] + [
                SelectChoice(value, label) for value, label in choices[key]
            ]
        return self
