"""Organisations in the partnership, their sites, and the people who sign in."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.models.base import enum_type, utc_timestamp


class OrganisationKind(StrEnum):
    NHS_TRUST = "nhs_trust"
    CARE_PROVIDER = "care_provider"
    EMPLOYABILITY_PROVIDER = "employability_provider"
    COUNCIL = "council"
    COLLEGE = "college"


# Organisations that employ: they post vacancies, partner programmes and take on residents.
EMPLOYER_KINDS = (OrganisationKind.NHS_TRUST, OrganisationKind.CARE_PROVIDER)


class Role(StrEnum):
    ADVISOR = "advisor"
    EMPLOYER = "employer"
    PROGRAMME_LEAD = "programme_lead"
    ADMIN = "admin"


class Organisation(SQLModel, table=True):
    """A partner: a trust, care provider, employability provider, council or college."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: OrganisationKind = Field(sa_type=enum_type(OrganisationKind))
    ods_code: str | None = Field(default=None, max_length=10, unique=True)
    is_active: bool = Field(default=True)
    created_at: datetime = utc_timestamp()


class Site(SQLModel, table=True):
    """A workplace; vacancies are posted at a site and travel distances measured from it."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    postcode: str = Field(max_length=8)
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = Field(default=True)


class User(SQLModel, table=True):
    """A person who signs in; what they may see is set by their role and organisation."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=enum_type(Role))
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    is_active: bool = Field(default=True)
    # Bumped on password change so every existing session stops working.
    session_version: int = Field(default=1)
    created_at: datetime = utc_timestamp()
    last_login_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))

    # The attributes a sign-in session needs to know about a user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The identifier kept in the session; it changes when the password does."""
        return f"{self.id}:{self.session_version}"


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, kept in the database so lock-out holds across worker processes."""

    __tablename__ = "login_attempt"

    __table_args__ = (sa.Index("ix_login_attempt_email_attempted_at", "email", "attempted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    succeeded: bool
    ip_address: str | None = Field(default=None, max_length=45)
    attempted_at: datetime = utc_timestamp()


class PasswordResetToken(SQLModel, table=True):
    """A one-time password reset link; only a hash of the token is stored."""

    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=128, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_timestamp()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class OutboxMessage(SQLModel, table=True):
    """A message the service would e-mail; written here so no mail server is needed."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254, index=True)
    subject: str = Field(max_length=200)
    body: str
    created_at: datetime = utc_timestamp()
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
