"""Forms for registering residents, their notes and consents, the caseload search and imports.

Business rules (age, postcode, contact formats, consent) are checked once, in
``pathways.residents``; the forms only carry the fields and their lengths, and the views put the
domain's field errors beside the fields.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.database import MAX_ID
from matching import load_vocabulary
from pathways.geography import priority_area_names
from pathways.models import ConsentKind, ResidentStatus
from pathways.resident_search import CaseloadSort, NextActionFilter
from pathways.residents import (
    BARRIERS,
    DAYS,
    DISABILITY_ANSWERS,
    ETHNICITY_ANSWERS,
    SEX_ANSWERS,
)

LEVELS = [
    SelectChoice(0, "None yet"),
    SelectChoice(1, "Entry level"),
    SelectChoice(2, "Level 1"),
    SelectChoice(3, "Level 2 (GCSE grade 4/C or above)"),
]
NO_SUCH_ID = "There is no record in use with that number"
QUALIFICATION_LEVELS = [SelectChoice(0, "No qualifications")] + [
    SelectChoice(level, f"Level {level}") for level in range(1, 9)
]


def label(value: str) -> str:
    """A stored value as words: ``prefer_not_to_say`` -> ``Prefer not to say``."""
    return value.replace("_", " ").capitalize()


def _choices(values, blank: str | None = None) -> list[SelectChoice]:
    return ([SelectChoice("", blank)] if blank is not None else []) + [
        SelectChoice(value, label(value)) for value in values
    ]


def _skill_choices() -> list[SelectChoice]:
    return [SelectChoice(entry.label, entry.label) for entry in load_vocabulary().labels]


class ResidentForm(FlaskForm):
    first_name = StringField("First name", validators=[Length(max=100)])
    last_name = StringField("Last name", validators=[Length(max=100)])
    date_of_birth = StringField("Date of birth", validators=[Length(max=20)])
    email = StringField("Email address (optional)", validators=[Length(max=254)])
    phone = StringField("Phone number (optional)", validators=[Length(max=30)])
    address = TextAreaField("Address (optional)", validators=[Length(max=500)])
    postcode = StringField("Postcode", validators=[Length(max=20)])
    work_history = TextAreaField("Work history", validators=[Length(max=5000)])
    informal_experience = TextAreaField(
        "Informal experience (caring, volunteering, helping out)", validators=[Length(max=5000)]
    )
    interests = TextAreaField(
        "Interests and the work they would like", validators=[Length(max=5000)]
    )
    qualifications = TextAreaField("Qualifications", validators=[Length(max=2000)])
    skills = SelectMultipleField("Skills from the list", validate_choice=False)
    typed_skills = StringField(
        "Type skills to add, separated by commas", validators=[Length(max=1000)]
    )
    other_skills = TextAreaField("Other skills, in their own words", validators=[Length(max=2000)])
    english_level = SelectField("English", coerce=int, choices=LEVELS)
    maths_level = SelectField("Maths", coerce=int, choices=LEVELS)
    highest_qualification_level = SelectField(
        "Highest qualification", coerce=int, choices=QUALIFICATION_LEVELS
    )
    has_driving_licence = BooleanField("Has a full driving licence")
    has_right_to_work = BooleanField("Has the right to work in the UK")
    available_hours_per_week = IntegerField(
        "Hours a week they can work",
        validators=[Optional(), NumberRange(0, 60, "Enter hours between 0 and 60")],
    )
    available_days = SelectMultipleField("Days they can work", choices=_choices(DAYS))
    no_nights = BooleanField("Cannot work nights")
    part_time_only = BooleanField("Part-time only")
    max_travel_km = FloatField(
        "Furthest they can travel (km)",
        validators=[Optional(), NumberRange(0, 200, "Enter a distance between 0 and 200 km")],
    )
    barriers = SelectMultipleField("Barriers to work", choices=_choices(BARRIERS))
    agreed_supports = TextAreaField("Agreed support", validators=[Length(max=2000)])
    sex = SelectField("Sex", choices=_choices(SEX_ANSWERS, blank="Not asked"), default="")
    ethnicity = SelectField(
        "Ethnic group", choices=_choices(ETHNICITY_ANSWERS, blank="Not asked"), default=""
    )
    disability = SelectField(
        "Do they consider themselves disabled?",
        choices=_choices(DISABILITY_ANSWERS, blank="Not asked"),
        default="",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.skills.choices = _skill_choices()


class EditResidentForm(ResidentForm):
    status = SelectField("Status", choices=_choices(ResidentStatus))


class RegisterResidentForm(ResidentForm):
    consent_to_hold_data = BooleanField(
        "The resident agrees to us holding their information to support them into work"
    )
    share_with_employers = BooleanField(
        "The resident agrees to us sharing their details with employers they are put forward to"
    )
    consent_given_on = StringField("Date consent was given (optional)", validators=[Length(max=20)])
    register_anyway = BooleanField("This is a different person: register them anyway")


class NoteForm(FlaskForm):
    body = TextAreaField("Note", validators=[DataRequired("Enter the note"), Length(max=5000)])
    next_action = StringField("Next action (optional)", validators=[Length(max=300)])
    due_on = StringField("Due on (optional)", validators=[Length(max=20)])


class ConsentForm(FlaskForm):
    kind = SelectField("Consent", choices=_choices(ConsentKind))
    granted = SelectField(
        "Change", choices=[SelectChoice("1", "Grant"), SelectChoice("0", "Withdraw")]
    )
    given_on = StringField("Date (optional)", validators=[Length(max=20)])


class CaseloadSearchForm(FlaskForm):
    """Read-only search, sent by GET; it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    search = StringField("Name", validators=[Optional(), Length(max=100)])
    whose = SelectField(
        "Whose residents",
        choices=[
            SelectChoice("mine", "My caseload"),
            SelectChoice("all", "Everyone in my organisation"),
        ],
        validators=[Optional()],
    )
    priority_area = SelectField("Priority area", validators=[Optional()])
    decile = SelectField(
        "Deprivation decile",
        choices=[SelectChoice("", "Any decile")]
        + [
            SelectChoice(str(d), f"{d}{' (most deprived)' if d == 1 else ''}") for d in range(1, 11)
        ],
        validators=[Optional()],
    )
    status = SelectField("Status", choices=_choices(ResidentStatus, blank="Any status"))
    next_action = SelectField(
        "Next action",
        choices=[
            SelectChoice("", "Any"),
            SelectChoice(NextActionFilter.DUE, "Due today or overdue"),
            SelectChoice(NextActionFilter.THIS_WEEK, "Due within 7 days"),
            SelectChoice(NextActionFilter.ANY_OPEN, "Any open next action"),
        ],
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice(CaseloadSort.NAME, "Name"),
            SelectChoice(CaseloadSort.NEXT_ACTION, "Next action due"),
            SelectChoice(CaseloadSort.LAST_ACTIVITY, "Most recent activity"),
            SelectChoice(CaseloadSort.DECILE, "Most deprived first"),
            SelectChoice(CaseloadSort.REGISTERED, "Newest first"),
        ],
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority_area.choices = [
            SelectChoice("", "Anywhere"),
            SelectChoice("any", "Any priority area"),
        ] + [SelectChoice(name, name) for name in priority_area_names()]


class ImportForm(FlaskForm):
    file = FileField(
        "Spreadsheet (CSV)",
        validators=[
            FileRequired("Choose a CSV file"),
            FileAllowed(["csv"], "The file must be a CSV"),
        ],
    )


class MergeForm(FlaskForm):
    keep_id = IntegerField(
        "Record to keep (resident number)",
        validators=[DataRequired("Enter a resident number"), NumberRange(1, MAX_ID, NO_SUCH_ID)],
    )
    duplicate_id = IntegerField(
        "Duplicate record to merge into it",
        validators=[DataRequired("Enter a resident number"), NumberRange(1, MAX_ID, NO_SUCH_ID)],
    )
    confirm = BooleanField("I have checked these are the same person")
