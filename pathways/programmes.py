"""Programmes, their cohorts, and residents' enrolment, attendance and completion.

Starting, completing and leaving a programme write milestones through ``pathways.progress``,
so the same rules (no future dates, nothing before the step it depends on) apply everywhere.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from pathways.audit import record_audit
from pathways.clock import today
from pathways.errors import NotFound, PermissionDenied, ValidationFailed
from pathways.models import (
    EMPLOYER_KINDS,
    AttendanceRecord,
    AuditAction,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Pathway,
    Programme,
    ProgrammePathway,
    Resident,
    Role,
    User,
)
from pathways.permissions import can_manage_resident, can_view_reports
from pathways.progress import all_or_nothing, record_milestone, validate_milestone

# Enrolments that hold a place on a cohort; someone who left early frees theirs.
HOLDING_A_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.STARTED, EnrolmentStatus.COMPLETED)


class EnrolmentAction(StrEnum):
    START = "start"
    COMPLETE = "complete"
    LEAVE_EARLY = "leave_early"


# The milestone each action writes, and the statuses it can be taken from.
ACTIONS: dict[
    EnrolmentAction, tuple[MilestoneKind, EnrolmentStatus, tuple[EnrolmentStatus, ...]]
] = {
    EnrolmentAction.START: (
        MilestoneKind.PROGRAMME_STARTED,
        EnrolmentStatus.STARTED,
        (EnrolmentStatus.ENROLLED,),
    ),
    EnrolmentAction.COMPLETE: (
        MilestoneKind.PROGRAMME_COMPLETED,
        EnrolmentStatus.COMPLETED,
        (EnrolmentStatus.STARTED,),
    ),
    EnrolmentAction.LEAVE_EARLY: (
        MilestoneKind.PROGRAMME_LEFT_EARLY,
        EnrolmentStatus.LEFT_EARLY,
        (EnrolmentStatus.ENROLLED, EnrolmentStatus.STARTED),
    ),
}
REFUSED_ACTIONS = {
    EnrolmentAction.START: "Only an enrolled resident who has not started can start",
    EnrolmentAction.COMPLETE: "Only a resident who has started the programme can complete it",
    EnrolmentAction.LEAVE_EARLY: "Only a resident still on the programme can leave it early",
}


def can_manage_programme(user: User, programme: Programme) -> bool:
    """Advisors of the provider organisation run its programmes and cohorts."""
    return user.role == Role.ADVISOR and user.organisation_id == programme.provider_organisation_id


def can_manage_enrolment(user: User, programme: Programme, resident: Resident) -> bool:
    """The programme's provider and the resident's own advisors record their progress."""
    return can_manage_programme(user, programme) or can_manage_resident(user, resident)


def create_programme(
    *,
    session: Session,
    name: str,
    by: User,
    description: str = "",
    pathway_id: int | None = None,
    target_pathway_ids: Sequence[int] = (),
    partner_employer_id: int | None = None,
    duration_weeks: int | None = None,
    guaranteed_interview: bool = False,
) -> Programme:
    """A programme run by the advisor's organisation, linked to the pathways it prepares for.

    ``pathway_id`` is the catalogue entry for the course itself, if it has one.
    """
    if by.role != Role.ADVISOR:
        raise PermissionDenied("Only advisors set up programmes")
    errors = {}
    name = name.strip()
    if not name or len(name) > 200:
        errors["name"] = "Enter a name of up to 200 characters"
    if duration_weeks is not None and not 1 <= duration_weeks <= 104:
        errors["duration_weeks"] = "Enter a length between 1 and 104 weeks"
    if partner_employer_id is not None and session.get(Organisation, partner_employer_id) is None:
        errors["partner_employer_id"] = "Choose a partner employer from the list"
    pathway_ids = {*target_pathway_ids, *([pathway_id] if pathway_id else [])}
    known = set(session.exec(select(Pathway.id).where(col(Pathway.id).in_(pathway_ids))).all())
    if pathway_ids - known:
        errors["target_pathway_ids"] = "Choose pathways from the list"
    if errors:
        raise ValidationFailed("Check the programme details", errors)
    programme = Programme(
        name=name,
        provider_organisation_id=by.organisation_id,
        partner_employer_id=partner_employer_id,
        pathway_id=pathway_id,
        description=description.strip(),
        duration_weeks=duration_weeks,
        guaranteed_interview=guaranteed_interview,
    )
    session.add(programme)
    session.flush()
    for target in sorted(set(target_pathway_ids)):
        session.add(ProgrammePathway(programme_id=programme.id, pathway_id=target))
    _audit(session, by, "programme", programme.id, f"Created programme {name}")
    session.flush()
    return programme


def target_pathways(*, session: Session, programme: Programme) -> list[Pathway]:
    """The pathways a programme prepares people for, by title."""
    return list(
        session.exec(
            select(Pathway)
            .join(ProgrammePathway, ProgrammePathway.pathway_id == Pathway.id)
            .where(ProgrammePathway.programme_id == programme.id)
            .order_by(Pathway.title)
        ).all()
    )


def create_cohort(
    *,
    session: Session,
    programme: Programme,
    name: str,
    starts_on: date,
    ends_on: date,
    by: User,
    venue: str = "",
    capacity: int | None = None,
    partner_employer_id: int | None = None,
) -> Cohort:
    """One run of a programme; the partner employer defaults to the programme's."""
    if not can_manage_programme(by, programme):
        raise PermissionDenied("Only the programme's provider can add cohorts")
    errors = {}
    name = name.strip()
    if not name or len(name) > 200:
        errors["name"] = "Enter a name of up to 200 characters"
    elif session.exec(
        select(Cohort.id).where(Cohort.programme_id == programme.id, Cohort.name == name)
    ).first():
        errors["name"] = "This programme already has a cohort with this name"
    if ends_on < starts_on:
        errors["ends_on"] = "The end date cannot be before the start date"
    if capacity is not None and capacity < 1:
        errors["capacity"] = "Capacity must be at least 1, or left empty for no limit"
    if len(venue) > 200:
        errors["venue"] = "Use 200 characters or fewer"
    if errors:
        raise ValidationFailed("Check the cohort details", errors)
    cohort = Cohort(
        programme_id=programme.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=venue.strip(),
        capacity=capacity,
        partner_employer_id=partner_employer_id or programme.partner_employer_id,
    )
    session.add(cohort)
    session.flush()
    _audit(session, by, "cohort", cohort.id, f"Created cohort {name}")
    return cohort


