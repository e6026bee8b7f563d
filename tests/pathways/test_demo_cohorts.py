"""The demo's programme history: the Lincoln Green 2019 pilot's numbers, the later cohorts'
different outcomes, sustainment checks due and overdue, and nothing added on a second run.

The demo is seeded once per database for this module (it takes a few seconds), on a frozen
clock, inside a transaction that is rolled back at the end.
"""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, func, select

from pathways.demo import seed_demo
from pathways.demo_cohorts import (
    LINCOLN_GREEN_POSTCODES,
    PROGRAMME,
    ST_JAMES,
    TARGET_PATHWAYS,
    cohort_plans,
)
from pathways.errors import ValidationFailed
from pathways.geography import resolve_postcode
from pathways.matchmaking import refer
from pathways.models import (
    Application,
    ApplicationStage,
    AttendanceRecord,
    AuditEvent,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    MilestoneEvent,
    MilestoneKind,
    Pathway,
    Programme,
    ProgrammePathway,
    Resident,
    ResidentStatus,
    Site,
    User,
    Vacancy,
    VacancyStatus,
)
from pathways.progress import DueState, sustainment_checks_due

# A Wednesday: the cohort in progress began on Monday 9 November 2026.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def clock():
    with freeze_time(NOW) as frozen:
        yield frozen


