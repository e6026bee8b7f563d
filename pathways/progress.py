"""Applications through recruitment, and the milestone events of each resident's journey.

``TRANSITIONS`` is the one table of allowed application moves; the functions here refuse
anything else with a message that says why, and write the milestones a move implies.
Milestones are never changed or deleted: a correction is a new event that supersedes the old one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pathways.audit import record_audit
from pathways.clock import now_utc, today
from pathways.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from pathways.models import (
    Application,
    ApplicationStage,
    AuditAction,
    CheckKind,
    CheckStatus,
    ClosingReason,
    Cohort,
    Enrolment,
    Evidence,
    MilestoneEvent,
    MilestoneKind,
    PreEmploymentCheck,
    ProgressionKind,
    Resident,
    Role,
    Site,
    User,
    Vacancy,
)
from pathways.permissions import can_manage_resident, can_manage_vacancy, shares_with_employers

Stage = ApplicationStage
CLOSED_STAGES = frozenset({Stage.JOB_STARTED, Stage.UNSUCCESSFUL, Stage.WITHDRAWN})
CLOSING_OUTCOMES = (Stage.UNSUCCESSFUL, Stage.WITHDRAWN)

# Every allowed move. Rescheduling an interview is a move from interview to interview.
TRANSITIONS: dict[ApplicationStage, frozenset[ApplicationStage]] = {
    Stage.REFERRED: frozenset({Stage.SHORTLISTED, *CLOSING_OUTCOMES}),
    Stage.SHORTLISTED: frozenset({Stage.INTERVIEW, *CLOSING_OUTCOMES}),
    Stage.INTERVIEW: frozenset({Stage.INTERVIEW, Stage.OFFER, *CLOSING_OUTCOMES}),
    Stage.OFFER: frozenset({Stage.CHECKS, *CLOSING_OUTCOMES}),
    Stage.CHECKS: frozenset({Stage.JOB_STARTED, *CLOSING_OUTCOMES}),
    Stage.JOB_STARTED: frozenset(),
    Stage.UNSUCCESSFUL: frozenset(),
    Stage.WITHDRAWN: frozenset(),
}

# Why a move to a stage is refused when the application is not at a stage it can come from.
REFUSALS: dict[ApplicationStage, str] = {
    Stage.SHORTLISTED: "Only a new referral can be shortlisted",
    Stage.INTERVIEW: "An interview can only be arranged once the resident has been shortlisted",
    Stage.OFFER: "An offer can only be made after an interview",
    Stage.CHECKS: "Pre-employment checks can only start once an offer has been made",
    Stage.JOB_STARTED: "A job cannot start before an offer has been made and the checks cleared",
    Stage.UNSUCCESSFUL: "This application is already closed",
    Stage.WITHDRAWN: "This application is already closed",
}

SUSTAINMENT_WEEKS = (13, 26, 52)
# A sustainment check is overdue once this long has passed since its due date.
OVERDUE_AFTER = timedelta(days=14)
# A later check may supersede an earlier one only with stronger evidence.
EVIDENCE_STRENGTH = {
    Evidence.SELF_REPORTED: 0,
    Evidence.EMPLOYER_CONFIRMED: 1,
    Evidence.ADVISOR_VERIFIED: 1,
}
JOB_LINKED_KINDS = frozenset(
    {MilestoneKind.SUSTAINMENT_CHECK, MilestoneKind.LEFT_JOB, MilestoneKind.PROGRESSED}
)
# What a correction may change; the kind and the record it belongs to stay as they were.
CORRECTABLE_FIELDS = frozenset(
    {
        "occurred_on",
        "evidence",
        "in_work",
        "note",
        "site_id",
        "pathway_id",
        "pay_band",
        "hours_per_week",
        "annual_pay",
        "hourly_pay",
        "progression_kind",
    }
)

Row = TypeVar("Row")
Prepared = TypeVar("Prepared")


# Who may do what with an application.


def can_move_application(user: User, vacancy: Vacancy) -> bool:
    """Employers move applications to their own organisation's vacancies only."""
    return can_manage_vacancy(user, vacancy)


def can_withdraw_application(user: User, resident: Resident, vacancy: Vacancy) -> bool:
    """The employer, or the resident's advisor acting on their behalf, may withdraw."""
    return can_manage_vacancy(user, vacancy) or can_manage_resident(user, resident)


def can_view_application(*, session: Session, user: User, application: Application) -> bool:
    """The resident's advisors, and the employer while the resident shares their details."""
    resident = session.get(Resident, application.resident_id)
    if can_manage_resident(user, resident):
        return True
    vacancy = session.get(Vacancy, application.vacancy_id)
    if not can_manage_vacancy(user, vacancy):
        return False
    shared = session.exec(
        select(Resident.id).where(Resident.id == resident.id, shares_with_employers())
    ).first()
    return shared is not None


def can_record_milestones(user: User, resident: Resident) -> bool:
    """The resident's advisors record their journey; employers confirm sustainment in bulk."""
    return can_manage_resident(user, resident)


# Application moves: each takes the version the user saw and refuses a stale one.


def shortlist(
    *, session: Session, application: Application, expected_version: int, by: User
) -> Application:
    """Move a referral onto the employer's shortlist."""
    _start_move(session, application, Stage.SHORTLISTED, expected_version, by)
    return _finish_move(session, application, Stage.SHORTLISTED, expected_version, by)