def places_taken(*, session: Session, cohort: Cohort) -> int:
    """Enrolments holding a place: everyone except those who left early."""
    return session.exec(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.cohort_id == cohort.id, col(Enrolment.status).in_(HOLDING_A_PLACE))
    ).one()


def enrol(*, session: Session, cohort: Cohort, resident: Resident, on: date, by: User) -> Enrolment:
    """Give a resident a place on a cohort, within its capacity, once.

    The cohort row is locked (on PostgreSQL) so two advisors cannot both take the last place.
    """
    if not can_manage_resident(by, resident):
        raise PermissionDenied("Only the resident's advisors can enrol them")
    cohort = session.exec(select(Cohort).where(Cohort.id == cohort.id).with_for_update()).one()
    if on > today():
        raise ValidationFailed("A date cannot be in the future", {"on": "Enter a past date"})
    if on > cohort.ends_on:
        raise ValidationFailed("This cohort has already finished", {"on": "Too late to enrol"})
    already = session.exec(
        select(Enrolment, Cohort)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Enrolment.resident_id == resident.id,
            Cohort.programme_id == cohort.programme_id,
            (Enrolment.cohort_id == cohort.id)
            | col(Enrolment.status).in_([EnrolmentStatus.ENROLLED, EnrolmentStatus.STARTED]),
        )
    ).first()
    if already is not None:
        raise ValidationFailed(f"This resident is already enrolled on {already[1].name}")
    if cohort.capacity is not None and places_taken(session=session, cohort=cohort) >= (
        cohort.capacity
    ):
        places = "1 place" if cohort.capacity == 1 else f"{cohort.capacity} places"
        raise ValidationFailed(f"This cohort is full ({places})")
    enrolment = Enrolment(resident_id=resident.id, cohort_id=cohort.id, enrolled_on=on)
    session.add(enrolment)
    session.flush()
    _audit(session, by, "enrolment", enrolment.id, f"Enrolled resident {resident.id}")
    return enrolment


