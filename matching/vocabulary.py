"""The shared skills vocabulary and the normaliser that maps free text onto it."""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import compress, repeat
from typing import NamedTuple

from rapidfuzz.distance import Indel

# Shorthand found in advisers' notes, expanded before matching (keys are single lower-case tokens).
TOKEN_ALIASES = {
    "w": "with",
    "thru": "through",
    "yrs": "years",
    "yr": "year",
    "mths": "months",
    "hrs": "hours",
    "asst": "assistant",
    "mgr": "manager",
    "exp": "experience",
    "quals": "qualifications",
    "qual": "qualification",
    "cert": "certificate",
    "certs": "certificates",
    "eng": "english",
    "engl": "english",
    "math": "maths",
    "mtgs": "meetings",
    "mtg": "meeting",
    "approx": "approximately",
    "incl": "including",
    "poss": "possible",
    "lvl": "level",
    "uni": "university",
    "gcses": "gcse",
    "alot": "a lot",
    "definately": "definitely",
    # Relatives are interchangeable for what the care they received says about the carer.
    **dict.fromkeys(
        [
            "mum",
            "dad",
            "nan",
            "nana",
            "nanna",
            "gran",
            "granny",
            "grandma",
            "grandad",
            "grandpa",
            "grandmother",
            "grandfather",
            "mother",
            "father",
            "husband",
            "wife",
            "partner",
            "son",
            "daughter",
            "brother",
            "sister",
            "auntie",
            "aunt",
            "uncle",
            "grandparent",
            "parent",
            "parents",
            "grandparents",
            "nephew",
            "niece",
            "cousin",
            "fiance",
        ],
        "relative",
    ),
}
# Words that carry no meaning for skills; dropped from the stream synonyms are matched on.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "his",
        "her",
        "my",
        "their",
        "your",
        "our",
        "its",
        "he",
        "she",
        "i",
        "me",
        "him",
        "them",
        "they",
        "we",
        "you",
    ]
)
CLAUSE_BREAK = "|"  # ends every scope
PHRASE_BREAK = "/"  # ends negation scope only (commas, brackets)
BREAKS = frozenset((CLAUSE_BREAK, PHRASE_BREAK))
# Words that end in "s" but are not plurals.
UNFOLDED = frozenset(
    [
        "maths",
        "physics",
        "news",
        "always",
        "lens",
        "series",
        "species",
        "various",
        "previous",
        "sometimes",
    ]
)


def _singular(token: str) -> str:
    """Fold plurals so 'tills' meets 'till' and 'deliveries' meets 'delivery'."""
    if token in UNFOLDED:
        return token
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


_WITH = re.compile(r"\bw/\s*")
_APOSTROPHE = re.compile(r"[\u2019']")
_AND = re.compile(r"[&+]")
_CLAUSE = re.compile(r"[.;:!?\n]|\bbut\b")
_PHRASE = re.compile(r"[,()\[\]/]|\s-\s")
_LEVEL = re.compile(r"\b(?:l|lvl|lev)\s?([1-8])\b")
_DIGIT_EDGE = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_TOKEN = re.compile(r"[a-z0-9]+|[|/]")


_DASH = re.compile(r"\s-\s")
_BUT = re.compile(r"\bbut\b")
_LEVEL_DIGIT = re.compile(r"[1-8]")
ASCII_DIGITS = "0123456789"
CLAUSE_CHARS = ".;:!?\n"
PHRASE_CHARS = ",()[]/"
# Every ASCII character that cannot be part of a token becomes a space (str.split then tokenises).
_NOT_TOKEN = str.maketrans(
    {chr(code): " " for code in range(128) if not (chr(code).isalnum() or chr(code) in "|/")}
)
# Raw token -> its expanded, singular tokens (the same words recur across profiles).
_FOLDED: dict[str, tuple[str, ...]] = {}


def _fold(raw: str) -> tuple[str, ...]:
    """One raw token expanded and singularised."""
    folded = _FOLDED.get(raw)
    if folded is None:
        folded = tuple(_singular(token) for token in TOKEN_ALIASES.get(raw, raw).split())
        _FOLDED[raw] = folded
    return folded


def split_tokens(text: str) -> list[str]:
    """Lower-case tokens with clause breaks marked, abbreviations expanded, plurals folded.

    Equivalent to regex substitutions for "w/", apostrophes, "&"/"+", clause and phrase breaks
    and "L3" levels, then splitting letters from digits; each step is skipped when the text has
    nothing it could change, and single characters are replaced with str.replace.
    """
    tokens: list[str] = []
    for raw in _raw_tokens(_prepared(text)):
        tokens += _FOLDED.get(raw) or _fold(raw)
    return tokens


