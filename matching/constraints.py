"""Read hard constraints (levels, licence, nights, age, right to work) out of free text.

Profiles and vacancy descriptions state limits in words ("no driving licence", "failed maths",
"can't do nights", "needs a Level 3"). These readers are generic patterns over the normalised
token stream, used only where the structured fields were left empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from matching.model import Level, ShiftPattern
from matching.vocabulary import CLAUSE_BREAK, Mention, split_tokens

_LETTER_GRADES = {"a": 2, "b": 2, "c": 2, "d": 1, "e": 1, "f": 1, "g": 1, "u": 0}
_NUMBER_GRADES = {str(n): (2 if n >= 4 else 1) for n in range(1, 10)}
_GRADE = r"(a\*?|[b-gu]|[1-9])"
_SUBJECT = {
    "english": r"(?:english|english language|language)",
    "maths": r"(?:maths|mathematics|numeracy)",
}
_QUALIFICATION_LEVELS = [
    (r"\b(?:phd|doctorate)\b", 8),
    (r"\b(?:masters?|msc|ma|mba|pgce|postgraduate)\b", 7),
    (r"\b(?:degree|bsc|ba|beng|bachelors?|graduate)\b", 6),
    (r"\bhnd\b|\bfoundation degree\b", 5),
    (r"\bhnc\b|\bcertificate of higher education\b", 4),
    (r"\ba levels?\b|\bt levels?\b|\baccess to (?:higher education|he)\b|\bas levels?\b", 3),
    (r"\bbtec (?:national|extended)\b", 3),
    (
        r"\b(?:nvq|svq|diploma|btec|certificate|award|qualification|apprenticeship)"
        r" level ([1-8])\b",
        None,
    ),
    (r"\b(?:nvq|svq|btec) ([1-8])\b", None),
    (
        r"\blevel ([1-8]) (?:nvq|svq|diploma|btec|certificate|award|qualification"
        r"|apprenticeship|[a-z]+ "
        r"(?:certificate|diploma|award|qualification))\b",
        None,
    ),
]
# Level N certificates that say nothing about general qualification level.
_SHORT_COURSE = re.compile(r"\b(?:food (?:safety|hygiene)|functional skill|esol|first aid|fire)\b")
# A level this close after a short course's name is that course's ("food hygiene level 2").
SHORT_COURSE_LOOK_BACK = 25
_NEEDED = frozenset(("need", "needed", "required", "require", "requires", "must", "essential"))
_NONE_QUALIFICATIONS = re.compile(
    r"\bno (?:formal |uk |other )?(?:qualification|gcse|certificate)\b"
)
_NIGHTS_NO = re.compile(
    r"\b(?:cant|cannot|can not|unable to|wont|no|not|doesnt|dont)"
    r" (?:do |work |doing |working |any )*night"
    r"|\bday(?:time)? (?:shift )?only\b|\bno night\b"  # plurals folded: "days" -> "day"
)
_NIGHTS_YES = re.compile(
    r"\b(?:any shift(?: including night)?|including night|nights? (?:ok|fine|no problem)"
    r"|(?:will|can|happy to|ok with|does|doing|do) (?:do |work |with )?(?:night|any shift))"
)
_PART_TIME = re.compile(
    r"\b(?:want|need|prefer|looking for|only|ideally)\w*(?: \w+){0,3}"
    r" (?:part time|school hour|term time)"
    r"|\b(?:part time|school hour|term time)(?: \w+){0,2} (?:only|ideally|to start|if possible)"
    r"|\b9 3\b"
)
_AGE = re.compile(
    r"(?:^|[|/] )(1[6-9]|[2-7]\d)(?= [|/])"
    r"|\baged? (1[6-9]|[2-7]\d)\b|\b(1[6-9]|[2-7]\d) years? old\b"
)
_MIN_AGE = re.compile(
    r"\b(?:aged?|over|minimum age(?: of)?|at least) (1[6-9]|2[0-5])\b|\b(1[6-9]|2[0-5]) or over\b"
)
_NO_RIGHT_TO_WORK = re.compile(
    r"\bno right to work\b|\basylum seeker\b"
    r"|\bawaiting (?:a |the )?(?:visa|status|decision|home office)"
    r"|\bvisa (?:has )?expired\b|\bnot allowed to work\b"
)
_RIGHT_TO_WORK = re.compile(
    r"\bright to work\b|\bsettled status\b|\bpre settled\b|\bindefinite leave\b|\bilr\b"
    r"|\brefugee status\b"
    r"|\bbritish (?:citizen|passport)\b|\bspouse visa\b|\bskilled worker visa\b|\bworking visa\b"
)


# Cheap substring gates: a pattern is searched only when a word it cannot match without is present.
# A clause names a qualification (NAMES_QUALIFICATION) if it holds one of these or "ba" as a word.
_QUALIFICATION_WORDS = (
    *[
        "gcse",
        "level",
        "nvq",
        "svq",
        "btec",
        "degree",
        "english",
        "math",
        "esol",
        "qualification",
        "functional",
    ],
    *[
        "diploma",
        "certificate",
        "school",
        "bsc",
        "msc",
        "masters",
        "hnc",
        "hnd",
        "phd",
        "graduate",
        "access",
    ],
)
_FUNCTIONAL_LEVEL_1 = re.compile(r"\bfunctional skill\w*(?: \w+)? level 1\b")
_RIGHT_TO_WORK_WORDS = (
    *("right to work", "asylum seeker", "awaiting", "visa", "not allowed to work"),
    *("settled status", "pre settled", "indefinite leave", "ilr", "refugee status", "british"),
)
_BA = re.compile(r"\bba\b")
_PART_TIME_WORDS = ("part time", "school hour", "term time", "9 3")


@dataclass(frozen=True, slots=True)
class PersonConstraints:
    """What a profile says about a person's hard constraints; None where it says nothing."""

    english_level: Level | None = None
    maths_level: Level | None = None
    qualification_level: Level | None = None
    driving_licence: bool | None = None
    right_to_work: bool | None = None
    age: int | None = None
    nights: bool | None = None
    part_time_only: bool | None = None


