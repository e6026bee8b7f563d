"""Ranked matches as columns: arrays for many pairs, explanations put into words on demand.

``Matcher.rank_table`` returns a ``MatchTable`` instead of one ``Match`` object per pair: batch
callers (the command line, evaluation, exports) read the arrays and write the explanations
straight out as text, and ``Match`` objects are built from the same rows only when asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress

import numpy as np

from matching.model import BridgingStep, Match, ScoreComponents


@dataclass(frozen=True, slots=True)
class CatalogueNames:
    """What explanations say about the matcher's opportunities, by opportunity index."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    key_skills: tuple[tuple[str, ...], ...]  # key skills in explanation order (one per slot)
    key_skills_by_label: tuple[tuple[str, ...], ...]  # the same in vocabulary order
    routes: tuple[str | None, ...]  # the employer's own route in, if any
    # (what, escape, opportunity, flags) -> text: explanations recur across chunks of people.
    _texts: dict[tuple, object] = field(default_factory=dict, compare=False, repr=False)

    def __reduce__(self):
        """Pickle the names only (for worker processes), not the cache."""
        return (
            CatalogueNames,
            (self.ids, self.titles, self.key_skills, self.key_skills_by_label, self.routes),
        )


class ReasonsOnDemand(Mapping[int, tuple[str, ...]]):
    """Why each ineligible row is ineligible, put into words only when a row is read.

    A resident's page ranks the whole catalogue but shows a few rows, so most reasons are never
    read. Pickling (to or from a forked worker) sends the words, all worked out.
    """

    def __init__(self, rows: Sequence[int], explain: Callable[[int], tuple[str, ...]]):
        self._rows = dict.fromkeys(rows)
        self._explain = explain

    def __getitem__(self, row: int) -> tuple[str, ...]:
        if row not in self._rows:
            raise KeyError(row)
        words = self._rows[row]
        if words is None:
            words = self._rows[row] = self._explain(row)
        return words

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __reduce__(self):
        return (dict, (dict(self.items()),))