@pytest.fixture(scope="module")
def seeded(engine, clock):
    """A session holding the whole demo, rolled back after the module's tests."""
    with engine.connect() as connection:
        transaction = connection.begin()
        make_session = sessionmaker(
            bind=connection,
            class_=Session,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        with make_session() as session:
            seed_demo(session=session)
            session.flush()
            yield session
        transaction.rollback()


def cohort_named(db: Session, name: str) -> Cohort:
    return db.exec(select(Cohort).where(Cohort.name == name)).one()


def resident_ids(db: Session, cohort: Cohort) -> list[int]:
    return list(db.exec(select(Enrolment.resident_id).where(Enrolment.cohort_id == cohort.id)))


def current_events(db: Session, cohort: Cohort, kind: MilestoneKind) -> list[MilestoneEvent]:
    return list(
        db.exec(
            select(MilestoneEvent).where(
                col(MilestoneEvent.resident_id).in_(resident_ids(db, cohort)),
                MilestoneEvent.kind == kind,
                col(MilestoneEvent.superseded_by_id).is_(None),
            )
        )
    )


def outcomes(db: Session, name: str) -> dict[str, object]:
    """The cohort's funnel, counted from the stored records the way a report would."""
    cohort = cohort_named(db, name)
    statuses = Counter(
        db.exec(select(Enrolment.status).where(Enrolment.cohort_id == cohort.id)).all()
    )
    checks = current_events(db, cohort, MilestoneKind.SUSTAINMENT_CHECK)
    people = resident_ids(db, cohort)
    return {
        "registered": sum(statuses.values()),
        "started": len(current_events(db, cohort, MilestoneKind.PROGRAMME_STARTED)),
        "completed": statuses[EnrolmentStatus.COMPLETED],
        "referred": db.exec(
            select(func.count())
            .select_from(Application)
            .where(col(Application.resident_id).in_(people))
        ).one(),
        "interviewed": len(current_events(db, cohort, MilestoneKind.INTERVIEW)),
        "offered": len(current_events(db, cohort, MilestoneKind.OFFER)),
        "job_starts": len(current_events(db, cohort, MilestoneKind.JOB_STARTED)),
        "in_work": tuple(
            sum(1 for c in checks if c.weeks_after_start == weeks and c.in_work is True)
            for weeks in (13, 26, 52)
        ),
        "not_in_work": tuple(
            sum(1 for c in checks if c.weeks_after_start == weeks and c.in_work is False)
            for weeks in (13, 26, 52)
        ),
        "progressed": len(
            {e.resident_id for e in current_events(db, cohort, MilestoneKind.PROGRESSED)}
        ),
        "marked_in_work": db.exec(
            select(func.count())
            .select_from(Resident)
            .where(col(Resident.id).in_(people), Resident.status == ResidentStatus.IN_WORK)
        ).one(),
    }


EXPECTED = {
    "Lincoln Green 2019": {
        "registered": 52,
        "started": 49,
        "completed": 44,
        "referred": 44,
        "interviewed": 41,
        "offered": 33,
        "job_starts": 29,
        "in_work": (26, 24, 21),
        "not_in_work": (3, 5, 8),
        "progressed": 6,
        "marked_in_work": 21,
    },
    "Harehills 2023": {
        "registered": 24,
        "started": 21,
        "completed": 15,
        "referred": 14,
        "interviewed": 12,
        "offered": 8,
        "job_starts": 6,
        "in_work": (5, 5, 4),
        "not_in_work": (1, 1, 2),
        "progressed": 1,
        "marked_in_work": 4,
    },
    # Dated relative to today: the later checks are not all known yet.
    "Seacroft and Gipton": {
        "registered": 20,
        "started": 18,
        "completed": 14,
        "referred": 14,
        "interviewed": 13,
        "offered": 10,
        "job_starts": 8,
        "in_work": (6, 3, 0),
        "not_in_work": (0, 1, 0),
        "progressed": 0,
        # Everyone hired but the one who left, "not yet known" included.
        "marked_in_work": 7,
    },
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_past_cohort_has_its_funnel(seeded, name):
    assert outcomes(seeded, name) == EXPECTED[name]


def test_the_programme_is_the_providers_with_a_guaranteed_interview(seeded):
    programme = seeded.exec(select(Programme).where(Programme.name == PROGRAMME)).one()
    assert programme.guaranteed_interview and programme.duration_weeks == 6
    targets = set(
        seeded.exec(
            select(Pathway.slug)
            .join(ProgrammePathway, ProgrammePathway.pathway_id == Pathway.id)
            .where(ProgrammePathway.programme_id == programme.id)
        )
    )
    assert targets == set(TARGET_PATHWAYS)
    names = set(seeded.exec(select(Cohort.name).where(Cohort.programme_id == programme.id)))
    assert names == {plan.name for plan in cohort_plans(TODAY)}


def test_the_pilot_hired_at_st_jamess_into_band_2_roles_and_some_moved_into_clinical_support(
    seeded,
):
    cohort = cohort_named(seeded, "Lincoln Green 2019")
    st_james = seeded.exec(select(Site).where(Site.name == ST_JAMES)).one()
    starts = current_events(seeded, cohort, MilestoneKind.JOB_STARTED)
    assert {start.site_id for start in starts} == {st_james.id}
    slugs = dict(seeded.exec(select(Pathway.id, Pathway.slug)).all())
    assert Counter(slugs[start.pathway_id] for start in starts) == {
        "hospital-porter": 12,
        "ward-housekeeper": 10,
        "domestic-assistant": 7,
    }
    assert {(start.pay_band, start.annual_pay) for start in starts} == {("Band 2", 17652.0)}
    assert all(date(2019, 9, 1) <= start.occurred_on <= date(2019, 9, 30) for start in starts)
    progressions = current_events(seeded, cohort, MilestoneKind.PROGRESSED)
    started_in = {start.resident_id: slugs[start.pathway_id] for start in starts}
    assert {started_in[p.resident_id] for p in progressions} <= {
        "hospital-porter",
        "ward-housekeeper",
    }
    assert {slugs[p.pathway_id] for p in progressions} == {
        "healthcare-support-worker-band-2",
        "hcsw-apprenticeship-l2",
        "healthcare-support-worker-band-3",
    }
    assert {p.pay_band for p in progressions} == {"Band 2", "Band 3"}


def test_pilot_residents_live_in_lincoln_green_and_answered_the_equality_questions(seeded):
    assert {resolve_postcode(p).priority_area for p in LINCOLN_GREEN_POSTCODES} == {"Lincoln Green"}
    cohort = cohort_named(seeded, "Lincoln Green 2019")
    residents = seeded.exec(
        select(Resident).where(col(Resident.id).in_(resident_ids(seeded, cohort)))
    ).all()
    assert len(residents) == 52
    assert all(r.postcode.startswith("LS9 7") for r in residents)
    assert {r.priority_area for r in residents} == {"Lincoln Green"}
    assert all(r.sex and r.ethnicity and r.disability and r.age_band for r in residents)
    assert len({r.ethnicity for r in residents}) >= 4
    assert {"female", "male"} <= {r.sex for r in residents}
    assert "yes" in {r.disability for r in residents}


def test_relative_cohort_has_checks_due_this_week_and_overdue(seeded):
    cohort = cohort_named(seeded, "Seacroft and Gipton")
    due = sustainment_checks_due(session=seeded, cohort_id=cohort.id)
    assert sorted((item.weeks, item.state, (TODAY - item.due_on).days) for item in due) == [
        (13, DueState.DUE, 0),
        (13, DueState.OVERDUE, 16),
        (26, DueState.DUE, 0),
        (26, DueState.OVERDUE, 18),
        (52, DueState.DUE, 0),
        (52, DueState.DUE, 3),
        (52, DueState.OVERDUE, 20),
    ]
    # The older cohorts' checks are all answered.
    for name in ("Lincoln Green 2019", "Harehills 2023"):
        older = cohort_named(seeded, name)
        assert sustainment_checks_due(session=seeded, cohort_id=older.id) == []


def test_two_weeks_later_every_unanswered_check_is_overdue(seeded):
    cohort = cohort_named(seeded, "Seacroft and Gipton")
    due = sustainment_checks_due(session=seeded, cohort_id=cohort.id, on=TODAY + timedelta(days=15))
    assert Counter(item.state for item in due) == {DueState.OVERDUE: 7}


def test_the_cohort_in_progress_has_its_registers_so_far(seeded):
    cohort = cohort_named(seeded, "Burmantofts and Richmond Hill")
    assert cohort.starts_on == date(2026, 11, 9) <= TODAY < cohort.ends_on
    enrolments = seeded.exec(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).all()
    assert Counter(e.status for e in enrolments) == {
        EnrolmentStatus.STARTED: 11,
        EnrolmentStatus.ENROLLED: 2,
        EnrolmentStatus.LEFT_EARLY: 1,
    }
    records = seeded.exec(
        select(AttendanceRecord).where(
            col(AttendanceRecord.enrolment_id).in_([e.id for e in enrolments])
        )
    ).all()
    sessions = sorted({r.session_on for r in records})
    # Mondays, Tuesdays and Thursdays from 9 November up to today.
    assert [day.day for day in sessions] == [9, 10, 12, 16, 17, 19, 23, 24]
    attended = Counter(r.enrolment_id for r in records if r.attended)
    for enrolment in enrolments:
        if enrolment.status == EnrolmentStatus.STARTED:
            assert attended[enrolment.id] >= 1
        elif enrolment.status == EnrolmentStatus.ENROLLED:
            assert attended[enrolment.id] == 0
        else:
            assert attended[enrolment.id] == 2


def test_past_cohorts_recruited_through_closed_vacancies(seeded):
    referred_to = set(seeded.exec(select(Application.vacancy_id)))
    vacancies = seeded.exec(select(Vacancy).where(col(Vacancy.id).in_(referred_to))).all()
    # One per role and site in each recruitment round: 3 for the pilot, 6 and 3 + 2 + 2 later.
    assert len(vacancies) == 3 + 6 + 7
    assert {v.status for v in vacancies} == {VacancyStatus.CLOSED}
    assert all(v.closing_date < TODAY and v.closed_at is not None for v in vacancies)
    stages = Counter(seeded.exec(select(Application.stage)).all())
    assert stages[ApplicationStage.JOB_STARTED] == 29 + 6 + 8
    assert sum(stages.values()) == 44 + 14 + 14


def test_seeding_again_adds_nothing(seeded):
    tables = (Resident, Enrolment, Application, MilestoneEvent, Vacancy, AttendanceRecord)
    tables += (AuditEvent, Cohort, Programme)

    def counts():
        return [seeded.exec(select(func.count()).select_from(t)).one() for t in tables]

    before = counts()
    seed_demo(session=seeded)
    seeded.flush()
    assert counts() == before


def test_a_referral_can_be_dated_in_the_past_but_not_after_today(seeded):
    advisor = seeded.exec(select(User).where(User.email == "advisor@pathways.example")).one()
    resident = seeded.exec(select(Resident).where(Resident.external_ref == "BRH-05")).one()
    vacancy = seeded.exec(select(Vacancy).where(Vacancy.status == VacancyStatus.OPEN)).first()
    savepoint = seeded.begin_nested()
    try:
        with pytest.raises(ValidationFailed, match="after today"):
            refer(
                session=seeded,
                resident=resident,
                vacancy=vacancy,
                user=advisor,
                today=TODAY,
                referred_at=NOW + timedelta(days=1),
            )
        application = refer(
            session=seeded,
            resident=resident,
            vacancy=vacancy,
            user=advisor,
            today=TODAY,
            referred_at=NOW - timedelta(days=3),
        )
        assert application.referred_at == NOW - timedelta(days=3)
    finally:
        savepoint.rollback()