@dataclass(frozen=True, slots=True)
class OpportunityConstraints:
    """What an opportunity's text says it requires."""

    min_age: int | None = None
    english_maths_level: Level | None = None
    qualification_level: Level | None = None
    driving_licence: bool = False
    shift_pattern: ShiftPattern = ShiftPattern.UNKNOWN


def plain_text(text: str) -> str:
    """The normalised token stream as a string, for the patterns in this module."""
    return " ".join(split_tokens(text))


def _compile_subject(pattern: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"\b{pattern} (?:gcse )?(?:grade )?{_GRADE}\b"),
        re.compile(
            rf"\b(?:failed|fail|no|struggle\w*) (?:gcse )?{pattern}\b"
            rf"|\b{pattern} (?:gcse )?failed\b"
        ),
        re.compile(
            rf"\bgcse (?:in |including )?(?:english and maths|maths and english|{pattern})\b"
        ),
    )


# Compiled once; each is tried only when the words it cannot match without are in the text.
_SUBJECT_PATTERNS = {subject: _compile_subject(pattern) for subject, pattern in _SUBJECT.items()}
_SUBJECT_WORDS = {"english": ("english", "language"), "maths": ("math", "numeracy")}
_GCSE_BOTH = re.compile(r"\bgcse english and maths\b|\bgcse maths and english\b")
_FUNCTIONAL = re.compile(
    r"\bfunctional skill(?: in)?(?: english| maths| english and maths)? level ([12])\b"
)
_ESOL = re.compile(r"\besol\b")
_NO_GCSE_OR_LEFT = re.compile(r"\bno gcse\b|\bleft school at 1[45]\b")
_GCSE = re.compile(r"\bgcse\b")
_NO_GCSE = re.compile(r"\bno gcse\b")
# Words without which each qualification pattern cannot match (a cheap gate, same results).
_QUALIFICATION_GATES = (
    ("phd", "doctorate"),
    ("ma", "msc", "mba", "pgce", "postgraduate"),
    ("degree", "bsc", "ba", "beng", "graduate"),
    ("hnd", "foundation degree"),
    ("hnc", "certificate of higher education"),
    ("level", "access to"),
    ("btec",),
    ("level",),
    ("nvq", "svq", "btec"),
    ("level",),
)
_COMPILED_LEVELS = [
    (re.compile(pattern), level, gate)
    for (pattern, level), gate in zip(_QUALIFICATION_LEVELS, _QUALIFICATION_GATES, strict=True)
]


