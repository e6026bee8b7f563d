"""Writing the append-only audit log of who did what to which record."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, func, select

from pathways.models import AuditAction, AuditEvent, User


def record_audit(
    *,
    session: Session,
    user: User | None,
    action: AuditAction,
    entity_type: str,
    entity_id: int | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Add one audit entry to the current transaction."""
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail[:2000],
        ip_address=ip_address,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditQuery:
    """Filters for the admin's audit log search; empty fields do not filter."""

    user_email: str = ""
    action: AuditAction | None = None
    entity_type: str = ""
    entity_id: int | None = None
    on_or_after: date | None = None
    on_or_before: date | None = None


def search_audit(
    *, session: Session, query: AuditQuery, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """Matching entries, newest first, with the acting user's e-mail, and the total count."""
    statement = select(AuditEvent, User.email).join(
        User, User.id == AuditEvent.user_id, isouter=True
    )
    if query.user_email:
        statement = statement.where(User.email.contains(query.user_email.strip().lower()))
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.entity_type:
        statement = statement.where(AuditEvent.entity_type == query.entity_type)
    if query.entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == query.entity_id)
    if query.on_or_after:
        statement = statement.where(AuditEvent.at >= _start_of(query.on_or_after))
    if query.on_or_before:
        statement = statement.where(
            AuditEvent.at < _start_of(query.on_or_before + timedelta(days=1))
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    ).all()
    return [(event, email) for event, email in rows], total


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
