"""Registering and updating residents: validation, postcode resolution, skills, consent and notes.

Advisors register the people they support; everything here flushes and never commits, so the
request (or the import) decides whether the whole change is kept.
"""

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlmodel import Session, select

from pathways.clock import now_utc, today
from pathways.errors import NotFound, UnknownPostcode, ValidationFailed
from pathways.geography import DEFAULT_PRIORITY_DECILE_THRESHOLD, Place, resolve_postcode
from pathways.models import (
    ConsentKind,
    ConsentRecord,
    Resident,
    ResidentNote,
    ResidentSkill,
    ResidentStatus,
    Skill,
    User,
)
from pathways.permissions import can_manage_resident
from pathways.skills import skill_label_for, skills_by_label, suggest_skill_labels

MINIMUM_AGE = 16
PREFER_NOT_TO_SAY = "prefer_not_to_say"
BARRIERS = ("childcare", "transport", "digital_access", "confidence", "health", "housing", "caring")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Equality monitoring answers; None means the question was not asked.
SEX_ANSWERS = ("female", "male", "other", PREFER_NOT_TO_SAY)
DISABILITY_ANSWERS = ("yes", "no", PREFER_NOT_TO_SAY)
# Census 2021 ethnic groups (England and Wales, high-level), plus "prefer not to say".
ETHNICITY_ANSWERS = (
    "asian_or_asian_british",
    "black_black_british_caribbean_or_african",
    "mixed_or_multiple",
    "white",
    "other_ethnic_group",
    PREFER_NOT_TO_SAY,
)
AGE_BANDS = ((16, "16-24"), (25, "25-34"), (35, "35-49"), (50, "50-64"), (65, "65+"))
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# UK numbers: 10 or 11 digits starting 0, or +44 followed by 9 or 10 digits.
PHONE_PATTERN = re.compile(r"^(0\d{9,10}|\+44\d{9,10})$")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# Text longer than its column holds is a field error, never a database failure (as on PostgreSQL).
LENGTH_LIMITED = ("first_name", "last_name", "email", "phone", "address", "external_ref")


@dataclass
class ResidentDetails:
    """What an advisor types about a resident; the same shape serves the form and the import."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    work_history: str = ""
    informal_experience: str = ""
    interests: str = ""
    qualifications: str = ""
    other_skills: str = ""
    english_level: int = 0
    maths_level: int = 0
    highest_qualification_level: int = 0
    has_driving_licence: bool = False
    has_right_to_work: bool = False
    available_hours_per_week: int | None = None
    available_days: list[str] = field(default_factory=list)
    no_nights: bool = False
    part_time_only: bool = False
    max_travel_km: float | None = None
    barriers: list[str] = field(default_factory=list)
    agreed_supports: str = ""
    sex: str | None = None
    ethnicity: str | None = None
    disability: str | None = None
    external_ref: str | None = None

    @classmethod
    def of(cls, resident: Resident) -> "ResidentDetails":
        """The current details of a stored resident, to prefill the edit form."""
        values = {}
        for detail in fields(cls):
            value = getattr(resident, detail.name)
            values[detail.name] = "" if value is None and detail.type is str else value
        values["available_days"] = list(resident.available_days or [])
        values["barriers"] = list(resident.barriers or [])
        return cls(**values)


@dataclass(frozen=True)
class SkillEntries:
    """Typed skills resolved against the vocabulary, and those it did not recognise."""

    labels: list[str]
    unrecognised: dict[str, list[str]]


def parse_date(text: str) -> date | None:
    """A date typed as dd/mm/yyyy or yyyy-mm-dd (as spreadsheets save them), else None."""
    text = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def age_on(born: date, on: date) -> int:
    """Whole years between a birth date and a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_band_for(born: date | None, on: date) -> str | None:
    """The reporting age band, kept after erasure instead of the date of birth."""
    if born is None:
        return None
    age = age_on(born, on)
    band = None
    for lower, label in AGE_BANDS:
        if age >= lower:
            band = label
    return band


def resolve_skill_entries(entries: list[str]) -> SkillEntries:
    """Match typed skills to vocabulary labels; suggest close labels for those that do not match."""
    labels: list[str] = []
    unrecognised: dict[str, list[str]] = {}
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        label = skill_label_for(entry)
        if label:
            labels.append(label)
        else:
            unrecognised[entry] = suggest_skill_labels(entry, limit=4)
    return SkillEntries(labels=list(dict.fromkeys(labels)), unrecognised=unrecognised)


def split_skill_text(text: str) -> list[str]:
    """Typed skills separated by commas, semicolons or new lines."""
    return [part.strip() for part in re.split(r"[,;\n|]", text or "") if part.strip()]


