"""Forms for programmes, cohorts, enrolment, bulk progress and the attendance register.

Business rules (capacity, dates against milestones, duplicates) are checked once, in
``pathways.programmes``; the forms carry the fields, and the views put the domain's errors
beside them.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pathways.clock import today
from pathways.programmes import EnrolmentAction
from pathways.residents import parse_date

DATE_FORMAT = "%d/%m/%Y"
ACTION_NAMES = {
    EnrolmentAction.START: "Started the programme",
    EnrolmentAction.COMPLETE: "Completed the programme",
    EnrolmentAction.LEAVE_EARLY: "Left the programme early",
}


def optional_id(value: object) -> int | None:
    """A select's value as an id; the blank choice means none."""
    return int(value) if value not in ("", None) else None


class DayField(StringField):
    """A date typed as 31/03/2026 (or 2026-03-31, as spreadsheets save it); ``day`` holds it."""

    day = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.day = parse_date(self.data) if self.data else None

    def pre_validate(self, form):
        if (self.data or "").strip() and self.day is None:
            raise ValidationError("Enter a real date, like 31/03/2026")


class ProgrammeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    target_pathway_ids = SelectMultipleField("Pathways it prepares people for", coerce=int)
    partner_employer_id = SelectField("Partner employer (optional)", coerce=optional_id)
    guaranteed_interview = BooleanField("People who complete it are guaranteed an interview")
    duration_weeks = IntegerField(
        "Length in weeks (optional)",
        validators=[Optional(), NumberRange(1, 104, "Enter a length between 1 and 104 weeks")],
    )
    description = TextAreaField("Description", validators=[Length(max=5000)])


class CohortForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter a name, like Spring 2026"), Length(max=200)]
    )
    starts_on = DayField("Start date", validators=[DataRequired("Enter the start date")])
    ends_on = DayField("End date", validators=[DataRequired("Enter the end date")])
    venue = StringField("Venue (optional)", validators=[Length(max=200)])
    capacity = IntegerField(
        "Places (optional)",
        validators=[Optional(), NumberRange(1, 1000, "Enter between 1 and 1,000 places")],
    )
    partner_employer_id = SelectField("Partner employer", coerce=optional_id)


def _today() -> str:
    return today().strftime(DATE_FORMAT)


class EnrolForm(FlaskForm):
    """Enrol one resident from the caseload search on a cohort."""

    resident_id = RadioField(
        "Resident",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired("Choose a resident")],
    )
    enrolled_on = DayField(
        "Date enrolled", default=_today, validators=[DataRequired("Enter the date enrolled")]
    )


class ChooseCohortForm(FlaskForm):
    """Enrol a resident on one of the provider's cohorts that has not finished."""

    cohort_id = RadioField("Cohort", coerce=int, validators=[InputRequired("Choose a cohort")])
    enrolled_on = DayField(
        "Date enrolled", default=_today, validators=[DataRequired("Enter the date enrolled")]
    )


class BulkUpdateForm(FlaskForm):
    """The same change for every selected resident of a cohort."""

    enrolment_ids = SelectMultipleField(
        "Residents", coerce=int, validators=[DataRequired("Select at least one resident")]
    )
    action = SelectField(
        "What happened",
        choices=[SelectChoice(action.value, name) for action, name in ACTION_NAMES.items()],
    )
    on = DayField("Date", default=_today, validators=[DataRequired("Enter the date it happened")])
    reason = TextAreaField("Reason for leaving early", validators=[Length(max=1000)])

    def validate_reason(self, field):
        if self.action.data == EnrolmentAction.LEAVE_EARLY and not (field.data or "").strip():
            raise ValidationError("Enter why they left early")


class AttendanceForm(FlaskForm):
    """The register for one session: who attended; everyone else on it was absent."""

    session_on = DayField("Session date", validators=[DataRequired("Enter the session date")])
    attended = SelectMultipleField("Attended", coerce=int)
