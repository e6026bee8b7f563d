"""Residents registered by employability advisors, with their consent and case notes."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.models.base import enum_type, utc_timestamp


class ResidentStatus(StrEnum):
    ACTIVE = "active"
    IN_WORK = "in_work"
    CLOSED = "closed"


class ConsentKind(StrEnum):
    HOLD_DATA = "hold_data"
    SHARE_WITH_EMPLOYERS = "share_with_employers"


# Residents neither erased nor merged into another record: those a caseload lists.
ON_CASELOAD = "erased_at IS NULL AND merged_into_id IS NULL"


class Resident(SQLModel, table=True):
    """A person an advisor supports into work; personal fields are emptied on erasure."""

    __table_args__ = (
        sa.CheckConstraint("imd_decile IS NULL OR imd_decile BETWEEN 1 AND 10", name="decile"),
        sa.Index("ix_resident_last_first_name", "last_name", "first_name"),
        # The caseload pages through an organisation's residents by name; only those still on
        # it, so counting them reads the index alone.
        sa.Index(
            "ix_resident_caseload",
            "organisation_id",
            "last_name",
            "first_name",
            "id",
            postgresql_where=sa.text(ON_CASELOAD),
            sqlite_where=sa.text(ON_CASELOAD),
        ),
        sa.UniqueConstraint("organisation_id", "external_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    # The advisor whose caseload the resident is on.
    advisor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # The resident's reference in the advisor's own spreadsheet, so re-imports find them.
    external_ref: str | None = Field(default=None, max_length=60)
    # Personal and contact details (emptied on erasure).
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=8, index=True)
    # Derived from the postcode at registration; kept after erasure for anonymous reporting.
    lsoa21_code: str | None = Field(default=None, max_length=9)
    ward_name: str | None = Field(default=None, max_length=100)
    imd_decile: int | None = Field(default=None, index=True)
    priority_area: str | None = Field(default=None, max_length=100, index=True)
    in_priority_area: bool = Field(default=False)
    age_band: str | None = Field(default=None, max_length=10)
    # Experience and skills in the resident's own words.
    work_history: str = Field(default="")
    informal_experience: str = Field(default="")
    interests: str = Field(default="")
    qualifications: str = Field(default="")
    # Skills in the resident's own words, beside those picked from the vocabulary.
    other_skills: str = Field(default="")
    english_level: int = Field(default=0, ge=0, le=3)
    maths_level: int = Field(default=0, ge=0, le=3)
    highest_qualification_level: int = Field(default=0, ge=0, le=8)
    has_driving_licence: bool = Field(default=False)
    has_right_to_work: bool = Field(default=False)
    # Availability.
    available_hours_per_week: int | None = Field(default=None, ge=0, le=60)
    available_days: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    no_nights: bool = Field(default=False)
    part_time_only: bool = Field(default=False)
    max_travel_km: float | None = Field(default=None, ge=0)
    barriers: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    agreed_supports: str = Field(default="")
    # Optional equality monitoring; "prefer_not_to_say" is a real answer, None is not asked.
    sex: str | None = Field(default=None, max_length=30)
    ethnicity: str | None = Field(default=None, max_length=80)
    disability: str | None = Field(default=None, max_length=30)
    status: ResidentStatus = Field(
        default=ResidentStatus.ACTIVE, sa_type=enum_type(ResidentStatus), index=True
    )
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()
    last_activity_at: datetime = utc_timestamp(index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="resident.id")
    erased_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ResidentSkill(SQLModel, table=True):
    """A skill from the shared vocabulary that the resident has."""

    __tablename__ = "resident_skill"

    resident_id: int = Field(foreign_key="resident.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)


class ConsentRecord(SQLModel, table=True):
    """A dated grant or withdrawal of consent; the latest record of each kind is in force."""

    __tablename__ = "consent_record"

    __table_args__ = (sa.Index("ix_consent_record_resident_kind", "resident_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", ondelete="CASCADE")
    kind: ConsentKind = Field(sa_type=enum_type(ConsentKind))
    granted: bool
    given_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = utc_timestamp()
    note: str = Field(default="", max_length=500)


class ResidentNote(SQLModel, table=True):
    """A case note, optionally with a next action and the date it is due."""

    __tablename__ = "resident_note"

    __table_args__ = (sa.Index("ix_resident_note_due_on_done_at", "due_on", "done_at"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    body: str
    next_action: str | None = Field(default=None, max_length=300)
    due_on: date | None = None
    done_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = utc_timestamp()