def validate_details(details: ResidentDetails, *, on: date | None = None) -> dict[str, str]:
    """Field errors for these details (empty when they are fine); the postcode is checked too."""
    on = on or today()
    errors: dict[str, str] = {}
    if not details.first_name.strip():
        errors["first_name"] = "Enter the resident's first name"
    if not details.last_name.strip():
        errors["last_name"] = "Enter the resident's last name"
    if details.date_of_birth is None:
        errors["date_of_birth"] = "Enter a date of birth, like 31/03/1990"
    elif details.date_of_birth > on:
        errors["date_of_birth"] = "Date of birth must be in the past"
    elif age_on(details.date_of_birth, on) < MINIMUM_AGE:
        errors["date_of_birth"] = f"The resident must be {MINIMUM_AGE} or over"
    elif age_on(details.date_of_birth, on) > 100:
        errors["date_of_birth"] = "Check the year of birth"
    if details.email.strip() and not EMAIL_PATTERN.match(details.email.strip()):
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if details.phone.strip() and not PHONE_PATTERN.match(_compact_phone(details.phone)):
        errors["phone"] = "Enter a UK phone number, like 0113 496 0000 or 07700 900 982"
    if not details.postcode.strip():
        errors["postcode"] = "Enter the resident's postcode"
    else:
        try:
            resolve_postcode(details.postcode)
        except UnknownPostcode as error:
            errors["postcode"] = error.errors["postcode"]
    for name, allowed in (("barriers", BARRIERS), ("available_days", DAYS)):
        if set(getattr(details, name)) - set(allowed):
            errors[name] = f"Choose {name.replace('_', ' ')} from the list"
    for name, allowed in (
        ("sex", SEX_ANSWERS),
        ("ethnicity", ETHNICITY_ANSWERS),
        ("disability", DISABILITY_ANSWERS),
    ):
        if getattr(details, name) not in (None, "", *allowed):
            errors[name] = "Choose an answer from the list"
    for name in LENGTH_LIMITED:
        limit = Resident.__table__.c[name].type.length
        if len((getattr(details, name) or "").strip()) > limit:
            errors[name] = f"Must be {limit} characters or fewer"
    return errors


def register_resident(
    *,
    session: Session,
    advisor: User,
    details: ResidentDetails,
    skill_labels: list[str],
    consent_to_hold_data: bool,
    share_with_employers: bool = False,
    consent_given_on: date | None = None,
    priority_decile_threshold: int = DEFAULT_PRIORITY_DECILE_THRESHOLD,
) -> Resident:
    """Add a resident to the advisor's caseload with their consent; raise ValidationFailed."""
    errors = validate_details(details)
    if not consent_to_hold_data:
        errors["consent_to_hold_data"] = "The resident must agree to us holding their data"
    if consent_given_on is not None and consent_given_on > today():
        errors["consent_given_on"] = "Enter today's date or an earlier one"
    if errors:
        raise ValidationFailed("The resident could not be registered", errors)
    resident = Resident(
        organisation_id=advisor.organisation_id,
        advisor_id=advisor.id,
        created_by_id=advisor.id,
    )
    _apply(resident, details, priority_decile_threshold)
    session.add(resident)
    session.flush()
    set_resident_skills(session=session, resident=resident, labels=skill_labels)
    given_on = consent_given_on or today()
    record_consent(
        session=session,
        resident=resident,
        kind=ConsentKind.HOLD_DATA,
        granted=True,
        on=given_on,
        by=advisor,
    )
    if share_with_employers:
        record_consent(
            session=session,
            resident=resident,
            kind=ConsentKind.SHARE_WITH_EMPLOYERS,
            granted=True,
            on=given_on,
            by=advisor,
        )
    return resident


def update_resident(
    *,
    session: Session,
    resident: Resident,
    details: ResidentDetails,
    skill_labels: list[str],
    priority_decile_threshold: int = DEFAULT_PRIORITY_DECILE_THRESHOLD,
) -> Resident:
    """Change a resident's details and skills, re-resolving the postcode; raise ValidationFailed."""
    errors = validate_details(details)
    if errors:
        raise ValidationFailed("The changes could not be saved", errors)
    if details.external_ref is None:
        details.external_ref = resident.external_ref
    _apply(resident, details, priority_decile_threshold)
    resident.updated_at = resident.last_activity_at = now_utc()
    session.add(resident)
    set_resident_skills(session=session, resident=resident, labels=skill_labels)
    session.flush()
    return resident


def _apply(resident: Resident, details: ResidentDetails, threshold: int) -> None:
    """Copy details onto the resident, tidied, with everything the postcode tells us."""
    for name in (f.name for f in fields(ResidentDetails)):
        value = getattr(details, name)
        if isinstance(value, str):
            value = value.strip()
        setattr(resident, name, value)
    for name in ("email", "phone", "address", "external_ref", "sex", "ethnicity", "disability"):
        setattr(resident, name, getattr(resident, name) or None)
    resident.email = resident.email.lower() if resident.email else None
    resident.first_name = details.first_name.strip()
    resident.last_name = details.last_name.strip()
    resident.age_band = age_band_for(details.date_of_birth, today())
    apply_place(resident, resolve_postcode(details.postcode, priority_decile_threshold=threshold))