def schedule_interview(
    *,
    session: Session,
    application: Application,
    interview_at: datetime,
    expected_version: int,
    by: User,
) -> Application:
    """Arrange (or rearrange) the interview; it may be in the future, but not before referral."""
    _start_move(session, application, Stage.INTERVIEW, expected_version, by)
    if interview_at.tzinfo is None:
        raise ValidationFailed(
            "The interview time needs a time zone", {"interview_at": "Enter a full date and time"}
        )
    _not_before(
        interview_at.date(),
        application.referred_at.date(),
        "The interview date cannot be before the referral",
        "interview_at",
    )
    return _finish_move(
        session, application, Stage.INTERVIEW, expected_version, by, interview_at=interview_at
    )


def make_offer(
    *, session: Session, application: Application, on: date, expected_version: int, by: User
) -> Application:
    """Record the offer, and so the interview that led to it, on the resident's timeline."""
    _start_move(session, application, Stage.OFFER, expected_version, by)
    interview_on = _interview_date(application)
    _not_future(on, "on")
    _not_before(on, interview_on, "An offer cannot be made before the interview", "on")
    application = _finish_move(session, application, Stage.OFFER, expected_version, by)
    for kind, occurred_on in ((MilestoneKind.INTERVIEW, interview_on), (MilestoneKind.OFFER, on)):
        record_milestone(
            session=session,
            event=_application_event(session, application, kind, occurred_on),
            by=by,
        )
    return application


def start_checks(
    *, session: Session, application: Application, expected_version: int, by: User
) -> Application:
    """Open the four pre-employment checks, each not started."""
    _start_move(session, application, Stage.CHECKS, expected_version, by)
    application = _finish_move(session, application, Stage.CHECKS, expected_version, by)
    existing = {check.kind for check in checks_for(session=session, application=application)}
    for kind in CheckKind:
        if kind not in existing:
            session.add(PreEmploymentCheck(application_id=application.id, kind=kind))
    session.flush()
    return application


def record_check(
    *,
    session: Session,
    application: Application,
    kind: CheckKind,
    status: CheckStatus,
    on: date | None,
    expected_version: int,
    by: User,
) -> PreEmploymentCheck:
    """Set one check's status and the date it reached it; this counts as a move for versions."""
    _check_permission(session, application, Stage.CHECKS, by)
    _check_version(application, expected_version)
    if application.stage != Stage.CHECKS:
        raise ValidationFailed("Checks can only be recorded after an offer, while checks are open")
    if status == CheckStatus.NOT_STARTED:
        on = None
    elif on is None:
        raise ValidationFailed("Enter the date of this check", {"on": "Enter a date"})
    else:
        _not_future(on, "on")
        _not_before(on, _offer_date(session, application), "A check cannot be before the offer")
    check = next(c for c in checks_for(session=session, application=application) if c.kind == kind)
    _claim(session, application, expected_version)
    check.status, check.status_on = status, on
    session.add(check)
    session.flush()
    _audit_move(session, application, by, f"{kind.value} check {status.value}")
    return check


def start_job(
    *,
    session: Session,
    application: Application,
    on: date,
    expected_version: int,
    by: User,
    site_id: int | None = None,
    pathway_id: int | None = None,
    pay_band: str | None = None,
    hours_per_week: float | None = None,
    annual_pay: float | None = None,
    hourly_pay: float | None = None,
) -> MilestoneEvent:
    """The resident started work; every check must be cleared. Site, pathway and hours
    default to the vacancy's. Returns the job start event that sustainment checks follow."""
    _start_move(session, application, Stage.JOB_STARTED, expected_version, by)
    checks = checks_for(session=session, application=application)
    uncleared = [_words(c.kind) for c in checks if c.status != CheckStatus.CLEARED]
    if uncleared or not checks:
        raise ValidationFailed(
            "A job cannot start until every pre-employment check is cleared "
            f"(still to clear: {', '.join(uncleared) or 'all checks'})"
        )
    _not_future(on, "on")
    last_check = max(c.status_on for c in checks)
    _not_before(on, last_check, "A job cannot start before the last check was cleared", "on")
    vacancy = session.get(Vacancy, application.vacancy_id)
    _check_site(session, site_id, vacancy.organisation_id)
    event = _application_event(session, application, MilestoneKind.JOB_STARTED, on)
    event.site_id = site_id or vacancy.site_id
    event.pathway_id = pathway_id or vacancy.pathway_id
    event.pay_band = pay_band
    event.hours_per_week = hours_per_week if hours_per_week is not None else vacancy.hours_per_week
    event.annual_pay, event.hourly_pay = annual_pay, hourly_pay
    _check_job_details(event)
    validate_milestone(session=session, event=event)
    _finish_move(session, application, Stage.JOB_STARTED, expected_version, by)
    return _add(session, event, by)


def close_application(
    *,
    session: Session,
    application: Application,
    outcome: ApplicationStage,
    reason: ClosingReason,
    expected_version: int,
    by: User,
    note: str = "",
) -> Application:
    """End an open application as unsuccessful or withdrawn, with a reason from the list."""
    if outcome not in CLOSING_OUTCOMES:
        raise ValidationFailed("An application closes as unsuccessful or withdrawn")
    _start_move(session, application, outcome, expected_version, by)
    note = note.strip()
    if reason == ClosingReason.OTHER and not note:
        raise ValidationFailed(
            "Say why the application closed when the reason is 'other'",
            {"note": "Enter the reason"},
        )
    if len(note) > 1000:
        raise ValidationFailed("The note is too long", {"note": "Use 1,000 characters or fewer"})
    interviewed = (
        application.stage == Stage.INTERVIEW
        and reason == ClosingReason.UNSUCCESSFUL_AT_INTERVIEW
        and application.interview_at.date() <= today()
    )
    application = _finish_move(
        session,
        application,
        outcome,
        expected_version,
        by,
        closing_reason=reason,
        closing_note=note,
    )
    if interviewed:
        record_milestone(
            session=session,
            event=_application_event(
                session, application, MilestoneKind.INTERVIEW, application.interview_at.date()
            ),
            by=by,
        )
    return application


