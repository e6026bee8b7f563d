"""Forms for moving applications, recording milestones and confirming sustainment in bulk.

The rules (which move is allowed, dates in order, nothing in the future) live in
``pathways.progress``; these forms carry the fields, and the views put the domain's messages
beside them. Every move form carries the application's version, so a stale page is a conflict.
"""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from app.forms import FiniteDecimalField
from app.residents.forms import label
from pathways.models import (
    ApplicationStage,
    CheckStatus,
    ClosingReason,
    Evidence,
    ProgressionKind,
)
from pathways.progress import CLOSING_OUTCOMES, SUSTAINMENT_WEEKS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_MESSAGE = "Enter a real date, like 31/03/2026"
# The evidence an advisor can record for a resident's own account or an employer's word.
EVIDENCE_CHOICES = [
    SelectChoice(Evidence.SELF_REPORTED.value, "Self-reported by the resident"),
    SelectChoice(Evidence.EMPLOYER_CONFIRMED.value, "Confirmed by the employer"),
]
# "Not yet known" is an answer of its own: it never counts as not in work.
IN_WORK_CHOICES = [
    SelectChoice("yes", "In work"),
    SelectChoice("no", "Not in work"),
    SelectChoice("unknown", "Not yet known"),
]
IN_WORK_VALUES = {"yes": True, "no": False, "unknown": None}


def date_field(text: str, *, required: bool = True) -> DateField:
    """A date typed as 31/03/2026 or picked from the browser's date control."""
    first = InputRequired(DATE_MESSAGE) if required else Optional()
    return DateField(text, format=DATE_FORMATS, validators=[first])


def _choices(values) -> list[SelectChoice]:
    return [SelectChoice(value.value, label(value.value)) for value in values]


def _money(text: str) -> FiniteDecimalField:
    return FiniteDecimalField(
        text,
        places=2,
        validators=[Optional(), NumberRange(min=0, message="Pay cannot be negative")],
    )


class MoveForm(FlaskForm):
    """A move of one application, made on the version of it the user saw."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class InterviewForm(MoveForm):
    interview_at = date_field("Interview date")
    interview_time = TimeField(
        "Time (UK time)", validators=[InputRequired("Enter a time, like 14:30")]
    )


class OfferForm(MoveForm):
    on = date_field("Date of the offer")


class CheckForm(MoveForm):
    status = SelectField("Status", choices=_choices(CheckStatus))
    on = date_field("Date it reached this status", required=False)


class PayForm(FlaskForm):
    """The terms of a job."""

    pay_band = StringField("Pay band (optional)", validators=[Length(max=40)])
    hours_per_week = FiniteDecimalField(
        "Hours a week (optional)",
        places=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=60, message="Hours a week must be between 1 and 60"),
        ],
    )
    annual_pay = _money("Annual pay (£, optional)")
    hourly_pay = _money("Hourly pay (£, optional)")

    def pay_details(self) -> dict[str, object]:
        """The fields as the domain takes them: a blank band is None, amounts are floats."""
        amounts = {
            name: float(self[name].data) if self[name].data is not None else None
            for name in ("hours_per_week", "annual_pay", "hourly_pay")
        }
        return {"pay_band": (self.pay_band.data or "").strip() or None} | amounts


class JobDetailsForm(PayForm):
    """Where and on what terms a job is; the view fills in the site and role choices."""

    site_id = SelectField("Site", coerce=int)
    pathway_id = SelectField("Role", coerce=int)


class StartJobForm(JobDetailsForm, MoveForm):
    on = date_field("Start date")


class CloseForm(MoveForm):
    outcome = SelectField(
        "Outcome",
        choices=[SelectChoice(stage.value, label(stage.value)) for stage in CLOSING_OUTCOMES],
    )
    reason = SelectField("Reason", choices=_choices(ClosingReason))
    note = TextAreaField("More detail (needed when the reason is 'other')", [Length(max=1000)])


class ApplicationFilterForm(FlaskForm):
    """Filters sent by GET; they change nothing, so need no CSRF token."""

    class Meta:
        csrf = False

    vacancy_id = SelectField("Vacancy", validators=[Optional()])
    stage = SelectField(
        "Stage",
        choices=[SelectChoice("", "All stages"), *_choices(ApplicationStage)],
        validators=[Optional()],
    )


class MilestoneForm(FlaskForm):
    occurred_on = date_field("Date")
    evidence = SelectField("Evidence", choices=EVIDENCE_CHOICES)
    note = TextAreaField("Note (optional)", [Length(max=1000)])


class JobMilestoneForm(MilestoneForm):
    """A milestone about one of the resident's jobs; the view lists their job starts."""

    job_start_id = SelectField("Job", coerce=int)


class RecordJobStartForm(JobDetailsForm, MilestoneForm):
    """A job found outside the service's applications."""

    employer_id = SelectField("Employer", coerce=int)


class SustainmentForm(JobMilestoneForm):
    weeks_after_start = SelectField(
        "Check", coerce=int, choices=[SelectChoice(w, f"{w} weeks") for w in SUSTAINMENT_WEEKS]
    )
    in_work = SelectField("Were they in work?", choices=IN_WORK_CHOICES)


class LeftJobForm(JobMilestoneForm):
    pass


class ProgressionForm(JobDetailsForm, JobMilestoneForm):
    progression_kind = SelectField("Progression", choices=_choices(ProgressionKind))


class CorrectionForm(PayForm, MilestoneForm):
    """The correctable details of an event; the view removes those that do not apply."""

    in_work = SelectField("Were they in work?", choices=IN_WORK_CHOICES)


class ConfirmRow(Form):
    """One hire's check in the employer's bulk confirmation; a blank answer skips the row."""

    job_start_id = IntegerField(widget=HiddenInput())
    weeks = IntegerField(widget=HiddenInput())
    answer = SelectField(
        "Status", choices=[SelectChoice("", "Leave for now"), *IN_WORK_CHOICES[:2]]
    )
    on = date_field("Date confirmed", required=False)


class BulkConfirmForm(FlaskForm):
    rows = FieldList(FormField(ConfirmRow))