def cohort_enrolments(*, session: Session, cohort: Cohort) -> list[tuple[Enrolment, Resident]]:
    """The cohort's enrolments with their residents, by name."""
    return list(
        session.exec(
            select(Enrolment, Resident)
            .join(Resident, Resident.id == Enrolment.resident_id)
            .where(Enrolment.cohort_id == cohort.id)
            .order_by(Resident.last_name, Resident.first_name, Enrolment.id)
        ).all()
    )


@dataclass(frozen=True)
class EnrolmentUpdate:
    """One row of a bulk action: which enrolment, and the date it happened."""

    enrolment_id: int
    on: date
    note: str = ""


def update_enrolment(
    *,
    session: Session,
    enrolment: Enrolment,
    action: EnrolmentAction,
    on: date,
    by: User,
    note: str = "",
) -> MilestoneEvent:
    """Start, complete or leave the programme, writing the matching milestone."""
    event = _prepare(session, enrolment, action, EnrolmentUpdate(enrolment.id, on, note), by)
    return _apply(session, enrolment, action, event, by)


def update_enrolments_in_bulk(
    *,
    session: Session,
    cohort: Cohort,
    action: EnrolmentAction,
    rows: Sequence[EnrolmentUpdate],
    by: User,
) -> list[MilestoneEvent]:
    """The same action for many of a cohort's enrolments: every row valid, or nothing stored."""
    enrolments = {
        enrolment.id: enrolment
        for enrolment, _ in cohort_enrolments(session=session, cohort=cohort)
    }
    seen: set[int] = set()

    def prepare(row: EnrolmentUpdate) -> tuple[Enrolment, MilestoneEvent]:
        enrolment = enrolments.get(row.enrolment_id)
        if enrolment is None:
            raise NotFound("This resident is not enrolled on this cohort")
        if row.enrolment_id in seen:
            raise ValidationFailed("This resident appears more than once")
        seen.add(row.enrolment_id)
        return enrolment, _prepare(session, enrolment, action, row, by)

    prepared = all_or_nothing(rows, prepare)
    return [_apply(session, enrolment, action, event, by) for enrolment, event in prepared]


def record_attendance(
    *, session: Session, enrolment: Enrolment, session_on: date, attended: bool, by: User
) -> AttendanceRecord:
    """Whether the resident came to one session; the first attended session starts them."""
    record = _prepare_attendance(session, enrolment, session_on, attended, by)
    return _apply_attendance(session, enrolment, record, by)


def record_cohort_attendance(
    *,
    session: Session,
    cohort: Cohort,
    session_on: date,
    attendance: Mapping[int, bool],
    by: User,
) -> list[AttendanceRecord]:
    """A register for one session: attended or not per enrolment id, all or nothing.

    A date no session can have is refused once, against ``session_on``, before any row.
    """
    _check_session_date(cohort, session_on)
    enrolments = {
        enrolment.id: enrolment
        for enrolment, _ in cohort_enrolments(session=session, cohort=cohort)
    }

    def prepare(row: tuple[int, bool]) -> tuple[Enrolment, AttendanceRecord]:
        enrolment = enrolments.get(row[0])
        if enrolment is None:
            raise NotFound("This resident is not enrolled on this cohort")
        return enrolment, _prepare_attendance(session, enrolment, session_on, row[1], by)

    prepared = all_or_nothing(list(attendance.items()), prepare)
    return [_apply_attendance(session, enrolment, record, by) for enrolment, record in prepared]