# Every pattern stated_levels matches with (not the short-course look-back, which only vetoes).
_LEVEL_PATTERNS = (
    *(pattern for patterns in _SUBJECT_PATTERNS.values() for pattern in patterns),
    _GCSE_BOTH,
    _FUNCTIONAL,
    _ESOL,
    _NO_GCSE_OR_LEFT,
    *(pattern for pattern, _, _ in _COMPILED_LEVELS),
    _GCSE,
    _NO_GCSE,
    _NONE_QUALIFICATIONS,
)

# Every match of a _LEVEL_PATTERNS pattern holds one of these words, or "ma" or "ba" as a word.
_LEVEL_WORDS = (
    *("english", "language", "math", "numeracy", "gcse", "functional skill", "esol"),
    *("left school", "phd", "doctorate", "master", "msc", "mba", "pgce", "postgraduate"),
    *("degree", "bsc", "beng", "bachelor", "graduate", "hnd", "hnc", "certificate", "level"),
    *("access to", "btec", "nvq", "svq", "qualification"),
)
_MA_OR_BA = re.compile(r"\b(?:ma|ba)\b")


def _subject_level(text: str, subject: str) -> Level | None:
    """Level of one GCSE subject from grades ("maths 4", "english c"), passes or fails."""
    graded_pattern, failed_pattern, gcse_pattern = _SUBJECT_PATTERNS[subject]
    named = any(word in text for word in _SUBJECT_WORDS[subject])
    gcse = "gcse" in text
    graded = graded_pattern.search(text) if named else None
    if graded:
        grade = graded.group(1).rstrip("*")
        return Level(_LETTER_GRADES.get(grade, _NUMBER_GRADES.get(grade, 2)))
    if named and failed_pattern.search(text):
        return Level.LEVEL_1
    if gcse and gcse_pattern.search(text):
        return Level.LEVEL_2
    if gcse and _GCSE_BOTH.search(text):
        return Level.LEVEL_2
    functional = _FUNCTIONAL.search(text) if "functional skill" in text else None
    if functional:
        return Level(int(functional.group(1)))
    if subject == "english" and "esol" in text and _ESOL.search(text):
        return Level.ENTRY
    if ("gcse" in text or "left school" in text) and _NO_GCSE_OR_LEFT.search(text):
        return Level.ENTRY
    return None


def _qualification_level(text: str, *, gcse_pass: bool) -> Level | None:
    """Highest general qualification level named in the text."""
    found: list[int] = []
    for pattern, level, gate in _COMPILED_LEVELS:
        if not any(word in text for word in gate):
            continue
        for hit in pattern.finditer(text):
            before = text[max(0, hit.start() - SHORT_COURSE_LOOK_BACK) : hit.start()]
            if _SHORT_COURSE.search(before + hit.group(0)):
                continue
            found.append(level if level is not None else int(hit.group(1)))
    gcse = "gcse" in text
    no_gcse = gcse and _NO_GCSE.search(text)
    if gcse and _GCSE.search(text) and not no_gcse:
        found.append(2 if gcse_pass else 1)
    if found:
        return Level(max(found))
    if _NONE_QUALIFICATIONS.search(text) or no_gcse:
        return Level.ENTRY
    return None


def licence_evidence(mentions: Iterable[Mention], requirement_of: dict[str, str]) -> int:
    """What licence and driving mentions say: ``LICENCE_NO`` for a negated licence,
    ``LICENCE_YES`` for any positive one (goals say nothing); bits of a clause's flags."""
    flags = 0
    for mention in mentions:
        if requirement_of.get(mention.label) == "driving_licence" and not mention.goal:
            if mention.negated and mention.label != "driving":
                flags |= LICENCE_NO
            if not mention.negated:
                flags |= LICENCE_YES
    return flags


