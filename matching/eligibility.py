"""Hard eligibility rules: one table gives both the vectorised mask and the plain-English reason.

Unknown values (NaN) never fail a rule: a person is only ruled out by something they or the
opportunity actually said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matching.model import Level


@dataclass(frozen=True, slots=True)
class PeopleColumns:
    """Per-person constraint columns, shape (n, 1) to broadcast; NaN = unknown."""

    age: np.ndarray
    english: np.ndarray
    maths: np.ndarray
    qualification: np.ndarray
    licence: np.ndarray
    right_to_work: np.ndarray
    nights: np.ndarray
    part_time_only: np.ndarray
    max_travel_km: np.ndarray
    in_priority_area: np.ndarray

    def take(self, rows: np.ndarray) -> PeopleColumns:
        """The same columns for a subset of people."""
        return PeopleColumns(**{name: getattr(self, name)[rows] for name in self.__slots__})


@dataclass(frozen=True, slots=True)
class OpportunityColumns:
    """Per-opportunity requirement rows, shape (1, m); NaN = no requirement."""

    min_age: np.ndarray
    english: np.ndarray
    maths: np.ndarray
    qualification: np.ndarray
    licence: np.ndarray
    right_to_work: np.ndarray
    nights: np.ndarray
    full_time_only: np.ndarray
    ring_fenced: np.ndarray

    def take(self, columns: np.ndarray) -> OpportunityColumns:
        """The same rows for a subset of opportunities."""
        return OpportunityColumns(
            **{name: getattr(self, name)[:, columns] for name in self.__slots__}
        )


def _level_name(value: float) -> str:
    return "no qualifications" if value < 0 else Level(int(value)).name.replace("_", " ").title()


@dataclass(frozen=True, slots=True)
class Rule:
    """A hard requirement: which pairs fail it, and how to say why in plain English."""

    name: str
    person_column: str  # a person whose value here is unknown (NaN) never fails the rule
    opportunity_column: str | None  # an opportunity that does not require it never fails it
    requires: Callable[[np.ndarray], np.ndarray] | None  # which of its values are a requirement
    fails: Callable[[PeopleColumns, OpportunityColumns, np.ndarray], np.ndarray]
    reason: Callable[[PeopleColumns, OpportunityColumns, np.ndarray], str]


def _stated(column: np.ndarray) -> np.ndarray:
    """A level or age requirement is set where the value is known."""
    return ~np.isnan(column)


def _flagged(column: np.ndarray) -> np.ndarray:
    """A yes/no requirement is set where the value is 1."""
    return column == 1


def _scalar(column: np.ndarray) -> float:
    return float(column.reshape(-1)[0])


RULES: tuple[Rule, ...] = (
    Rule(
        "minimum age",
        "age",
        "min_age",
        _stated,
        lambda p, o, d: p.age < o.min_age,
        lambda p, o, d: f"minimum age is {_scalar(o.min_age):.0f}; they are {_scalar(p.age):.0f}",
    ),
    Rule(
        "driving licence",
        "licence",
        "licence",
        _flagged,
        lambda p, o, d: (o.licence == 1) & (p.licence == 0),
        lambda p, o, d: "needs a full driving licence; they do not have one",
    ),
    Rule(
        "English level",
        "english",
        "english",
        _stated,
        lambda p, o, d: p.english < o.english,
        lambda p, o, d: (
            f"needs {_level_name(_scalar(o.english))} English; "
            f"they have {_level_name(_scalar(p.english))}"
        ),
    ),
    Rule(
        "maths level",
        "maths",
        "maths",
        _stated,
        lambda p, o, d: p.maths < o.maths,
        lambda p, o, d: (
            f"needs {_level_name(_scalar(o.maths))} maths; "
            f"they have {_level_name(_scalar(p.maths))}"
        ),
    ),
    Rule(
        "qualification level",
        "qualification",
        "qualification",
        _stated,
        lambda p, o, d: p.qualification < o.qualification,
        lambda p, o, d: (
            f"needs a {_level_name(_scalar(o.qualification))} qualification; "
            f"their highest is {_level_name(_scalar(p.qualification))}"
        ),
    ),
    Rule(
        "right to work",
        "right_to_work",
        "right_to_work",
        _flagged,
        lambda p, o, d: (o.right_to_work == 1) & (p.right_to_work == 0),
        lambda p, o, d: "needs the right to work in the UK",
    ),
    Rule(
        "nights",
        "nights",
        "nights",
        _flagged,
        lambda p, o, d: (o.nights == 1) & (p.nights == 0),
        lambda p, o, d: "involves night shifts; they cannot work nights",
    ),
    Rule(
        "part-time",
        "part_time_only",
        "full_time_only",
        _flagged,
        lambda p, o, d: (o.full_time_only == 1) & (p.part_time_only == 1),
        lambda p, o, d: "full-time only; they are looking for part-time work",
    ),
    Rule(
        "travel distance",
        "max_travel_km",
        None,
        None,
        lambda p, o, d: d > p.max_travel_km,
        lambda p, o, d: (
            f"{_scalar(d):.1f} km away; they can travel up to {_scalar(p.max_travel_km):.0f} km"
        ),
    ),
    Rule(
        "priority area",
        "in_priority_area",
        "ring_fenced",
        _flagged,
        lambda p, o, d: (o.ring_fenced == 1) & (p.in_priority_area == 0),
        lambda p, o, d: "ring-fenced for residents of priority neighbourhoods",
    ),
)


def ineligible_mask(
    people: PeopleColumns, opportunities: OpportunityColumns, distance_km: np.ndarray
) -> np.ndarray:
    """(n, m) True where a rule rules the pair out; NaN compares False, so unknowns pass.

    A rule is skipped when no person states the value or no opportunity sets the requirement,
    and evaluated only on the people who state it when they are few (most leave most
    constraints unsaid): the same mask as evaluating every pair, at a fraction of the cost.
    """
    mask = np.zeros(np.broadcast_shapes(people.age.shape, opportunities.min_age.shape), dtype=bool)
    with np.errstate(invalid="ignore"):
        for rule in RULES:
            rows = np.flatnonzero(~np.isnan(getattr(people, rule.person_column)[:, 0]))
            required = (
                np.ones(1, dtype=bool)
                if rule.opportunity_column is None or rule.requires is None
                else rule.requires(getattr(opportunities, rule.opportunity_column))
            )
            if not len(rows) or not required.any():
                continue
            if len(rows) > len(mask) // 4:  # most people: cheaper without indexing
                mask |= rule.fails(people, opportunities, distance_km)
            else:
                mask[rows] |= rule.fails(people.take(rows), opportunities, distance_km[rows])
    return mask


def reasons_for(
    people: PeopleColumns, opportunities: OpportunityColumns, distance_km: np.ndarray
) -> tuple[str, ...]:
    """Plain-English reasons one person (1, 1 columns) is ruled out of one opportunity."""
    with np.errstate(invalid="ignore"):
        return tuple(
            rule.reason(people, opportunities, distance_km)
            for rule in RULES
            if bool(np.any(rule.fails(people, opportunities, distance_km)))
        )