def attendance_for(*, session: Session, enrolment: Enrolment) -> list[AttendanceRecord]:
    return list(
        session.exec(
            select(AttendanceRecord)
            .where(AttendanceRecord.enrolment_id == enrolment.id)
            .order_by(AttendanceRecord.session_on)
        ).all()
    )


def _prepare(
    session: Session, enrolment: Enrolment, action: EnrolmentAction, row: EnrolmentUpdate, by: User
) -> MilestoneEvent:
    """Check the action against the enrolment's status and the milestone rules."""
    cohort = session.get(Cohort, enrolment.cohort_id)
    programme = session.get(Programme, cohort.programme_id)
    resident = session.get(Resident, enrolment.resident_id)
    if not can_manage_enrolment(by, programme, resident):
        raise PermissionDenied("Only the provider or the resident's advisors can record this")
    kind, _, from_statuses = ACTIONS[action]
    if enrolment.status not in from_statuses:
        raise ValidationFailed(REFUSED_ACTIONS[action], {"status": REFUSED_ACTIONS[action]})
    event = MilestoneEvent(
        resident_id=enrolment.resident_id,
        kind=kind,
        occurred_on=row.on,
        enrolment_id=enrolment.id,
        note=row.note,
    )
    validate_milestone(session=session, event=event)
    return event


def _apply(
    session: Session, enrolment: Enrolment, action: EnrolmentAction, event: MilestoneEvent, by: User
) -> MilestoneEvent:
    _, status, _ = ACTIONS[action]
    enrolment.status = status
    if action == EnrolmentAction.COMPLETE:
        enrolment.completed_on = event.occurred_on
    session.add(enrolment)
    return record_milestone(session=session, event=event, by=by)


def _prepare_attendance(
    session: Session, enrolment: Enrolment, session_on: date, attended: bool, by: User
) -> AttendanceRecord:
    cohort = session.get(Cohort, enrolment.cohort_id)
    programme = session.get(Programme, cohort.programme_id)
    if not can_manage_enrolment(by, programme, session.get(Resident, enrolment.resident_id)):
        raise PermissionDenied("Only the provider or the resident's advisors can record this")
    _check_session_date(cohort, session_on)
    if enrolment.status == EnrolmentStatus.LEFT_EARLY:
        raise ValidationFailed("This resident left the programme early")
    if session_on < enrolment.enrolled_on:
        raise ValidationFailed("A session cannot be before the resident enrolled")
    record = session.exec(
        select(AttendanceRecord).where(
            AttendanceRecord.enrolment_id == enrolment.id,
            AttendanceRecord.session_on == session_on,
        )
    ).first() or AttendanceRecord(enrolment_id=enrolment.id, session_on=session_on)
    record.attended = attended
    return record


def _check_session_date(cohort: Cohort, session_on: date) -> None:
    """A session is on a past day within the cohort's dates."""
    if session_on > today():
        raise ValidationFailed("A date cannot be in the future", {"session_on": "Past dates only"})
    if not cohort.starts_on <= session_on <= cohort.ends_on:
        raise ValidationFailed(
            f"The session must be between {cohort.starts_on:%-d %B %Y} and "
            f"{cohort.ends_on:%-d %B %Y}, the cohort's dates",
            {"session_on": "Outside the cohort's dates"},
        )


def _apply_attendance(
    session: Session, enrolment: Enrolment, record: AttendanceRecord, by: User
) -> AttendanceRecord:
    session.add(record)
    session.flush()
    if record.attended and enrolment.status == EnrolmentStatus.ENROLLED:
        update_enrolment(
            session=session,
            enrolment=enrolment,
            action=EnrolmentAction.START,
            on=record.session_on,
            by=by,
        )
    return record