def clause_texts(text: str) -> list[str]:
    """The text's raw tokens between clause breaks, one whitespace-separated string per clause.

    ``split_tokens(text)`` is each clause's raw tokens folded, with a clause break between
    clauses (an empty string stands for nothing between two breaks); texts repeat clauses
    ("no driving licence"), so callers can read each distinct one once.
    """
    text = _prepared(text)
    if _plain_breaks(text):
        return text.translate(_NOT_TOKEN).split(CLAUSE_BREAK)
    clauses = [[]]
    for raw in _TOKEN.findall(text):
        if raw == CLAUSE_BREAK:
            clauses.append([])
        else:
            clauses[-1].append(raw)
    return [" ".join(clause) for clause in clauses]


def folded_text(clause: str) -> str:
    """One of ``clause_texts`` as its ``split_tokens`` tokens joined by spaces, a raw token at a
    time from a cache."""
    return " ".join(map(_FOLDED_TEXT.__getitem__, clause.split()))


class _FoldedText(dict):
    """Raw token -> its folded tokens joined by spaces, worked out on first sight."""

    def __missing__(self, raw: str) -> str:
        text = self[raw] = " ".join(_fold(raw))
        return text


_FOLDED_TEXT = _FoldedText()


def _prepared(text: str) -> str:
    """The substitutions of ``split_tokens``: breaks marked, shorthand expanded, levels split."""
    text = text.lower()
    if "w/" in text:
        text = _WITH.sub(" with ", text)
    text = text.replace("\u2019", "").replace("'", "")  # can't -> cant, nando's -> nandos
    if "&" in text or "+" in text:
        text = text.replace("&", " and ").replace("+", " and ")
    if "but" in text:
        text = _BUT.sub(f" {CLAUSE_BREAK} ", text)
    for character in CLAUSE_CHARS:
        if character in text:
            text = text.replace(character, f" {CLAUSE_BREAK} ")
    if "-" in text:
        text = _DASH.sub(f" {PHRASE_BREAK} ", text)
    for character in PHRASE_CHARS:
        if character in text:
            text = text.replace(character, f" {PHRASE_BREAK} ")
    if any(digit in text for digit in ASCII_DIGITS):  # other digits are never in tokens
        if _LEVEL_DIGIT.search(text):
            text = _LEVEL.sub(r"level \1", text)  # L3 -> level 3
        text = _DIGIT_EDGE.sub(" ", text)  # nvq3 -> nvq 3
    return text


def _plain_breaks(text: str) -> bool:
    """Whether a prepared text can be tokenised with str.split: ASCII, breaks spaced out."""
    return text.isascii() and "|" not in text.replace(f" {CLAUSE_BREAK} ", " ")


def _raw_tokens(text: str) -> list[str]:
    """A prepared text's tokens before folding."""
    if _plain_breaks(text):
        return text.translate(_NOT_TOKEN).split()
    return _TOKEN.findall(text)


class Mention(NamedTuple):
    """One vocabulary label found in a text, and the scope it was found in."""

    label: str
    start: int
    end: int
    negated: bool
    goal: bool
    averse: bool = False


@dataclass(frozen=True, slots=True)
class SkillLabel:
    """One label of the shared vocabulary with the words that mean it."""

    label: str
    category: str
    synonyms: tuple[str, ...]
    implies: tuple[str, ...]
    requirement: str
    esco_uri: str


# Cues that what follows in the same clause is an aim, not experience ("wants to get into nursing").
GOAL_CUES = {
    ("want",),
    ("wanted",),
    ("wanting",),
    ("would", "like"),
    ("like", "to"),
    ("keen", "to"),
    ("keen", "on"),
    ("interested", "in"),
    ("interest", "in"),
    ("hoping",),
    ("hope", "to"),
    ("aim",),
    ("aiming",),
    ("dream",),
    ("consider",),
    ("considering",),
    ("looking", "for"),
    ("looking", "to"),
    ("get", "into"),
    ("move", "into"),
    ("career", "in"),
}
# Cues that what follows in the clause is absent ("no driving licence", "hasnt done any caring").
NEGATION_CUES = frozenset(
    [
        "no",
        "not",
        "never",
        "cant",
        "cannot",
        "dont",
        "doesnt",
        "didnt",
        "hasnt",
        "havent",
        "wont",
        "isnt",
        "wasnt",
        "arent",
        "without",
        "unable",
        "hate",
        "hates",
        "hated",
        "failed",
        "fail",
        "provisional",
        "nor",
        "avoid",
    ]
)
# The subset of negations that say the person does not want it, rather than has not done it.
AVERSION_CUES = frozenset(
    ["not", "cant", "cannot", "dont", "wont", "unable", "hate", "hates", "hated", "avoid"]
)
# A clause starting with one of these continues the scope before it ("nursing, maybe LD").
CONTINUATION_WORDS = frozenset(["maybe", "possibly", "perhaps", "ideally", "or", "especially"])
# Typos corrected: at most this many letters inserted or deleted (one below 8 letters).
MAX_TYPO_DISTANCE = 2
# Goal clauses stay open this many tokens; negation clauses this many (negation binds tightly).
GOAL_REACH = 12
NEGATION_REACH = 5