def apply_place(resident: Resident, place: Place) -> None:
    """Store the postcode and what it resolves to, so filters and reports need no lookup."""
    resident.postcode = place.postcode
    resident.lsoa21_code = place.lsoa21_code
    resident.ward_name = place.ward_name
    resident.imd_decile = place.imd_decile
    resident.priority_area = place.priority_area
    resident.in_priority_area = place.is_priority


def _compact_phone(phone: str) -> str:
    return re.sub(r"[\s\-()]", "", phone or "")


def set_resident_skills(*, session: Session, resident: Resident, labels: list[str]) -> None:
    """Make the resident's vocabulary skills exactly these labels (unknown labels are ignored)."""
    wanted = {skill.id for skill in skills_by_label(session, labels).values()}
    current = {
        link.skill_id: link
        for link in session.exec(
            select(ResidentSkill).where(ResidentSkill.resident_id == resident.id)
        )
    }
    for skill_id, link in current.items():
        if skill_id not in wanted:
            session.delete(link)
    for skill_id in wanted - set(current):
        session.add(ResidentSkill(resident_id=resident.id, skill_id=skill_id))
    session.flush()


def skill_labels_of(*, session: Session, resident: Resident) -> list[str]:
    """The vocabulary labels of the resident's skills, alphabetically."""
    return skill_labels_by_resident(session=session, resident_ids=[resident.id]).get(
        resident.id, []
    )


def skill_labels_by_resident(*, session: Session, resident_ids: list[int]) -> dict[int, list[str]]:
    """Resident id -> their skill labels, alphabetically, in one query for many residents."""
    rows = session.exec(
        select(ResidentSkill.resident_id, Skill.label)
        .join(Skill, Skill.id == ResidentSkill.skill_id)
        .where(ResidentSkill.resident_id.in_(resident_ids))  # type: ignore[attr-defined]
        .order_by(Skill.label)
    )
    labels: dict[int, list[str]] = {}
    for resident_id, label in rows:
        labels.setdefault(resident_id, []).append(label)
    return labels


def record_consent(
    *,
    session: Session,
    resident: Resident,
    kind: ConsentKind,
    granted: bool,
    on: date,
    by: User | None,
    note: str = "",
) -> ConsentRecord:
    """Add a dated grant or withdrawal; the newest record of its kind is the one in force."""
    if on > today():
        raise ValidationFailed(
            "A consent date cannot be in the future",
            {"given_on": "Enter today's date or an earlier one"},
        )
    record = ConsentRecord(
        resident_id=resident.id,
        kind=kind,
        granted=granted,
        given_on=on,
        recorded_by_id=by.id if by else None,
        note=note[:500],
    )
    session.add(record)
    resident.last_activity_at = now_utc()
    session.add(resident)
    session.flush()
    return record


def consent_history(*, session: Session, resident: Resident) -> list[ConsentRecord]:
    """Every consent record, newest first."""
    return list(
        session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.resident_id == resident.id)
            .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
        )
    )


def consents_in_force(*, session: Session, resident: Resident) -> dict[ConsentKind, ConsentRecord]:
    """The latest record of each kind of consent (absent kinds were never recorded)."""
    latest: dict[ConsentKind, ConsentRecord] = {}
    for record in consent_history(session=session, resident=resident):
        latest.setdefault(record.kind, record)
    return latest


def add_note(
    *,
    session: Session,
    resident: Resident,
    author: User,
    body: str,
    next_action: str = "",
    due_on: date | None = None,
) -> ResidentNote:
    """Add a case note, optionally with a next action due on a date."""
    errors = {}
    if not body.strip():
        errors["body"] = "Enter the note"
    if due_on and not next_action.strip():
        errors["next_action"] = "Say what the next action is, or remove the due date"
    if errors:
        raise ValidationFailed("The note could not be added", errors)
    note = ResidentNote(
        resident_id=resident.id,
        author_id=author.id,
        body=body.strip(),
        next_action=next_action.strip()[:300] or None,
        due_on=due_on,
    )
    session.add(note)
    resident.last_activity_at = now_utc()
    session.add(resident)
    session.flush()
    return note


def mark_note_done(*, session: Session, note: ResidentNote) -> None:
    """Record that a note's next action has been done."""
    note.done_at = now_utc()
    session.add(note)
    session.flush()


def notes_of(*, session: Session, resident: Resident) -> list[ResidentNote]:
    """The resident's case notes, newest first."""
    return list(
        session.exec(
            select(ResidentNote)
            .where(ResidentNote.resident_id == resident.id)
            .order_by(ResidentNote.created_at.desc(), ResidentNote.id.desc())
        )
    )


def resident_for(*, session: Session, user: User, resident_id: int) -> Resident:
    """A resident the user may manage; any other, including another organisation's, is NotFound."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("No resident with that number")
    if not can_manage_resident(user, resident):
        raise NotFound("No resident with that number")
    return resident


def set_status(*, session: Session, resident: Resident, status: ResidentStatus) -> None:
    """Mark the resident active, in work or closed."""
    resident.status = status
    resident.updated_at = resident.last_activity_at = now_utc()
    session.add(resident)
    session.flush()
