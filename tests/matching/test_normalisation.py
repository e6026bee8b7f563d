"""Free text maps onto the shared vocabulary: typos, abbreviations, slang, negation and goals."""

import pytest

from matching import load_vocabulary
from matching.vocabulary import split_tokens


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary()


def positive(vocabulary, text):
    return {m.label for m in vocabulary.find(text) if not m.negated and not m.goal}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("did tills at Poundland", "cash handling"),
        ("worked as HCA on the wards", "healthcare assistant"),
        ("counterbalance FLT cert", "forklift driving"),
        ("looked after my nan for years", "unpaid caring"),
        ("has an SIA badge", "SIA licence"),
        ("office clening 5 yrs", "cleaning"),  # typo
        ("picker at a warehous", "warehouse work"),  # typo
        ("great with older custmers", "customer service"),  # typo
        ("washes & dresses her mum", "personal care"),
        ("did the meds rounds", "medication support"),
        ("Food Safety L2", "food hygiene"),
        ("done the MHFA course", "mental health first aid"),
        ("good at talking people down", "de-escalation"),
    ],
)
def test_everyday_words_reach_the_vocabulary_label(vocabulary, text, label):
    assert label in positive(vocabulary, text)


def test_abbreviations_and_levels_are_expanded():
    assert split_tokens("NVQ3 w/ L2 Eng & maths, thru agency") == [
        "nvq",
        "3",
        "with",
        "level",
        "2",
        "english",
        "and",
        "maths",
        "/",
        "through",
        "agency",
    ]


def test_negated_skills_are_not_credited(vocabulary):
    mentions = {
        m.label: m for m in vocabulary.find("No driving licence. Not good with blood or needles")
    }
    assert mentions["full driving licence"].negated
    assert mentions["venepuncture"].negated and mentions["venepuncture"].averse


def test_lack_of_experience_is_absence_not_aversion(vocabulary):
    [caring] = [
        m for m in vocabulary.find("Hasnt done any caring yet but keen") if m.label == "empathy"
    ]
    assert caring.negated and not caring.averse


def test_aims_are_goals_not_experience(vocabulary):
    [nursing] = vocabulary.find("Wants to get into nursing properly")
    assert nursing.label == "nursing" and nursing.goal and not nursing.negated


def test_correctly_spelt_words_are_not_corrected(vocabulary):
    assert vocabulary.correct("loved") == "loved"
    assert vocabulary.correct("clening") == "cleaning"


def test_canonical_maps_listed_skills_to_labels(vocabulary):
    assert vocabulary.canonical("forklift") == "forklift driving"
    assert vocabulary.canonical("Customer Service") == "customer service"
    assert vocabulary.canonical("quantum chromodynamics") is None


def test_vocabulary_is_sized_and_consistent(vocabulary):
    labels = {skill.label for skill in vocabulary.labels}
    assert 150 <= len(labels) <= 400
    for skill in vocabulary.labels:
        assert skill.synonyms, skill.label
        assert set(skill.implies) <= labels
    assert load_vocabulary() is vocabulary  # loaded once
