"""A resident's data rights: a copy of everything held, erasure, and review after inactivity.

Erasure empties every personal field but keeps the resident row, its derived area fields and its
milestone events, so anonymous cohort totals are the same before and after.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlmodel import Session, SQLModel, delete, select

from pathways.clock import now_utc
from pathways.exports import to_csv
from pathways.models import (
    Application,
    AttendanceRecord,
    ConsentRecord,
    Enrolment,
    MilestoneEvent,
    Organisation,
    Resident,
    ResidentNote,
    ResidentSkill,
    ResidentStatus,
    Skill,
    User,
)

# Emptied on erasure; what is left (area, decile, age band, status, dates) cannot identify anyone.
PERSONAL_FIELDS = {
    "external_ref": None,
    "first_name": None,
    "last_name": None,
    "date_of_birth": None,
    "email": None,
    "phone": None,
    "address": None,
    "postcode": None,
    "work_history": "",
    "informal_experience": "",
    "interests": "",
    "qualifications": "",
    "other_skills": "",
    "agreed_supports": "",
    "barriers": [],
    "available_days": [],
    "sex": None,
    "ethnicity": None,
    "disability": None,
}


def resident_data(*, session: Session, resident: Resident) -> dict[str, list[dict]]:
    """Everything held about the resident, table by table, as plain JSON-ready values."""
    enrolments = _rows(session, Enrolment, Enrolment.resident_id == resident.id)
    enrolment_ids = [row["id"] for row in enrolments]
    return {
        "resident": [_plain(resident)],
        "skills": [
            {"skill_id": skill.id, "label": skill.label}
            for skill in session.exec(
                select(Skill)
                .join(ResidentSkill, ResidentSkill.skill_id == Skill.id)
                .where(ResidentSkill.resident_id == resident.id)
                .order_by(Skill.label)
            )
        ],
        "consents": _rows(session, ConsentRecord, ConsentRecord.resident_id == resident.id),
        "notes": _rows(session, ResidentNote, ResidentNote.resident_id == resident.id),
        "applications": _rows(session, Application, Application.resident_id == resident.id),
        "enrolments": enrolments,
        "attendance": _rows(
            session, AttendanceRecord, AttendanceRecord.enrolment_id.in_(enrolment_ids)
        ),
        "milestones": _rows(session, MilestoneEvent, MilestoneEvent.resident_id == resident.id),
    }


def resident_data_csv(data: dict[str, list[dict]]) -> str:
    """The same data as one long CSV (table, row, field, value), safe to open in a spreadsheet."""
    return to_csv(
        ["table", "row", "field", "value"],
        (
            [table, number, name, _text(value)]
            for table, rows in data.items()
            for number, row in enumerate(rows, start=1)
            for name, value in row.items()
        ),
    )


def erase_resident(*, session: Session, resident: Resident) -> None:
    """Empty personal fields, case note text and skills; keep milestones for anonymous totals."""
    for name, empty in PERSONAL_FIELDS.items():
        setattr(resident, name, empty)
    resident.status = ResidentStatus.CLOSED
    resident.erased_at = resident.updated_at = now_utc()
    session.add(resident)
    session.exec(delete(ResidentSkill).where(ResidentSkill.resident_id == resident.id))
    for model, column, text_fields in (
        (ResidentNote, ResidentNote.resident_id, {"body": "", "next_action": None}),
        (ConsentRecord, ConsentRecord.resident_id, {"note": ""}),
        (Application, Application.resident_id, {"closing_note": ""}),
        (MilestoneEvent, MilestoneEvent.resident_id, {"note": ""}),
    ):
        for row in session.exec(select(model).where(column == resident.id)):
            for name, empty in text_fields.items():
                setattr(row, name, empty)
            session.add(row)
    session.flush()


@dataclass(frozen=True)
class RetentionRow:
    resident: Resident
    organisation_name: str
    advisor_name: str | None


def residents_due_for_review(
    *,
    session: Session,
    retention_days: int,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> list[RetentionRow]:
    """Residents with no activity for longer than the retention period, longest idle first."""
    cutoff = (now or now_utc()) - timedelta(days=retention_days)
    statement = (
        select(Resident, Organisation.name, User.full_name)
        .join(Organisation, Organisation.id == Resident.organisation_id)
        .join(User, User.id == Resident.advisor_id, isouter=True)
        .where(
            Resident.erased_at.is_(None),
            Resident.merged_into_id.is_(None),
            Resident.last_activity_at < cutoff,
        )
        .order_by(Resident.last_activity_at, Resident.id)
    )
    if organisation_id is not None:
        statement = statement.where(Resident.organisation_id == organisation_id)
    return [RetentionRow(r, org, advisor) for r, org, advisor in session.exec(statement)]


def _rows(session: Session, model: type[SQLModel], condition) -> list[dict]:
    return [_plain(row) for row in session.exec(select(model).where(condition).order_by(model.id))]


def _plain(row: SQLModel) -> dict:
    """A row as JSON-ready values: dates as ISO text, enums as their values."""
    return {name: _json_value(value) for name, value in row.model_dump().items()}


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _text(value: object) -> object:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value
