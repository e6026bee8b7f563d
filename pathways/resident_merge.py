"""Merging two records of the same person, keeping every event from both."""

from sqlmodel import Session, select

from pathways.clock import now_utc
from pathways.errors import ValidationFailed
from pathways.models import (
    Application,
    ConsentRecord,
    Enrolment,
    MilestoneEvent,
    Resident,
    ResidentNote,
    ResidentSkill,
)


def merge_residents(*, session: Session, keep: Resident, duplicate: Resident) -> dict[str, int]:
    """Move everything recorded against ``duplicate`` to ``keep``; return how many of each moved.

    The duplicate stays, pointing at the kept record, so links to it can be followed.
    """
    _check_mergeable(session, keep, duplicate)
    moved = {}
    for name, model in (
        ("notes", ResidentNote),
        ("consents", ConsentRecord),
        ("enrolments", Enrolment),
        ("applications", Application),
        ("milestones", MilestoneEvent),
    ):
        rows = list(session.exec(select(model).where(model.resident_id == duplicate.id)))
        for row in rows:
            row.resident_id = keep.id
            session.add(row)
        moved[name] = len(rows)
    kept_skills = set(
        session.exec(select(ResidentSkill.skill_id).where(ResidentSkill.resident_id == keep.id))
    )
    links = list(
        session.exec(select(ResidentSkill).where(ResidentSkill.resident_id == duplicate.id))
    )
    for link in links:
        if link.skill_id not in kept_skills:
            session.add(ResidentSkill(resident_id=keep.id, skill_id=link.skill_id))
        session.delete(link)
    moved["skills"] = len(links)
    # The spreadsheet reference is unique per organisation: free it before the kept record takes it.
    reference, duplicate.external_ref = duplicate.external_ref, None
    duplicate.merged_into_id = keep.id
    duplicate.updated_at = now_utc()
    session.add(duplicate)
    session.flush()
    keep.external_ref = keep.external_ref or reference
    for name in ("email", "phone", "address"):
        setattr(keep, name, getattr(keep, name) or getattr(duplicate, name))
    keep.updated_at = keep.last_activity_at = now_utc()
    session.add(keep)
    session.flush()
    return moved


def _check_mergeable(session: Session, keep: Resident, duplicate: Resident) -> None:
    """Refuse merges that would lose or mix up events rather than keep them."""
    if keep.id == duplicate.id:
        raise ValidationFailed("Choose two different records", {"duplicate_id": "Choose another"})
    if keep.organisation_id != duplicate.organisation_id:
        raise ValidationFailed(
            "Only records of the same organisation can be merged",
            {"duplicate_id": "This record belongs to another organisation"},
        )
    for record in (keep, duplicate):
        if record.erased_at is not None or record.merged_into_id is not None:
            raise ValidationFailed(
                f"Record {record.id} has already been erased or merged",
                {"duplicate_id": "Choose records that are still in use"},
            )
    for model, column in ((Enrolment, Enrolment.cohort_id), (Application, Application.vacancy_id)):
        both = set(session.exec(select(column).where(model.resident_id == keep.id))) & set(
            session.exec(select(column).where(model.resident_id == duplicate.id))
        )
        if both:
            what = "cohort" if model is Enrolment else "vacancy"
            raise ValidationFailed(
                f"Both records are on the same {what}; close one of them first, then merge",
                {"duplicate_id": f"Both records are on the same {what}"},
            )