def checks_for(*, session: Session, application: Application) -> list[PreEmploymentCheck]:
    """The application's pre-employment checks in a fixed order."""
    checks = session.exec(
        select(PreEmploymentCheck).where(PreEmploymentCheck.application_id == application.id)
    ).all()
    order = list(CheckKind)
    return sorted(checks, key=lambda check: order.index(check.kind))


def allowed_moves(application: Application) -> frozenset[ApplicationStage]:
    """The stages this application may move to next, for offering only valid buttons."""
    return TRANSITIONS[application.stage]


def get_application(*, session: Session, application_id: int) -> Application:
    """Load an application or raise NotFound."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("Application not found")
    return application


def _start_move(
    session: Session,
    application: Application,
    to: ApplicationStage,
    expected_version: int,
    by: User,
) -> None:
    """Refuse a move the user may not make, made on a stale page, or not in the table."""
    _check_permission(session, application, to, by)
    _check_version(application, expected_version)
    if application.stage in CLOSED_STAGES:
        message = f"This application is closed ({_words(application.stage)}), so it cannot move"
        raise ValidationFailed(message, {"stage": message})
    if to not in TRANSITIONS[application.stage]:
        raise ValidationFailed(REFUSALS[to], {"stage": REFUSALS[to]})


def _check_permission(
    session: Session, application: Application, to: ApplicationStage, by: User
) -> None:
    vacancy = session.get(Vacancy, application.vacancy_id)
    if can_move_application(by, vacancy):
        return
    resident = session.get(Resident, application.resident_id)
    if to == Stage.WITHDRAWN and can_withdraw_application(by, resident, vacancy):
        return
    raise PermissionDenied("Only the employer can move this application")


def _check_version(application: Application, expected_version: int) -> None:
    if application.version != expected_version:
        raise ConflictError(_CONFLICT_MESSAGE)


_CONFLICT_MESSAGE = (
    "Someone else changed this application after you opened it. "
    "Reload the page to see the latest version, then try again."
)


def _claim(session: Session, application: Application, expected_version: int, **values) -> None:
    """Bump the version only if nobody else has, so concurrent moves cannot both win.

    The condition is in the UPDATE itself, so it holds across sessions and processes.
    """
    result = session.exec(
        sa.update(Application)
        .where(col(Application.id) == application.id, Application.version == expected_version)
        .values(version=expected_version + 1, updated_at=now_utc(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ConflictError(_CONFLICT_MESSAGE)
    session.refresh(application)


def _finish_move(
    session: Session,
    application: Application,
    to: ApplicationStage,
    expected_version: int,
    by: User,
    **values,
) -> Application:
    before = application.stage
    _claim(session, application, expected_version, stage=to, **values)
    _audit_move(session, application, by, f"Moved from {before.value} to {to.value}")
    return application


def _audit_move(session: Session, application: Application, by: User, detail: str) -> None:
    record_audit(
        session=session,
        user=by,
        action=AuditAction.UPDATE,
        entity_type="application",
        entity_id=application.id,
        detail=detail,
    )


def _interview_date(application: Application) -> date:
    if application.interview_at is None:
        raise ValidationFailed("Arrange the interview before making an offer")
    return application.interview_at.date()


def _offer_date(session: Session, application: Application) -> date:
    offer = _current_application_event(session, application.id, MilestoneKind.OFFER)
    if offer is None:
        raise ValidationFailed("This application has no recorded offer")
    return offer.occurred_on


def _application_event(
    session: Session, application: Application, kind: MilestoneKind, on: date
) -> MilestoneEvent:
    vacancy = session.get(Vacancy, application.vacancy_id)
    return MilestoneEvent(
        resident_id=application.resident_id,
        kind=kind,
        occurred_on=on,
        application_id=application.id,
        employer_id=vacancy.organisation_id,
        evidence=Evidence.EMPLOYER_CONFIRMED,
    )


# Milestones: one validation for every event, new or corrected.


def validate_milestone(
    *, session: Session, event: MilestoneEvent, replacing: MilestoneEvent | None = None
) -> None:
    """Refuse a future date, missing details, a date before the milestone this one depends on,
    or a second current event where there can be only one (correct the first instead)."""
    _not_future(event.occurred_on, "occurred_on")
    _check_required_details(event)
    _check_dependency(session, event)
    duplicate = _current_same(session, event, replacing)
    if duplicate is not None:
        raise ValidationFailed(
            f"This {_describe(event)} is already recorded; correct it instead",
            {"occurred_on": "Already recorded"},
        )


def record_milestone(*, session: Session, event: MilestoneEvent, by: User) -> MilestoneEvent:
    """Validate and add a new event to the resident's timeline."""
    validate_milestone(session=session, event=event)
    return _add(session, event, by)


def record_registration(
    *, session: Session, resident: Resident, on: date, by: User
) -> MilestoneEvent:
    """The first milestone: the resident registered with an advisor."""
    event = MilestoneEvent(resident_id=resident.id, kind=MilestoneKind.REGISTERED, occurred_on=on)
    return record_milestone(session=session, event=event, by=by)


