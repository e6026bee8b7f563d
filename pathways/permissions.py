"""Who may see or change what: the predicates every view and query relies on."""

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


def can_view_resident(*, session: Session, user: User, resident: Resident) -> bool:
    """Advisors see their organisation's residents; employers see only consenting referrals."""
    if can_manage_resident(user, resident):
        return True
    if user.role != Role.EMPLOYER or resident.erased_at is not None:
        return False
    referred_here = session.exec(
        select(Application.id)
        .join(Vacancy, Vacancy.id == Application.vacancy_id)
        .where(
            Application.resident_id == resident.id,
            Vacancy.organisation_id == user.organisation_id,
        )
    ).first()
    return referred_here is not None and has_current_consent(
        session=session, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    )
