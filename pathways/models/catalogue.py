"""What residents can be matched to: skills, pathways, progression routes and vacancies."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.models.base import enum_type, utc_timestamp


class PathwayKind(StrEnum):
    ENTRY_ROLE = "entry_role"
    APPRENTICESHIP = "apprenticeship"
    PRE_EMPLOYMENT = "pre_employment"


class DbsLevel(StrEnum):
    NONE = "none"
    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"


class ShiftPattern(StrEnum):
    DAYS = "days"
    EARLY_LATE = "early_late"
    NIGHTS = "nights"
    ROTATING = "rotating"
    FLEXIBLE = "flexible"


class SkillImportance(StrEnum):
    ESSENTIAL = "essential"
    DESIRABLE = "desirable"


class VacancyStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class PayPeriod(StrEnum):
    ANNUAL = "annual"
    HOURLY = "hourly"


class Skill(SQLModel, table=True):
    """An entry in the one shared skills vocabulary, used by pathways, residents and matching."""

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=120, unique=True)
    # Words people actually use for this skill, separated by "|" ("tills|till work").
    synonyms: str = Field(default="")
    esco_uri: str | None = Field(default=None, max_length=255, unique=True)


class Pathway(SQLModel, table=True):
    """An entry role, apprenticeship or pre-employment programme a resident can move into."""

    __table_args__ = (
        sa.CheckConstraint(
            "kind != 'apprenticeship' OR "
            "(apprenticeship_standard_code IS NOT NULL AND apprenticeship_level IS NOT NULL)",
            name="apprenticeship_has_standard",
        ),
        sa.CheckConstraint(
            "apprenticeship_level IS NULL OR apprenticeship_level BETWEEN 2 AND 7",
            name="apprenticeship_level_range",
        ),
        sa.CheckConstraint(
            "pay_min IS NULL OR pay_max IS NULL OR pay_min <= pay_max", name="pay_range_ordered"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True)
    title: str = Field(max_length=200, index=True)
    kind: PathwayKind = Field(sa_type=enum_type(PathwayKind), index=True)
    staff_group: str = Field(max_length=100, index=True)
    pay_band: str | None = Field(default=None, max_length=40)
    pay_min: int | None = Field(default=None, ge=0)
    pay_max: int | None = Field(default=None, ge=0)
    hours_per_week: float | None = Field(default=None, ge=0, le=60)
    apprenticeship_standard_code: str | None = Field(default=None, max_length=10)
    apprenticeship_level: int | None = None
    typical_duration_months: int | None = Field(default=None, ge=0)
    typical_duration_weeks: int | None = Field(default=None, ge=0)
    soc2020_code: str | None = Field(default=None, max_length=4)
    description: str = Field(default="")
    # Entry requirements; levels: 0 none, 1 Entry/Level 1, 2 Level 2 (GCSE grade 4/C).
    min_age: int = Field(default=16, ge=16, le=25)
    english_level: int = Field(default=0, ge=0, le=3)
    maths_level: int = Field(default=0, ge=0, le=3)
    min_qualification_level: int = Field(default=0, ge=0, le=8)
    requires_driving_licence: bool = Field(default=False)
    dbs_level: DbsLevel = Field(default=DbsLevel.NONE, sa_type=enum_type(DbsLevel))
    shift_pattern: ShiftPattern | None = Field(default=None, sa_type=enum_type(ShiftPattern))
    source_url: str | None = Field(default=None, max_length=500)
    is_published: bool = Field(default=True)
    updated_at: datetime = utc_timestamp()


class PathwaySkill(SQLModel, table=True):
    """A skill a pathway uses, essential or desirable."""

    __tablename__ = "pathway_skill"

    pathway_id: int = Field(foreign_key="pathway.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True)
    importance: SkillImportance = Field(
        default=SkillImportance.ESSENTIAL, sa_type=enum_type(SkillImportance)
    )


class PathwayProgression(SQLModel, table=True):
    """A step on a career ladder, from one pathway to the next."""

    __tablename__ = "pathway_progression"

    __table_args__ = (sa.CheckConstraint("from_pathway_id != to_pathway_id", name="not_to_itself"),)

    from_pathway_id: int = Field(foreign_key="pathway.id", primary_key=True, ondelete="CASCADE")
    to_pathway_id: int = Field(
        foreign_key="pathway.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    note: str = Field(default="", max_length=500)


class Vacancy(SQLModel, table=True):
    """A job or apprenticeship an employer is recruiting to at one of its sites."""

    __table_args__ = (
        sa.CheckConstraint("positions >= 1", name="positions_at_least_one"),
        sa.CheckConstraint(
            "pay_min IS NULL OR pay_max IS NULL OR pay_min <= pay_max", name="pay_range_ordered"
        ),
        sa.Index("ix_vacancy_status_closing_date", "status", "closing_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    pathway_id: int = Field(foreign_key="pathway.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="")
    positions: int = Field(default=1)
    pay_min: float | None = Field(default=None, ge=0)
    pay_max: float | None = Field(default=None, ge=0)
    pay_period: PayPeriod = Field(default=PayPeriod.ANNUAL, sa_type=enum_type(PayPeriod))
    hours_per_week: float | None = Field(default=None, ge=0, le=60)
    shift_pattern: ShiftPattern = Field(default=ShiftPattern.DAYS, sa_type=enum_type(ShiftPattern))
    closing_date: date
    status: VacancyStatus = Field(default=VacancyStatus.DRAFT, sa_type=enum_type(VacancyStatus))
    ring_fenced: bool = Field(default=False)
    guaranteed_interview: bool = Field(default=False)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = utc_timestamp()
    published_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