@dataclass(frozen=True, slots=True, eq=False)
class MatchTable:
    """Ranked (person, opportunity) pairs, one row each, grouped by person in rank order.

    Skill flags are per key-skill slot of the row's opportunity (``key_skills`` of
    ``catalogue``): ``matched`` the person has, ``missing`` they lack, ``taught`` (in vocabulary
    order) the bridging programme teaches. Scores are rounded as reported; NaN distance where a
    location is unknown.
    """

    catalogue: CatalogueNames
    person_ids: tuple[str, ...]
    person: np.ndarray  # index into person_ids
    rank: np.ndarray  # 1-based
    opportunity: np.ndarray  # index into the matcher's opportunities
    score: np.ndarray
    skills: np.ndarray
    distance: np.ndarray  # distance factor, 1 at the door
    distance_km: np.ndarray
    priority: np.ndarray
    eligible: np.ndarray
    matched: np.ndarray
    missing: np.ndarray
    bridging: np.ndarray  # teaching opportunity index, -1 for none (or the employer's route)
    taught: np.ndarray
    ineligible_reasons: Mapping[int, tuple[str, ...]]  # row -> why, for ineligible rows

    def __len__(self) -> int:
        return len(self.rank)

    @classmethod
    def empty(cls, catalogue: CatalogueNames, width: int) -> MatchTable:
        """A table without rows (no people)."""
        none = np.zeros(0, dtype=np.int64)
        flags = np.zeros((0, width), dtype=bool)
        return cls(
            catalogue,
            (),
            none,
            none,
            none,
            *[np.zeros(0)] * 5,
            np.zeros(0, dtype=bool),
            flags,
            flags,
            none,
            flags,
            {},
        )

    @classmethod
    def concatenate(cls, tables: Sequence[MatchTable]) -> MatchTable:
        """One table from several (for example one per chunk of people), in order."""
        if len(tables) == 1:
            return tables[0]
        people = np.cumsum([0, *(len(t.person_ids) for t in tables)])
        rows = np.cumsum([0, *(len(t) for t in tables)])
        arrays = {
            name: np.concatenate([getattr(t, name) for t in tables])
            for name in _ARRAYS
            if name != "person"
        }
        return cls(
            catalogue=tables[0].catalogue,
            person_ids=tuple(itertools.chain.from_iterable(t.person_ids for t in tables)),
            person=np.concatenate(
                [t.person + offset for t, offset in zip(tables, people[:-1], strict=True)]
            ),
            ineligible_reasons={
                row + offset: reasons
                for t, offset in zip(tables, rows[:-1].tolist(), strict=True)
                for row, reasons in t.ineligible_reasons.items()
            },
            **arrays,
        )

    # One row ----------------------------------------------------------------------------------

    def opportunity_id(self, row: int) -> str:
        return self.catalogue.ids[self.opportunity[row]]

    def matched_skills(self, row: int) -> tuple[str, ...]:
        """The opportunity's key skills the person has."""
        return tuple(compress(self.catalogue.key_skills[self.opportunity[row]], self.matched[row]))

    def missing_skills(self, row: int) -> tuple[str, ...]:
        """The opportunity's key skills the person lacks."""
        return tuple(compress(self.catalogue.key_skills[self.opportunity[row]], self.missing[row]))

    def reasons(self, row: int) -> tuple[str, ...]:
        """Why the pair is ineligible (empty when it is eligible)."""
        return self.ineligible_reasons.get(row, ())

    def bridging_step(self, row: int) -> BridgingStep | None:
        """The employer's route in, else the programme teaching most of the missing skills."""
        lacking = self.missing_skills(row)
        target, teacher = int(self.opportunity[row]), int(self.bridging[row])
        names = self.catalogue
        if not lacking:
            return None
        if names.routes[target]:
            return BridgingStep(names.routes[target], None, lacking)
        if teacher < 0:
            return None
        taught = compress(names.key_skills_by_label[target], self.taught[row])
        return BridgingStep(names.titles[teacher], names.ids[teacher], tuple(taught))

    def match(self, row: int) -> Match:
        """One row as a ``Match``."""
        return self.matches(np.asarray([row]))[0]

    # Many rows --------------------------------------------------------------------------------

    def matches(self, rows: np.ndarray | None = None) -> list[Match]:
        """``Match`` objects for the rows (all by default), in that order."""
        rows = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=np.int64)
        names = self.catalogue
        ids, titles, key_skills = names.ids, names.titles, names.key_skills
        by_label, routes, reasons = names.key_skills_by_label, names.routes, self.ineligible_reasons
        width = self.matched.shape[1]
        # Key-slot flags as one byte string per mask, sliced per row (iterating bytes gives 0/1).
        has, missing, taught = (
            np.ascontiguousarray(flags[rows], dtype=np.uint8).tobytes()
            for flags in (self.matched, self.missing, self.taught)
        )
        bridges: dict[tuple[int, int, bytes], BridgingStep] = {}
        person_ids = self.person_ids
        matches: list[Match] = []
        values = zip(
            rows.tolist(),
            self.person[rows].tolist(),
            self.rank[rows].tolist(),
            self.opportunity[rows].tolist(),
            self.score[rows].tolist(),
            self.skills[rows].tolist(),
            _nan_to_none(self.distance[rows]),
            _nan_to_none(self.distance_km[rows]),
            self.priority[rows].tolist(),
            self.eligible[rows].tolist(),
            self.bridging[rows].tolist(),
            strict=True,
        )
        for position, (
            row,
            person,
            rank,
            target,
            total,
            skill,
            near,
            km,
            bonus,
            ok,
            teacher,
        ) in enumerate(values):
            flags = slice(position * width, position * width + width)
            lacking = tuple(compress(key_skills[target], missing[flags]))
            if not lacking:
                bridging = None
            elif routes[target]:
                bridging = BridgingStep(routes[target], None, lacking)
            elif teacher >= 0:
                bridge = (teacher, target, taught[flags])
                bridging = bridges.get(bridge)
                if bridging is None:
                    bridging = bridges[bridge] = BridgingStep(
                        titles[teacher],
                        ids[teacher],
                        tuple(compress(by_label[target], taught[flags])),
                    )
            else:
                bridging = None
            matches.append(
                Match(
                    person_ids[person],
                    ids[target],
                    titles[target],
                    rank,
                    total,
                    ScoreComponents(skill, 1.0 if ok else 0.0, near, bonus),
                    ok,
                    () if ok else reasons[row],
                    tuple(compress(key_skills[target], has[flags])),
                    lacking,
                    bridging,
                    km,
                )
            )
        return matches

    def ranked_ids(self) -> list[list[str]]:
        """Each person's opportunity ids in rank order (``person_ids`` order)."""
        ids = np.asarray(self.catalogue.ids, dtype=object)[self.opportunity].tolist()
        bounds = np.searchsorted(self.person, np.arange(len(self.person_ids) + 1)).tolist()
        return [ids[start:end] for start, end in itertools.pairwise(bounds)]

    def by_person(self) -> list[list[Match]]:
        """``Match`` objects grouped by person (``person_ids`` order), each list in rank order."""
        matches = self.matches()
        bounds = np.searchsorted(self.person, np.arange(len(self.person_ids) + 1)).tolist()
        return [matches[start:end] for start, end in itertools.pairwise(bounds)]

    def text_columns(
        self, *, explain: bool = False, escape: Callable[[str], str] | None = None
    ) -> dict[str, list[str]]:
        """The rows as text, one list per column, for CSV files and spreadsheets.

        Always: person_id, rank, opportunity_id, score, matched_skills, missing_skills (skills
        joined by ";"). With ``explain``: title, eligible, skills_score, distance_score,
        priority, distance_km (empty where unknown), reasons (joined by " | "), bridging,
        bridging_id and bridging_teaches (empty when no step). ``escape`` (for example CSV
        quoting) is applied to every text that is not a number. Each distinct text is worked
        out once (explanations repeat across rows and chunks) and shared.
        """
        names = self.catalogue
        escape = escape or _same
        ids = _escaped(names, "ids", names.ids, escape)
        person_ids = np.asarray(list(map(escape, self.person_ids)), dtype=object)
        columns = {
            "person_id": person_ids[self.person].tolist(),
            "rank": _whole_numbers(int(self.rank.max(initial=0)))[self.rank].tolist(),
            "opportunity_id": ids[self.opportunity].tolist(),
            "score": _numbers(self.score, 4),
        }
        columns["matched_skills"] = self._skill_texts("matched", escape)
        columns["missing_skills"] = self._skill_texts("missing", escape)
        if not explain:
            return columns
        lacking = self.missing.any(axis=1)
        routes = _escaped(names, "routes", [route or "" for route in names.routes], escape)
        route = np.where(lacking, routes[self.opportunity], "")
        with_route = route != ""
        teacher = np.where(lacking & ~with_route & (self.bridging >= 0), self.bridging, -1)
        titles = _escaped(names, "titles", [*names.titles, ""], escape)
        # Object arrays throughout: a list or "" would make numpy copy every text into a
        # fixed-width string array first.
        missing = np.asarray(columns["missing_skills"], dtype=object)
        taught = np.asarray(self._skill_texts("taught", escape), dtype=object)
        teaches = np.where(with_route, missing, np.where(teacher >= 0, taught, ""))
        reasons = [""] * len(self)
        for row, why in self.ineligible_reasons.items():
            reasons[row] = escape(" | ".join(why))
        columns |= {
            "title": titles[self.opportunity].tolist(),
            "eligible": _YES_NO[self.eligible.astype(np.intp)].tolist(),
            "skills_score": _numbers(self.skills, 4),
            "distance_score": _numbers(self.distance, 4),
            "priority": _numbers(self.priority, 4),
            "distance_km": _numbers(self.distance_km, 2),
            "reasons": reasons,
            "bridging": np.where(with_route, route, titles[teacher]).tolist(),
            "bridging_id": np.append(ids, "")[teacher].tolist(),
            "bridging_teaches": teaches.tolist(),
        }
        return columns

    def _skill_texts(self, which: str, escape: Callable[[str], str]) -> list[str]:
        """Per row, the flagged key skills (``matched``, ``missing`` or ``taught``), ";" between."""
        if len(self) == 0:
            return []
        flags = getattr(self, which)
        names = self.catalogue
        skills = names.key_skills_by_label if which == "taught" else names.key_skills
        width = flags.shape[1]
        if width > 40:  # rare: too many key skills for one int64 key; no sharing
            return [
                escape(";".join(compress(skills[target], row)))
                for target, row in zip(self.opportunity.tolist(), flags.tolist(), strict=True)
            ]
        bits = flags.astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))
        keys = ((self.opportunity.astype(np.int64) << width) | bits).tolist()
        cache = names._texts.setdefault((which, escape, width), {})
        if len(cache) > 200_000:  # bounded memory
            cache.clear()
        texts = list(map(cache.get, keys))
        if None in texts:
            slots = range(width)
            for position, key in enumerate(keys):
                if texts[position] is None:
                    text = cache.get(key)  # worded for an earlier row of this table
                    if text is None:
                        chosen = [key >> slot & 1 for slot in slots]
                        text = cache[key] = escape(";".join(compress(skills[key >> width], chosen)))
                    texts[position] = text
        return texts


