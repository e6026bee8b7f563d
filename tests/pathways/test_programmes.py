"""Programmes, cohorts, enrolment within capacity, attendance and bulk completion."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pathways.errors import PermissionDenied, ValidationFailed
from pathways.models import (
    EnrolmentStatus,
    MilestoneEvent,
    MilestoneKind,
    OrganisationKind,
    Resident,
    Role,
)
from pathways.programmes import (
    EnrolmentAction,
    EnrolmentUpdate,
    attendance_counts,
    can_manage_programme,
    can_view_programme,
    cohort_summaries,
    cohorts_open_for_enrolment,
    create_cohort,
    create_programme,
    enrol,
    partner_employers,
    programmes_for,
    record_attendance,
    record_cohort_attendance,
    register_on,
    session_dates,
    update_enrolment,
    update_enrolments_in_bulk,
)
from pathways.progress import timeline

TODAY = date(2026, 3, 16)
STARTS_ON, ENDS_ON = date(2026, 2, 2), date(2026, 3, 13)


@pytest.fixture(autouse=True)
def clock():
    with freeze_time(datetime(2026, 3, 16, 12, tzinfo=UTC)) as frozen:
        yield frozen


@pytest.fixture
def advisor(make_user):
    return make_user(Role.ADVISOR)


@pytest.fixture
def make_resident(db, advisor):
    def make(**overrides) -> Resident:
        values = {"organisation_id": advisor.organisation_id, "advisor_id": advisor.id}
        resident = Resident(**(values | overrides))
        db.add(resident)
        db.flush()
        return resident

    return make


@pytest.fixture
def programme(db, advisor, make_organisation):
    return create_programme(
        session=db,
        name="Six-week employability course",
        partner_employer_id=make_organisation().id,
        guaranteed_interview=True,
        duration_weeks=6,
        by=advisor,
    )


@pytest.fixture
def make_cohort(db, programme, advisor):
    def make(name="Lincoln Green, spring 2026", capacity=None, **overrides):
        values = {"starts_on": STARTS_ON, "ends_on": ENDS_ON, "venue": "Lincoln Green Centre"}
        return create_cohort(
            session=db,
            programme=programme,
            name=name,
            capacity=capacity,
            by=advisor,
            **(values | overrides),
        )

    return make


def test_cohort_details_are_checked(db, make_cohort, programme, make_user):
    cohort = make_cohort()
    assert cohort.partner_employer_id == programme.partner_employer_id
    with pytest.raises(ValidationFailed) as refused:
        make_cohort(name=cohort.name, ends_on=STARTS_ON - timedelta(days=1), capacity=0)
    assert set(refused.value.errors) == {"name", "ends_on", "capacity"}
    with pytest.raises(PermissionDenied):
        create_cohort(
            session=db,
            programme=programme,
            name="Another provider's",
            starts_on=STARTS_ON,
            ends_on=ENDS_ON,
            by=make_user(Role.ADVISOR),
        )


def test_capacity_is_enforced_and_a_leaver_frees_a_place(db, make_cohort, make_resident, advisor):
    cohort = make_cohort(capacity=2)
    first = enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
    enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
    with pytest.raises(ValidationFailed, match=r"This cohort is full \(2 places\)"):
        enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
    update_enrolment(
        session=db,
        enrolment=first,
        action=EnrolmentAction.LEAVE_EARLY,
        on=STARTS_ON,
        by=advisor,
    )
    enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)


def test_no_double_enrolment(db, make_cohort, make_resident, advisor):
    spring, summer = make_cohort(), make_cohort(name="Summer")
    resident = make_resident()
    enrol(session=db, cohort=spring, resident=resident, on=STARTS_ON, by=advisor)
    for cohort in (spring, summer):
        with pytest.raises(ValidationFailed, match="already enrolled on Lincoln Green"):
            enrol(session=db, cohort=cohort, resident=resident, on=STARTS_ON, by=advisor)


def test_first_attended_session_starts_the_programme(db, make_cohort, make_resident, advisor):
    resident = make_resident()
    enrolment = enrol(
        session=db, cohort=make_cohort(), resident=resident, on=date(2026, 1, 20), by=advisor
    )
    record_attendance(
        session=db, enrolment=enrolment, session_on=STARTS_ON, attended=False, by=advisor
    )
    assert enrolment.status == EnrolmentStatus.ENROLLED
    record_attendance(
        session=db, enrolment=enrolment, session_on=date(2026, 2, 3), attended=True, by=advisor
    )
    assert enrolment.status == EnrolmentStatus.STARTED
    assert [(e.kind, e.occurred_on) for e in timeline(session=db, resident=resident)] == [
        (MilestoneKind.PROGRAMME_STARTED, date(2026, 2, 3))
    ]
    with pytest.raises(ValidationFailed, match="cohort's dates"):
        record_attendance(
            session=db,
            enrolment=enrolment,
            session_on=ENDS_ON + timedelta(1),
            attended=True,
            by=advisor,
        )


def test_completion_needs_a_start_and_a_date_after_it(db, make_cohort, make_resident, advisor):
    enrolment = enrol(
        session=db, cohort=make_cohort(), resident=make_resident(), on=STARTS_ON, by=advisor
    )
    with pytest.raises(ValidationFailed, match="Only a resident who has started"):
        update_enrolment(
            session=db,
            enrolment=enrolment,
            action=EnrolmentAction.COMPLETE,
            on=ENDS_ON,
            by=advisor,
        )
    update_enrolment(
        session=db, enrolment=enrolment, action=EnrolmentAction.START, on=STARTS_ON, by=advisor
    )
    with pytest.raises(ValidationFailed, match="cannot be before the programme started"):
        update_enrolment(
            session=db,
            enrolment=enrolment,
            action=EnrolmentAction.COMPLETE,
            on=STARTS_ON - timedelta(1),
            by=advisor,
        )
    with pytest.raises(ValidationFailed, match="A date cannot be in the future"):
        update_enrolment(
            session=db,
            enrolment=enrolment,
            action=EnrolmentAction.COMPLETE,
            on=TODAY + timedelta(1),
            by=advisor,
        )


def test_bulk_completion_is_all_or_nothing(db, make_cohort, make_resident, advisor):
    cohort = make_cohort(capacity=20)
    enrolments = [
        enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
        for _ in range(20)
    ]
    update_enrolments_in_bulk(
        session=db,
        cohort=cohort,
        action=EnrolmentAction.START,
        rows=[EnrolmentUpdate(e.id, STARTS_ON) for e in enrolments],
        by=advisor,
    )
    rows = [EnrolmentUpdate(e.id, ENDS_ON) for e in enrolments]
    rows[7] = EnrolmentUpdate(enrolments[7].id, STARTS_ON - timedelta(days=3))
    rows[12] = EnrolmentUpdate(enrolments[12].id, TODAY + timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        update_enrolments_in_bulk(
            session=db, cohort=cohort, action=EnrolmentAction.COMPLETE, rows=rows, by=advisor
        )
    assert set(refused.value.errors) == {"rows-7", "rows-12"}
    assert "2 of 20 rows" in str(refused.value)
    completed = select(MilestoneEvent).where(
        MilestoneEvent.kind == MilestoneKind.PROGRAMME_COMPLETED
    )
    assert db.exec(completed).all() == []
    assert {e.status for e in enrolments} == {EnrolmentStatus.STARTED}

    rows[7] = rows[12] = EnrolmentUpdate(enrolments[0].id, ENDS_ON)
    with pytest.raises(ValidationFailed) as refused:
        update_enrolments_in_bulk(
            session=db, cohort=cohort, action=EnrolmentAction.COMPLETE, rows=rows, by=advisor
        )
    assert refused.value.errors == {
        "rows-7": "This resident appears more than once",
        "rows-12": "This resident appears more than once",
    }
    saved = update_enrolments_in_bulk(
        session=db,
        cohort=cohort,
        action=EnrolmentAction.COMPLETE,
        rows=[EnrolmentUpdate(e.id, ENDS_ON) for e in enrolments],
        by=advisor,
    )
    assert len(saved) == len(db.exec(completed).all()) == 20
    assert {(e.status, e.completed_on) for e in enrolments} == {
        (EnrolmentStatus.COMPLETED, ENDS_ON)
    }


def test_a_register_for_one_session_is_all_or_nothing(db, make_cohort, make_resident, advisor):
    cohort = make_cohort()
    present, absent = (
        enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
        for _ in range(2)
    )
    with pytest.raises(ValidationFailed) as refused:
        record_cohort_attendance(
            session=db,
            cohort=cohort,
            session_on=STARTS_ON,
            attendance={present.id: True, absent.id: False, 999_999: True},
            by=advisor,
        )
    assert set(refused.value.errors) == {"rows-2"}
    assert present.status == EnrolmentStatus.ENROLLED
    records = record_cohort_attendance(
        session=db,
        cohort=cohort,
        session_on=STARTS_ON,
        attendance={present.id: True, absent.id: False},
        by=advisor,
    )
    assert [r.attended for r in records] == [True, False]
    assert (present.status, absent.status) == (EnrolmentStatus.STARTED, EnrolmentStatus.ENROLLED)


def test_programmes_are_listed_for_their_provider_and_for_leads(
    db, programme, make_cohort, make_resident, advisor, make_user
):
    cohort = make_cohort(capacity=3)
    make_cohort(name="Summer")
    leaver = enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
    enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
    update_enrolment(
        session=db, enrolment=leaver, action=EnrolmentAction.LEAVE_EARLY, on=STARTS_ON, by=advisor
    )
    other = create_programme(session=db, name="Care certificate", by=make_user(Role.ADVISOR))

    [own] = programmes_for(session=db, user=advisor)
    assert (own.programme, own.cohorts, own.places_taken) == (programme, 2, 1)
    assert own.partner_employer is not None
    lead = make_user(Role.PROGRAMME_LEAD)
    listed = {s.programme.id for s in programmes_for(session=db, user=lead)}
    assert {programme.id, other.id} <= listed
    assert programmes_for(session=db, user=make_user(Role.EMPLOYER)) == []
    assert can_view_programme(lead, programme) and not can_manage_programme(lead, programme)
    assert not can_view_programme(make_user(Role.ADVISOR), programme)
    assert not can_view_programme(make_user(Role.EMPLOYER), programme)


def test_cohort_summary_counts_places_statuses_and_attendance(
    db, make_cohort, make_resident, advisor
):
    cohort = make_cohort(capacity=4)
    empty = make_cohort(name="Summer", capacity=1)
    first, second, third = (
        enrol(session=db, cohort=cohort, resident=make_resident(), on=STARTS_ON, by=advisor)
        for _ in range(3)
    )
    update_enrolment(
        session=db, enrolment=third, action=EnrolmentAction.LEAVE_EARLY, on=STARTS_ON, by=advisor
    )
    for day, register in (
        (STARTS_ON, {first.id: True, second.id: False}),
        (date(2026, 2, 3), {first.id: True, second.id: True}),
    ):
        record_cohort_attendance(
            session=db, cohort=cohort, session_on=day, attendance=register, by=advisor
        )

    summary, nothing = cohort_summaries(session=db, cohorts=[cohort, empty])
    assert summary.by_status == {
        EnrolmentStatus.ENROLLED: 0,
        EnrolmentStatus.STARTED: 2,
        EnrolmentStatus.COMPLETED: 0,
        EnrolmentStatus.LEFT_EARLY: 1,
    }
    assert (summary.enrolments, summary.places_taken, summary.places_left) == (3, 2, 2)
    assert (summary.sessions_recorded, summary.attendance_records, summary.attended) == (2, 4, 3)
    assert summary.attendance_percent == 75 and not summary.is_full
    assert (nothing.enrolments, nothing.places_left, nothing.attendance_percent) == (0, 1, None)
    assert attendance_counts(session=db, cohort=cohort) == {first.id: (2, 2), second.id: (1, 2)}
    assert session_dates(session=db, cohort=cohort) == [STARTS_ON, date(2026, 2, 3)]
    assert register_on(session=db, cohort=cohort, session_on=STARTS_ON) == {
        first.id: True,
        second.id: False,
    }


def test_only_unfinished_cohorts_of_the_advisors_provider_are_open(
    db, make_cohort, advisor, make_user
):
    finished = make_cohort()
    running = make_cohort(name="Running", starts_on=date(2026, 3, 2), ends_on=date(2026, 4, 10))
    assert finished.ends_on < TODAY
    assert [c for c, _ in cohorts_open_for_enrolment(session=db, user=advisor)] == [running]
    assert cohorts_open_for_enrolment(session=db, user=make_user(Role.ADVISOR)) == []
    assert cohorts_open_for_enrolment(session=db, user=make_user(Role.PROGRAMME_LEAD)) == []


def test_partner_employers_are_active_employing_organisations(db, make_organisation):
    trust = make_organisation(kind=OrganisationKind.NHS_TRUST)
    care = make_organisation(kind=OrganisationKind.CARE_PROVIDER)
    closed = make_organisation(kind=OrganisationKind.CARE_PROVIDER, is_active=False)
    council = make_organisation(kind=OrganisationKind.COUNCIL)
    ids = {o.id for o in partner_employers(session=db)}
    assert {trust.id, care.id} <= ids
    assert not {closed.id, council.id} & ids
