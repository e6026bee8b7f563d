"""Programmes, cohorts, applications and the milestone events that make up a resident's journey."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pathways.models.base import enum_type, utc_timestamp


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    STARTED = "started"
    COMPLETED = "completed"
    LEFT_EARLY = "left_early"


class ApplicationStage(StrEnum):
    REFERRED = "referred"
    SHORTLISTED = "shortlisted"
    INTERVIEW = "interview"
    OFFER = "offer"
    CHECKS = "checks"
    JOB_STARTED = "job_started"
    UNSUCCESSFUL = "unsuccessful"
    WITHDRAWN = "withdrawn"


class ClosingReason(StrEnum):
    NOT_SHORTLISTED = "not_shortlisted"
    UNSUCCESSFUL_AT_INTERVIEW = "unsuccessful_at_interview"
    FAILED_CHECKS = "failed_checks"
    OFFER_DECLINED = "offer_declined"
    FOUND_OTHER_WORK = "found_other_work"
    HEALTH = "health"
    CARING = "caring"
    TRANSPORT = "transport"
    VACANCY_CLOSED = "vacancy_closed"
    NO_CONTACT = "no_contact"
    OTHER = "other"


class CheckKind(StrEnum):
    DBS = "dbs"
    OCCUPATIONAL_HEALTH = "occupational_health"
    REFERENCES = "references"
    RIGHT_TO_WORK = "right_to_work"


class CheckStatus(StrEnum):
    NOT_STARTED = "not_started"
    REQUESTED = "requested"
    CLEARED = "cleared"
    FAILED = "failed"


class MilestoneKind(StrEnum):
    REGISTERED = "registered"
    PROGRAMME_STARTED = "programme_started"
    PROGRAMME_COMPLETED = "programme_completed"
    PROGRAMME_LEFT_EARLY = "programme_left_early"
    INTERVIEW = "interview"
    OFFER = "offer"
    JOB_STARTED = "job_started"
    SUSTAINMENT_CHECK = "sustainment_check"
    LEFT_JOB = "left_job"
    PROGRESSED = "progressed"


class Evidence(StrEnum):
    SELF_REPORTED = "self_reported"
    EMPLOYER_CONFIRMED = "employer_confirmed"
    ADVISOR_VERIFIED = "advisor_verified"


class ProgressionKind(StrEnum):
    NEW_ROLE = "new_role"
    BAND_CHANGE = "band_change"
    APPRENTICESHIP_STARTED = "apprenticeship_started"
    APPRENTICESHIP_COMPLETED = "apprenticeship_completed"
    QUALIFICATION_GAINED = "qualification_gained"


class Programme(SQLModel, table=True):
    """A pre-employment programme run by a provider, often with a partner employer."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    provider_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    partner_employer_id: int | None = Field(default=None, foreign_key="organisation.id")
    pathway_id: int | None = Field(default=None, foreign_key="pathway.id")
    description: str = Field(default="")
    duration_weeks: int | None = Field(default=None, ge=1, le=104)
    guaranteed_interview: bool = Field(default=False)
    created_at: datetime = utc_timestamp()


class ProgrammePathway(SQLModel, table=True):
    """A pathway a programme prepares people for."""

    __tablename__ = "programme_pathway"

    programme_id: int = Field(foreign_key="programme.id", primary_key=True, ondelete="CASCADE")
    pathway_id: int = Field(foreign_key="pathway.id", primary_key=True)


class Cohort(SQLModel, table=True):
    """One run of a programme, with its dates, venue and capacity."""

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        sa.UniqueConstraint("programme_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    venue: str = Field(default="", max_length=200)
    capacity: int | None = None
    partner_employer_id: int | None = Field(default=None, foreign_key="organisation.id")
    created_at: datetime = utc_timestamp()


class Enrolment(SQLModel, table=True):
    """A resident's place on a cohort."""

    __table_args__ = (sa.UniqueConstraint("resident_id", "cohort_id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    status: EnrolmentStatus = Field(
        default=EnrolmentStatus.ENROLLED, sa_type=enum_type(EnrolmentStatus)
    )
    enrolled_on: date
    completed_on: date | None = None
    created_at: datetime = utc_timestamp()


class AttendanceRecord(SQLModel, table=True):
    """Whether an enrolled resident attended one session of the cohort."""

    __tablename__ = "attendance_record"

    __table_args__ = (sa.UniqueConstraint("enrolment_id", "session_on"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", ondelete="CASCADE")
    session_on: date
    attended: bool


class Application(SQLModel, table=True):
    """A resident put forward for a vacancy, moving through the recruitment stages."""

    __table_args__ = (sa.UniqueConstraint("resident_id", "vacancy_id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    vacancy_id: int = Field(foreign_key="vacancy.id", index=True)
    stage: ApplicationStage = Field(
        default=ApplicationStage.REFERRED, sa_type=enum_type(ApplicationStage), index=True
    )
    interview_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    closing_reason: ClosingReason | None = Field(default=None, sa_type=enum_type(ClosingReason))
    closing_note: str = Field(default="", max_length=1000)
    referred_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    referred_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()
    # Compared and bumped on every move so two concurrent edits cannot both win.
    version: int = Field(default=1)


class PreEmploymentCheck(SQLModel, table=True):
    """One of the checks between an offer and a start date."""

    __tablename__ = "pre_employment_check"

    __table_args__ = (sa.UniqueConstraint("application_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", ondelete="CASCADE")
    kind: CheckKind = Field(sa_type=enum_type(CheckKind))
    status: CheckStatus = Field(default=CheckStatus.NOT_STARTED, sa_type=enum_type(CheckStatus))
    status_on: date | None = None


class MilestoneEvent(SQLModel, table=True):
    """A dated step in a resident's journey; corrections supersede, never overwrite."""

    __tablename__ = "milestone_event"

    __table_args__ = (
        sa.CheckConstraint(
            "weeks_after_start IS NULL OR weeks_after_start IN (13, 26, 52)",
            name="sustainment_weeks",
        ),
        sa.Index("ix_milestone_event_resident_occurred_on", "resident_id", "occurred_on"),
        sa.Index("ix_milestone_event_kind_occurred_on", "kind", "occurred_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id")
    kind: MilestoneKind = Field(sa_type=enum_type(MilestoneKind))
    occurred_on: date
    evidence: Evidence = Field(default=Evidence.SELF_REPORTED, sa_type=enum_type(Evidence))
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    # Job details, for job_started and progressed events.
    employer_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id")
    pathway_id: int | None = Field(default=None, foreign_key="pathway.id")
    pay_band: str | None = Field(default=None, max_length=40)
    hours_per_week: float | None = Field(default=None, ge=0, le=60)
    annual_pay: float | None = Field(default=None, ge=0)
    hourly_pay: float | None = Field(default=None, ge=0)
    # Sustainment checks: which check, and whether the person was in work.
    weeks_after_start: int | None = None
    in_work: bool | None = None
    progression_kind: ProgressionKind | None = Field(
        default=None, sa_type=enum_type(ProgressionKind)
    )
    note: str = Field(default="", max_length=1000)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = utc_timestamp()
    superseded_by_id: int | None = Field(default=None, foreign_key="milestone_event.id")
