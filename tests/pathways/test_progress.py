"""The application state machine, milestone rules, corrections, due lists and edit conflicts."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from sqlmodel import Session, SQLModel, select

from pathways.database import make_engine
from pathways.errors import ConflictError, PermissionDenied, ValidationFailed
from pathways.matchmaking import refer
from pathways.models import (
    Application,
    ApplicationStage,
    AuditEvent,
    CheckKind,
    CheckStatus,
    ClosingReason,
    ConsentKind,
    ConsentRecord,
    Evidence,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    OrganisationKind,
    Pathway,
    PathwayKind,
    ProgressionKind,
    Resident,
    Role,
    Site,
    User,
    Vacancy,
    VacancyStatus,
)
from pathways.progress import (
    TRANSITIONS,
    DueState,
    SustainmentConfirmation,
    close_application,
    confirm_sustainment_in_bulk,
    correct_milestone,
    job_starts,
    make_offer,
    record_check,
    record_job_start,
    record_left_job,
    record_progression,
    record_registration,
    record_sustainment_check,
    schedule_interview,
    shortlist,
    start_checks,
    start_job,
    sustainment_checks_due,
    timeline,
)

Stage = ApplicationStage
TODAY = date(2026, 2, 9)
REFERRED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
INTERVIEW_AT = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
OFFERED_ON = date(2026, 1, 13)
CLEARED_ON = date(2026, 1, 20)
STARTED_ON = date(2026, 2, 2)


@pytest.fixture(autouse=True)
def clock():
    with freeze_time(datetime(2026, 2, 9, 12, 0, tzinfo=UTC)) as frozen:
        yield frozen


@pytest.fixture
def employer_site(make_site):
    return make_site(name="St James's University Hospital")


@pytest.fixture
def employer(make_user, db, employer_site):
    return make_user(
        Role.EMPLOYER, organisation=db.get(Organisation, employer_site.organisation_id)
    )


@pytest.fixture
def advisor(make_user):
    return make_user(Role.ADVISOR)


@pytest.fixture
def porter_pathway(db):
    pathway = Pathway(
        slug=f"porter-{uuid.uuid4().hex[:6]}",
        title="Hospital porter",
        kind=PathwayKind.ENTRY_ROLE,
        staff_group="Estates and facilities",
        pay_band="Band 2",
    )
    db.add(pathway)
    db.flush()
    return pathway


@pytest.fixture
def make_vacancy(db, employer_site, porter_pathway):
    def make(**overrides) -> Vacancy:
        values = {
            "organisation_id": employer_site.organisation_id,
            "site_id": employer_site.id,
            "pathway_id": porter_pathway.id,
            "title": "Porter",
            "closing_date": date(2026, 12, 31),
            "status": VacancyStatus.OPEN,
            "hours_per_week": 37.5,
        }
        vacancy = Vacancy(**(values | overrides))
        db.add(vacancy)
        db.flush()
        return vacancy

    return make


@pytest.fixture
def make_resident(db, advisor):
    def make(**overrides) -> Resident:
        values = {
            "organisation_id": advisor.organisation_id,
            "advisor_id": advisor.id,
            "first_name": "Asha",
            "last_name": "Begum",
        }
        resident = Resident(**(values | overrides))
        db.add(resident)
        db.flush()
        db.add(
            ConsentRecord(
                resident_id=resident.id,
                kind=ConsentKind.SHARE_WITH_EMPLOYERS,
                granted=True,
                given_on=date(2026, 1, 1),
            )
        )
        db.flush()
        return resident

    return make


@pytest.fixture
def make_application(db, advisor, employer, make_vacancy, make_resident):
    """A referral made on 5 January, walked along the happy path to the stage asked for."""

    def make(stage: ApplicationStage = Stage.REFERRED, resident=None) -> Application:
        application = refer(
            session=db,
            resident=resident or make_resident(),
            vacancy=make_vacancy(),
            user=advisor,
            today=TODAY,
        )
        application.referred_at = REFERRED_AT
        db.add(application)
        db.flush()
        path = [Stage.SHORTLISTED, Stage.INTERVIEW, Stage.OFFER, Stage.CHECKS, Stage.JOB_STARTED]
        if stage in (Stage.UNSUCCESSFUL, Stage.WITHDRAWN):
            MOVES[stage](db, application, employer)
        elif stage != Stage.REFERRED:
            for step in path[: path.index(stage) + 1]:
                MOVES[step](db, application, employer)
        return application

    return make


def clear_all_checks(db, application, by):
    for kind in CheckKind:
        record_check(
            session=db,
            application=application,
            kind=kind,
            status=CheckStatus.CLEARED,
            on=CLEARED_ON,
            expected_version=application.version,
            by=by,
        )


def _to_checks(db, application, by):
    start_checks(session=db, application=application, expected_version=application.version, by=by)
    if application.stage == Stage.CHECKS:
        clear_all_checks(db, application, by)


# A valid way to make each move, so every (from, to) pair can be tried.
MOVES = {
    Stage.SHORTLISTED: lambda db, a, by: shortlist(
        session=db, application=a, expected_version=a.version, by=by
    ),
    Stage.INTERVIEW: lambda db, a, by: schedule_interview(
        session=db, application=a, interview_at=INTERVIEW_AT, expected_version=a.version, by=by
    ),
    Stage.OFFER: lambda db, a, by: make_offer(
        session=db, application=a, on=OFFERED_ON, expected_version=a.version, by=by
    ),
    Stage.CHECKS: _to_checks,
    Stage.JOB_STARTED: lambda db, a, by: start_job(
        session=db, application=a, on=STARTED_ON, expected_version=a.version, by=by
    ),
    Stage.UNSUCCESSFUL: lambda db, a, by: close_application(
        session=db,
        application=a,
        outcome=Stage.UNSUCCESSFUL,
        reason=ClosingReason.NOT_SHORTLISTED,
        expected_version=a.version,
        by=by,
    ),
    Stage.WITHDRAWN: lambda db, a, by: close_application(
        session=db,
        application=a,
        outcome=Stage.WITHDRAWN,
        reason=ClosingReason.FOUND_OTHER_WORK,
        expected_version=a.version,
        by=by,
    ),
}
ALL_MOVES = [(source, target) for source in Stage for target in MOVES]


def test_the_table_is_one_line_from_referral_to_job_with_closed_stages_final():
    assert set(TRANSITIONS) == set(Stage)
    assert [s for s in Stage if not TRANSITIONS[s]] == [
        Stage.JOB_STARTED,
        Stage.UNSUCCESSFUL,
        Stage.WITHDRAWN,
    ]
    assert all(
        {Stage.UNSUCCESSFUL, Stage.WITHDRAWN} <= moves for moves in TRANSITIONS.values() if moves
    )


@pytest.mark.parametrize(("source", "target"), ALL_MOVES, ids=lambda s: s.value)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    db, make_application, employer, source, target
):
    application = make_application(source)
    version = application.version
    if target in TRANSITIONS[source]:
        MOVES[target](db, application, employer)
        assert application.stage == target
        assert application.version > version
    else:
        with pytest.raises(ValidationFailed) as refused:
            MOVES[target](db, application, employer)
        assert str(refused.value)  # every refusal says why
        db.refresh(application)
        assert (application.stage, application.version) == (source, version)


def test_refusals_say_why(db, make_application, employer):
    offered = make_application(Stage.OFFER)
    with pytest.raises(ValidationFailed, match="A job cannot start before an offer has been made"):
        MOVES[Stage.JOB_STARTED](db, make_application(Stage.INTERVIEW), employer)
    with pytest.raises(ValidationFailed, match="only start once an offer"):
        MOVES[Stage.CHECKS](db, make_application(Stage.SHORTLISTED), employer)
    with pytest.raises(ValidationFailed, match=r"closed \(withdrawn\)"):
        MOVES[Stage.SHORTLISTED](db, make_application(Stage.WITHDRAWN), employer)
    assert offered.stage == Stage.OFFER


def test_a_job_cannot_start_until_every_check_is_cleared(db, make_application, employer):
    application = make_application(Stage.OFFER)
    assert application.version == 4  # referred, then three moves
    start_checks(session=db, application=application, expected_version=4, by=employer)
    for kind in (CheckKind.DBS, CheckKind.REFERENCES, CheckKind.RIGHT_TO_WORK):
        record_check(
            session=db,
            application=application,
            kind=kind,
            status=CheckStatus.CLEARED,
            on=CLEARED_ON,
            expected_version=application.version,
            by=employer,
        )
    with pytest.raises(ValidationFailed, match="still to clear: occupational health"):
        MOVES[Stage.JOB_STARTED](db, application, employer)
    assert application.stage == Stage.CHECKS


def test_dates_must_follow_the_referral_and_not_be_in_the_future(db, make_application, employer):
    application = make_application(Stage.SHORTLISTED)
    with pytest.raises(ValidationFailed, match="The interview date cannot be before the referral"):
        schedule_interview(
            session=db,
            application=application,
            interview_at=REFERRED_AT - timedelta(days=1),
            expected_version=application.version,
            by=employer,
        )
    # An interview may be arranged for the future; an offer cannot be dated there.
    schedule_interview(
        session=db,
        application=application,
        interview_at=datetime(2026, 2, 1, 10, tzinfo=UTC),
        expected_version=application.version,
        by=employer,
    )
    with pytest.raises(ValidationFailed, match="A date cannot be in the future"):
        make_offer(
            session=db,
            application=application,
            on=TODAY + timedelta(days=1),
            expected_version=application.version,
            by=employer,
        )
    with pytest.raises(ValidationFailed, match="An offer cannot be made before the interview"):
        make_offer(
            session=db,
            application=application,
            on=date(2026, 1, 31),
            expected_version=application.version,
            by=employer,
        )
    with pytest.raises(ValidationFailed, match="A date cannot be in the future"):
        start_job(
            session=db,
            application=make_application(Stage.CHECKS),
            on=TODAY + timedelta(days=7),
            expected_version=make_application(Stage.CHECKS).version,
            by=employer,
        )


def test_moves_write_interview_offer_and_job_start_milestones(db, make_application, employer):
    application = make_application(Stage.JOB_STARTED)
    resident = db.get(Resident, application.resident_id)
    vacancy = db.get(Vacancy, application.vacancy_id)
    events = timeline(session=db, resident=resident)
    assert [(e.kind, e.occurred_on) for e in events] == [
        (MilestoneKind.INTERVIEW, INTERVIEW_AT.date()),
        (MilestoneKind.OFFER, OFFERED_ON),
        (MilestoneKind.JOB_STARTED, STARTED_ON),
    ]
    job = events[-1]
    assert (job.employer_id, job.site_id, job.pathway_id, job.hours_per_week) == (
        vacancy.organisation_id,
        vacancy.site_id,
        vacancy.pathway_id,
        37.5,
    )
    assert job.application_id == application.id and job.recorded_by_id == employer.id


def test_unsuccessful_at_interview_records_the_interview(db, make_application, employer):
    application = make_application(Stage.INTERVIEW)
    close_application(
        session=db,
        application=application,
        outcome=Stage.UNSUCCESSFUL,
        reason=ClosingReason.UNSUCCESSFUL_AT_INTERVIEW,
        note="Strong candidate; encourage to reapply",
        expected_version=application.version,
        by=employer,
    )
    resident = db.get(Resident, application.resident_id)
    assert [e.kind for e in timeline(session=db, resident=resident)] == [MilestoneKind.INTERVIEW]
    assert application.closing_reason == ClosingReason.UNSUCCESSFUL_AT_INTERVIEW


def test_other_as_a_reason_needs_a_note(db, make_application, employer):
    application = make_application()
    with pytest.raises(ValidationFailed, match="reason is 'other'"):
        close_application(
            session=db,
            application=application,
            outcome=Stage.WITHDRAWN,
            reason=ClosingReason.OTHER,
            expected_version=application.version,
            by=employer,
        )


def test_advisors_may_withdraw_but_not_move(db, make_application, advisor, make_user):
    application = make_application(Stage.SHORTLISTED)
    with pytest.raises(PermissionDenied):
        MOVES[Stage.INTERVIEW](db, application, advisor)
    with pytest.raises(PermissionDenied):
        MOVES[Stage.UNSUCCESSFUL](db, application, advisor)
    with pytest.raises(PermissionDenied):
        MOVES[Stage.INTERVIEW](db, application, make_user(Role.EMPLOYER))  # another trust
    MOVES[Stage.WITHDRAWN](db, application, advisor)
    assert application.stage == Stage.WITHDRAWN
    assert application.closing_reason == ClosingReason.FOUND_OTHER_WORK


def test_a_stale_version_is_a_conflict(db, make_application, employer):
    application = make_application()
    with pytest.raises(ConflictError, match="Someone else changed this application"):
        shortlist(session=db, application=application, expected_version=0, by=employer)
    assert (application.stage, application.version) == (Stage.REFERRED, 1)


# Milestones.


@pytest.fixture
def hired(db, make_application, employer):
    """A job start on 2 February 2026 through an application, and its resident."""
    application = make_application(Stage.JOB_STARTED)
    resident = db.get(Resident, application.resident_id)
    return job_starts(session=db, resident=resident)[0], resident


def test_future_dates_and_missing_prerequisites_are_refused(db, make_resident, advisor, employer):
    resident = make_resident()
    with pytest.raises(ValidationFailed, match="A date cannot be in the future"):
        record_registration(session=db, resident=resident, on=TODAY + timedelta(1), by=advisor)
    record_registration(session=db, resident=resident, on=date(2025, 12, 1), by=advisor)
    with pytest.raises(ValidationFailed, match="already recorded"):
        record_registration(session=db, resident=resident, on=date(2025, 12, 2), by=advisor)
    job = record_job_start(
        session=db,
        resident=resident,
        on=date(2026, 1, 5),
        employer_id=employer.organisation_id,
        by=advisor,
    )
    with pytest.raises(ValidationFailed, match="cannot be before the job start"):
        record_left_job(session=db, job_start=job, on=date(2026, 1, 4), by=advisor)
    with pytest.raises(ValidationFailed, match="progression cannot be before the job start"):
        record_progression(
            session=db,
            job_start=job,
            kind=ProgressionKind.BAND_CHANGE,
            on=date(2026, 1, 1),
            by=advisor,
        )
    progressed = record_progression(
        session=db,
        job_start=job,
        kind=ProgressionKind.APPRENTICESHIP_STARTED,
        on=date(2026, 2, 1),
        pay_band="Band 3",
        by=advisor,
    )
    assert progressed.employer_id == employer.organisation_id
    with pytest.raises(PermissionDenied):
        record_left_job(session=db, job_start=job, on=TODAY, by=employer)


def test_a_sustainment_check_waits_for_its_due_date(db, hired, advisor, clock):
    job, _ = hired
    with pytest.raises(ValidationFailed, match="13-week check is not due until 4 May 2026"):
        record_sustainment_check(
            session=db,
            job_start=job,
            weeks=13,
            in_work=True,
            on=TODAY,
            evidence=Evidence.SELF_REPORTED,
            by=advisor,
        )
    clock.move_to(datetime(2026, 5, 4, 9, tzinfo=UTC))
    check = record_sustainment_check(
        session=db,
        job_start=job,
        weeks=13,
        in_work=True,
        on=date(2026, 5, 4),
        evidence=Evidence.SELF_REPORTED,
        by=advisor,
    )
    assert (check.weeks_after_start, check.in_work, check.application_id) == (
        13,
        True,
        job.application_id,
    )
    with pytest.raises(ValidationFailed, match="13, 26 or 52"):
        record_sustainment_check(
            session=db,
            job_start=job,
            weeks=12,
            in_work=True,
            on=date(2026, 5, 4),
            evidence=Evidence.SELF_REPORTED,
            by=advisor,
        )
    with pytest.raises(ValidationFailed, match="already recorded; correct it instead"):
        record_sustainment_check(
            session=db,
            job_start=job,
            weeks=13,
            in_work=False,
            on=date(2026, 5, 4),
            evidence=Evidence.SELF_REPORTED,
            by=advisor,
        )


def test_a_correction_supersedes_and_keeps_the_original(db, hired, advisor):
    job, resident = hired
    corrected = correct_milestone(
        session=db, event=job, occurred_on=date(2026, 2, 3), note="Started a day late", by=advisor
    )
    assert job.superseded_by_id == corrected.id
    current = timeline(session=db, resident=resident)
    assert corrected in current and job not in current
    history = timeline(session=db, resident=resident, include_superseded=True)
    assert {job.id, corrected.id} <= {e.id for e in history}
    assert job.occurred_on == STARTED_ON  # nothing overwritten
    assert (corrected.employer_id, corrected.application_id) == (
        job.employer_id,
        job.application_id,
    )
    with pytest.raises(ConflictError):
        correct_milestone(session=db, event=job, occurred_on=date(2026, 2, 4), by=advisor)


def test_a_correction_obeys_the_same_rules(db, hired, advisor):
    job, resident = hired
    with pytest.raises(ValidationFailed, match="A job cannot start before the offer"):
        correct_milestone(session=db, event=job, occurred_on=date(2026, 1, 2), by=advisor)
    with pytest.raises(ValidationFailed, match="cannot be corrected: kind"):
        correct_milestone(session=db, event=job, kind=MilestoneKind.OFFER, by=advisor)
    assert job.superseded_by_id is None
    assert len(timeline(session=db, resident=resident, include_superseded=True)) == 3


# Due lists: a job started Wednesday 7 January 2026 is due 13-week checks Wednesday 8 April.


@pytest.fixture
def hire_on_7_january(db, make_resident, advisor, employer):
    def make(**resident_overrides):
        resident = make_resident(**resident_overrides)
        return record_job_start(
            session=db,
            resident=resident,
            on=date(2026, 1, 7),
            employer_id=employer.organisation_id,
            by=advisor,
        )

    return make


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 5), []),  # Sunday before: not this week yet
        (date(2026, 4, 6), [(13, DueState.DUE)]),  # Monday of the week it falls due
        (date(2026, 4, 8), [(13, DueState.DUE)]),
        (date(2026, 4, 22), [(13, DueState.DUE)]),  # 14 days after: still due
        (date(2026, 4, 23), [(13, DueState.OVERDUE)]),  # 15th day: overdue
        (date(2026, 7, 8), [(13, DueState.OVERDUE), (26, DueState.DUE)]),
        (date(2027, 1, 6), [(13, "overdue"), (26, "overdue"), (52, "due")]),
    ],
)
def test_checks_fall_due_at_13_26_and_52_weeks(db, hire_on_7_january, advisor, today, expected):
    job = hire_on_7_january()
    due = sustainment_checks_due(session=db, on=today, advisor_id=advisor.id)
    assert [(item.weeks, item.state) for item in due] == expected
    assert all(item.job_start.id == job.id for item in due)
    assert [item.due_on for item in due] == [date(2026, 4, 8), date(2026, 7, 8), date(2027, 1, 6)][
        : len(expected)
    ]


def test_a_known_answer_closes_a_check_but_not_yet_known_does_not(
    db, hire_on_7_january, advisor, clock
):
    job = hire_on_7_january()
    clock.move_to(datetime(2026, 4, 30, 9, tzinfo=UTC))
    record_sustainment_check(
        session=db,
        job_start=job,
        weeks=13,
        in_work=None,
        on=date(2026, 4, 30),
        evidence=Evidence.SELF_REPORTED,
        by=advisor,
    )
    due = sustainment_checks_due(session=db, advisor_id=advisor.id)
    assert [(d.weeks, d.state) for d in due] == [(13, DueState.OVERDUE)]
    answer = record_sustainment_check(
        session=db,
        job_start=job,
        weeks=13,
        in_work=False,
        on=date(2026, 4, 30),
        evidence=Evidence.SELF_REPORTED,
        by=advisor,
    )
    assert sustainment_checks_due(session=db, advisor_id=advisor.id) == []
    history = timeline(
        session=db, resident=db.get(Resident, job.resident_id), include_superseded=True
    )
    not_known = next(
        e for e in history if e.kind == MilestoneKind.SUSTAINMENT_CHECK and e.in_work is None
    )
    assert not_known.superseded_by_id == answer.id


def test_leaving_before_a_due_date_means_no_check(db, hire_on_7_january, advisor, clock):
    job = hire_on_7_january()
    clock.move_to(datetime(2026, 5, 1, 9, tzinfo=UTC))
    record_left_job(session=db, job_start=job, on=date(2026, 3, 1), by=advisor)
    assert sustainment_checks_due(session=db, on=date(2027, 2, 1), advisor_id=advisor.id) == []


def test_due_lists_filter_by_caseload_organisation_resident_and_employer(
    db, hire_on_7_january, advisor, make_user, employer
):
    other_advisor = make_user(Role.ADVISOR)
    mine = hire_on_7_january()
    theirs = hire_on_7_january(advisor_id=other_advisor.id)
    on = date(2026, 4, 8)
    ids = lambda **filters: [  # noqa: E731
        d.job_start.id for d in sustainment_checks_due(session=db, on=on, **filters)
    ]
    assert ids(advisor_id=advisor.id) == [mine.id]
    assert sorted(ids(organisation_id=advisor.organisation_id)) == sorted([mine.id, theirs.id])
    assert ids(resident_id=theirs.resident_id) == [theirs.id]
    assert sorted(ids(employer_id=employer.organisation_id)) == sorted([mine.id, theirs.id])
    db.add(
        ConsentRecord(
            resident_id=theirs.resident_id,
            kind=ConsentKind.SHARE_WITH_EMPLOYERS,
            granted=False,
            given_on=date(2026, 3, 1),
        )
    )
    db.flush()
    assert ids(employer_id=employer.organisation_id) == [mine.id]


def test_employers_confirm_in_bulk_all_or_nothing(
    db, hire_on_7_january, advisor, employer, make_user, clock
):
    first, second = hire_on_7_january(), hire_on_7_january()
    clock.move_to(datetime(2026, 4, 20, 9, tzinfo=UTC))
    self_report = record_sustainment_check(
        session=db,
        job_start=first,
        weeks=13,
        in_work=True,
        on=date(2026, 4, 9),
        evidence=Evidence.SELF_REPORTED,
        by=advisor,
    )
    bad_rows = [
        SustainmentConfirmation(first.id, 13, True, date(2026, 4, 20)),
        SustainmentConfirmation(second.id, 26, True, date(2026, 4, 20)),  # not due yet
        SustainmentConfirmation(second.id, 13, True, date(2026, 4, 21)),  # future
    ]
    with pytest.raises(ValidationFailed) as refused:
        confirm_sustainment_in_bulk(session=db, rows=bad_rows, by=employer)
    assert set(refused.value.errors) == {"rows-1", "rows-2"}
    assert "not due until" in refused.value.errors["rows-1"]
    assert "2 of 3 rows" in str(refused.value)
    assert self_report.superseded_by_id is None
    assert (
        db.exec(
            select(MilestoneEvent).where(
                MilestoneEvent.evidence == Evidence.EMPLOYER_CONFIRMED,
                MilestoneEvent.kind == MilestoneKind.SUSTAINMENT_CHECK,
            )
        ).all()
        == []
    )

    rows = [
        SustainmentConfirmation(first.id, 13, True, date(2026, 4, 20)),
        SustainmentConfirmation(second.id, 13, False, date(2026, 4, 20), note="Left in March"),
    ]
    saved = confirm_sustainment_in_bulk(session=db, rows=rows, by=employer)
    assert [(e.in_work, e.evidence) for e in saved] == [
        (True, Evidence.EMPLOYER_CONFIRMED),
        (False, Evidence.EMPLOYER_CONFIRMED),
    ]
    assert self_report.superseded_by_id == saved[0].id
    other_trust = make_user(Role.EMPLOYER)
    with pytest.raises(ValidationFailed) as refused:
        confirm_sustainment_in_bulk(session=db, rows=rows[:1], by=other_trust)
    assert refused.value.errors == {"rows-0": "This hire was not found"}


# Two people moving the same application at once, in separate sessions and connections.


@pytest.fixture
def separate_engine(engine, tmp_path):
    """A database of the same kind this test may commit to, thrown away afterwards."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrent.db'}"
        drop = None
    else:
        name = f"pathways_conflict_{uuid.uuid4().hex[:10]}"
        admin = engine.execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = engine.url.set(database=name).render_as_string(hide_password=False)
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    separate = make_engine(url)
    SQLModel.metadata.create_all(separate)
    yield separate
    separate.dispose()
    if drop:
        with admin.connect() as connection:
            connection.execute(sa.text(drop))