POOR_AFTER = frozenset(("poor", "weak", "bad", "rubbish"))
_NOT_POOR_WORDS = frozenset(("great", "good", "strong"))


def _judged_poor(following: Sequence[str]) -> bool:
    """True when the words after a mention run it down ("reading and writing not great")."""
    if not following:
        return False
    if following[0] in POOR_AFTER:
        return True
    return following[0] == "not" and len(following) > 1 and following[1] in _NOT_POOR_WORDS


_UNSEEN = object()
_new_mention = tuple.__new__  # Mention from a ready tuple, without the keyword-handling __new__
_LABEL = ""  # trie key marking where a phrase ends (never a token)
_GOAL_FIRST_WORDS = frozenset(cue[0] for cue in GOAL_CUES)
# Negation and goal scope carried into a segment of tokens, relative to its first token: where
# negation ends (exclusive), whether that negation says "does not want", where the goal ends.
Scope = tuple[int, bool, int]
NO_SCOPE: Scope = (0, False, 0)


def after_break(state: Scope, length: int, token: str, following: str) -> Scope:
    """The scope carried over a break ``token`` that ends a segment of ``length`` tokens, into
    the segment after it (which starts with ``following``, "" at the end), in the same normal
    form as ``NO_SCOPE`` (a scope that has ended is 0; "averse" only while negation lasts)."""
    negation_until, averse, goal_until = state
    shift = length + 1
    if following not in CONTINUATION_WORDS:
        negation_until = 0
        if token == CLAUSE_BREAK:
            goal_until = 0
    negation_until = max(negation_until - shift, 0)
    return negation_until, averse and negation_until > 0, max(goal_until - shift, 0)


