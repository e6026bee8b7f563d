"""Frozen value types going into and coming out of the matcher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Level(int, Enum):
    """Qualification levels on the English scale (RQF); English and maths use ENTRY to LEVEL_2."""

    NONE = -1
    ENTRY = 0
    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3
    LEVEL_4 = 4
    LEVEL_5 = 5
    LEVEL_6 = 6
    LEVEL_7 = 7
    LEVEL_8 = 8


class OpportunityKind(StrEnum):
    """What an opportunity is; apprenticeships and training teach, so they can bridge gaps."""

    VACANCY = "vacancy"
    ENTRY_ROLE = "entry role"
    APPRENTICESHIP = "apprenticeship"
    TRAINING = "training"

    @property
    def teaches(self) -> bool:
        """Whether taking this opportunity teaches its skills (and so can bridge a gap)."""
        return self in (OpportunityKind.APPRENTICESHIP, OpportunityKind.TRAINING)


class ShiftPattern(StrEnum):
    """When the work happens, as far as it matters for availability."""

    UNKNOWN = "unknown"
    DAYS = "days"
    SHIFTS = "shifts"
    SHIFTS_WITH_NIGHTS = "shifts including nights"
    NIGHTS = "nights"

    @property
    def includes_nights(self) -> bool:
        """Whether someone who cannot work nights would be shut out."""
        return self in (ShiftPattern.SHIFTS_WITH_NIGHTS, ShiftPattern.NIGHTS)


@dataclass(frozen=True, slots=True)
class Availability:
    """When a person can work; None means they have not said."""

    nights: bool | None = None
    part_time_only: bool | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A resident as the matcher sees them; structured fields win over the profile text."""

    id: str
    profile: str = ""
    skills: tuple[str, ...] = ()
    english_level: Level | None = None
    maths_level: Level | None = None
    qualification_level: Level | None = None
    driving_licence: bool | None = None
    right_to_work: bool | None = None
    age: int | None = None
    date_of_birth: dt.date | None = None
    availability: Availability = field(default_factory=Availability)
    lat: float | None = None
    lon: float | None = None
    in_priority_area: bool = False
    max_travel_km: float | None = None

    def age_on(self, day: dt.date) -> int | None:
        """Age in whole years on a day, from the date of birth if known, else the stated age."""
        if self.date_of_birth is None:
            return self.age
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True, slots=True)
class Requirements:
    """Hard requirements of an opportunity; None means no requirement."""

    min_age: int | None = None
    english_level: Level | None = None
    maths_level: Level | None = None
    qualification_level: Level | None = None
    driving_licence: bool = False
    right_to_work: bool = True
    shift_pattern: ShiftPattern = ShiftPattern.UNKNOWN
    part_time_available: bool | None = None


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A pathway, apprenticeship, training programme or vacancy that residents can be matched to.

    ``requirements`` left as None are read from the title, description and skills.
    ``bridging`` names the employer's own route in (e.g. "six-week pre-employment course"), if any.
    """

    id: str
    title: str
    kind: OpportunityKind = OpportunityKind.ENTRY_ROLE
    description: str = ""
    skills: tuple[str, ...] = ()
    requirements: Requirements | None = None
    lat: float | None = None
    lon: float | None = None
    ring_fenced: bool = False
    level: str = ""
    standard: str = ""
    bridging: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreComponents:
    """The parts a match score is made of, each 0..1 (distance None when a location is unknown)."""

    skills: float
    eligibility: float
    distance: float | None
    priority: float


@dataclass(frozen=True, slots=True)
class BridgingStep:
    """A programme that teaches skills a person is missing for an opportunity."""

    title: str
    opportunity_id: str | None = None
    teaches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """One person-opportunity pair, scored and explained."""

    person_id: str
    opportunity_id: str
    title: str
    rank: int
    score: float
    components: ScoreComponents
    eligible: bool
    reasons: tuple[str, ...]
    matched_skills: tuple[str, ...]
    missing_skills: tuple[str, ...]
    bridging: BridgingStep | None
    distance_km: float | None
