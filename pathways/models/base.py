"""Shared pieces of the table definitions: naming convention, enum columns, timestamps."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.clock import now_utc

# Named constraints make migrations reproducible on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_type(enum_cls: type[StrEnum]) -> sa.Enum:
    """Store an enum as its string value with a CHECK constraint, not a native PG type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum_cls),
        values_callable=lambda members: [member.value for member in members],
        name=enum_cls.__name__.lower(),
    )


def utc_timestamp(**kwargs) -> datetime:
    """A timezone-aware timestamp column defaulting to now."""
    return Field(
        default_factory=now_utc,
        sa_type=sa.DateTime(timezone=True),
        nullable=False,
        **kwargs,
    )
