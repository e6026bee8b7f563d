"""Rank opportunities for people (and people for an opportunity), scored and explained."""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing as mp
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from matching.constraints import read_opportunity_constraints, read_person_constraints
from matching.eligibility import OpportunityColumns, PeopleColumns, ineligible_mask, reasons_for
from matching.geo import distances_from_unit_vectors, unit_vectors
from matching.model import (
    BridgingStep,
    Level,
    Match,
    Opportunity,
    OpportunityKind,
    Person,
    ScoreComponents,
)
from matching.vocabulary import BREAKS, Vocabulary, load_vocabulary, split_tokens

NAN = float("nan")
# Labels a person is granted from their levels and licence, so listed requirements count as matched.
ENGLISH_MATHS_LABEL = "English and maths Level 2"
LEVEL_3_LABEL = "Level 3 qualification"
LICENCE_LABEL = "full driving licence"


@dataclass(frozen=True, slots=True)
class Weights:
    """How the skills score is blended and how far implied skills, distance and priority count."""

    coverage: float = 0.45
    interest: float = 0.25
    text: float = 0.30
    aversion: float = 0.6
    implied: float = 0.6
    described: float = 0.5
    opportunity_implied: float = 0.3
    held: float = 0.5
    distance_floor: float = 0.5
    reference_travel_km: float = 15.0
    priority_bonus: float = 0.1


@dataclass(frozen=True, slots=True)
class _Side:
    """Matrices and columns for a block of people or opportunities, rows aligned with the inputs."""

    labels: sparse.csr_matrix
    text: sparse.csr_matrix
    units: np.ndarray  # unit vectors, NaN rows where the location is unknown


@dataclass(frozen=True, slots=True)
class _PeopleBlock:
    side: _Side
    interests: sparse.csr_matrix
    aversions: sparse.csr_matrix
    columns: PeopleColumns
    tokens: tuple[frozenset[str], ...]


