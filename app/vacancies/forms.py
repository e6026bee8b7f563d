"""Forms for posting a vacancy and for an advisor's browse filters."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import FiniteDecimalField
from pathways.models import PayPeriod, ShiftPattern

SHIFT_NAMES = {
    ShiftPattern.DAYS: "Days",
    ShiftPattern.EARLY_LATE: "Early and late shifts",
    ShiftPattern.NIGHTS: "Nights",
    ShiftPattern.ROTATING: "Rotating, including nights and weekends",
    ShiftPattern.FLEXIBLE: "Flexible",
}


class VacancyForm(FlaskForm):
    pathway_id = SelectField("Job or apprenticeship", coerce=int)
    site_id = SelectField("Site", coerce=int)
    title = StringField(
        "Job title", validators=[DataRequired("Enter a job title"), Length(max=200)]
    )
    positions = IntegerField(
        "Number of posts",
        validators=[InputRequired("Enter the number of posts")],
    )
    pay_min = FiniteDecimalField(
        "Pay from (£)", places=2, validators=[InputRequired("Enter the pay")]
    )
    pay_max = FiniteDecimalField("Pay to (£, optional)", places=2, validators=[Optional()])
    pay_period = SelectField(
        "Pay is",
        choices=[
            SelectChoice(PayPeriod.ANNUAL.value, "A year (full-time)"),
            SelectChoice(PayPeriod.HOURLY.value, "An hour"),
        ],
    )
    hours_per_week = FiniteDecimalField(
        "Hours a week (optional)", places=1, validators=[Optional()]
    )
    shift_pattern = SelectField(
        "Shift pattern",
        choices=[SelectChoice(shift.value, name) for shift, name in SHIFT_NAMES.items()],
    )
    closing_date = DateField(
        "Closing date", validators=[InputRequired("Enter a closing date, like 2026-12-31")]
    )
    ring_fenced = BooleanField("Ring-fenced for people living in priority areas")
    guaranteed_interview = BooleanField("Guaranteed interview for programme completers")
    description = TextAreaField("Description", validators=[Length(max=5000)])


class BrowseForm(FlaskForm):
    """Read-only filters sent by GET; they change nothing, so need no CSRF token."""

    class Meta:
        csrf = False

    pathway_id = SelectField("Pathway", validators=[Optional()])
    site_id = SelectField("Site", validators=[Optional()])
    postcode = StringField("From postcode", validators=[Optional(), Length(max=10)])
    within_km = FiniteDecimalField(
        "Within (km)",
        validators=[Optional(), NumberRange(min=0, max=200, message="Enter 0 to 200 km")],
    )
    ring_fenced = BooleanField("Ring-fenced vacancies only")