_ARRAYS = tuple(
    name
    for name in MatchTable.__dataclass_fields__
    if name not in ("catalogue", "person_ids", "ineligible_reasons")
)


def _same(text: str) -> str:
    return text


def _escaped(
    names: CatalogueNames, what: str, texts: Sequence[str], escape: Callable[[str], str]
) -> np.ndarray:
    """Catalogue texts, escaped once, as an object array to index by opportunity."""
    key = (what, escape, None)
    found = names._texts.get(key)
    if found is None:
        found = names._texts[key] = np.asarray(list(map(escape, texts)), dtype=object)
    return found


def _numbers(values: np.ndarray, places: int) -> list[str]:
    """Numbers with a fixed number of decimal places (empty where NaN), as ``f"{x:.4f}"`` gives.

    Values already rounded to ``places`` and within 0..10,000 units come from a table of
    ready-made texts; the rest are formatted one by one.
    """
    table = _fixed_table(places)
    scaled = values * 10.0**places
    whole = np.rint(scaled)
    with np.errstate(invalid="ignore"):
        ready = (np.abs(scaled - whole) < 1e-6) & (whole >= 0) & (whole < len(table))
    ready &= ~np.signbit(values)  # -0.0 prints as "-0.0..."
    texts = table[np.where(ready, whole, 0).astype(np.intp)]
    for row in np.flatnonzero(~ready).tolist():
        value = float(values[row])
        texts[row] = "" if value != value else f"{value:.{places}f}"
    return texts.tolist()


_YES_NO = np.asarray(["no", "yes"], dtype=object)


def _whole_numbers(largest: int) -> np.ndarray:
    """Texts of 0 .. at least ``largest`` (ranks), from a table grown as needed."""
    return _counting_table(max(64, 1 << largest.bit_length()))


@cache
def _counting_table(size: int) -> np.ndarray:
    return np.asarray(list(map(str, range(size))), dtype=object)


@cache
def _fixed_table(places: int) -> np.ndarray:
    """Texts of 0, 0.0001, ... 1 (for four places): 10,001 numbers."""
    unit = 10**places
    return np.asarray(
        [f"{whole // unit}.{whole % unit:0{places}d}" for whole in range(10_001)], dtype=object
    )


def _nan_to_none(values: np.ndarray) -> list[float | None]:
    """Python floats, None where NaN (not known)."""
    known = ~np.isnan(values)
    if known.all():
        return values.tolist()
    return np.where(known, values.astype(object), None).tolist()