def _csr(rows: list[dict[int, float]], width: int) -> sparse.csr_matrix:
    """A CSR matrix from one {column: value} dict per row."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indices: list[int] = []
    values: list[float] = []
    for position, row in enumerate(rows):
        indices.extend(row)
        values.extend(row.values())
        indptr[position + 1] = len(indices)
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
        shape=(len(rows), width),
    )


def _level(value: Level | None) -> float:
    return NAN if value is None else float(int(value))


def _flag(value: bool | None) -> float:
    return NAN if value is None else float(value)


class Matcher:
    """Scores people against a fixed set of opportunities (pathways, programmes, vacancies).

    Build it once per catalogue; ``rank``, ``rank_many`` and ``shortlist`` reuse the fitted model.
    """

    def __init__(
        self,
        opportunities: Sequence[Opportunity],
        vocabulary: Vocabulary | None = None,
        *,
        weights: Weights = Weights(),
        today: dt.date | None = None,
    ) -> None:
        if not opportunities:
            raise ValueError("a Matcher needs at least one opportunity")
        self.opportunities = tuple(opportunities)
        self.vocabulary = vocabulary or load_vocabulary()
        self.weights = weights
        self.today = today or dt.date.today()
        self._ids = {opportunity.id: index for index, opportunity in enumerate(self.opportunities)}
        self._requirement_of = {skill.label: skill.requirement for skill in self.vocabulary.labels}
        self._build_opportunities()

    # Opportunities -------------------------------------------------------------------------------

    def _build_opportunities(self) -> None:
        """Read labels and requirements from every opportunity and fit the text model on them."""
        vocabulary, weights = self.vocabulary, self.weights
        label_rows: list[dict[int, float]] = []
        self._key_skills: list[tuple[tuple[str, int | None], ...]] = []
        texts: list[str] = []
        columns: dict[str, list[float]] = {name: [] for name in OpportunityColumns.__slots__}
        for opportunity in self.opportunities:
            listed = [(skill, vocabulary.canonical(skill)) for skill in opportunity.skills]
            title_tokens = vocabulary.normalise(opportunity.title)
            body_tokens = vocabulary.normalise(opportunity.description)
            tokens = [*title_tokens, "|", *body_tokens]
            mentions = vocabulary.find(tokens)
            row: dict[int, float] = {}
            for _, label in listed:
                if label:
                    row[vocabulary.index[label]] = 1.0
            for mention in mentions:
                if mention.negated:
                    continue
                weight = 1.0 if mention.end <= len(title_tokens) else weights.described
                index = vocabulary.index[mention.label]
                row[index] = max(row.get(index, 0.0), weight)
            for index, weight in list(row.items()):
                if weight == 1.0:
                    for implied in vocabulary.labels[index].implies:
                        implied_index = vocabulary.index[implied]
                        row.setdefault(implied_index, weights.opportunity_implied)
            label_rows.append(row)
            key = [
                (label, vocabulary.index[label]) if label else (skill, None)
                for skill, label in listed
            ]
            if not key:
                key = [
                    (vocabulary.labels[i].label, i)
                    for i, w in row.items()
                    if w >= weights.described
                ]
            self._key_skills.append(tuple(dict.fromkeys(key)))
            texts.append(
                " ".join(
                    t for t in [*tokens, *self._skill_tokens(opportunity.skills)] if t not in BREAKS
                )
            )
            stated = read_opportunity_constraints(
                f"{opportunity.title}. {opportunity.description}",
                tokens=tokens,
                mentions=mentions,
                listed_labels=[label for _, label in listed if label],
                requirement_of=self._requirement_of,
            )
            required = opportunity.requirements
            english_maths = _level(stated.english_maths_level)
            columns["min_age"].append(
                float(required.min_age)
                if required and required.min_age is not None
                else _flag(stated.min_age)
            )
            columns["english"].append(_level(required.english_level) if required else english_maths)
            columns["maths"].append(_level(required.maths_level) if required else english_maths)
            columns["qualification"].append(
                _level(required.qualification_level)
                if required
                else _level(stated.qualification_level)
            )
            columns["licence"].append(
                float(required.driving_licence if required else stated.driving_licence)
            )
            columns["right_to_work"].append(float(required.right_to_work if required else True))
            pattern = required.shift_pattern if required else stated.shift_pattern
            columns["nights"].append(float(pattern.includes_nights))
            columns["full_time_only"].append(
                float(required is not None and required.part_time_available is False)
            )
            columns["ring_fenced"].append(float(opportunity.ring_fenced))

        self._opportunity_labels = _csr(label_rows, len(vocabulary))
        document_frequency = np.asarray((self._opportunity_labels > 0).sum(axis=0)).ravel()
        count = len(self.opportunities)
        self._idf = (np.log((1 + count) / (1 + document_frequency)) + 1).astype(np.float32)
        weighted = self._opportunity_labels @ sparse.diags(self._idf)
        self._opportunity_mass = np.asarray(weighted.sum(axis=1)).ravel()
        self._opportunity_mass[self._opportunity_mass == 0] = 1.0
        self._weighted_opportunities_t = weighted.T.tocsr()
        from sklearn.feature_extraction.text import (
            TfidfVectorizer,
        )  # slow to import; only needed here

        self._text_model = TfidfVectorizer(
            token_pattern=r"[a-z][a-z0-9]*",  # noqa: S106 - a regex, not a password
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=1,
            dtype=np.float32,
        )
        self._opportunity_text_t = self._text_model.fit_transform(texts).T.tocsr()
        self._opportunity_columns = OpportunityColumns(
            **{
                name: np.asarray(values, dtype=np.float64)[None, :]
                for name, values in columns.items()
            }
        )
        self._opportunity_units = unit_vectors(
            [NAN if o.lat is None else o.lat for o in self.opportunities],
            [NAN if o.lon is None else o.lon for o in self.opportunities],
        )
        key_rows = [
            {index: 1.0 for _, index in key if index is not None} for key in self._key_skills
        ]
        self._key_labels = _csr(key_rows, len(vocabulary)).toarray()
        self._build_bridge_shortlists()

    def _build_bridge_shortlists(self, size: int = 24) -> None:
        """For each opportunity, the teaching opportunities that cover most of its key skills."""
        teaches = np.asarray([o.kind.teaches for o in self.opportunities])
        labels = (self._opportunity_labels >= self.weights.described).astype(np.float32).toarray()
        self._teaching_labels = labels * teaches[:, None]
        # Prefer short, focused programmes: a course over an apprenticeship, fewer extra skills.
        self._teaching_tiebreak = np.asarray(
            [
                (0.01 if o.kind is OpportunityKind.TRAINING else 0.0) - 0.001 * labels[i].sum()
                for i, o in enumerate(self.opportunities)
            ],
            dtype=np.float32,
        )
        teachers = np.flatnonzero(teaches)
        size = min(size, len(teachers))
        if size == 0:
            self._bridge_shortlist = np.empty((len(self.opportunities), 0), dtype=np.int64)
            return
        overlap = (self._key_labels * self._idf) @ labels[teachers].T  # opportunities x teachers
        overlap[teachers[None, :] == np.arange(len(self.opportunities))[:, None]] = -1.0
        best = np.argpartition(-overlap, size - 1, axis=1)[:, :size]
        self._bridge_shortlist = np.where(
            np.take_along_axis(overlap, best, axis=1) > 0, teachers[best], -1
        )

    def _skill_tokens(self, skills: Sequence[str]) -> list[str]:
        """Listed or picked skills as tokens for the text model."""
        return [token for skill in skills for token in self.vocabulary.normalise(skill)]

    # People --------------------------------------------------------------------------------------

    def _people_block(self, people: Sequence[Person]) -> _PeopleBlock:
        """Read skills, interests, aversions and constraints from each person."""
        vocabulary = self.vocabulary
        skill_rows: list[dict[int, float]] = []
        interest_rows: list[dict[int, float]] = []
        aversion_rows: list[dict[int, float]] = []
        texts: list[str] = []
        token_sets: list[frozenset[str]] = []
        columns: dict[str, list[float]] = {name: [] for name in PeopleColumns.__slots__}
        for person in people:
            raw = split_tokens(person.profile) if person.profile else []
            tokens = vocabulary.normalise(raw)
            mentions = vocabulary.find(tokens)
            held: dict[int, float] = {}
            interests: dict[int, float] = {}
            aversions: dict[int, float] = {}
            for mention in mentions:
                index = vocabulary.index[mention.label]
                if mention.negated:
                    if mention.averse:
                        aversions[index] = 1.0
                elif mention.goal:
                    interests[index] = 1.0
                else:
                    held[index] = 1.0
            for skill in person.skills:
                label = vocabulary.canonical(skill)
                if label:
                    held[vocabulary.index[label]] = 1.0
            stated = read_person_constraints(" ".join(raw), mentions, self._requirement_of)
            english = (
                person.english_level if person.english_level is not None else stated.english_level
            )
            maths = person.maths_level if person.maths_level is not None else stated.maths_level
            qualification = (
                person.qualification_level
                if person.qualification_level is not None
                else stated.qualification_level
            )
            licence = (
                person.driving_licence
                if person.driving_licence is not None
                else stated.driving_licence
            )
            if english is not None and maths is not None and min(english, maths) >= Level.LEVEL_2:
                held[vocabulary.index[ENGLISH_MATHS_LABEL]] = 1.0
            if qualification is not None and qualification >= Level.LEVEL_3:
                held[vocabulary.index[LEVEL_3_LABEL]] = 1.0
            if licence:
                held[vocabulary.index[LICENCE_LABEL]] = 1.0
            self._add_implied(held)
            for index in held:
                aversions.pop(index, None)
            skill_rows.append(held)
            interest_rows.append(interests)
            aversion_rows.append(aversions)
            texts.append(
                " ".join(
                    t for t in [*tokens, *self._skill_tokens(person.skills)] if t not in BREAKS
                )
            )
            token_sets.append(frozenset(tokens))
            availability = person.availability
            age = person.age_on(self.today)
            columns["age"].append(float(age) if age is not None else _flag(stated.age))
            columns["english"].append(_level(english))
            columns["maths"].append(_level(maths))
            columns["qualification"].append(_level(qualification))
            columns["licence"].append(_flag(licence))
            columns["right_to_work"].append(
                _flag(
                    person.right_to_work
                    if person.right_to_work is not None
                    else stated.right_to_work
                )
            )
            columns["nights"].append(
                _flag(availability.nights if availability.nights is not None else stated.nights)
            )
            columns["part_time_only"].append(
                _flag(
                    availability.part_time_only
                    if availability.part_time_only is not None
                    else stated.part_time_only
                )
            )
            columns["max_travel_km"].append(
                NAN if person.max_travel_km is None else float(person.max_travel_km)
            )
            columns["in_priority_area"].append(float(person.in_priority_area))
        width = len(vocabulary)
        side = _Side(
            labels=_csr(skill_rows, width),
            text=self._text_model.transform(texts),
            units=unit_vectors(
                [NAN if p.lat is None else p.lat for p in people],
                [NAN if p.lon is None else p.lon for p in people],
            ).reshape(len(people), 3),
        )
        return _PeopleBlock(
            side=side,
            interests=_csr(interest_rows, width),
            aversions=_csr(aversion_rows, width),
            columns=PeopleColumns(
                **{name: np.asarray(v, dtype=np.float64)[:, None] for name, v in columns.items()}
            ),
            tokens=tuple(token_sets),
        )

    def _add_implied(self, held: dict[int, float]) -> None:
        """Credit skills that experience usually brings, two steps deep, at a decaying weight."""
        labels, index = self.vocabulary.labels, self.vocabulary.index
        frontier = [(i, w) for i, w in held.items()]
        for _ in range(2):
            following = []
            for source, weight in frontier:
                implied_weight = weight * self.weights.implied
                for implied in labels[source].implies:
                    target = index[implied]
                    if held.get(target, 0.0) < implied_weight:
                        held[target] = implied_weight
                        following.append((target, implied_weight))
            frontier = following

    # Scoring -------------------------------------------------------------------------------------

    def _score(self, block: _PeopleBlock, columns: np.ndarray | None = None):
        """Dense (people x opportunities) score, skills, distance, priority and eligibility."""
        weights = self.weights
        opportunities_t = self._weighted_opportunities_t
        text_t = self._opportunity_text_t
        mass = self._opportunity_mass
        opportunity_columns = self._opportunity_columns
        units = self._opportunity_units
        if columns is not None:
            opportunities_t, text_t, mass = (
                opportunities_t[:, columns],
                text_t[:, columns],
                mass[columns],
            )
            opportunity_columns, units = opportunity_columns.take(columns), units[columns]
        coverage = np.asarray((block.side.labels @ opportunities_t).todense()) / mass
        interest_mass = np.asarray((block.interests @ sparse.diags(self._idf)).sum(axis=1))
        interest = np.asarray((block.interests @ opportunities_t).todense())
        interest = np.minimum(interest / np.where(interest_mass > 0, interest_mass, 1.0), 1.0)
        aversion = np.asarray((block.aversions @ opportunities_t).todense()) / mass
        text = np.asarray((block.side.text @ text_t).todense())
        blend = weights.coverage * coverage + weights.interest * interest + weights.text * text
        total = weights.coverage + weights.interest + weights.text
        skills = np.clip(
            blend / total * (1 - weights.aversion * np.minimum(aversion, 1.0)), 0.0, 1.0
        )

        with np.errstate(invalid="ignore"):
            distance_km = distances_from_unit_vectors(block.side.units, units)
            travel = np.where(
                np.isnan(block.columns.max_travel_km),
                weights.reference_travel_km,
                block.columns.max_travel_km,
            )
            distance = 1.0 - (1.0 - weights.distance_floor) * np.minimum(distance_km / travel, 1.0)
        distance_known = ~np.isnan(distance)
        priority = weights.priority_bonus * (
            (opportunity_columns.ring_fenced == 1) & (block.columns.in_priority_area == 1)
        )
        ineligible = ineligible_mask(block.columns, opportunity_columns, distance_km)
        score = np.minimum(skills * np.where(distance_known, distance, 1.0) + priority, 1.0)
        return score, skills, distance, distance_km, priority, ~ineligible

    @staticmethod
    def _top(
        score: np.ndarray, eligible: np.ndarray, top: int | None, include_ineligible: bool
    ) -> np.ndarray:
        """Column indices of each row's best opportunities: eligible first, then by score."""
        key = np.where(eligible, score + 2.0, score if include_ineligible else -np.inf)
        count = key.shape[1] if top is None else min(top, key.shape[1])
        if count < key.shape[1]:
            candidates = np.argpartition(-key, count - 1, axis=1)[:, :count]
        else:
            candidates = np.broadcast_to(np.arange(key.shape[1]), key.shape)
        order = np.argsort(-np.take_along_axis(key, candidates, axis=1), axis=1, kind="stable")
        chosen = np.take_along_axis(candidates, order, axis=1)
        keep = np.isfinite(np.take_along_axis(key, chosen, axis=1))
        return np.where(keep, chosen, -1)

    # Explanations --------------------------------------------------------------------------------

    def _bridges(
        self,
        held: np.ndarray,
        rows: np.ndarray,
        targets: np.ndarray,
        eligible: np.ndarray,
        batch: int = 2048,
    ) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        """Per (person, target) pair: the teaching opportunity covering most missing skills, or -1.

        Candidates are the target's bridge shortlist (programmes that teach most of its key skills),
        so the cost per pair is fixed however large the catalogue; batches bound the memory.
        """
        if self._bridge_shortlist.shape[1] == 0 or len(rows) == 0:
            return np.full(len(rows), -1), [()] * len(rows)
        teacher_of: list[np.ndarray] = []
        taught: list[tuple[int, ...]] = []
        for start in range(0, len(rows), batch):
            part = slice(start, start + batch)
            teachers, labels = self._bridge_batch(held, rows[part], targets[part], eligible)
            teacher_of.append(teachers)
            taught.extend(labels)
        return np.concatenate(teacher_of), taught

    def _bridge_batch(
        self, held: np.ndarray, rows: np.ndarray, targets: np.ndarray, eligible: np.ndarray
    ) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        """One batch of ``_bridges``."""
        missing = self._key_labels[targets] * (1.0 - held[rows])  # pairs x labels
        candidates = self._bridge_shortlist[
            targets
        ]  # pairs x shortlist (opportunity index, -1 = none)
        teaches = self._teaching_labels[np.maximum(candidates, 0)] * missing[:, None, :]
        value = teaches @ self._idf + self._teaching_tiebreak[np.maximum(candidates, 0)]
        usable = (candidates >= 0) & (candidates != targets[:, None])
        usable &= np.take_along_axis(eligible[rows], np.maximum(candidates, 0), axis=1)
        value = np.where(usable, value, -np.inf)
        best = np.argmax(value, axis=1)
        found = (
            np.take_along_axis(value, best[:, None], axis=1)[:, 0] > 0.5
        )  # teaches a missing skill
        teacher_of = np.where(
            found, np.take_along_axis(candidates, best[:, None], axis=1)[:, 0], -1
        )
        taught = np.take_along_axis(teaches, best[:, None, None], axis=1)[:, 0, :] * found[:, None]
        labels_of: list[list[int]] = [[] for _ in rows]
        for pair, label in zip(*(axis.tolist() for axis in np.nonzero(taught)), strict=True):
            labels_of[pair].append(label)
        return teacher_of, [tuple(labels) for labels in labels_of]

    def _explain(
        self,
        people: Sequence[Person],
        block: _PeopleBlock,
        chosen: np.ndarray,
        scored: tuple[np.ndarray, ...],
        columns: np.ndarray | None,
    ) -> list[list[Match]]:
        """Build Match objects for the chosen pairs only (explanations are the slow part)."""
        score, skills, distance, distance_km, priority, eligible = scored
        column_ids = np.arange(len(self.opportunities)) if columns is None else columns
        rows, ranks = np.nonzero(chosen >= 0)
        local = chosen[rows, ranks]
        targets = column_ids[local]
        held = (block.side.labels.toarray() >= self.weights.held).astype(np.float32)
        full_eligible = eligible if columns is None else self._eligible_all(block)
        teachers, taught = self._bridges(held, rows, targets, full_eligible)
        held_sets = [set(np.flatnonzero(row).tolist()) for row in held]
        values = zip(
            rows.tolist(),
            ranks.tolist(),
            targets.tolist(),
            np.round(score[rows, local].astype(np.float64), 4).tolist(),
            np.round(skills[rows, local].astype(np.float64), 4).tolist(),
            np.round(distance[rows, local].astype(np.float64), 4).tolist(),
            np.round(distance_km[rows, local].astype(np.float64), 2).tolist(),
            np.round(priority[rows, local].astype(np.float64), 4).tolist(),
            eligible[rows, local].tolist(),
            teachers.tolist(),
            taught,
            strict=True,
        )
        labels = self.vocabulary.labels
        results: list[list[Match]] = [[] for _ in people]
        for (
            row,
            rank,
            target,
            total,
            skill,
            near,
            km,
            bonus,
            is_eligible,
            teacher,
            teaches,
        ) in values:
            opportunity = self.opportunities[target]
            person_held = held_sets[row]
            matched, missing = [], []
            for name, index in self._key_skills[target]:
                has = (
                    index in person_held
                    if index is not None
                    else _mentions_all(block.tokens[row], name, self)
                )
                (matched if has else missing).append(name)
            known = not math.isnan(near)
            if not missing:
                bridging = None
            elif opportunity.bridging:
                bridging = BridgingStep(title=opportunity.bridging, teaches=tuple(missing))
            elif teacher >= 0:
                bridge = self.opportunities[teacher]
                bridging = BridgingStep(
                    bridge.title, bridge.id, tuple(labels[i].label for i in teaches)
                )
            else:
                bridging = None
            results[row].append(
                Match(
                    person_id=people[row].id,
                    opportunity_id=opportunity.id,
                    title=opportunity.title,
                    rank=rank + 1,
                    score=total,
                    components=ScoreComponents(
                        skill, 1.0 if is_eligible else 0.0, near if known else None, bonus
                    ),
                    eligible=is_eligible,
                    reasons=() if is_eligible else self._reasons(block, row, target, km),
                    matched_skills=tuple(matched),
                    missing_skills=tuple(missing),
                    bridging=bridging,
                    distance_km=km if known else None,
                )
            )
        return results

    def _eligible_all(self, block: _PeopleBlock) -> np.ndarray:
        """Eligibility against the whole catalogue (a shortlist's bridge may lie outside it)."""
        with np.errstate(invalid="ignore"):
            distance_km = distances_from_unit_vectors(block.side.units, self._opportunity_units)
        return ~ineligible_mask(block.columns, self._opportunity_columns, distance_km)

    def _reasons(
        self, block: _PeopleBlock, row: int, target: int, distance_km: float
    ) -> tuple[str, ...]:
        person = block.columns.take(np.asarray([row]))
        opportunity = self._opportunity_columns.take(np.asarray([target]))
        return reasons_for(person, opportunity, np.asarray([[distance_km]]))

    # Public API ----------------------------------------------------------------------------------

    def rank(
        self, person: Person, *, top: int | None = 10, include_ineligible: bool = True
    ) -> list[Match]:
        """The person's best opportunities, eligible first; ineligible ones carry their reasons."""
        return next(iter(self.rank_many([person], top=top, include_ineligible=include_ineligible)))[
            1
        ]

    def rank_many(
        self,
        people: Sequence[Person],
        *,
        top: int | None = 10,
        include_ineligible: bool = True,
        chunk_size: int = 1000,
        workers: int = 1,
    ) -> Iterator[tuple[Person, list[Match]]]:
        """Rank for many people a chunk at a time, so memory stays flat; yield (person, matches).

        ``workers`` > 1 ranks chunks in that many forked processes (where the platform can fork),
        yielding in the same order with the same results; each worker shares this fitted matcher.
        """
        starts = range(0, len(people), chunk_size)
        if workers > 1 and len(starts) > 1 and "fork" in mp.get_all_start_methods():
            yield from self._rank_forked(
                people, starts, top, include_ineligible, chunk_size, workers
            )
            return
        for start in starts:
            chunk = people[start : start + chunk_size]
            yield from zip(chunk, self._rank_chunk(chunk, top, include_ineligible), strict=True)

    def _rank_chunk(
        self, chunk: Sequence[Person], top: int | None, include_ineligible: bool
    ) -> list[list[Match]]:
        """Matches for one chunk of people."""
        block = self._people_block(chunk)
        scored = self._score(block)
        chosen = self._top(scored[0], scored[-1], top, include_ineligible)
        return self._explain(chunk, block, chosen, scored, None)

    def _rank_forked(
        self,
        people: Sequence[Person],
        starts: range,
        top: int | None,
        include_ineligible: bool,
        chunk_size: int,
        workers: int,
    ) -> Iterator[tuple[Person, list[Match]]]:
        """``rank_many`` over forked workers; they inherit the matcher and people, not pickles."""
        key = id(people)
        _FORKED[key] = (self, people, top, include_ineligible, chunk_size)
        try:
            with mp.get_context("fork").Pool(min(workers, len(starts))) as pool:
                jobs = [(key, start) for start in starts]
                for start, results in zip(starts, pool.imap(_forked_chunk, jobs), strict=True):
                    yield from zip(people[start : start + chunk_size], results, strict=True)
        finally:
            _FORKED.pop(key, None)

    def shortlist(
        self,
        opportunity: Opportunity | str,
        people: Sequence[Person],
        *,
        top: int | None = 20,
        include_ineligible: bool = False,
    ) -> list[Match]:
        """The best people for one opportunity of this catalogue, best first."""
        target = self._ids[opportunity if isinstance(opportunity, str) else opportunity.id]
        if not people:
            return []
        block = self._people_block(people)
        columns = np.asarray([target])
        scored = self._score(block, columns)
        # Rank people down the single column, then explain each chosen person's pair.
        order = self._top(scored[0].T, scored[-1].T, top, include_ineligible)[0]
        order = order[order >= 0]
        chosen = np.full((len(people), 1), -1)
        chosen[order, 0] = 0
        explained = self._explain(people, block, chosen, scored, columns)
        return [
            _with_rank(explained[row][0], position + 1)
            for position, row in enumerate(order.tolist())
        ]


# Work handed to forked rank_many workers: key -> (matcher, people, top, include_ineligible, size).
_FORKED: dict[int, tuple[Matcher, Sequence[Person], int | None, bool, int]] = {}


def _forked_chunk(job: tuple[int, int]) -> list[list[Match]]:
    """One chunk of a forked ``rank_many`` (runs in a worker process)."""
    key, start = job
    matcher, people, top, include_ineligible, chunk_size = _FORKED[key]
    return matcher._rank_chunk(people[start : start + chunk_size], top, include_ineligible)


def _with_rank(match: Match, rank: int) -> Match:
    """The same match at a different rank (a shortlist ranks people, not opportunities)."""
    return Match(**{**{name: getattr(match, name) for name in Match.__slots__}, "rank": rank})


def _mentions_all(tokens: frozenset[str], skill: str, matcher: Matcher) -> bool:
    """Whether a listed skill outside the vocabulary is named in the person's profile."""
    wanted = [t for t in matcher.vocabulary.normalise(skill) if t not in BREAKS]
    return bool(wanted) and all(t in tokens for t in wanted)