# What one clause of a profile says, as bits, so each distinct clause is read once.
NIGHTS_NO, NIGHTS_YES, NO_RIGHT_TO_WORK, RIGHT_TO_WORK, PART_TIME = (1 << bit for bit in range(5))
NAMES_QUALIFICATION, FUNCTIONAL_LEVEL_1, ENGLISH_OR_MATHS, AGE_DIGIT = (
    1 << bit for bit in range(5, 9)
)
LICENCE_NO, LICENCE_YES = 1 << 9, 1 << 10
# (pattern, words a match cannot do without, bit): patterns that never cross a clause break,
# because every match holds one of the words and only words and spaces.
_CLAUSE_PATTERNS = (
    (_NIGHTS_NO, ("night", "day"), NIGHTS_NO),
    (_NIGHTS_YES, ("night", "any shift"), NIGHTS_YES),
    (_NO_RIGHT_TO_WORK, _RIGHT_TO_WORK_WORDS, NO_RIGHT_TO_WORK),
    (_RIGHT_TO_WORK, _RIGHT_TO_WORK_WORDS, RIGHT_TO_WORK),
    (_PART_TIME, _PART_TIME_WORDS, PART_TIME),
    (_FUNCTIONAL_LEVEL_1, ("functional skill",), FUNCTIONAL_LEVEL_1),
)


_FLAG_WORDS = frozenset(
    word
    for words in (*(words for _, words, _ in _CLAUSE_PATTERNS), _QUALIFICATION_WORDS)
    for word in words
) | {"english", "maths", "ba", *"1234567"}


def clause_flags(clause: str) -> int:
    """The bits one clause of a profile (``plain_text``, between clause breaks) sets.

    Whole-profile facts are the union over its clauses: the words and patterns involved hold
    no clause break, so each is found in one clause or not at all.
    """
    present = {word for word in _FLAG_WORDS if word in clause}
    if not present:
        return 0
    flags = 0
    for pattern, words, bit in _CLAUSE_PATTERNS:
        if not present.isdisjoint(words) and pattern.search(clause):
            flags |= bit
    if not present.isdisjoint(_QUALIFICATION_WORDS) or (
        "ba" in present and _BA.search(clause) is not None
    ):
        flags |= NAMES_QUALIFICATION
    if "english" in present or "maths" in present:
        flags |= ENGLISH_OR_MATHS
    if not present.isdisjoint("1234567"):
        flags |= AGE_DIGIT
    return flags


def read_person_constraints(
    plain: str, mentions: list[Mention], requirement_of: dict[str, str]
) -> PersonConstraints:
    """Constraints stated in a profile (as ``plain_text``), given its vocabulary mentions."""
    flags = licence_evidence(mentions, requirement_of)
    for clause in plain.split(f" {CLAUSE_BREAK} "):
        flags |= clause_flags(clause)
    return person_constraints(flags, lambda: plain)


Levels = tuple[Level | None, Level | None, Level | None]  # English, maths, qualification


def stated_levels(plain: str) -> Levels:
    """English, maths and highest general qualification levels a profile names."""
    english = _subject_level(plain, "english")
    maths = _subject_level(plain, "maths")
    return english, maths, _qualification_level(plain, gcse_pass=Level.LEVEL_2 in (english, maths))


def looks_back(clause: str) -> bool:
    """Whether ``stated_levels`` reads any of the text before this clause of a profile: only a
    qualification-level match does (``SHORT_COURSE_LOOK_BACK`` characters, for the short-course
    veto), and its patterns never cross a clause break."""
    return any(pattern.search(clause) for pattern, _, _ in _COMPILED_LEVELS)


def names_levels(clause: str) -> bool:
    """Whether ``stated_levels`` finds anything in this clause of a profile.

    Its patterns never cross a clause break, so a profile's levels depend only on the clauses
    where this is true, and on the ``SHORT_COURSE_LOOK_BACK`` characters before each.
    """
    if not any(word in clause for word in _LEVEL_WORDS) and _MA_OR_BA.search(clause) is None:
        return False
    return any(pattern.search(clause) for pattern in _LEVEL_PATTERNS)


