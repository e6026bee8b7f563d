"""Hard constraints are read out of free text when structured fields are empty."""

import pytest

from matching import Level, Matcher, Opportunity, OpportunityKind, load_vocabulary
from matching.constraints import (
    looks_back,
    plain_text,
    read_opportunity_constraints,
    read_person_constraints,
)
from matching.model import ShiftPattern


def person(text):
    vocabulary = load_vocabulary()
    requirement_of = {skill.label: skill.requirement for skill in vocabulary.labels}
    return read_person_constraints(plain_text(text), vocabulary.find(text), requirement_of)


def opportunity(text, listed=()):
    vocabulary = load_vocabulary()
    tokens = vocabulary.normalise(text)
    return read_opportunity_constraints(
        text,
        tokens=tokens,
        mentions=vocabulary.find(tokens),
        listed_labels=list(listed),
        requirement_of={skill.label: skill.requirement for skill in vocabulary.labels},
    )


@pytest.mark.parametrize(
    ("text", "licence"),
    [
        ("No driving licence.", False),
        ("Provisional licence only.", False),
        ("Full licence, own car.", True),
        ("Drives her own car on calls.", True),
        ("Wants to learn to drive.", None),
        ("No car, buses fine.", None),
    ],
)
def test_driving_licence(text, licence):
    assert person(text).driving_licence is licence


@pytest.mark.parametrize(
    ("text", "english", "maths"),
    [
        ("GCSE Eng C maths C", Level.LEVEL_2, Level.LEVEL_2),
        ("GCSE maths 4, Eng 3", Level.LEVEL_1, Level.LEVEL_2),
        ("Few GCSEs, failed maths", None, Level.LEVEL_1),
        ("GCSE maths F, Eng D, only functional skills L1", Level.LEVEL_1, Level.LEVEL_1),
        ("ESOL Entry 3", Level.ENTRY, None),
        ("Left school at 15, no GCSEs", Level.ENTRY, Level.ENTRY),
    ],
)
def test_english_and_maths_levels(text, english, maths):
    read = person(text)
    assert (read.english_level, read.maths_level) == (english, maths)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("NVQ 3 Health & Social Care", Level.LEVEL_3),
        ("A levels Biology B Chem C", Level.LEVEL_3),
        ("BSc Nursing from the Philippines", Level.LEVEL_6),
        ("Food Safety L2 through the school", None),
        ("No formal quals", Level.ENTRY),
    ],
)
def test_qualification_level(text, level):
    assert person(text).qualification_level == level


def test_nights_age_and_part_time():
    assert person("Can't do nights at the mo").nights is False
    assert person("will do any shifts incl nights").nights is True
    assert person("21, working in a cafe").age == 21
    assert person("Kids at primary so 9-3 ideally").part_time_only is True
    assert person("part time at McDonald's (front counter)").part_time_only is None


@pytest.mark.parametrize(
    ("text", "nights"),
    [
        ("Days only, school run", False),
        ("day shifts only please", False),
        ("daytime only", False),
        ("worked days at Asda", None),
        ("monday to friday, days", None),
    ],
)
def test_days_only_rules_out_nights(text, nights):
    assert person(text).nights is nights


def test_opportunity_requirements_from_text_and_listed_skills():
    driver = opportunity("Drives patients to hospital; full UK driving licence needed.")
    assert driver.driving_licence
    associate = opportunity(
        "Apprenticeship; needs Level 2 English and maths and usually care experience."
    )
    assert associate.english_maths_level == Level.LEVEL_2
    nurse = opportunity("Degree apprenticeship.", listed=["Level 3 qualification"])
    assert nurse.qualification_level == Level.LEVEL_3
    assert opportunity("Security officer; SIA licence preferred.").driving_licence is False
    assert opportunity("Night shifts only, 18 or over.").shift_pattern is ShiftPattern.NIGHTS
    assert opportunity("Night shifts only, 18 or over.").min_age == 18


def test_only_qualification_matches_look_back_into_the_clause_before():
    assert looks_back("nvq level 3 in care") and looks_back("level 3 diploma")
    assert not looks_back("failed maths") and not looks_back("gcse english grade c")


def test_the_reader_keeps_apart_levels_that_depend_on_the_clause_before():
    """One reader, shared memos: "level 3" after a short course is vetoed, elsewhere it counts,
    and a subject level reads the same whatever comes before it."""
    profiles = [
        "did food hygiene. level 3 diploma",
        "did cleaning. level 3 diploma",
        "did food hygiene. failed maths",
        "did cleaning. failed maths",
    ]
    porter = Opportunity(
        id="p", title="Porter", kind=OpportunityKind.ENTRY_ROLE, skills=("cleaning",)
    )
    matcher = Matcher([porter])
    read = [matcher._reader.read(text).constraints for text in profiles]
    expected = [person(text) for text in profiles]
    assert [c.qualification_level for c in read] == [c.qualification_level for c in expected]
    assert read[0].qualification_level != read[1].qualification_level
    assert read[2].maths_level == read[3].maths_level == Level.LEVEL_1