def can_view_programme(user: User, programme: Programme) -> bool:
    """The provider's advisors, and programme leads for partnership-wide counts without names."""
    return can_manage_programme(user, programme) or can_view_reports(user)


def get_programme(*, session: Session, programme_id: int) -> Programme:
    """Load a programme or raise NotFound."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound("Programme not found")
    return programme


def partner_employers(*, session: Session) -> list[Organisation]:
    """Active trusts and care providers, which can partner a programme or cohort."""
    return list(
        session.exec(
            select(Organisation)
            .where(
                Organisation.is_active,
                col(Organisation.kind).in_(EMPLOYER_KINDS),
            )
            .order_by(Organisation.name)
        )
    )


@dataclass(frozen=True)
class ProgrammeSummary:
    """A programme with its organisations' names and how many cohorts and places it has."""

    programme: Programme
    provider: str
    partner_employer: str | None
    cohorts: int
    places_taken: int


def programmes_for(*, session: Session, user: User) -> list[ProgrammeSummary]:
    """Programmes the user may see: their provider's as an advisor, every one as a lead."""
    statement = select(Programme).order_by(Programme.name, Programme.id)
    if not can_view_reports(user):
        if user.role != Role.ADVISOR:
            return []
        statement = statement.where(Programme.provider_organisation_id == user.organisation_id)
    programmes = list(session.exec(statement))
    ids = [programme.id for programme in programmes]
    cohorts = dict(
        session.exec(
            select(Cohort.programme_id, func.count())
            .where(col(Cohort.programme_id).in_(ids))
            .group_by(Cohort.programme_id)
        ).all()
    )
    taken = dict(
        session.exec(
            select(Cohort.programme_id, func.count())
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .where(col(Cohort.programme_id).in_(ids), col(Enrolment.status).in_(HOLDING_A_PLACE))
            .group_by(Cohort.programme_id)
        ).all()
    )
    names = _organisation_names(
        session,
        {p.provider_organisation_id for p in programmes}
        | {p.partner_employer_id for p in programmes if p.partner_employer_id},
    )
    return [
        ProgrammeSummary(
            programme=programme,
            provider=names[programme.provider_organisation_id],
            partner_employer=names.get(programme.partner_employer_id),
            cohorts=cohorts.get(programme.id, 0),
            places_taken=taken.get(programme.id, 0),
        )
        for programme in programmes
    ]


def organisation_name(*, session: Session, organisation_id: int | None) -> str | None:
    """An organisation's name, or None when there is no organisation."""
    if organisation_id is None:
        return None
    return _organisation_names(session, {organisation_id}).get(organisation_id)


def cohorts_of(*, session: Session, programme: Programme) -> list[Cohort]:
    """A programme's cohorts, the latest start first."""
    return list(
        session.exec(
            select(Cohort)
            .where(Cohort.programme_id == programme.id)
            .order_by(col(Cohort.starts_on).desc(), Cohort.name)
        )
    )


@dataclass(frozen=True)
class CohortSummary:
    """Counts about a cohort that name nobody: places, statuses and attendance."""

    cohort: Cohort
    by_status: dict[EnrolmentStatus, int]
    places_taken: int
    sessions_recorded: int
    attendance_records: int
    attended: int

    @property
    def enrolments(self) -> int:
        return sum(self.by_status.values())

    @property
    def places_left(self) -> int | None:
        """None when the cohort has no capacity limit."""
        if self.cohort.capacity is None:
            return None
        return max(self.cohort.capacity - self.places_taken, 0)

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def attendance_percent(self) -> int | None:
        """Sessions attended as a whole percentage of the sessions recorded, if any were."""
        if not self.attendance_records:
            return None
        return round(100 * self.attended / self.attendance_records)