class Vocabulary:
    """The skills vocabulary with a typo-tolerant, negation-aware phrase matcher."""

    def __init__(self, labels: Iterable[SkillLabel], *, known_words: Iterable[str] = ()) -> None:
        self.labels: tuple[SkillLabel, ...] = tuple(labels)
        self.index = {skill.label: position for position, skill in enumerate(self.labels)}
        self._by_lower = {skill.label.lower(): skill.label for skill in self.labels}
        # First token -> [(token tuple, label)], longest first, so the longest synonym wins.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for skill in self.labels:
            for phrase in (skill.label, *skill.synonyms):
                tokens = tuple(
                    t for t in split_tokens(phrase) if t not in STOPWORDS and t not in BREAKS
                )
                if tokens:
                    self._phrases.setdefault(tokens[0], []).append((tokens, skill.label))
        for candidates in self._phrases.values():
            candidates.sort(key=lambda item: -len(item[0]))
        # The phrases as a trie (token -> node; _LABEL key -> label where a phrase ends), so the
        # longest phrase at a position is one walk; the first label listed for a phrase wins.
        self._trie: dict[str, dict] = {}
        for candidates in self._phrases.values():
            for tokens, label in candidates:
                node = self._trie
                for token in tokens:
                    node = node.setdefault(token, {})
                node.setdefault(_LABEL, label)
        # Tokens the phrase matcher must look at: breaks, cues and the first words of phrases.
        self._notable = frozenset(
            (*BREAKS, *NEGATION_CUES, *(cue[0] for cue in GOAL_CUES), *self._trie)
        )
        self._phrase_words = sorted(
            {t for c in self._phrases.values() for p, _ in c for t in p if t.isalpha()}
        )
        self._known = frozenset(_singular(word) for word in known_words) | frozenset(
            self._phrase_words
        )
        self._corrections: dict[str, str] = {}
        # Phrase words by every string their deletion of up to MAX_TYPO_DISTANCE letters gives.
        self._by_deletion: dict[str, list[int]] | None = None
        # token -> its corrected form (None for a stop word): one look-up per recurring token.
        self._normalised: dict[str, str | None] = {}
        # A clause's tokens -> the mentions in it (see ``find``).
        self._clauses: dict[tuple[str, ...], tuple[Mention, ...]] = {}

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label: object) -> bool:
        return label in self.index

    def get(self, label: str) -> SkillLabel:
        """The vocabulary entry for a label (KeyError if it is not in the vocabulary)."""
        return self.labels[self.index[label]]

    def canonical(self, phrase: str) -> str | None:
        """The vocabulary label a short phrase (a picked or listed skill) stands for, or None."""
        exact = self._by_lower.get(phrase.strip().lower())
        if exact:
            return exact
        positive = [m for m in self.find(phrase) if not m.negated]
        return positive[0].label if positive else None

    def correct(self, token: str) -> str:
        """Fix a misspelt word to the closest vocabulary word; known and short words stay as is."""
        if len(token) < 5 or token in self._known or not token.isalpha():
            return token
        cached = self._corrections.get(token)
        if cached is None:
            # Insertions and deletions only: real typos drop or add letters ("clening", "warehous"),
            # while one swapped letter usually makes another real word ("loved" / "lived").
            cached = self._closest(token, 1 if len(token) < 8 else MAX_TYPO_DISTANCE) or token
            self._corrections[token] = cached
        return cached

    def _closest(self, token: str, allowed: int) -> str | None:
        """The first phrase word (in sorted order) at the least Indel distance, if within
        ``allowed``: what rapidfuzz's ``process.extractOne`` over every phrase word gives.

        Two words within distance d share a subsequence that each reaches by deleting at most
        d letters, so only the words indexed under one of the token's deletions are compared.
        """
        if self._by_deletion is None:
            self._by_deletion = {}
            for position, word in enumerate(self._phrase_words):
                for variant in _deletions(word, MAX_TYPO_DISTANCE):
                    self._by_deletion.setdefault(variant, []).append(position)
        candidates: set[int] = set()
        for variant in _deletions(token, allowed):
            candidates.update(self._by_deletion.get(variant, ()))
        best, best_distance = None, allowed + 1
        for position in sorted(candidates):
            distance = Indel.distance(token, self._phrase_words[position], score_cutoff=allowed)
            if distance < best_distance:
                best, best_distance = self._phrase_words[position], distance
        return best

    def normalise(self, text: str | list[str]) -> list[str]:
        """The token stream phrases are matched on: split, typo-fixed, stop words dropped."""
        tokens = split_tokens(text) if isinstance(text, str) else text
        cache = self._normalised
        fixed = list(map(cache.get, tokens, repeat(_UNSEEN)))
        if _UNSEEN in fixed:  # first sight of some token: work it out once
            for position, token in enumerate(tokens):
                if fixed[position] is _UNSEEN:
                    cache[token] = None if token in STOPWORDS else self.correct(token)
                    fixed[position] = cache[token]
        return list(filter(None, fixed))  # tokens are never empty; None marks a stop word

    def find(self, text: str | list[str]) -> list[Mention]:
        """Every label mentioned in the text, longest phrase first, with negation and goal scope.

        Scopes end at a clause break that no continuation word follows, and phrases and the
        look-ahead for "not great" stop at breaks, so each such clause is read on its own; notes
        repeat clauses ("reliable and keen", "no driving licence"), so each is read once.
        """
        tokens = self.normalise(text) if isinstance(text, str) else text
        mentions: list[Mention] = []
        start, count = 0, len(tokens)
        while start < count:
            stop = start
            while True:  # the end of this clause: a break not followed by a continuation word
                try:
                    stop = tokens.index(CLAUSE_BREAK, stop, count)
                except ValueError:
                    stop = count
                    break
                if stop + 1 == count or tokens[stop + 1] not in CONTINUATION_WORDS:
                    break
                stop += 1
            if stop > start:
                clause = tuple(tokens[start:stop])
                found = self._clauses.get(clause)
                if found is None:
                    if len(self._clauses) > 100_000:  # bounded memory
                        self._clauses.clear()
                    found = self._clauses[clause] = tuple(self.find_in_clause(list(clause)))
                mentions += [
                    _new_mention(Mention, (label, begin + start, end + start, *flags))
                    for label, begin, end, *flags in found
                ]
            start = stop + 1
        return mentions

    def find_in_clause(self, tokens: list[str]) -> list[Mention]:
        """``find`` on one clause (a scope: up to a break no continuation word follows), not
        cached; positions from its start.

        Read a segment (the tokens between breaks) at a time with ``scan_segment``: phrases and
        the look-ahead for "not great" never cross a break, and a break only ends the negation
        scope (a clause break also the goal scope) unless a continuation word follows it.
        """
        mentions: list[Mention] = []
        state = NO_SCOPE
        start, count = 0, len(tokens)
        while start <= count:
            stop = start
            while stop < count and tokens[stop] not in BREAKS:
                stop += 1
            if stop > start:
                found, state = self.scan_segment(tuple(tokens[start:stop]), state)
                mentions += [
                    _new_mention(Mention, (label, begin + start, end + start, *flags))
                    for label, begin, end, *flags in found
                ]
            if stop == count:
                break
            following = tokens[stop + 1] if stop + 1 < count else ""
            state = after_break(state, stop - start, tokens[stop], following)
            start = stop + 1
        return mentions

    def scan_segment(
        self, tokens: tuple[str, ...], state: Scope = NO_SCOPE
    ) -> tuple[tuple[Mention, ...], Scope]:
        """Mentions in tokens that hold no break, with the scope carried in from before them
        (``Scope``, relative to the first token), and the scope carried out (relative to the
        same token): what ``find_in_clause`` reads between two breaks."""
        negation_until, averse, goal_until = state
        mentions: list[Mention] = []
        count = len(tokens)
        trie = self._trie
        after_mention = 0  # tokens inside a found phrase are not read again
        # Other tokens change nothing, so only these positions are visited.
        for position in compress(range(count), map(self._notable.__contains__, tokens)):
            if position < after_mention:
                continue
            token = tokens[position]
            if token in NEGATION_CUES:
                negation_until = position + 1 + NEGATION_REACH
                averse = token in AVERSION_CUES
            if token in _GOAL_FIRST_WORDS and (
                (token,) in GOAL_CUES
                or (position + 1 < count and (token, tokens[position + 1]) in GOAL_CUES)
            ):
                goal_until = position + 1 + GOAL_REACH
            label, end, node, walk = None, position, trie, position
            while walk < count:
                node = node.get(tokens[walk])
                if node is None:
                    break
                walk += 1
                if _LABEL in node:
                    label, end = node[_LABEL], walk
            if label is None:
                continue
            poor = _judged_poor(tokens[end : end + 3])
            negated = negation_until > position or poor
            mentions.append(
                _new_mention(
                    Mention,
                    (
                        label,
                        position,
                        end,
                        negated,
                        goal_until > position,
                        negated and (averse or poor),
                    ),
                )
            )
            after_mention = end
        return tuple(mentions), (negation_until, averse, goal_until)

    def implied(self, label: str) -> tuple[str, ...]:
        """Labels that experience of this one usually brings."""
        return self.labels[self.index[label]].implies

    def requirement(self, label: str) -> str:
        """The hard requirement an opportunity states by listing this label ('' if none)."""
        return self.labels[self.index[label]].requirement