def person_constraints(
    flags: int, plain: Callable[[], str], levels: Callable[[], Levels] | None = None
) -> PersonConstraints:
    """A profile's constraints from the union of its clauses' flags; ``plain`` gives the whole
    ``plain_text``, read only when the flags say levels or an age may be stated, and ``levels``
    (by default ``stated_levels`` of it) its levels."""
    english = maths = qualification = None
    if flags & NAMES_QUALIFICATION:
        english, maths, qualification = levels() if levels else stated_levels(plain())
    if flags & FUNCTIONAL_LEVEL_1 and not flags & ENGLISH_OR_MATHS:
        english = english or Level.LEVEL_1
    age_hit = _AGE.search(plain()) if flags & AGE_DIGIT else None
    licence = False if flags & LICENCE_NO else True if flags & LICENCE_YES else None
    nights = False if flags & NIGHTS_NO else True if flags & NIGHTS_YES else None
    right_to_work = False if flags & NO_RIGHT_TO_WORK else True if flags & RIGHT_TO_WORK else None
    return PersonConstraints(
        english_level=english,
        maths_level=maths,
        qualification_level=qualification,
        driving_licence=licence,
        right_to_work=right_to_work,
        age=int(next(g for g in age_hit.groups() if g)) if age_hit else None,
        nights=nights,
        part_time_only=True if flags & PART_TIME else None,
    )


def read_opportunity_constraints(
    text: str,
    *,
    tokens: list[str],
    mentions: list[Mention],
    listed_labels: list[str],
    requirement_of: dict[str, str],
) -> OpportunityConstraints:
    """Requirements stated by listed skills and by "needed"/"required" in the text."""
    plain = plain_text(text)
    requirements = {requirement_of.get(label, "") for label in listed_labels}
    stated = [m for m in mentions if not m.negated and _NEEDED.intersection(_clause(tokens, m))]
    requirements |= {requirement_of.get(m.label, "") for m in stated}
    english_maths = re.search(
        r"\b(?:need|requires?|must have)\w*(?: \w+){0,3} level ([12]) english and maths", plain
    )
    qualification = re.search(
        r"\b(?:need|requires?|must have)\w*(?: \w+){0,3}"
        r" level ([2-7])(?! english)(?: qualification)?",
        plain,
    )
    levels = [int(req.split(":")[1]) for req in requirements if req.startswith("english_maths:")]
    qualification_levels = [
        int(req.split(":")[1]) for req in requirements if req.startswith("qualification:")
    ]
    if english_maths:
        levels.append(int(english_maths.group(1)))
    if qualification:
        qualification_levels.append(int(qualification.group(1)))
    min_age = _MIN_AGE.search(plain)
    return OpportunityConstraints(
        min_age=int(next(g for g in min_age.groups() if g)) if min_age else None,
        english_maths_level=Level(max(levels)) if levels else None,
        qualification_level=Level(max(qualification_levels)) if qualification_levels else None,
        driving_licence="driving_licence" in requirements,
        shift_pattern=_shift_pattern(plain),
    )


def _clause(tokens: list[str], mention: Mention) -> list[str]:
    """The tokens of the clause a mention sits in."""
    start, end = mention.start, mention.end
    while start > 0 and tokens[start - 1] != CLAUSE_BREAK:
        start -= 1
    while end < len(tokens) and tokens[end] != CLAUSE_BREAK:
        end += 1
    return tokens[start:end]


def _shift_pattern(plain: str) -> ShiftPattern:
    """Shift pattern from words such as "nights only", "including nights", "Monday to Friday"."""
    if re.search(r"\b(?:night shift|nights? only|permanent night|night work|overnight)\b", plain):
        return ShiftPattern.NIGHTS
    if re.search(
        r"\b(?:including night|days and night|night and day|24 7|rotating shift)\b", plain
    ):
        return ShiftPattern.SHIFTS_WITH_NIGHTS
    if re.search(r"\bshift\b", plain):
        return ShiftPattern.SHIFTS
    if re.search(r"\b(?:monday to friday|office hour|9 5|daytime|days only)\b", plain):
        return ShiftPattern.DAYS
    return ShiftPattern.UNKNOWN
