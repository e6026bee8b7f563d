"""Reading people's profiles for the matcher, one distinct clause at a time.

Advisers' notes repeat clauses ("no driving licence", "reliable and keen", "can't do nights"),
so each distinct clause is tokenised, typo-fixed, searched for skills and constraint patterns
and mapped to text-model features once; a profile is then the union of its clauses. The result
is what reading the whole text at once gives (``tests/matching/test_vectorised.py`` checks).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

from matching.constraints import (
    SHORT_COURSE_LOOK_BACK,
    Levels,
    PersonConstraints,
    clause_flags,
    licence_evidence,
    names_levels,
    stated_levels,
)
from matching.constraints import person_constraints as constraints_from_flags
from matching.vocabulary import (
    CLAUSE_BREAK,
    CONTINUATION_WORDS,
    Vocabulary,
    clause_texts,
    folded_text,
)


class _Said(NamedTuple):
    """Skills a clause (in the vocabulary's sense: up to a break) mentions, as label indices."""

    held: tuple[int, ...]
    interests: tuple[int, ...]  # goals ("wants to get into nursing")
    aversions: tuple[int, ...]  # negated with a "does not want" cue
    licence: int  # licence bits of constraints.licence_evidence


class _Clause(NamedTuple):
    """What one clause of a profile says, worked out once."""

    plain: str  # folded tokens joined by spaces (what the constraint patterns read)
    tokens: tuple[str, ...]  # normalised tokens: typos fixed, stop words dropped
    first: str | None  # first normalised token (a continuation word joins the clause before)
    said: _Said  # skills mentioned, read as a clause of its own
    flags: int  # constraint bits (constraints.clause_flags)
    features: tuple[int, ...]  # text-model words and word pairs inside the clause
    first_word: str | None  # first and last words the text model sees (pairs across clauses)
    last_word: str | None


@dataclass(frozen=True, slots=True)
class Profile:
    """What a profile says: skills as label indices in the order first mentioned, constraints,
    text-model features (with repeats, as counts) and the normalised tokens of each clause."""

    held: list[int]
    interests: list[int]
    aversions: list[int]
    constraints: PersonConstraints
    features: list[int]
    last_word: str | None  # the last word the text model sees (pairs with picked skills)
    tokens: tuple[tuple[str, ...], ...]


class ProfileReader:
    """Reads profiles against a vocabulary and a fitted text model's features, with caches."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        text_features: dict[str, int],
        requirement_of: dict[str, str],
        *,
        cache_size: int = 200_000,
    ) -> None:
        self.vocabulary = vocabulary
        self.text_features = text_features
        self.requirement_of = requirement_of
        self._cache_size = cache_size
        self._clauses: dict[str, _Clause] = {}
        self._joined: dict[tuple[str, ...], _Said] = {}
        self._names_levels: dict[str, bool] = {}  # clause plain text -> names_levels
        self._levels: dict[tuple[str, ...], Levels] = {}  # see _stated_levels

    def read(self, profile: str) -> Profile:
        """Skills, constraints and text features of one profile."""
        clauses = self._read_clauses(clause_texts(profile)) if profile else []
        flags = 0
        features: list[int] = []
        last: str | None = None
        pairs = self.text_features
        for clause in clauses:
            flags |= clause.flags
            features += clause.features
            if clause.first_word is not None:
                if last is not None:
                    pair = pairs.get(f"{last} {clause.first_word}")
                    if pair is not None:
                        features.append(pair)
                last = clause.last_word
        held: list[int] = []
        interests: list[int] = []
        aversions: list[int] = []
        for said in self._said(clauses):
            held += said.held
            interests += said.interests
            aversions += said.aversions
            flags |= said.licence
        return Profile(
            held=held,
            interests=interests,
            aversions=aversions,
            constraints=constraints_from_flags(
                flags, lambda: _plain(clauses)[0], lambda: self._stated_levels(clauses)
            ),
            features=features,
            last_word=last,
            tokens=tuple(clause.tokens for clause in clauses),
        )

    def features(self, words: list[str], before: str | None = None) -> list[int]:
        """Text-model features of words (single words and neighbouring pairs), after ``before``."""
        pairs = map(" ".join, itertools.pairwise([before, *words] if before else words))
        found = [*map(self.text_features.get, words), *map(self.text_features.get, pairs)]
        return [feature for feature in found if feature is not None]

    def _read_clauses(self, texts: list[str]) -> list[_Clause]:
        cache = self._clauses
        found = list(map(cache.get, texts))
        if None in found:
            if len(cache) > self._cache_size:  # bounded memory
                cache.clear()
                self._joined.clear()
                self._names_levels.clear()
                self._levels.clear()
            for position, text in enumerate(texts):
                if found[position] is None:
                    found[position] = cache[text] = self._read_clause(text)
        return found

    def _read_clause(self, text: str) -> _Clause:
        """One clause, read as it would be inside any profile."""
        plain = folded_text(text)
        tokens = tuple(self.vocabulary.normalise(plain.split()))
        words = [token for token in tokens if token.isalpha()]
        return _Clause(
            plain=plain,
            tokens=tokens,
            first=tokens[0] if tokens else None,
            said=self._mentions(list(tokens)),
            flags=clause_flags(plain),
            features=tuple(self.features(words)),
            first_word=words[0] if words else None,
            last_word=words[-1] if words else None,
        )

    def _stated_levels(self, clauses: list[_Clause]) -> Levels:
        """``constraints.stated_levels`` of the profile, shared by every profile whose clauses
        that name levels are the same, each with the same 25 characters before it."""
        plain, starts = _plain(clauses)
        relevant = self._names_levels
        key: list[str] = []
        for clause, start in zip(clauses, starts, strict=True):
            named = relevant.get(clause.plain)
            if named is None:
                named = relevant[clause.plain] = names_levels(clause.plain)
            if named:
                key += (plain[max(0, start - SHORT_COURSE_LOOK_BACK) : start], clause.plain)
        levels = self._levels.get(tuple(key))
        if levels is None:
            levels = self._levels[tuple(key)] = stated_levels(plain)
        return levels

    def _said(self, clauses: list[_Clause]) -> list[_Said]:
        """Skills mentioned, scope by scope: a clause that starts with a continuation word
        ("maybe", "or") stays in the scope of the one before (as ``Vocabulary.find`` reads it)."""
        joins = {
            position
            for position in range(1, len(clauses))
            if clauses[position].first in CONTINUATION_WORDS
        }
        if not joins:
            return [clause.said for clause in clauses]
        said: list[_Said] = []
        start = 0
        for position in range(1, len(clauses) + 1):
            if position < len(clauses) and position in joins:
                continue
            if position - start == 1:
                said.append(clauses[start].said)
            else:
                tokens = tuple(
                    itertools.chain.from_iterable(
                        (*([CLAUSE_BREAK] if index > start else []), *clauses[index].tokens)
                        for index in range(start, position)
                    )
                )
                joined = self._joined.get(tokens)
                if joined is None:
                    joined = self._joined[tokens] = self._mentions(list(tokens))
                said.append(joined)
            start = position
        return said

    def _mentions(self, tokens: list[str]) -> _Said:
        """Held skills, goals, aversions and licence evidence mentioned in one scope."""
        index = self.vocabulary.index
        mentions = self.vocabulary.find_in_clause(tokens)
        held, interests, aversions = [], [], []
        for mention in mentions:
            if mention.negated:
                if mention.averse:
                    aversions.append(index[mention.label])
            elif mention.goal:
                interests.append(index[mention.label])
            else:
                held.append(index[mention.label])
        return _Said(
            tuple(held),
            tuple(interests),
            tuple(aversions),
            licence_evidence(mentions, self.requirement_of),
        )


def _plain(clauses: list[_Clause]) -> tuple[str, list[int]]:
    """The whole profile as ``constraints.plain_text`` gives it, and where each clause starts."""
    parts: list[str] = []
    starts: list[int] = []
    offset = 0  # where the next part starts in " ".join(parts)
    for position, clause in enumerate(clauses):
        if position:
            parts.append(CLAUSE_BREAK)
            offset += len(CLAUSE_BREAK) + 1
        starts.append(offset)
        if clause.plain:
            parts.append(clause.plain)
            offset += len(clause.plain) + 1
    return " ".join(parts), starts