def cohort_summaries(*, session: Session, cohorts: Sequence[Cohort]) -> list[CohortSummary]:
    """Each cohort's counts, in the order given, in two queries."""
    ids = [cohort.id for cohort in cohorts]
    statuses: dict[int, dict[EnrolmentStatus, int]] = {id_: {} for id_ in ids}
    for cohort_id, status, count in session.exec(
        select(Enrolment.cohort_id, Enrolment.status, func.count())
        .where(col(Enrolment.cohort_id).in_(ids))
        .group_by(Enrolment.cohort_id, Enrolment.status)
    ):
        statuses[cohort_id][EnrolmentStatus(status)] = count
    attendance = {
        cohort_id: (dates, records, attended or 0)
        for cohort_id, dates, records, attended in session.exec(
            select(
                Enrolment.cohort_id,
                func.count(sa.distinct(AttendanceRecord.session_on)),
                func.count(),
                func.sum(sa.case((col(AttendanceRecord.attended), 1), else_=0)),
            )
            .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
            .where(col(Enrolment.cohort_id).in_(ids))
            .group_by(Enrolment.cohort_id)
        )
    }
    summaries = []
    for cohort in cohorts:
        by_status = {status: statuses[cohort.id].get(status, 0) for status in EnrolmentStatus}
        dates, records, attended = attendance.get(cohort.id, (0, 0, 0))
        summaries.append(
            CohortSummary(
                cohort=cohort,
                by_status=by_status,
                places_taken=sum(by_status[status] for status in HOLDING_A_PLACE),
                sessions_recorded=dates,
                attendance_records=records,
                attended=attended,
            )
        )
    return summaries


def attendance_counts(*, session: Session, cohort: Cohort) -> dict[int, tuple[int, int]]:
    """Per enrolment id: sessions attended and sessions recorded."""
    return {
        enrolment_id: (attended or 0, records)
        for enrolment_id, attended, records in session.exec(
            select(
                AttendanceRecord.enrolment_id,
                func.sum(sa.case((col(AttendanceRecord.attended), 1), else_=0)),
                func.count(),
            )
            .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
            .where(Enrolment.cohort_id == cohort.id)
            .group_by(AttendanceRecord.enrolment_id)
        )
    }


def session_dates(*, session: Session, cohort: Cohort) -> list[date]:
    """The dates of the cohort's sessions with a register recorded, earliest first."""
    return list(
        session.exec(
            select(AttendanceRecord.session_on)
            .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
            .where(Enrolment.cohort_id == cohort.id)
            .group_by(AttendanceRecord.session_on)
            .order_by(AttendanceRecord.session_on)
        )
    )


def register_on(*, session: Session, cohort: Cohort, session_on: date) -> dict[int, bool]:
    """The register already recorded for one session: attended or not, per enrolment id."""
    return dict(
        session.exec(
            select(AttendanceRecord.enrolment_id, AttendanceRecord.attended)
            .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
            .where(Enrolment.cohort_id == cohort.id, AttendanceRecord.session_on == session_on)
        ).all()
    )


def cohorts_open_for_enrolment(*, session: Session, user: User) -> list[tuple[Cohort, Programme]]:
    """Cohorts of the advisor's provider's programmes that have not finished, soonest first."""
    if user.role != Role.ADVISOR:
        return []
    return list(
        session.exec(
            select(Cohort, Programme)
            .join(Programme, Programme.id == Cohort.programme_id)
            .where(
                Programme.provider_organisation_id == user.organisation_id,
                Cohort.ends_on >= today(),
            )
            .order_by(Cohort.starts_on, Programme.name, Cohort.name)
        ).all()
    )


def _organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(
        session.exec(
            select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
        ).all()
    )


def get_cohort(*, session: Session, cohort_id: int) -> Cohort:
    """Load a cohort or raise NotFound."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("Cohort not found")
    return cohort


def _audit(session: Session, by: User, entity_type: str, entity_id: int, detail: str) -> None:
    record_audit(
        session=session,
        user=by,
        action=AuditAction.CREATE,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail,
    )