def record_job_start(
    *,
    session: Session,
    resident: Resident,
    on: date,
    employer_id: int,
    by: User,
    evidence: Evidence = Evidence.SELF_REPORTED,
    site_id: int | None = None,
    pathway_id: int | None = None,
    pay_band: str | None = None,
    hours_per_week: float | None = None,
    annual_pay: float | None = None,
    hourly_pay: float | None = None,
    note: str = "",
) -> MilestoneEvent:
    """A job found outside the service's applications (jobs through one use ``start_job``)."""
    _require_advisor(by, resident)
    _check_site(session, site_id, employer_id)
    event = MilestoneEvent(
        resident_id=resident.id,
        kind=MilestoneKind.JOB_STARTED,
        occurred_on=on,
        evidence=evidence,
        employer_id=employer_id,
        site_id=site_id,
        pathway_id=pathway_id,
        pay_band=pay_band,
        hours_per_week=hours_per_week,
        annual_pay=annual_pay,
        hourly_pay=hourly_pay,
        note=note,
    )
    _check_job_details(event)
    return record_milestone(session=session, event=event, by=by)


def record_sustainment_check(
    *,
    session: Session,
    job_start: MilestoneEvent,
    weeks: int,
    in_work: bool | None,
    on: date,
    evidence: Evidence,
    by: User,
    note: str = "",
) -> MilestoneEvent:
    """Whether the resident was in work 13, 26 or 52 weeks after this job start.

    ``in_work=None`` records "not yet known": it never counts as not in work, and the check
    stays due. A known answer supersedes a "not yet known" one, and stronger evidence (an
    employer's or advisor's confirmation) supersedes a self-report.
    """
    resident = session.get(Resident, job_start.resident_id)
    _require_advisor(by, resident)
    event, previous = _prepare_sustainment_check(
        session, job_start, weeks=weeks, in_work=in_work, on=on, evidence=evidence, note=note
    )
    return _add_superseding(session, event, previous, by)


def record_left_job(
    *,
    session: Session,
    job_start: MilestoneEvent,
    on: date,
    by: User,
    evidence: Evidence = Evidence.SELF_REPORTED,
    note: str = "",
) -> MilestoneEvent:
    """The resident left the job this start began."""
    _require_advisor(by, session.get(Resident, job_start.resident_id))
    event = _job_event(job_start, MilestoneKind.LEFT_JOB, on, evidence=evidence, note=note)
    return record_milestone(session=session, event=event, by=by)


def record_progression(
    *,
    session: Session,
    job_start: MilestoneEvent,
    kind: ProgressionKind,
    on: date,
    by: User,
    evidence: Evidence = Evidence.SELF_REPORTED,
    site_id: int | None = None,
    pathway_id: int | None = None,
    pay_band: str | None = None,
    hours_per_week: float | None = None,
    annual_pay: float | None = None,
    hourly_pay: float | None = None,
    note: str = "",
) -> MilestoneEvent:
    """A step up in work: a new role, band change, apprenticeship or qualification."""
    _require_advisor(by, session.get(Resident, job_start.resident_id))
    event = _job_event(job_start, MilestoneKind.PROGRESSED, on, evidence=evidence, note=note)
    event.progression_kind = kind
    event.site_id, event.pathway_id, event.pay_band = site_id, pathway_id, pay_band
    event.hours_per_week, event.annual_pay, event.hourly_pay = (
        hours_per_week,
        annual_pay,
        hourly_pay,
    )
    _check_job_details(event)
    return record_milestone(session=session, event=event, by=by)


def correct_milestone(
    *, session: Session, event: MilestoneEvent, by: User, **changes
) -> MilestoneEvent:
    """Record a corrected copy that supersedes ``event``; the original is kept for history.

    Only ``CORRECTABLE_FIELDS`` may change. Two people correcting the same event at once
    cannot both win: the second gets a ``ConflictError``.
    """
    _require_advisor(by, session.get(Resident, event.resident_id))
    if event.superseded_by_id is not None:
        raise ConflictError("This event has already been corrected; correct the latest version")
    unknown = set(changes) - CORRECTABLE_FIELDS
    if unknown:
        raise ValidationFailed(f"These details cannot be corrected: {', '.join(sorted(unknown))}")
    kept = event.model_dump(exclude={"id", "recorded_at", "recorded_by_id", "superseded_by_id"})
    corrected = MilestoneEvent(**(kept | changes))
    _check_job_details(corrected)
    validate_milestone(session=session, event=corrected, replacing=event)
    return _add_superseding(session, corrected, event, by)


def timeline(
    *, session: Session, resident: Resident, include_superseded: bool = False
) -> list[MilestoneEvent]:
    """The resident's milestones in date order; superseded versions only when asked, for history."""
    statement = select(MilestoneEvent).where(MilestoneEvent.resident_id == resident.id)
    if not include_superseded:
        statement = statement.where(col(MilestoneEvent.superseded_by_id).is_(None))
    return list(
        session.exec(statement.order_by(MilestoneEvent.occurred_on, col(MilestoneEvent.id))).all()
    )


def job_starts(*, session: Session, resident: Resident) -> list[MilestoneEvent]:
    """The resident's current job starts, latest first: the handles for checks and progression."""
    return list(
        session.exec(
            select(MilestoneEvent)
            .where(
                MilestoneEvent.resident_id == resident.id,
                MilestoneEvent.kind == MilestoneKind.JOB_STARTED,
                col(MilestoneEvent.superseded_by_id).is_(None),
            )
            .order_by(col(MilestoneEvent.occurred_on).desc(), col(MilestoneEvent.id).desc())
        ).all()
    )


def sustainment_due_on(job_start: MilestoneEvent, weeks: int) -> date:
    """The date a sustainment check falls due: exactly ``weeks`` weeks after the start."""
    return job_start.occurred_on + timedelta(weeks=weeks)


def _add(session: Session, event: MilestoneEvent, by: User) -> MilestoneEvent:
    event.recorded_by_id = by.id
    session.add(event)
    session.flush()
    return event


