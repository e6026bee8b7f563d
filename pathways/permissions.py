"""Who may see or change what: the predicates every view and query relies on."""

import sqlalchemy as sa
from sqlmodel import Session, select

from pathways.models import (
    Application,
    ConsentKind,
    ConsentRecord,
    Resident,
    Role,
    User,
    Vacancy,
)


def can_administer(user: User) -> bool:
    """Admins manage users, organisations and sites, and read the audit log."""
    return user.role == Role.ADMIN


def can_view_reports(user: User) -> bool:
    """Programme leads see partnership-wide, anonymous cohort reports."""
    return user.role == Role.PROGRAMME_LEAD


def can_manage_vacancy(user: User, vacancy: Vacancy) -> bool:
    """Employers manage their own organisation's vacancies only."""
    return user.role == Role.EMPLOYER and vacancy.organisation_id == user.organisation_id


def can_manage_resident(user: User, resident: Resident) -> bool:
    """Advisors register, edit, match and refer their own organisation's residents."""
    return (
        user.role == Role.ADVISOR
        and resident.organisation_id == user.organisation_id
        and resident.erased_at is None
        and resident.merged_into_id is None
    )


def has_current_consent(*, session: Session, resident: Resident, kind: ConsentKind) -> bool:
    """The latest consent record of this kind is in force; no record means no consent."""
    latest = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.resident_id == resident.id, ConsentRecord.kind == kind)
        .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
    ).first()
    return latest is not None and latest.granted


def shares_with_employers() -> sa.ColumnElement[bool]:
    """SQL condition on ``Resident``: not erased or merged, latest sharing consent a grant.

    Every employer-facing query must include it, so a withdrawal hides the resident at once.
    """
    latest_sharing_consent = (
        select(ConsentRecord.granted)
        .where(
            ConsentRecord.resident_id == Resident.id,
            ConsentRecord.kind == ConsentKind.SHARE_WITH_EMPLOYERS,
        )
        .order_by(ConsentRecord.given_on.desc(), ConsentRecord.id.desc())
        .limit(1)
        .correlate(Resident)
        .scalar_subquery()
    )
    return sa.and_(
        Resident.erased_at.is_(None),
        Resident.merged_into_id.is_(None),
        latest_sharing_consent.is_(True),
    )


def residents_shareable_with_employer(*, session: Session, employer: User) -> list[Resident]:
    """Residents referred to the employer's vacancies who currently consent to sharing."""
    return list(
        session.exec(
            select(Resident)
            .where(shares_with_employers(), Resident.id.in_(_referred_to(employer)))
            .order_by(Resident.id)
        )
    )


def can_view_resident(*, session: Session, user: User, resident: Resident) -> bool:
    """Advisors see their organisation's residents; employers see only consenting referrals."""
    if can_manage_resident(user, resident):
        return True
    if user.role != Role.EMPLOYER:
        return False
    visible = session.exec(
        select(Resident.id).where(
            Resident.id == resident.id,
            shares_with_employers(),
            Resident.id.in_(_referred_to(user)),
        )
    ).first()
    return visible is not None


def _referred_to(employer: User):
    """Ids of residents put forward for any of the employer organisation's vacancies."""
    return (
        select(Application.resident_id)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(Vacancy.organisation_id == employer.organisation_id)
    )
