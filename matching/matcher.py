"""Rank opportunities for people (and people for an opportunity), scored and explained."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy import sparse

from matching.constraints import PersonConstraints, read_opportunity_constraints
from matching.eligibility import OpportunityColumns, PeopleColumns, ineligible_mask, reasons_for
from matching.geo import distances_from_unit_vectors, unit_vectors
from matching.model import Level, Match, Opportunity, OpportunityKind, Person
from matching.profiles import ProfileReader
from matching.table import CatalogueNames, MatchTable, ReasonsOnDemand
from matching.vocabulary import BREAKS, Vocabulary, load_vocabulary

T = TypeVar("T")

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
    tokens: tuple[tuple[tuple[str, ...], ...], ...]  # each person's normalised tokens, by clause


# What ``Matcher.read_people`` returns: opaque, valid only for the matcher that read it.
PeopleRead = _PeopleBlock


@dataclass(frozen=True, slots=True)
class _Scores:
    """Per-pair parts of a block's scores: people x scored opportunities."""

    skills: np.ndarray  # float32, 0..1
    distance_km: np.ndarray  # float32, NaN where a location is unknown
    eligible: np.ndarray  # bool
    opportunity_columns: OpportunityColumns  # requirement rows of the scored opportunities


def _csr(rows: list[dict[int, float]], width: int) -> sparse.csr_matrix:
    """A CSR matrix from one {column: value} dict per row."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), np.int64, len(rows)), out=indptr[1:])
    count = int(indptr[-1])
    indices = np.fromiter(itertools.chain.from_iterable(rows), np.int32, count)
    values = np.fromiter(itertools.chain.from_iterable(map(dict.values, rows)), np.float32, count)
    return sparse.csr_matrix((values, indices, indptr), shape=(len(rows), width))


def _states_nothing(person: Person) -> bool:
    """Whether a person leaves every constraint to their profile (then the profile's reading
    alone sets their eligibility columns)."""
    availability = person.availability
    return (
        person.english_level is None
        and person.maths_level is None
        and person.qualification_level is None
        and person.driving_licence is None
        and person.right_to_work is None
        and person.age is None
        and person.date_of_birth is None
        and availability.nights is None
        and availability.part_time_only is None
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
        self._skill_token_cache: dict[str, tuple[str, ...]] = {}
        self._requirement_of = {skill.label: skill.requirement for skill in self.vocabulary.labels}
        self._implies = [
            tuple(self.vocabulary.index[label] for label in skill.implies)
            for skill in self.vocabulary.labels
        ]
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
        weighted = (self._opportunity_labels @ sparse.diags(self._idf)).toarray()
        self._opportunity_mass = weighted.sum(axis=1)
        self._opportunity_mass[self._opportunity_mass == 0] = 1.0
        # Labels x opportunities, dense (the vocabulary is small): IDF-weighted share of each
        # opportunity's skills that one label is worth, so coverage is a single product.
        self._coverage_t = np.ascontiguousarray((weighted / self._opportunity_mass[:, None]).T)
        # Slow to import; only needed here. Fitted as CountVectorizer + TfidfTransformer (what
        # TfidfVectorizer is) so people's counts can come from their tokens without re-tokenising.
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        counter = CountVectorizer(
            token_pattern=r"[a-z][a-z0-9]*",  # noqa: S106 - a regex, not a password
            ngram_range=(1, 2),
            min_df=1,
            dtype=np.float32,
        )
        counts = counter.fit_transform(texts)
        self._text_features: dict[str, int] = counter.vocabulary_
        self._text_weights = TfidfTransformer(sublinear_tf=True).fit(counts)
        self._reader = ProfileReader(vocabulary, self._text_features, self._requirement_of)
        # Profile constraints -> (granted labels, eligibility columns), for people who state
        # nothing themselves (see _person_columns).
        self._stated_columns: dict[PersonConstraints, tuple[tuple[int, ...], tuple]] = {}
        self._opportunity_text_t = self._text_weights.transform(counts).T.tocsr()
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
        # Key skills as label indices in explanation order (-1: none, or outside the vocabulary).
        width = max(len(key) for key in self._key_skills)
        self._key_index = np.full((len(self.opportunities), width), -1, dtype=np.int64)
        self._outside_keys: dict[int, tuple[tuple[int, str], ...]] = {}
        for target, key in enumerate(self._key_skills):
            for slot, (_, index) in enumerate(key):
                self._key_index[target, slot] = -1 if index is None else index
            outside = tuple((slot, name) for slot, (name, index) in enumerate(key) if index is None)
            if outside:
                self._outside_keys[target] = outside
        self._key_used = self._key_index >= 0
        for target, outside in self._outside_keys.items():
            self._key_used[target, [slot for slot, _ in outside]] = True
        self._key_names = [tuple(name for name, _ in key) for key in self._key_skills]
        # Key slots in label order, which is the order a bridging step lists what it teaches.
        self._key_by_label = np.argsort(
            np.where(self._key_index >= 0, self._key_index, len(vocabulary)), axis=1, kind="stable"
        )
        self._key_names_by_label = [
            tuple(names[slot] for slot in order if slot < len(names))
            for names, order in zip(self._key_names, self._key_by_label.tolist(), strict=True)
        ]
        self._catalogue = CatalogueNames(
            ids=tuple(opportunity.id for opportunity in self.opportunities),
            titles=tuple(opportunity.title for opportunity in self.opportunities),
            key_skills=tuple(self._key_names),
            key_skills_by_label=tuple(self._key_names_by_label),
            routes=tuple(opportunity.bridging for opportunity in self.opportunities),
        )
        self._build_bridge_shortlists()

    def _build_bridge_shortlists(self, size: int = 24) -> None:
        """For each opportunity, the teaching opportunities that cover most of its key skills."""
        teaches = np.asarray([o.kind.teaches for o in self.opportunities])
        labels = (self._opportunity_labels >= self.weights.described).astype(np.float32).toarray()
        self._teaching_labels = (labels * teaches[:, None]).astype(bool)
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
        # Per opportunity, shortlist slot and key slot: whether that programme teaches that key
        # skill (one contiguous row per pair instead of a scattered look-up in the label table).
        self._shortlist_teaches = self._teaching_labels[
            np.maximum(self._bridge_shortlist, 0)[:, :, None],
            np.maximum(self._key_index, 0)[:, None, :],
        ]

    def _skill_tokens(self, skills: Sequence[str]) -> list[str]:
        """Listed or picked skills as tokens for the text model (each skill normalised once)."""
        known = self._skill_token_cache
        tokens: list[str] = []
        for skill in skills:
            found = known.get(skill)
            if found is None:
                if len(known) > 100_000:  # bounded memory
                    known.clear()
                found = known[skill] = tuple(self.vocabulary.normalise(skill))
            tokens += found
        return tokens

    # People --------------------------------------------------------------------------------------

    def _people_block(self, people: Sequence[Person]) -> _PeopleBlock:
        """Read skills, interests, aversions and constraints from each person."""
        vocabulary, read = self.vocabulary, self._reader.read
        index, add_implied = vocabulary.index, self._add_implied
        skill_rows: list[dict[int, float]] = []
        interest_rows: list[dict[int, float]] = []
        aversion_rows: list[dict[int, float]] = []
        features: list[list[int]] = []
        token_lists: list[tuple[tuple[str, ...], ...]] = []
        columns: list[tuple[float, ...]] = []  # PeopleColumns, one row per person
        granted_labels = (
            index[ENGLISH_MATHS_LABEL],
            index[LEVEL_3_LABEL],
            index[LICENCE_LABEL],
        )
        stated_columns = self._stated_columns
        for person in people:
            profile = read(person.profile)
            held = dict.fromkeys(profile.held, 1.0)
            stated = profile.constraints
            if person.skills:
                for skill in person.skills:
                    label = vocabulary.canonical(skill)
                    if label:
                        held[index[label]] = 1.0
            if _states_nothing(person):
                # Columns and granted labels depend on the profile's constraints alone.
                found = stated_columns.get(stated)
                if found is None:
                    found = stated_columns[stated] = self._person_columns(
                        person, stated, granted_labels
                    )
            else:
                found = self._person_columns(person, stated, granted_labels)
            granted, stated_row = found
            if granted:
                held.update(dict.fromkeys(granted, 1.0))
            add_implied(held)
            aversions = dict.fromkeys(profile.aversions, 1.0)
            if aversions:
                for label in held:
                    aversions.pop(label, None)
            skill_rows.append(held)
            interest_rows.append(dict.fromkeys(profile.interests, 1.0))
            aversion_rows.append(aversions)
            if person.skills:
                words = [t for t in self._skill_tokens(person.skills) if t.isalpha()]
                features.append(profile.features + self._reader.features(words, profile.last_word))
            else:
                features.append(profile.features)
            token_lists.append(profile.tokens)
            columns.append(
                (
                    *stated_row,
                    NAN if person.max_travel_km is None else float(person.max_travel_km),
                    float(person.in_priority_area),
                )
            )
        width = len(vocabulary)
        side = _Side(
            labels=_csr(skill_rows, width),
            text=self._text_weights.transform(self._text_counts(features)),
            units=unit_vectors(
                [NAN if p.lat is None else p.lat for p in people],
                [NAN if p.lon is None else p.lon for p in people],
            ).reshape(len(people), 3),
        )
        width_columns = len(PeopleColumns.__slots__)
        table = np.asarray(columns, dtype=np.float64).reshape(len(people), width_columns)
        return _PeopleBlock(
            side=side,
            interests=_csr(interest_rows, width),
            aversions=_csr(aversion_rows, width),
            columns=PeopleColumns(*(table[:, [column]] for column in range(width_columns))),
            tokens=tuple(token_lists),
        )

    def _person_columns(
        self, person: Person, stated: PersonConstraints, granted_labels: tuple[int, int, int]
    ) -> tuple[tuple[int, ...], tuple[float, ...]]:
        """Labels granted by a person's levels and licence (in that order), and their first
        eight ``PeopleColumns``: the person's own values, else what the profile states."""
        english = person.english_level if person.english_level is not None else stated.english_level
        maths = person.maths_level if person.maths_level is not None else stated.maths_level
        qualification = (
            person.qualification_level
            if person.qualification_level is not None
            else stated.qualification_level
        )
        licence = (
            person.driving_licence if person.driving_licence is not None else stated.driving_licence
        )
        english_maths, level_3, full_licence = granted_labels
        granted = []
        if english is not None and maths is not None and min(english, maths) >= Level.LEVEL_2:
            granted.append(english_maths)
        if qualification is not None and qualification >= Level.LEVEL_3:
            granted.append(level_3)
        if licence:
            granted.append(full_licence)
        availability = person.availability
        age = person.age_on(self.today)
        right_to_work = person.right_to_work
        nights, part_time_only = availability.nights, availability.part_time_only
        return tuple(granted), (
            float(age) if age is not None else _flag(stated.age),
            _level(english),
            _level(maths),
            _level(qualification),
            _flag(licence),
            _flag(right_to_work if right_to_work is not None else stated.right_to_work),
            _flag(nights if nights is not None else stated.nights),
            _flag(part_time_only if part_time_only is not None else stated.part_time_only),
        )

    def _text_counts(self, documents: list[list[int]]) -> sparse.csr_matrix:
        """Counts of the fitted word unigrams and bigrams (``ProfileReader.features`` of each
        document), as the fitted CountVectorizer gives.

        Its analyser keeps tokens that start with a letter (ours are all letters or all digits)
        and pairs neighbours after dropping the rest; breaks are not tokens to it either.
        """
        indptr = np.zeros(len(documents) + 1, dtype=np.int64)
        np.cumsum([len(found) for found in documents], out=indptr[1:])
        counts = sparse.csr_matrix(
            (
                np.ones(indptr[-1], dtype=np.float32),
                np.fromiter(itertools.chain.from_iterable(documents), np.int64, indptr[-1]),
                indptr,
            ),
            shape=(len(documents), len(self._text_features)),
        )
        counts.sum_duplicates()
        return counts

    def _add_implied(self, held: dict[int, float]) -> None:
        """Credit skills that experience usually brings, two steps deep, at a decaying weight.

        Everything held counts 1.0, so the first step adds what it implies that is not held,
        the second what those imply that is not there yet, each in order of first mention.
        """
        implies = self._implies
        step = 1.0
        frontier = list(held)
        for _ in range(2):
            step *= self.weights.implied
            implied = dict.fromkeys(
                itertools.chain.from_iterable(map(implies.__getitem__, frontier))
            )
            frontier = [label for label in implied if label not in held]
            held.update(dict.fromkeys(frontier, step))

    # Scoring -------------------------------------------------------------------------------------

    def _score(self, block: _PeopleBlock, columns: np.ndarray | None = None) -> _Scores:
        """Skills, distance and eligibility for every (person, opportunity) pair of a block.

        Dense float32 arrays, with each weight applied in place; interest and aversion terms are
        computed only for the rows of people who stated any.
        """
        weights = self.weights
        coverage_t, text_t = self._coverage_t, self._opportunity_text_t
        opportunity_columns, units = self._opportunity_columns, self._opportunity_units
        if columns is not None:
            coverage_t, text_t = coverage_t[:, columns], text_t[:, columns]
            opportunity_columns, units = opportunity_columns.take(columns), units[columns]
        total = weights.coverage + weights.interest + weights.text
        skills = block.side.labels @ coverage_t
        skills *= np.float32(weights.coverage / total)
        # Only the text features this block uses, as a dense slice: sparse x dense is cheaper
        # than a sparse product whose result is mostly filled in anyway.
        features, used = np.unique(block.side.text.indices, return_inverse=True)
        text = block.side.text
        text = sparse.csr_matrix(
            (text.data, used.ravel(), text.indptr), shape=(text.shape[0], len(features))
        )
        text = text @ text_t[features].toarray()
        text *= np.float32(weights.text / total)
        skills += text
        del text
        interested = np.flatnonzero(np.diff(block.interests.indptr))
        if len(interested):
            interests = block.interests[interested]
            # Share of the person's goals (by IDF) that each opportunity meets.
            share = interests @ coverage_t * self._opportunity_mass_for(columns)
            share /= (interests @ self._idf)[:, None]
            skills[interested] += np.float32(weights.interest / total) * np.minimum(share, 1.0)
        averse = np.flatnonzero(np.diff(block.aversions.indptr))
        if len(averse):
            aversion = np.minimum(block.aversions[averse] @ coverage_t, 1.0)
            skills[averse] *= 1.0 - np.float32(weights.aversion) * aversion
        np.clip(skills, 0.0, 1.0, out=skills)
        distance_km = distances_from_unit_vectors(block.side.units, units)
        eligible = ~ineligible_mask(block.columns, opportunity_columns, distance_km)
        return _Scores(skills, distance_km, eligible, opportunity_columns)

    def _opportunity_mass_for(self, columns: np.ndarray | None) -> np.ndarray:
        """Each opportunity's IDF-weighted skill mass (undoes the coverage normalisation)."""
        return self._opportunity_mass if columns is None else self._opportunity_mass[columns]

    def _distance_factor(self, distance_km: np.ndarray, max_travel_km: np.ndarray) -> np.ndarray:
        """1 at the door down to the floor at the person's maximum travel (NaN where unknown)."""
        weights = self.weights
        travel = np.where(
            np.isnan(max_travel_km), weights.reference_travel_km, max_travel_km
        ).astype(np.float32)
        factor = distance_km / travel
        np.minimum(factor, 1.0, out=factor)
        factor *= np.float32(weights.distance_floor - 1.0)
        factor += 1.0
        return factor

    def _ranking_key(
        self, block: _PeopleBlock, scores: _Scores, include_ineligible: bool
    ) -> np.ndarray:
        """Score of every pair, moved up by 2 where eligible (and -inf where left out)."""
        key = self._distance_factor(scores.distance_km, block.columns.max_travel_km)
        np.copyto(key, np.float32(1.0), where=np.isnan(key))  # unknown distance: no penalty
        key *= scores.skills
        rows = np.flatnonzero(block.columns.in_priority_area[:, 0] == 1)
        ring_fenced = np.flatnonzero(scores.opportunity_columns.ring_fenced[0] == 1)
        if len(rows) and len(ring_fenced):
            key[np.ix_(rows, ring_fenced)] += np.float32(self.weights.priority_bonus)
        np.minimum(key, 1.0, out=key)
        # + 2 where eligible as one add of 0 or 2 (a masked add takes several times as long)
        key += np.multiply(scores.eligible, np.float32(2.0), dtype=np.float32)
        if not include_ineligible:
            np.copyto(key, -np.inf, where=~scores.eligible)
        return key

    def _pair_values(
        self, block: _PeopleBlock, scores: _Scores, rows: np.ndarray, local: np.ndarray
    ) -> tuple[np.ndarray, ...]:
        """Score, skills, distance factor, km and priority of the chosen pairs (as in the key)."""
        skills = scores.skills[rows, local]
        distance_km = scores.distance_km[rows, local]
        factor = self._distance_factor(distance_km, block.columns.max_travel_km[rows, 0])
        priority = np.where(
            (scores.opportunity_columns.ring_fenced[0, local] == 1)
            & (block.columns.in_priority_area[rows, 0] == 1),
            np.float32(self.weights.priority_bonus),
            np.float32(0.0),
        )
        score = np.minimum(np.where(np.isnan(factor), 1.0, factor) * skills + priority, 1.0)
        return score, skills, factor, distance_km, priority

    @staticmethod
    def _top(key: np.ndarray, top: int | None) -> np.ndarray:
        """Column indices of each row's best opportunities by ranking key (-1 where left out)."""
        count = key.shape[1] if top is None else min(top, key.shape[1])
        lowest = np.negative(key, out=key)  # in place: the key is not needed after this
        if count < key.shape[1]:
            candidates = np.argpartition(lowest, count - 1, axis=1)[:, :count]
        else:
            candidates = np.broadcast_to(np.arange(key.shape[1]), key.shape)
        order = np.argsort(np.take_along_axis(lowest, candidates, axis=1), axis=1, kind="stable")
        chosen = np.take_along_axis(candidates, order, axis=1)
        keep = np.isfinite(np.take_along_axis(lowest, chosen, axis=1))
        return np.where(keep, chosen, -1)

    # Explanations --------------------------------------------------------------------------------

    def _bridges(
        self,
        held: np.ndarray,
        rows: np.ndarray,
        targets: np.ndarray,
        eligible: np.ndarray,
        batch: int = 8192,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per (person, target) pair: the teaching opportunity covering most missing skills, or -1,
        and which of the target's key labels (``_key_index`` columns) it teaches.

        Candidates are the target's bridge shortlist (programmes that teach most of its key skills),
        and only the target's key labels are looked at, so the cost per pair is fixed however large
        the catalogue or vocabulary; batches bound the memory.
        """
        width = self._key_index.shape[1]
        if self._bridge_shortlist.shape[1] == 0 or len(rows) == 0:
            return np.full(len(rows), -1), np.zeros((len(rows), width), dtype=bool)
        teacher_of = np.empty(len(rows), dtype=np.int64)
        taught = np.empty((len(rows), width), dtype=bool)
        for start in range(0, len(rows), batch):
            part = slice(start, start + batch)
            teacher_of[part], taught[part] = self._bridge_batch(
                held, rows[part], targets[part], eligible
            )
        return teacher_of, taught

    def _bridge_batch(
        self, held: np.ndarray, rows: np.ndarray, targets: np.ndarray, eligible: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One batch of ``_bridges``."""
        keys = self._key_index[targets]  # pairs x key slots (label index, -1 = none)
        known = np.maximum(keys, 0)
        missing = (keys >= 0) & ~held[rows[:, None], known]
        candidates = self._bridge_shortlist[targets]  # pairs x shortlist (-1 = none)
        teacher = np.maximum(candidates, 0)
        teaches = self._shortlist_teaches[targets]
        teaches &= missing[:, None, :]  # pairs x shortlist x key slots
        key_idf = np.where(keys >= 0, self._idf[known], np.float32(0.0))
        value = (teaches.astype(np.float32) @ key_idf[:, :, None])[:, :, 0]
        value += self._teaching_tiebreak[teacher]
        usable = (candidates >= 0) & (candidates != targets[:, None])
        usable &= eligible[rows[:, None], teacher]
        value[~usable] = -np.inf
        best = np.argmax(value, axis=1)
        pairs = np.arange(len(rows))
        found = value[pairs, best] > 0.5  # teaches a missing skill
        teacher_of = np.where(found, candidates[pairs, best], -1)
        return teacher_of, teaches[pairs, best] & found[:, None]

    def _explained(
        self,
        block: _PeopleBlock,
        person_ids: Sequence[str],
        chosen: tuple[np.ndarray, np.ndarray, np.ndarray],
        scores: _Scores,
        columns: np.ndarray | None,
    ) -> MatchTable:
        """The chosen pairs with everything their explanations need, a block at a time.

        ``chosen`` is (person row, 0-based rank, scored column) per pair, in table order.
        """
        rows, ranks, local = chosen
        targets = local if columns is None else columns[local]
        held = (block.side.labels >= self.weights.held).toarray()
        full_eligible = scores.eligible if columns is None else self._eligible_all(block, rows)
        teachers, taught = self._bridges(held, rows, targets, full_eligible)
        keys = self._key_index[targets]
        has = (keys >= 0) & held[rows[:, None], np.maximum(keys, 0)]
        for pair in np.flatnonzero(np.isin(targets, list(self._outside_keys))).tolist():
            for slot, name in self._outside_keys[int(targets[pair])]:
                has[pair, slot] = _mentions_all(block.tokens[rows[pair]], name, self)
        missing = self._key_used[targets] & ~has
        eligible = scores.eligible[rows, local]
        score, skills, distance, distance_km, priority = self._pair_values(
            block, scores, rows, local
        )
        known = ~np.isnan(distance)
        km_rounded = np.round(distance_km.astype(np.float64), 2)
        reasons = ReasonsOnDemand(
            np.flatnonzero(~eligible).tolist(),
            lambda pair: self._reasons(block, rows[pair], targets[pair], km_rounded[pair]),
        )
        pairs = np.arange(len(rows))[:, None]
        return MatchTable(
            catalogue=self._catalogue,
            person_ids=tuple(person_ids),
            person=rows,
            rank=ranks + 1,
            opportunity=targets,
            score=np.round(score.astype(np.float64), 4),
            skills=np.round(skills.astype(np.float64), 4),
            distance=np.where(known, np.round(distance.astype(np.float64), 4), np.nan),
            distance_km=np.where(known, km_rounded, np.nan),
            priority=np.round(priority.astype(np.float64), 4),
            eligible=eligible,
            matched=has,
            missing=missing,
            bridging=teachers,
            taught=taught[pairs, self._key_by_label[targets]],
            ineligible_reasons=reasons,
        )

    def _eligible_all(self, block: _PeopleBlock, rows: np.ndarray) -> np.ndarray:
        """Eligibility of these rows' people against the whole catalogue (a shortlist's bridge
        may lie outside it); other people's rows are left False, as nothing reads them."""
        people = np.unique(rows)
        eligible = np.zeros((block.side.units.shape[0], len(self.opportunities)), dtype=bool)
        with np.errstate(invalid="ignore"):
            distance_km = distances_from_unit_vectors(
                block.side.units[people], self._opportunity_units
            )
        eligible[people] = ~ineligible_mask(
            block.columns.take(people), self._opportunity_columns, distance_km
        )
        return eligible

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
        return self._chosen([person], top, include_ineligible).matches()

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

        ``workers`` > 1 reads, scores and explains chunks in that many forked processes (where the
        platform can fork), yielding in the same order with the same results; each worker shares
        this fitted matcher, and sends back arrays from which this process builds the Matches.
        """
        tables = self._tables(people, top, include_ineligible, chunk_size, workers)
        for start, table in zip(range(0, len(people), chunk_size), tables, strict=True):
            yield from zip(people[start : start + chunk_size], table.by_person(), strict=True)

    def rank_table(
        self,
        people: Sequence[Person],
        *,
        top: int | None = 10,
        include_ineligible: bool = True,
        chunk_size: int = 1000,
        workers: int = 1,
    ) -> MatchTable:
        """``rank_many`` as one ``MatchTable`` (columns, no ``Match`` objects until asked for)."""
        chunks = list(self._tables(people, top, include_ineligible, chunk_size, workers))
        if not chunks:
            return MatchTable.empty(self._catalogue, self._key_index.shape[1])
        return MatchTable.concatenate(chunks)

    def map_tables(
        self,
        people: Sequence[Person],
        function: Callable[[MatchTable], T],
        *,
        top: int | None = 10,
        include_ineligible: bool = True,
        chunk_size: int = 1000,
        workers: int = 1,
    ) -> Iterator[T]:
        """``function`` of each chunk's ``rank_table``, in order (to write them out as they come).

        With forked workers the function runs in the worker, so work on the table (such as
        wording it for a file) is shared out too and only its result comes back.
        """
        starts = range(0, len(people), chunk_size)
        if workers > 1 and len(starts) > 1 and "fork" in mp.get_all_start_methods():
            yield from self._map_forked(
                people, function, starts, (top, include_ineligible, chunk_size), workers
            )
            return
        for start in starts:
            yield function(
                self._chosen(people[start : start + chunk_size], top, include_ineligible)
            )

    def _tables(
        self,
        people: Sequence[Person],
        top: int | None,
        include_ineligible: bool,
        chunk_size: int,
        workers: int,
    ) -> Iterator[MatchTable]:
        """Each chunk's table, for ``rank_many`` and ``rank_table``: tables from forked workers get
        this process's names (and the cache of explanations already worded)."""
        tables = self.map_tables(
            people,
            _unchanged,
            top=top,
            include_ineligible=include_ineligible,
            chunk_size=chunk_size,
            workers=workers,
        )
        for table in tables:
            yield (
                table
                if table.catalogue is self._catalogue
                else dataclasses.replace(table, catalogue=self._catalogue)
            )

    def _chosen(
        self, chunk: Sequence[Person], top: int | None, include_ineligible: bool
    ) -> MatchTable:
        """Read and score one chunk of people, and explain each person's top pairs, as arrays."""
        block = self._people_block(chunk)
        scores = self._score(block)
        chosen = self._top(self._ranking_key(block, scores, include_ineligible), top)
        rows, ranks = np.nonzero(chosen >= 0)
        return self._explained(
            block, [person.id for person in chunk], (rows, ranks, chosen[rows, ranks]), scores, None
        )

    def _map_forked(
        self,
        people: Sequence[Person],
        function: Callable[[MatchTable], T],
        starts: range,
        options: tuple[int | None, bool, int],
        workers: int,
    ) -> Iterator[T]:
        """``map_tables`` over forked workers; they inherit the matcher, people and function,
        not pickles."""
        key = id(people)
        _FORKED[key] = (self, people, function, *options)
        try:
            with mp.get_context("fork").Pool(min(workers, len(starts))) as pool:
                yield from pool.imap(_forked_chunk, [(key, start) for start in starts])
        finally:
            _FORKED.pop(key, None)

    def read_people(self, people: Sequence[Person]) -> PeopleRead:
        """Read people once, to shortlist them for many opportunities of this matcher."""
        return self._people_block(people)

    def shortlist(
        self,
        opportunity: Opportunity | str,
        people: Sequence[Person],
        *,
        top: int | None = 20,
        include_ineligible: bool = False,
        read: PeopleRead | None = None,
    ) -> list[Match]:
        """The best people for one opportunity of this catalogue, best first.

        ``read`` is these same people as ``read_people`` gave them, to skip reading them again.
        """
        target = self._ids[opportunity if isinstance(opportunity, str) else opportunity.id]
        if not people:
            return []
        block = read if read is not None else self._people_block(people)
        columns = np.asarray([target])
        scores = self._score(block, columns)
        # Rank people down the single column, then explain each chosen person's pair.
        order = self._top(self._ranking_key(block, scores, include_ineligible).T, top)[0]
        order = order[order >= 0]
        chosen = (order, np.arange(len(order)), np.zeros(len(order), dtype=np.int64))
        person_ids = [person.id for person in people]
        return self._explained(block, person_ids, chosen, scores, columns).matches()


# Work handed to forked workers: key -> (matcher, people, function, top, include_ineligible, size).
_FORKED: dict[int, tuple[Matcher, Sequence[Person], Callable, int | None, bool, int]] = {}


def _forked_chunk(job: tuple[int, int]) -> object:
    """One chunk of a forked ``map_tables`` (runs in a worker process; the result is pickled)."""
    key, start = job
    matcher, people, function, top, include_ineligible, chunk_size = _FORKED[key]
    return function(matcher._chosen(people[start : start + chunk_size], top, include_ineligible))


def _unchanged(table: MatchTable) -> MatchTable:
    """The table itself (``_tables``; a module function, so workers can run it)."""
    return table


def _mentions_all(clauses: tuple[tuple[str, ...], ...], skill: str, matcher: Matcher) -> bool:
    """Whether a listed skill outside the vocabulary is named in the person's profile."""
    wanted = [t for t in matcher.vocabulary.normalise(skill) if t not in BREAKS]
    present = set(itertools.chain.from_iterable(clauses))
    return bool(wanted) and all(t in present for t in wanted)