def _add_superseding(
    session: Session, event: MilestoneEvent, previous: MilestoneEvent | None, by: User
) -> MilestoneEvent:
    """Add ``event`` and mark ``previous`` superseded, unless someone superseded it first."""
    _add(session, event, by)
    if previous is not None:
        result = session.exec(
            sa.update(MilestoneEvent)
            .where(
                col(MilestoneEvent.id) == previous.id,
                col(MilestoneEvent.superseded_by_id).is_(None),
            )
            .values(superseded_by_id=event.id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ConflictError(
                "Someone else corrected this event after you opened it. "
                "Reload the page to see the latest version, then try again."
            )
        session.refresh(previous)
    return event


def _prepare_sustainment_check(
    session: Session,
    job_start: MilestoneEvent,
    *,
    weeks: int,
    in_work: bool | None,
    on: date,
    evidence: Evidence,
    note: str = "",
) -> tuple[MilestoneEvent, MilestoneEvent | None]:
    """The new check, and the current one it supersedes if it is a stronger answer."""
    if job_start.kind != MilestoneKind.JOB_STARTED or job_start.superseded_by_id is not None:
        raise ValidationFailed("A sustainment check needs a current job start")
    event = _job_event(job_start, MilestoneKind.SUSTAINMENT_CHECK, on, evidence=evidence, note=note)
    event.weeks_after_start, event.in_work = weeks, in_work
    previous = _current_same(session, event, None)
    if previous is not None and not _stronger(event, previous):
        raise ValidationFailed(
            f"The {weeks}-week check for this job is already recorded; correct it instead",
            {"occurred_on": "Already recorded"},
        )
    validate_milestone(session=session, event=event, replacing=previous)
    return event, previous


def _stronger(new: MilestoneEvent, old: MilestoneEvent) -> bool:
    if new.in_work is None:
        return False
    if old.in_work is None:
        return True
    return EVIDENCE_STRENGTH[new.evidence] > EVIDENCE_STRENGTH[old.evidence]


def _job_event(
    job_start: MilestoneEvent, kind: MilestoneKind, on: date, *, evidence: Evidence, note: str
) -> MilestoneEvent:
    """An event about a job, carrying the keys that tie it to its start."""
    return MilestoneEvent(
        resident_id=job_start.resident_id,
        kind=kind,
        occurred_on=on,
        evidence=evidence,
        application_id=job_start.application_id,
        employer_id=job_start.employer_id,
        note=note,
    )


def _require_advisor(by: User, resident: Resident | None) -> None:
    if resident is None or not can_record_milestones(by, resident):
        raise PermissionDenied("Only the resident's advisors can record their milestones")


def _not_future(on: date, field: str) -> None:
    if on > today():
        raise ValidationFailed(
            "A date cannot be in the future", {field: "Enter today's date or a date in the past"}
        )


def _not_before(on: date, earliest: date, message: str, field: str = "on") -> None:
    if on < earliest:
        message = f"{message} ({earliest:%-d %B %Y})"
        raise ValidationFailed(message, {field: message})


def _check_site(session: Session, site_id: int | None, employer_id: int | None) -> None:
    """A job's site, when given, must be one of the employer's own."""
    if site_id is None:
        return
    site = session.get(Site, site_id)
    if site is None or site.organisation_id != employer_id:
        message = "The site must be one of the employer's own sites"
        raise ValidationFailed(message, {"site_id": message})


def _check_job_details(event: MilestoneEvent) -> None:
    errors = {}
    if event.hours_per_week is not None and not 0 < event.hours_per_week <= 60:
        errors["hours_per_week"] = "Hours a week must be between 1 and 60"
    for field in ("annual_pay", "hourly_pay"):
        if (getattr(event, field) or 0) < 0:
            errors[field] = "Pay cannot be negative"
    if event.pay_band is not None and len(event.pay_band) > 40:
        errors["pay_band"] = "Use 40 characters or fewer"
    if errors:
        raise ValidationFailed("Check the job details", errors)


def _check_required_details(event: MilestoneEvent) -> None:
    kind = event.kind
    if kind in _PROGRAMME_KINDS and event.enrolment_id is None:
        raise ValidationFailed("A programme milestone needs an enrolment")
    if kind in (MilestoneKind.INTERVIEW, MilestoneKind.OFFER) and event.application_id is None:
        raise ValidationFailed("An interview or offer needs an application")
    if kind == MilestoneKind.JOB_STARTED and event.employer_id is None:
        raise ValidationFailed("Say who the employer is", {"employer_id": "Choose the employer"})
    if kind == MilestoneKind.SUSTAINMENT_CHECK:
        if event.weeks_after_start not in SUSTAINMENT_WEEKS:
            raise ValidationFailed(
                "A sustainment check is at 13, 26 or 52 weeks",
                {"weeks_after_start": "Choose 13, 26 or 52 weeks"},
            )
    elif event.weeks_after_start is not None or event.in_work is not None:
        raise ValidationFailed("Only a sustainment check records weeks in work")
    if kind == MilestoneKind.PROGRESSED and event.progression_kind is None:
        raise ValidationFailed(
            "Say how the resident progressed",
            {"progression_kind": "Choose the kind of progression"},
        )


_PROGRAMME_KINDS = frozenset(
    {
        MilestoneKind.PROGRAMME_STARTED,
        MilestoneKind.PROGRAMME_COMPLETED,
        MilestoneKind.PROGRAMME_LEFT_EARLY,
    }
)


def _check_dependency(session: Session, event: MilestoneEvent) -> None:
    """Refuse an event whose prerequisite is missing or dated after it."""
    kind, on = event.kind, event.occurred_on
    if kind in _PROGRAMME_KINDS:
        enrolment = session.get(Enrolment, event.enrolment_id)
        started = _current_enrolment_event(session, enrolment.id, MilestoneKind.PROGRAMME_STARTED)
        if kind == MilestoneKind.PROGRAMME_STARTED:
            _not_before(on, enrolment.enrolled_on, "A programme cannot start before enrolment")
        elif kind == MilestoneKind.PROGRAMME_COMPLETED and started is None:
            raise ValidationFailed("A programme cannot be completed before it has started")
        elif started is not None:
            _not_before(on, started.occurred_on, "This cannot be before the programme started")
        else:
            _not_before(on, enrolment.enrolled_on, "This cannot be before enrolment")
    elif kind == MilestoneKind.INTERVIEW:
        application = session.get(Application, event.application_id)
        _not_before(
            on, application.referred_at.date(), "The interview date cannot be before the referral"
        )
    elif kind == MilestoneKind.OFFER:
        interview = _current_application_event(
            session, event.application_id, MilestoneKind.INTERVIEW
        )
        if interview is None:
            raise ValidationFailed("An offer cannot be made before an interview")
        _not_before(on, interview.occurred_on, "An offer cannot be made before the interview")
    elif kind == MilestoneKind.JOB_STARTED and event.application_id is not None:
        offer = _current_application_event(session, event.application_id, MilestoneKind.OFFER)
        if offer is None:
            raise ValidationFailed("A job cannot start before an offer has been made")
        _not_before(on, offer.occurred_on, "A job cannot start before the offer")
    elif kind in JOB_LINKED_KINDS:
        start = _job_start_for(session, event)
        if start is None:
            raise ValidationFailed(f"The {_describe(event)} needs a job start first")
        if kind == MilestoneKind.SUSTAINMENT_CHECK:
            due = sustainment_due_on(start, event.weeks_after_start)
            if on < due:
                message = (
                    f"The {event.weeks_after_start}-week check is not due until {due:%-d %B %Y}"
                )
                raise ValidationFailed(message, {"occurred_on": message})
        else:
            _not_before(
                on, start.occurred_on, f"The {_describe(event)} cannot be before the job start"
            )


def _describe(event: MilestoneEvent) -> str:
    if event.kind == MilestoneKind.SUSTAINMENT_CHECK:
        return f"{event.weeks_after_start}-week check"
    return {
        MilestoneKind.LEFT_JOB: "date of leaving a job",
        MilestoneKind.PROGRESSED: "progression",
    }.get(event.kind, _words(event.kind))


def _words(value: StrEnum) -> str:
    return value.value.replace("_", " ")


def _current(resident_id: int, kind: MilestoneKind):
    return select(MilestoneEvent).where(
        MilestoneEvent.resident_id == resident_id,
        MilestoneEvent.kind == kind,
        col(MilestoneEvent.superseded_by_id).is_(None),
    )


def _current_application_event(
    session: Session, application_id: int, kind: MilestoneKind
) -> MilestoneEvent | None:
    return session.exec(
        select(MilestoneEvent).where(
            MilestoneEvent.application_id == application_id,
            MilestoneEvent.kind == kind,
            col(MilestoneEvent.superseded_by_id).is_(None),
        )
    ).first()


def _current_enrolment_event(
    session: Session, enrolment_id: int, kind: MilestoneKind
) -> MilestoneEvent | None:
    return session.exec(
        select(MilestoneEvent).where(
            MilestoneEvent.enrolment_id == enrolment_id,
            MilestoneEvent.kind == kind,
            col(MilestoneEvent.superseded_by_id).is_(None),
        )
    ).first()


def _same_job(statement, event: MilestoneEvent):
    """Events of one job share its application, or for jobs found elsewhere, its employer."""
    if event.application_id is not None:
        return statement.where(MilestoneEvent.application_id == event.application_id)
    return statement.where(
        col(MilestoneEvent.application_id).is_(None),
        MilestoneEvent.employer_id == event.employer_id,
    )


def _job_start_for(session: Session, event: MilestoneEvent) -> MilestoneEvent | None:
    """The job start an event follows: the latest one on or before it, else the earliest."""
    starts = session.exec(
        _same_job(_current(event.resident_id, MilestoneKind.JOB_STARTED), event).order_by(
            MilestoneEvent.occurred_on
        )
    ).all()
    earlier = [start for start in starts if start.occurred_on <= event.occurred_on]
    if earlier:
        return earlier[-1]
    return starts[0] if starts else None


def _current_same(
    session: Session, event: MilestoneEvent, replacing: MilestoneEvent | None
) -> MilestoneEvent | None:
    """A current event this one would duplicate, other than the one it replaces."""
    statement = _current(event.resident_id, event.kind)
    if replacing is not None:
        statement = statement.where(MilestoneEvent.id != replacing.id)
    kind = event.kind
    if kind in _PROGRAMME_KINDS:
        statement = statement.where(MilestoneEvent.enrolment_id == event.enrolment_id)
    elif kind in (MilestoneKind.INTERVIEW, MilestoneKind.OFFER):
        statement = statement.where(MilestoneEvent.application_id == event.application_id)
    elif kind == MilestoneKind.JOB_STARTED:
        if event.application_id is None:
            return None  # someone may start several jobs found outside the service
        statement = statement.where(MilestoneEvent.application_id == event.application_id)
    elif kind == MilestoneKind.SUSTAINMENT_CHECK:
        statement = _same_job(statement, event).where(
            MilestoneEvent.weeks_after_start == event.weeks_after_start
        )
    elif kind in (MilestoneKind.LEFT_JOB, MilestoneKind.PROGRESSED):
        return None  # a job can be left and rejoined, and progress more than once
    return session.exec(statement).first()


# Bulk actions: every row is checked, and one bad row means nothing is stored.


def all_or_nothing(rows: Sequence[Row], prepare: Callable[[Row], Prepared]) -> list[Prepared]:
    """Prepare every row, collecting each row's error; raise them together if there are any.

    Errors are keyed ``rows-<index>`` (from 0), as WTForms names the fields of a FieldList.
    """
    prepared, errors = [], {}
    for index, row in enumerate(rows):
        try:
            prepared.append(prepare(row))
        except (ValidationFailed, NotFound, PermissionDenied) as error:
            errors[f"rows-{index}"] = str(error)
    if errors:
        raise ValidationFailed(
            f"{len(errors)} of {len(rows)} rows could not be saved, so nothing was saved", errors
        )
    return prepared


@dataclass(frozen=True)
class SustainmentConfirmation:
    """One row of an employer's bulk confirmation of their hires' status."""

    job_start_id: int
    weeks: int
    in_work: bool | None
    on: date
    note: str = ""


def confirm_sustainment_in_bulk(
    *, session: Session, rows: Sequence[SustainmentConfirmation], by: User
) -> list[MilestoneEvent]:
    """An employer confirms whether its hires were in work at 13/26/52 weeks, all or nothing."""
    if by.role != Role.EMPLOYER:
        raise PermissionDenied("Only employers confirm their hires in bulk")
    seen: set[tuple[int, int]] = set()

    def prepare(row: SustainmentConfirmation):
        if (row.job_start_id, row.weeks) in seen:
            raise ValidationFailed("This check appears more than once")
        seen.add((row.job_start_id, row.weeks))
        job_start = _employers_hire(session, row.job_start_id, by)
        return _prepare_sustainment_check(
            session,
            job_start,
            weeks=row.weeks,
            in_work=row.in_work,
            on=row.on,
            evidence=Evidence.EMPLOYER_CONFIRMED,
            note=row.note,
        )

    prepared = all_or_nothing(rows, prepare)
    return [_add_superseding(session, event, previous, by) for event, previous in prepared]


def _employers_hire(session: Session, job_start_id: int, by: User) -> MilestoneEvent:
    """A job start at the user's organisation whose resident still shares their details."""
    job_start = session.exec(
        select(MilestoneEvent)
        .join(Resident, Resident.id == MilestoneEvent.resident_id)
        .where(
            MilestoneEvent.id == job_start_id,
            MilestoneEvent.kind == MilestoneKind.JOB_STARTED,
            shares_with_employers(),
        )
    ).first()
    if job_start is None or job_start.employer_id != by.organisation_id:
        raise NotFound("This hire was not found")
    return job_start


# Due lists.


class DueState(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class SustainmentDue:
    """A sustainment check with no known answer yet, and when it was due."""

    job_start: MilestoneEvent
    weeks: int
    due_on: date
    state: DueState

    @property
    def resident_id(self) -> int:
        return self.job_start.resident_id

    @property
    def overdue_from(self) -> date:
        return self.due_on + OVERDUE_AFTER + timedelta(days=1)


def sustainment_checks_due(
    *,
    session: Session,
    on: date | None = None,
    advisor_id: int | None = None,
    organisation_id: int | None = None,
    cohort_id: int | None = None,
    resident_id: int | None = None,
    employer_id: int | None = None,
) -> list[SustainmentDue]:
    """Sustainment checks due this week or overdue, overdue first, from current job starts.

    A check falls due ``weeks`` weeks after the start (13, 26 or 52). It is listed from the
    Monday of the week it falls due; it is *due* until 14 days after its due date and *overdue*
    from the 15th day, until an answer of in work or not in work is recorded. "Not yet known"
    does not close it. A check is not needed if the resident left that job by its due date.
    Filters combine: the advisor's caseload (``Resident.advisor_id``), the advisor's
    organisation, a cohort, one resident, or an employer's hires (only residents who still
    share their details with employers).
    """
    on = on or today()
    week_ends_on = on + timedelta(days=6 - on.weekday())
    statement = (
        select(MilestoneEvent)
        .join(Resident, Resident.id == MilestoneEvent.resident_id)
        .where(
            MilestoneEvent.kind == MilestoneKind.JOB_STARTED,
            col(MilestoneEvent.superseded_by_id).is_(None),
            MilestoneEvent.occurred_on <= week_ends_on - timedelta(weeks=SUSTAINMENT_WEEKS[0]),
            col(Resident.erased_at).is_(None),
            col(Resident.merged_into_id).is_(None),
        )
    )
    if advisor_id is not None:
        statement = statement.where(Resident.advisor_id == advisor_id)
    if organisation_id is not None:
        statement = statement.where(Resident.organisation_id == organisation_id)
    if resident_id is not None:
        statement = statement.where(Resident.id == resident_id)
    if cohort_id is not None:
        statement = statement.where(
            col(Resident.id).in_(
                select(Enrolment.resident_id).where(Enrolment.cohort_id == cohort_id)
            )
        )
    if employer_id is not None:
        statement = statement.where(
            MilestoneEvent.employer_id == employer_id, shares_with_employers()
        )
    starts = session.exec(statement.order_by(MilestoneEvent.occurred_on)).all()
    closing = _closing_events(session, {start.resident_id for start in starts})
    due = []
    for start in starts:
        answered, left_on = closing.get(_job_key(start), (set(), None))
        for weeks in SUSTAINMENT_WEEKS:
            due_on = sustainment_due_on(start, weeks)
            if due_on > week_ends_on or weeks in answered:
                continue
            if left_on is not None and left_on <= due_on:
                continue
            state = DueState.OVERDUE if on > due_on + OVERDUE_AFTER else DueState.DUE
            due.append(SustainmentDue(job_start=start, weeks=weeks, due_on=due_on, state=state))
    return sorted(due, key=lambda item: (item.state != DueState.OVERDUE, item.due_on))


def _job_key(event: MilestoneEvent) -> tuple:
    if event.application_id is not None:
        return (event.resident_id, "application", event.application_id)
    return (event.resident_id, "employer", event.employer_id)


def _closing_events(
    session: Session, resident_ids: set[int]
) -> dict[tuple, tuple[set[int], date | None]]:
    """Per job: the weeks with a known answer, and the earliest date the resident left."""
    events = session.exec(
        select(MilestoneEvent).where(
            col(MilestoneEvent.resident_id).in_(resident_ids),
            col(MilestoneEvent.kind).in_([MilestoneKind.SUSTAINMENT_CHECK, MilestoneKind.LEFT_JOB]),
            col(MilestoneEvent.superseded_by_id).is_(None),
        )
    ).all()
    closing: dict[tuple, tuple[set[int], date | None]] = {}
    for event in events:
        answered, left_on = closing.get(_job_key(event), (set(), None))
        if event.kind == MilestoneKind.LEFT_JOB:
            left_on = min(left_on or event.occurred_on, event.occurred_on)
        elif event.in_work is not None:
            answered = answered | {event.weeks_after_start}
        closing[_job_key(event)] = (answered, left_on)
    return closing


# Lists for the web pages.


@dataclass(frozen=True)
class ApplicationRow:
    """An application with the vacancy and resident it joins, for listing."""

    application: Application
    vacancy: Vacancy
    resident: Resident


def employer_applications(
    *,
    session: Session,
    organisation_id: int,
    vacancy_id: int | None = None,
    stage: ApplicationStage | None = None,
) -> list[ApplicationRow]:
    """The organisation's applications, only from residents who still share their details,
    in stage order and then most recently moved first."""
    statement = _application_rows().where(
        Vacancy.organisation_id == organisation_id, shares_with_employers()
    )
    if vacancy_id is not None:
        statement = statement.where(Application.vacancy_id == vacancy_id)
    if stage is not None:
        statement = statement.where(Application.stage == stage)
    rows = [ApplicationRow(*row) for row in session.exec(statement).all()]
    rows.sort(key=lambda row: row.application.updated_at, reverse=True)
    rows.sort(key=lambda row: _STAGE_ORDER[row.application.stage])  # stable: newest first within
    return rows


def resident_applications(*, session: Session, resident: Resident) -> list[ApplicationRow]:
    """Every application of one resident, most recently moved first."""
    statement = (
        _application_rows()
        .where(Application.resident_id == resident.id)
        .order_by(col(Application.updated_at).desc(), col(Application.id).desc())
    )
    return [ApplicationRow(*row) for row in session.exec(statement).all()]


_STAGE_ORDER = {stage: rank for rank, stage in enumerate(ApplicationStage)}


def _application_rows():
    """Applications with their vacancy and resident, as ``ApplicationRow`` reads them."""
    return (
        select(Application, Vacancy, Resident)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .join(Resident, Resident.id == Application.resident_id)
    )


@dataclass(frozen=True)
class ResidentDue:
    """One resident's due and overdue sustainment checks."""

    resident: Resident
    checks: list[SustainmentDue]


@dataclass(frozen=True)
class CohortDue:
    """The due checks of one cohort's residents; ``cohort`` is None for those on none."""

    cohort: Cohort | None
    residents: list[ResidentDue]

    @property
    def overdue(self) -> int:
        return sum(c.state == DueState.OVERDUE for r in self.residents for c in r.checks)

    @property
    def total(self) -> int:
        return sum(len(r.checks) for r in self.residents)


def due_by_cohort(*, session: Session, due: Sequence[SustainmentDue]) -> list[CohortDue]:
    """Group due checks per cohort (a resident's latest cohort) and then per resident.

    Cohorts come in start-date order, latest first; residents on no cohort come last.
    """
    resident_ids = {item.resident_id for item in due}
    residents = {
        resident.id: resident
        for resident in session.exec(select(Resident).where(col(Resident.id).in_(resident_ids)))
    }
    latest_cohort: dict[int, Cohort] = {}
    for resident_id, cohort in session.exec(
        select(Enrolment.resident_id, Cohort)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(col(Enrolment.resident_id).in_(resident_ids))
        .order_by(Cohort.starts_on, Cohort.id)
    ).all():
        latest_cohort[resident_id] = cohort
    grouped: dict[int | None, dict[int, list[SustainmentDue]]] = {}
    for item in due:
        cohort = latest_cohort.get(item.resident_id)
        per_resident = grouped.setdefault(cohort.id if cohort else None, {})
        per_resident.setdefault(item.resident_id, []).append(item)
    cohorts = {cohort.id: cohort for cohort in latest_cohort.values()}

    def by_start(cohort_id: int | None) -> tuple:
        cohort = cohorts.get(cohort_id)
        return (cohort is None, -(cohort.starts_on.toordinal() if cohort else 0))

    return [
        CohortDue(
            cohort=cohorts.get(cohort_id),
            residents=sorted(
                (ResidentDue(residents[rid], checks) for rid, checks in per_resident.items()),
                key=lambda entry: (entry.resident.last_name, entry.resident.first_name),
            ),
        )
        for cohort_id, per_resident in sorted(grouped.items(), key=lambda kv: by_start(kv[0]))
    ]
