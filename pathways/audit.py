"""Writing the append-only audit log of who did what to which record."""

from sqlmodel import Session

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
