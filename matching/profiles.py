"""Reading people's profiles for the matcher, one distinct clause at a time.

Advisers' notes repeat clauses ("no driving licence", "reliable and keen", "can't do nights"),
so each distinct clause is tokenised, typo-fixed, searched for skills and constraint patterns
and mapped to text-model features once; a profile is then the union of its clauses. The result
is what reading the whole text at once gives (``tests/matching/test_vectorised.py`` checks).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from matching.constraints import (
    AGE_DIGIT,
    NAMES_QUALIFICATION,
    SHORT_COURSE_LOOK_BACK,
    Levels,
    PersonConstraints,
    clause_flags,
    licence_evidence,
    looks_back,
    names_levels,
    stated_levels,
)
from matching.constraints import person_constraints as constraints_from_flags
from matching.vocabulary import (
    CLAUSE_BREAK,
    CONTINUATION_WORDS,
    NO_SCOPE,
    PHRASE_BREAK,
    Mention,
    Scope,
    Vocabulary,
    after_break,
    clause_texts,
    folded_text,
)


class _Said(NamedTuple):
    """Skills a clause (in the vocabulary's sense: up to a break) mentions, as label indices."""

    held: tuple[int, ...]
    interests: tuple[int, ...]  # goals ("wants to get into nursing")
    aversions: tuple[int, ...]  # negated with a "does not want" cue
    licence: int  # licence bits of constraints.licence_evidence


class _Phrase(NamedTuple):
    """What one phrase of a clause (up to a comma, bracket or slash) says, worked out once."""

    plain: str  # folded tokens joined by spaces
    tokens: tuple[str, ...]  # normalised tokens
    flags: int  # constraint bits (constraints.clause_flags)
    names: bool  # constraints.names_levels
    features: tuple[int, ...]  # text-model words and word pairs inside the phrase
    first_word: str | None  # first and last words the text model sees (pairs across phrases)
    last_word: str | None


class _Scanned(NamedTuple):
    """Skills a segment of tokens mentions, given the scope carried into it, and the scope
    carried out (``Vocabulary.scan_segment``)."""

    held: tuple[int, ...]
    interests: tuple[int, ...]
    aversions: tuple[int, ...]
    licence: int
    scope: Scope


class _Clause(NamedTuple):
    """What one clause of a profile says, worked out once."""

    plain: str  # folded tokens joined by spaces (what the constraint patterns read)
    tokens: tuple[str, ...]  # normalised tokens: typos fixed, stop words dropped
    first: str | None  # first normalised token (a continuation word joins the clause before)
    said: _Said  # skills mentioned, read as a clause of its own
    flags: int  # constraint bits (constraints.clause_flags)
    names: bool  # constraints.names_levels: whether the clause names a level
    features: tuple[int, ...]  # text-model words and word pairs inside the clause
    first_word: str | None  # first and last words the text model sees (pairs across clauses)
    last_word: str | None


class Profile(NamedTuple):
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
        self._phrases: dict[str, _Phrase] = {}  # raw phrase text -> what it says
        self._scanned: dict[tuple[tuple[str, ...], Scope], _Scanned] = {}
        self._levels: dict[tuple[str, ...], Levels] = {}  # see _stated_levels
        self._looks_back: dict[str, bool] = {}  # clause text -> constraints.looks_back
        self._by_flags: dict[tuple[int, Levels | None], PersonConstraints] = {}

    def read(self, profile: str) -> Profile:
        """Skills, constraints and text features of one profile."""
        clauses = self._read_clauses(clause_texts(profile)) if profile else []
        flags = licence = 0
        features: list[int] = []
        held: list[int] = []
        interests: list[int] = []
        aversions: list[int] = []
        last: str | None = None
        pairs = self.text_features
        continued = False
        for clause in clauses:
            flags |= clause.flags
            if clause.first_word is not None:
                features += clause.features
                if last is not None:
                    pair = pairs.get(f"{last} {clause.first_word}")
                    if pair is not None:
                        features.append(pair)
                last = clause.last_word
            said = clause.said
            held += said.held
            interests += said.interests
            aversions += said.aversions
            licence |= said.licence
            continued = continued or clause.first in CONTINUATION_WORDS
        if continued:  # a clause continues the scope before it: read those scopes together
            held, interests, aversions, licence = [], [], [], 0
            for said in self._said(clauses):
                held += said.held
                interests += said.interests
                aversions += said.aversions
                licence |= said.licence
        return Profile(
            held=held,
            interests=interests,
            aversions=aversions,
            constraints=self._constraints(flags | licence, clauses),
            features=features,
            last_word=last,
            tokens=tuple([clause.tokens for clause in clauses]),
        )

    def _constraints(self, flags: int, clauses: list[_Clause]) -> PersonConstraints:
        """``constraints.person_constraints`` of the profile; shared between profiles with the
        same flags (and stated levels) where no age may be stated."""
        if flags & AGE_DIGIT:
            return constraints_from_flags(
                flags, lambda: _plain(clauses)[0], lambda: self._stated_levels(clauses)
            )
        levels = self._stated_levels(clauses) if flags & NAMES_QUALIFICATION else None
        key = (flags, levels)
        found = self._by_flags.get(key)
        if found is None:
            found = self._by_flags[key] = constraints_from_flags(
                flags, lambda: _plain(clauses)[0], lambda: levels
            )
        return found

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
                memos = (self._joined, self._phrases, self._scanned, self._levels, self._looks_back)
                for memo in (cache, *memos):
                    memo.clear()
            for position, text in enumerate(texts):
                if found[position] is None:
                    found[position] = cache[text] = self._read_clause(text)
        return found

    def _read_clause(self, text: str) -> _Clause:
        """One clause, read as it would be inside any profile, a phrase at a time.

        Phrases repeat even where clauses do not (a list of skills between commas), so each
        distinct phrase is folded, typo-fixed and searched once; the clause joins them: its
        tokens with a phrase break between phrases, constraint flags (no pattern holds a break),
        text-model features plus the word pairs across phrases, and its skills read segment by
        segment with the negation and goal scope carried over each break.
        """
        phrases = self._phrases
        parts = [
            phrases.get(raw) or self._read_phrase(raw)
            for raw in map(str.strip, text.split(PHRASE_BREAK))
        ]
        if len(parts) == 1:
            phrase = parts[0]
            tokens = phrase.tokens
            return _Clause(
                plain=phrase.plain,
                tokens=tokens,
                first=tokens[0] if tokens else None,
                said=self._said_alone(phrase),
                flags=phrase.flags,
                names=phrase.names,
                features=phrase.features,
                first_word=phrase.first_word,
                last_word=phrase.last_word,
            )
        plain: list[str] = []
        tokens: list[str] = []
        features: list[int] = []
        flags, names = 0, False
        first_word = last_word = None
        pairs = self.text_features
        scanned = self._scanned
        held: list[int] = []
        interests: list[int] = []
        aversions: list[int] = []
        licence = 0
        scope = NO_SCOPE
        length = 0  # tokens in the phrase before
        for position, phrase in enumerate(parts):
            phrase_tokens = phrase.tokens
            if position:
                plain.append(PHRASE_BREAK)
                tokens.append(PHRASE_BREAK)
                if scope != NO_SCOPE:
                    following = phrase_tokens[0] if phrase_tokens else ""
                    scope = after_break(scope, length, PHRASE_BREAK, following)
            length = len(phrase_tokens)
            if phrase.plain:
                plain.append(phrase.plain)
            if phrase_tokens:
                tokens += phrase_tokens
                found = scanned.get((phrase_tokens, scope))
                if found is None:
                    found = scanned[phrase_tokens, scope] = self._scan(phrase_tokens, scope)
                held += found.held
                interests += found.interests
                aversions += found.aversions
                licence |= found.licence
                scope = found.scope
            flags |= phrase.flags
            names = names or phrase.names
            if phrase.first_word is not None:
                features += phrase.features
                if last_word is None:
                    first_word = phrase.first_word
                else:
                    pair = pairs.get(f"{last_word} {phrase.first_word}")
                    if pair is not None:
                        features.append(pair)
                last_word = phrase.last_word
        return _Clause(
            plain=" ".join(plain),
            tokens=tuple(tokens),
            first=tokens[0] if tokens else None,
            said=_Said(tuple(held), tuple(interests), tuple(aversions), licence),
            flags=flags,
            names=names,
            features=tuple(features),
            first_word=first_word,
            last_word=last_word,
        )

    def _read_phrase(self, raw: str) -> _Phrase:
        """One phrase (raw tokens between phrase breaks), read once."""
        plain = folded_text(raw)
        tokens = tuple(self.vocabulary.normalise(plain.split()))
        words = [token for token in tokens if token.isalpha()]
        phrase = self._phrases[raw] = _Phrase(
            plain=plain,
            tokens=tokens,
            flags=clause_flags(plain),
            names=names_levels(plain),
            features=tuple(self.features(words)),
            first_word=words[0] if words else None,
            last_word=words[-1] if words else None,
        )
        return phrase

    def _said_alone(self, phrase: _Phrase) -> _Said:
        """Skills a one-phrase clause mentions (``_read_clause`` joins longer clauses' phrases)."""
        if not phrase.tokens:
            return _NOTHING_SAID
        key = (phrase.tokens, NO_SCOPE)
        found = self._scanned.get(key)
        if found is None:
            found = self._scanned[key] = self._scan(phrase.tokens, NO_SCOPE)
        return _Said(found.held, found.interests, found.aversions, found.licence)

    def _scan(self, tokens: tuple[str, ...], scope: Scope) -> _Scanned:
        """``Vocabulary.scan_segment`` as label indices and licence evidence."""
        mentions, scope = self.vocabulary.scan_segment(tokens, scope)
        said = self._said_of(mentions)
        return _Scanned(*said, scope)

    def _stated_levels(self, clauses: list[_Clause]) -> Levels:
        """``constraints.stated_levels`` of the profile, shared by every profile whose clauses
        that name levels are the same, each with the same 25 characters before it where those
        can matter (``constraints.looks_back``)."""
        key: list[str] = []
        memo = self._looks_back
        for position, clause in enumerate(clauses):
            if clause.names:
                text = clause.plain
                back = memo.get(text)
                if back is None:
                    back = memo[text] = looks_back(text)
                key += (_before(clauses, position) if back else "", text)
        levels = self._levels.get(tuple(key))
        if levels is None:
            levels = self._levels[tuple(key)] = stated_levels(_plain(clauses)[0])
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
        return self._said_of(self.vocabulary.find_in_clause(tokens))

    def _said_of(self, mentions: Sequence[Mention]) -> _Said:
        """Mentions as held skills, goals and aversions (label indices) and licence evidence."""
        index = self.vocabulary.index
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


_NOTHING_SAID = _Said((), (), (), 0)


def _before(clauses: list[_Clause], position: int) -> str:
    """The ``SHORT_COURSE_LOOK_BACK`` characters of ``_plain`` before a clause starts: each
    earlier clause adds its text and a space (if it has text), then "| " (the break after it)."""
    before = ""
    while position > 0 and len(before) < SHORT_COURSE_LOOK_BACK:
        position -= 1
        text = clauses[position].plain
        before = (f"{text} | " if text else "| ") + before
    return before[-SHORT_COURSE_LOOK_BACK:]


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
