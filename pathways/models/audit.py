"""The append-only record of who viewed, changed, exported or erased what."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.models.base import enum_type, utc_timestamp


class AuditAction(StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    ERASE = "erase"
    MERGE = "merge"
    LOGIN = "login"
    LOGOUT = "logout"
    LOGIN_FAILED = "login_failed"


class AuditEvent(SQLModel, table=True):
    """One audited action; database triggers refuse updates and deletes."""

    __tablename__ = "audit_event"

    __table_args__ = (
        sa.Index("ix_audit_event_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_event_user_id_at", "user_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_timestamp(index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    action: AuditAction = Field(sa_type=enum_type(AuditAction))
    entity_type: str = Field(max_length=50)
    entity_id: int | None = None
    detail: str = Field(default="", max_length=2000)
    ip_address: str | None = Field(default=None, max_length=45)
