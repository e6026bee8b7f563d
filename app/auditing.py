"""Audit entries for the current request: the signed-in user did this, from this address."""

from flask import request
from flask_login import current_user

from app.database import db_session
from pathways.audit import record_audit
from pathways.models import AuditAction


def audit_action(action: AuditAction, entity_type: str, entity_id: int | None, detail: str) -> None:
    """Add an audit entry to the request's transaction, committed with the change it records."""
    record_audit(
        session=db_session(),
        user=current_user,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail,
        ip_address=request.remote_addr,
    )
