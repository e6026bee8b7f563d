"""Data rights: a full copy of a resident's data, erasure that keeps totals, retention review."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import func, select

from pathways.data_rights import (
    erase_resident,
    resident_data,
    resident_data_csv,
    residents_due_for_review,
)
from pathways.models import (
    Application,
    ConsentKind,
    MilestoneEvent,
    MilestoneKind,
    Pathway,
    PathwayKind,
    Resident,
    ResidentNote,
    ResidentSkill,
    Role,
    Vacancy,
    VacancyStatus,
)
from pathways.permissions import can_view_resident, residents_shareable_with_employer
from pathways.residents import add_note, record_consent
from pathways.skills import sync_skill_vocabulary


def milestone_totals(db) -> dict:
    """Anonymous totals as a cohort report counts them: events by kind and by priority area."""
    rows = db.exec(
        select(MilestoneEvent.kind, Resident.priority_area, func.count())
        .join(Resident, Resident.id == MilestoneEvent.resident_id)
        .group_by(MilestoneEvent.kind, Resident.priority_area)
    ).all()
    return {(kind, area): count for kind, area, count in rows}


def test_export_holds_every_table_and_the_csv_is_formula_safe(db, make_user, make_resident):
    sync_skill_vocabulary(db)
    advisor = make_user(Role.ADVISOR)
    resident = make_resident(
        advisor, first_name="=HYPERLINK(1)", skills=["cleaning"], share=True, phone="07700900123"
    )
    add_note(session=db, resident=resident, author=advisor, body="+44 rang back", next_action="CV")
    db.add(
        MilestoneEvent(
            resident_id=resident.id, kind=MilestoneKind.REGISTERED, occurred_on=date(2026, 1, 5)
        )
    )
    db.flush()
    data = resident_data(session=db, resident=resident)
    assert set(data) == {
        "resident",
        "skills",
        "consents",
        "notes",
        "applications",
        "enrolments",
        "attendance",
        "milestones",
    }
    assert data["resident"][0]["phone"] == "07700900123"
    assert data["resident"][0]["date_of_birth"] == "1995-06-15"
    assert [s["label"] for s in data["skills"]] == ["cleaning"]
    assert {c["kind"] for c in data["consents"]} == {"hold_data", "share_with_employers"}
    assert data["notes"][0]["next_action"] == "CV"
    assert data["milestones"][0]["kind"] == "registered"
    json.dumps(data)  # everything is plain JSON
    rows = list(csv.DictReader(io.StringIO(resident_data_csv(data))))
    values = {(r["table"], r["field"]): r["value"] for r in rows}
    assert values[("resident", "first_name")] == "'=HYPERLINK(1)"
    assert values[("notes", "body")] == "'+44 rang back"
    assert values[("skills", "label")] == "cleaning"
    assert {r["table"] for r in rows} >= {"resident", "skills", "consents", "notes", "milestones"}


def test_erasure_empties_personal_data_and_keeps_aggregate_counts(db, make_user, make_resident):
    sync_skill_vocabulary(db)
    advisor = make_user(Role.ADVISOR)
    resident = make_resident(advisor, skills=["cleaning"], email="a@example.com", sex="female")
    other = make_resident(advisor, postcode="LS8 5BQ")
    add_note(
        session=db, resident=resident, author=advisor, body="Lives with her mum", next_action="x"
    )
    for person, kind in (
        (resident, MilestoneKind.REGISTERED),
        (resident, MilestoneKind.JOB_STARTED),
        (other, MilestoneKind.REGISTERED),
    ):
        db.add(
            MilestoneEvent(
                resident_id=person.id, kind=kind, occurred_on=date(2026, 2, 1), note="private"
            )
        )
    db.flush()
    before = milestone_totals(db)
    assert before[(MilestoneKind.JOB_STARTED, "Lincoln Green")] == 1

    erase_resident(session=db, resident=resident)
    db.refresh(resident)

    assert milestone_totals(db) == before
    assert (resident.first_name, resident.last_name, resident.date_of_birth) == (None, None, None)
    assert (resident.email, resident.postcode, resident.sex) == (None, None, None)
    assert resident.erased_at is not None
    assert (resident.priority_area, resident.imd_decile, resident.age_band) == (
        "Lincoln Green",
        1,
        "25-34",
    )
    note = db.exec(select(ResidentNote).where(ResidentNote.resident_id == resident.id)).one()
    assert (note.body, note.next_action) == ("", None)
    assert not db.exec(select(ResidentSkill).where(ResidentSkill.resident_id == resident.id)).all()
    events = db.exec(select(MilestoneEvent).where(MilestoneEvent.resident_id == resident.id)).all()
    assert len(events) == 2 and {e.note for e in events} == {""}
    assert other.first_name == "Jordan"


def test_withdrawing_sharing_consent_hides_the_resident_from_employers_at_once(
    db, make_user, make_resident, make_site
):
    advisor = make_user(Role.ADVISOR)
    employer = make_user(Role.EMPLOYER)
    resident = make_resident(advisor, share=True)
    silent = make_resident(advisor, share=False)
    site = make_site(organisation_id=employer.organisation_id)
    pathway = Pathway(
        slug="hca-test",
        title="Healthcare assistant",
        kind=PathwayKind.ENTRY_ROLE,
        staff_group="Nursing",
    )
    db.add(pathway)
    db.flush()
    vacancy = Vacancy(
        organisation_id=employer.organisation_id,
        site_id=site.id,
        pathway_id=pathway.id,
        title="HCA",
        closing_date=date(2027, 1, 1),
        status=VacancyStatus.OPEN,
    )
    db.add(vacancy)
    db.flush()
    for person in (resident, silent):
        db.add(Application(resident_id=person.id, vacancy_id=vacancy.id))
    db.flush()
    assert residents_shareable_with_employer(session=db, employer=employer) == [resident]
    assert can_view_resident(session=db, user=employer, resident=resident)
    assert not can_view_resident(session=db, user=employer, resident=silent)
    # Another employer never sees them, consent or not.
    assert not can_view_resident(session=db, user=make_user(Role.EMPLOYER), resident=resident)

    record_consent(
        session=db,
        resident=resident,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=False,
        on=date.today(),
        by=advisor,
    )
    assert residents_shareable_with_employer(session=db, employer=employer) == []
    assert not can_view_resident(session=db, user=employer, resident=resident)


def test_inactive_residents_are_listed_for_review(db, make_user, make_resident):
    advisor = make_user(Role.ADVISOR)
    idle = make_resident(advisor)
    busy = make_resident(advisor)
    elsewhere = make_resident(make_user(Role.ADVISOR))
    now = datetime(2026, 11, 24, tzinfo=UTC)
    idle.last_activity_at = now - timedelta(days=731)
    elsewhere.last_activity_at = now - timedelta(days=800)
    busy.last_activity_at = now - timedelta(days=729)
    db.add_all([idle, busy, elsewhere])
    db.flush()
    due = residents_due_for_review(session=db, retention_days=730, now=now)
    assert [row.resident.id for row in due] == [elsewhere.id, idle.id]
    mine = residents_due_for_review(
        session=db, retention_days=730, now=now, organisation_id=advisor.organisation_id
    )
    assert [row.resident.id for row in mine] == [idle.id]
    erase_resident(session=db, resident=idle)
    assert (
        residents_due_for_review(
            session=db, retention_days=730, now=now, organisation_id=advisor.organisation_id
        )
        == []
    )