def test_two_people_moving_at_once_cannot_both_win(separate_engine):
    with Session(separate_engine, expire_on_commit=False) as setup:
        trust = Organisation(name="Leeds Teaching Hospitals", kind=OrganisationKind.NHS_TRUST)
        provider = Organisation(name="Leeds Jobs", kind=OrganisationKind.EMPLOYABILITY_PROVIDER)
        setup.add_all([trust, provider])
        setup.flush()
        site = Site(organisation_id=trust.id, name="St James's", postcode="LS9 7TF")
        pathway = Pathway(
            slug="porter", title="Porter", kind=PathwayKind.ENTRY_ROLE, staff_group="Estates"
        )
        people = [
            User(
                email=f"{n}@test",
                full_name=n,
                password_hash="x",
                role=Role.EMPLOYER,
                organisation_id=trust.id,
            )
            for n in ("first", "second")
        ]
        resident = Resident(organisation_id=provider.id)
        setup.add_all([site, pathway, resident, *people])
        setup.flush()
        vacancy = Vacancy(
            organisation_id=trust.id,
            site_id=site.id,
            pathway_id=pathway.id,
            title="Porter",
            closing_date=date(2026, 12, 31),
        )
        setup.add(vacancy)
        setup.flush()
        application = Application(resident_id=resident.id, vacancy_id=vacancy.id)
        setup.add(application)
        setup.commit()
        ids = (application.id, people[0].id, people[1].id)

    with Session(separate_engine) as first, Session(separate_engine) as second:
        mine, theirs = first.get(Application, ids[0]), second.get(Application, ids[0])
        assert mine.version == theirs.version == 1
        shortlist(session=first, application=mine, expected_version=1, by=first.get(User, ids[1]))
        first.commit()
        with pytest.raises(ConflictError, match="Reload the page"):
            close_application(
                session=second,
                application=theirs,
                outcome=Stage.UNSUCCESSFUL,
                reason=ClosingReason.NOT_SHORTLISTED,
                expected_version=1,
                by=second.get(User, ids[2]),
            )
        second.rollback()

    with Session(separate_engine) as check:
        final = check.get(Application, ids[0])
        assert (final.stage, final.version, final.closing_reason) == (Stage.SHORTLISTED, 2, None)
        moves = check.exec(select(AuditEvent).where(AuditEvent.entity_id == ids[0])).all()
        assert [m.user_id for m in moves] == [ids[1]]