def _deletions(word: str, count: int) -> set[str]:
    """The word with up to ``count`` letters deleted (the word itself included)."""
    found = {word}
    layer = {word}
    for _ in range(count):
        layer = {variant[:i] + variant[i + 1 :] for variant in layer for i in range(len(variant))}
        found |= layer
    return found


def _data_file(name: str):
    return resources.files("matching").joinpath("data", name)


def read_vocabulary_csv(text: str) -> list[SkillLabel]:
    """Parse the vocabulary CSV text (label,category,synonyms,implies,requirement,esco_uri)."""
    rows = csv.DictReader(text.splitlines())
    return [
        SkillLabel(
            label=row["label"],
            category=row.get("category", ""),
            synonyms=tuple(s for s in row.get("synonyms", "").split("|") if s),
            implies=tuple(s for s in row.get("implies", "").split("|") if s),
            requirement=row.get("requirement", "") or "",
            esco_uri=row.get("esco_uri", "") or "",
        )
        for row in rows
    ]


@cache
def load_vocabulary() -> Vocabulary:
    """The packaged skills vocabulary, loaded once per process."""
    labels = read_vocabulary_csv(_data_file("skills_vocabulary.csv").read_text(encoding="utf-8"))
    known = gzip.decompress(_data_file("known_words.txt.gz").read_bytes()).decode("utf-8").split()
    return Vocabulary(labels, known_words=known)
