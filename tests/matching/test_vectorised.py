"""The fast paths give the same results as straightforward per-item versions on small cases."""

import functools
import itertools
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import process
from rapidfuzz.distance import Indel
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import (
    Availability,
    Level,
    Matcher,
    Opportunity,
    OpportunityKind,
    Person,
    Requirements,
    ShiftPattern,
    haversine_km,
    load_vocabulary,
)
from matching.constraints import clause_flags, names_levels, read_person_constraints
from matching.csv_io import read_people
from matching.eligibility import RULES, ineligible_mask
from matching.geo import distances_from_unit_vectors, unit_vectors
from matching.profiles import ProfileReader, _before, _plain
from matching.vocabulary import (
    AVERSION_CUES,
    BREAKS,
    CLAUSE_BREAK,
    CONTINUATION_WORDS,
    GOAL_CUES,
    GOAL_REACH,
    NEGATION_CUES,
    NEGATION_REACH,
    _fold,
    clause_texts,
    folded_text,
    split_tokens,
)

LEEDS = (53.80, -1.55)
DATA = Path(__file__).parent / "data"


def regex_split_tokens(text):
    """The tokeniser's definition: one regex substitution after another, findall, then folding."""
    text = re.sub(r"\bw/\s*", " with ", text.lower())
    text = re.sub(r"[&+]", " and ", re.sub(r"[\u2019']", "", text))
    text = re.sub(r"[.;:!?\n]|\bbut\b", " | ", text)
    text = re.sub(r"[,()\[\]/]|\s-\s", " / ", text)
    text = re.sub(r"\b(?:l|lvl|lev)\s?([1-8])\b", r"level \1", text)
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    return [token for raw in re.findall(r"[a-z0-9]+|[|/]", text) for token in _fold(raw)]


@pytest.mark.parametrize(
    "text",
    [
        "Cleaner w/ 5 yrs exp, NVQ3 & L2 food safety; can't do nights - but keen!",
        "a -,b | c|d",
        "x - - y (z)[w]/v",
        "café-bar but ébut; K\u212a 12th a1b2",
        "tills\u2019s + mum's nans",
    ],
)
def test_tokeniser_matches_its_regex_definition(text):
    assert split_tokens(text) == regex_split_tokens(text)


def test_tokeniser_on_random_text_matches_its_regex_definition():
    rng = random.Random(7)
    characters = "abc l123 -,.|/&+'w\u2019\n()é!?:;but"
    for _ in range(2000):
        text = "".join(rng.choice(characters) for _ in range(rng.randint(0, 30)))
        assert split_tokens(text) == regex_split_tokens(text), text


def test_phrase_matcher_takes_the_longest_phrase_and_keeps_scope():
    vocabulary = load_vocabulary()
    mentions = vocabulary.find("no food hygiene cert. wants to do mental health first aid")
    assert [(m.label, m.negated, m.goal) for m in mentions] == [
        ("food hygiene", True, False),
        ("mental health first aid", False, True),
    ]


def test_reading_clause_by_clause_equals_one_pass_over_the_text():
    vocabulary = load_vocabulary()
    texts = [
        "reading and writing not great. no licence, maybe forklift. wants nursing",
        "can't stand cleaning | or cooking. tills",
        "no gcse / reading not great | maybe HCA. wants to do care but no driving",
        "hates cleaning. cleaning. hates cleaning",
    ]
    rng = random.Random(5)
    words = ["no", "not", "great", "|", "/", "want", "to", "maybe", "or", "cleaning", "tills"]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(0, 20))) for _ in range(500)]
    for text in texts:
        tokens = vocabulary.normalise(text)
        assert vocabulary.find(tokens) == vocabulary.find_in_clause(tokens), text
        assert vocabulary.find(tokens) == vocabulary.find(tokens)  # second read from the cache


@pytest.mark.parametrize("spread", [0.1, 3.0, 40.0])
def test_distance_matrix_matches_haversine(spread):
    rng = np.random.default_rng(3)
    lat_a, lon_a = LEEDS[0] + rng.uniform(-spread, spread, (2, 40))
    lat_b, lon_b = LEEDS[0] + rng.uniform(-spread, spread, (2, 60))
    lat_a[0] = np.nan
    distances = distances_from_unit_vectors(unit_vectors(lat_a, lon_a), unit_vectors(lat_b, lon_b))
    expected = haversine_km(lat_a[:, None], lon_a[:, None], lat_b[None, :], lon_b[None, :])
    assert np.isnan(distances[0]).all()
    np.testing.assert_allclose(distances[1:], expected[1:], rtol=1e-5, atol=1e-4)
    same = unit_vectors([LEEDS[0]], [LEEDS[1]])
    assert distances_from_unit_vectors(same, same)[0, 0] == 0.0


def test_eligibility_mask_equals_every_rule_on_every_pair(dev_matcher):
    people = [
        Person(id="a", profile="no driving licence, can't do nights, failed maths", age=17),
        Person(id="b", profile="part-time only", qualification_level=Level.LEVEL_1),
        Person(id="c", profile="", max_travel_km=2.0, lat=LEEDS[0], lon=LEEDS[1]),
        Person(id="d", profile="asylum seeker, GCSE English 4", in_priority_area=True),
    ] * 3
    block = dev_matcher._people_block(people)
    distance_km = distances_from_unit_vectors(block.side.units, dev_matcher._opportunity_units)
    columns = dev_matcher._opportunity_columns
    with np.errstate(invalid="ignore"):
        expected = np.zeros(distance_km.shape, dtype=bool)
        for rule in RULES:
            expected |= rule.fails(block.columns, columns, distance_km)
    mask = ineligible_mask(block.columns, columns, distance_km)
    assert mask.any()
    np.testing.assert_array_equal(mask, expected)


def test_text_counts_equal_the_fitted_vectoriser(dev_matcher):
    people = read_people(DATA / "people.csv")
    vocabulary = dev_matcher.vocabulary
    opportunity_texts = [
        " ".join(
            t
            for t in [
                *vocabulary.normalise(o.title),
                "|",
                *vocabulary.normalise(o.description),
                *dev_matcher._skill_tokens(o.skills),
            ]
            if t not in BREAKS
        )
        for o in dev_matcher.opportunities
    ]
    vectoriser = TfidfVectorizer(
        token_pattern=r"[a-z][a-z0-9]*",
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float32,
    ).fit(opportunity_texts)
    texts = [
        " ".join(t for t in vocabulary.normalise(p.profile) if t not in BREAKS) for p in people
    ]
    expected = vectoriser.transform(texts)
    assert (dev_matcher._people_block(people).side.text != expected).nnz == 0


def test_clause_restricted_patterns_read_the_same_constraints():
    vocabulary = load_vocabulary()
    requirement_of = {skill.label: skill.requirement for skill in vocabulary.labels}
    cases = {
        "can't do nights. part-time only": (False, True),
        "nights ok, want part time to start": (True, True),
        "happy to work nights but term time only": (True, True),
        "any shift. term time if possible": (True, True),
        "part time. nights": (None, None),
    }
    for text, (nights, part_time) in cases.items():
        raw = split_tokens(text)
        stated = read_person_constraints(" ".join(raw), vocabulary.find(raw), requirement_of)
        assert (stated.nights, stated.part_time_only) == (nights, part_time), text


def straightforward_ranking(matcher, person):
    """Score every pair one at a time with plain floats, then sort: eligible first, best first."""
    block = matcher._people_block([person])
    weights = matcher.weights
    total_weight = weights.coverage + weights.interest + weights.text
    held = dict(
        zip(block.side.labels.indices.tolist(), block.side.labels.data.tolist(), strict=True)
    )
    interests = block.interests.indices.tolist()
    aversions = block.aversions.indices.tolist()
    text = dict(zip(block.side.text.indices.tolist(), block.side.text.data.tolist(), strict=True))
    idf = matcher._idf.astype(float)
    ranked = []
    for target, opportunity in enumerate(matcher.opportunities):
        row = matcher._opportunity_labels.getrow(target)
        weighted = {i: w * idf[i] for i, w in zip(row.indices, row.data, strict=True)}
        mass = sum(weighted.values()) or 1.0
        coverage = sum(held.get(i, 0.0) * w for i, w in weighted.items()) / mass
        interest = 0.0
        if interests:
            met = sum(weighted.get(i, 0.0) for i in interests)
            interest = min(met / sum(idf[i] for i in interests), 1.0)
        aversion = min(sum(weighted.get(i, 0.0) for i in aversions) / mass, 1.0)
        column = matcher._opportunity_text_t[:, [target]].toarray().ravel()
        cosine = sum(value * float(column[feature]) for feature, value in text.items())
        blend = weights.coverage * coverage + weights.interest * interest + weights.text * cosine
        skills = min(max(blend / total_weight * (1 - weights.aversion * aversion), 0.0), 1.0)
        distance_km = (
            haversine_km(person.lat, person.lon, opportunity.lat, opportunity.lon)
            if None not in (person.lat, opportunity.lat)
            else math.nan
        )
        travel = person.max_travel_km or weights.reference_travel_km
        factor = 1 - (1 - weights.distance_floor) * min(distance_km / travel, 1.0)
        priority = weights.priority_bonus * (opportunity.ring_fenced and person.in_priority_area)
        score = min(skills * (1.0 if math.isnan(factor) else factor) + priority, 1.0)
        ineligible = ineligible_mask(
            block.columns,
            matcher._opportunity_columns.take(np.asarray([target])),
            np.asarray([[distance_km]]),
        )[0, 0]
        ranked.append((not ineligible, score, opportunity.id))
    ranked.sort(key=lambda item: (not item[0], -item[1]))
    return ranked


def small_catalogue(rng):
    labels = [skill.label for skill in load_vocabulary().labels]
    kinds = list(OpportunityKind)
    return [
        Opportunity(
            id=f"O{index}",
            title=f"{labels[index * 7 % len(labels)].capitalize()} role",
            kind=kinds[index % len(kinds)],
            description=f"Needs {rng.choice(labels)}; training in {rng.choice(labels)} given.",
            skills=tuple(rng.sample(labels, 4)),
            requirements=Requirements(
                min_age=rng.choice([None, 18]),
                driving_licence=index % 9 == 0,
                shift_pattern=rng.choice(list(ShiftPattern)),
                part_time_available=rng.choice([None, False]),
            ),
            lat=None if index % 11 == 0 else LEEDS[0] + rng.uniform(-0.1, 0.1),
            lon=None if index % 11 == 0 else LEEDS[1] + rng.uniform(-0.15, 0.15),
            ring_fenced=index % 7 == 0,
        )
        for index in range(60)
    ]


def test_vectorised_ranking_equals_the_straightforward_one():
    rng = random.Random(11)
    matcher = Matcher(small_catalogue(rng))
    vocabulary = load_vocabulary()
    people = [
        Person(
            id=f"P{index}",
            profile=". ".join(
                [
                    ", ".join(
                        rng.choice((s.label, *s.synonyms)) for s in rng.sample(vocabulary.labels, 4)
                    ),
                    rng.choice(
                        ["wants to get into nursing", "can't stand cleaning", "no licence", ""]
                    ),
                    rng.choice(["can't do nights", "part-time only", "aged 17", ""]),
                ]
            ),
            availability=Availability(),
            lat=None if index % 5 == 0 else LEEDS[0] + rng.uniform(-0.1, 0.1),
            lon=None if index % 5 == 0 else LEEDS[1] + rng.uniform(-0.1, 0.1),
            in_priority_area=index % 3 == 0,
            max_travel_km=rng.choice([None, 4.0, 12.0]),
        )
        for index in range(25)
    ]
    for person, matches in matcher.rank_many(people, top=None, chunk_size=7):
        expected = straightforward_ranking(matcher, person)
        got = [(m.eligible, m.score, m.opportunity_id) for m in matches]
        assert [eligible for eligible, _, _ in got] == [eligible for eligible, _, _ in expected]
        assert [score for _, score, _ in got] == pytest.approx(
            [score for _, score, _ in expected], abs=1e-4
        )
        # Same order wherever scores differ by more than float32 rounding.
        expected_position = {identifier: rank for rank, (_, _, identifier) in enumerate(expected)}
        for (_, first, a), (_, second, b) in itertools.pairwise(got):
            if abs(first - second) > 1e-4:
                assert expected_position[a] < expected_position[b], person.id


def random_texts(rng, count):
    """Word soups over negations, goals, continuation words, constraints and levels."""
    words = [
        "no",
        "not",
        "cant",
        "hates",
        "maybe",
        "or",
        "want",
        "to",
        "get",
        "into",
        "|",
        "/",
        ".",
        ",",
        ";",
        "-",
        "but",
        "nights",
        "days",
        "only",
        "any",
        "shift",
        "part",
        "time",
        "only",
        "right",
        "to",
        "work",
        "asylum",
        "seeker",
        "settled",
        "status",
        "gcse",
        "english",
        "maths",
        "c",
        "4",
        "failed",
        "level",
        "2",
        "3",
        "nvq",
        "food",
        "hygiene",
        "certificate",
        "degree",
        "ma",
        "ba",
        "functional",
        "skills",
        "esol",
        "aged",
        "17",
        "driving",
        "licence",
        "provisional",
        "cleaning",
        "tills",
        "forklift",
        "clening",
        "warehous",
        "HCA",
        "care",
        "nan",
    ]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def test_clause_texts_fold_to_the_tokens_of_the_whole_text():
    rng = random.Random(9)
    characters = "abc l123 -,.|/&+'w\u2019\n()é!?:;but"
    texts = random_texts(rng, 500) + [
        "".join(rng.choice(characters) for _ in range(rng.randint(0, 30))) for _ in range(2000)
    ]
    for text in texts:
        tokens = []
        for position, clause in enumerate(clause_texts(text)):
            tokens += ["|"] * (position > 0) + folded_text(clause).split()
        assert tokens == split_tokens(text), text


def test_reading_a_profile_by_clause_equals_reading_the_whole_text():
    vocabulary = load_vocabulary()
    requirement_of = {skill.label: skill.requirement for skill in vocabulary.labels}
    reader = ProfileReader(vocabulary, {}, requirement_of)
    rng = random.Random(4)
    fragments = [
        *("food hygiene", "level 2 certificate", "nvq 3", "campfire", "gcse english c", "17"),
        *("failed maths", "no gcse", "ma", "karma", "btec national", "language c", "aged 19"),
        *("no formal qualifications", "maybe forklift", "or tills", "wants nursing", "hates HCA"),
    ]
    texts = random_texts(rng, 3000) + [
        ". ".join(rng.choice(fragments) for _ in range(rng.randint(1, 6))) for _ in range(3000)
    ]
    for text in texts:
        tokens = vocabulary.normalise(text)
        mentions = vocabulary.find(tokens)
        profile = reader.read(text)
        assert profile.constraints == read_person_constraints(
            " ".join(split_tokens(text)), mentions, requirement_of
        ), text
        index = vocabulary.index
        assert profile.held == [index[m.label] for m in mentions if not m.negated and not m.goal]
        assert profile.interests == [index[m.label] for m in mentions if m.goal and not m.negated]
        assert profile.aversions == [index[m.label] for m in mentions if m.averse]
        assert [t for clause in profile.tokens for t in clause] == [t for t in tokens if t != "|"]


def test_typo_correction_equals_rapidfuzz_over_every_word():
    vocabulary = load_vocabulary()
    rng = random.Random(6)
    words = vocabulary._phrase_words
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(3000):
        word = rng.choice(words)
        for _ in range(rng.randint(1, 3)):
            cut = rng.randrange(len(word) + 1)
            word = (
                word[:cut] + word[cut + 1 :]
                if rng.random() < 0.5
                else word[:cut] + rng.choice(letters) + word[cut:]
            )
        if len(word) < 5 or word in vocabulary._known:
            continue
        allowed = 1 if len(word) < 8 else 2
        best = process.extractOne(word, words, scorer=Indel.distance, score_cutoff=allowed)
        assert vocabulary._closest(word, allowed) == (best[0] if best else None), word


@functools.cache
def phrases_by_first_token(vocabulary):
    """Every phrase of the vocabulary as tokens, by first token, longest first."""
    phrases = sorted(
        (
            (tuple(t for t in vocabulary.normalise(phrase) if t not in BREAKS), skill.label)
            for skill in vocabulary.labels
            for phrase in (skill.label, *skill.synonyms)
        ),
        key=lambda item: -len(item[0]),
    )
    by_first = {}
    for phrase, label in phrases:
        if phrase:
            by_first.setdefault(phrase[0], []).append((phrase, label))
    return by_first


def one_pass_find_in_clause(vocabulary, tokens):
    """The phrase matcher's definition: one pass over the tokens, scopes opened by cues and
    closed by breaks, the longest phrase at each position."""
    by_first = phrases_by_first_token(vocabulary)
    found = []
    negation_until = goal_until = -1
    averse = False
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in BREAKS:
            if (
                tokens[position + 1] if position + 1 < len(tokens) else ""
            ) not in CONTINUATION_WORDS:
                negation_until = -1
                if token == CLAUSE_BREAK:
                    goal_until = -1
            position += 1
            continue
        if token in NEGATION_CUES:
            negation_until, averse = position + 1 + NEGATION_REACH, token in AVERSION_CUES
        if (token,) in GOAL_CUES or tuple(tokens[position : position + 2]) in GOAL_CUES:
            goal_until = position + 1 + GOAL_REACH
        match = next(
            (
                (phrase, label)
                for phrase, label in by_first.get(token, ())
                if tuple(tokens[position : position + len(phrase)]) == phrase
            ),
            None,
        )
        if match is None:
            position += 1
            continue
        end = position + len(match[0])
        after = tokens[end : end + 3]
        poor = after[:1] in (["poor"], ["weak"], ["bad"], ["rubbish"]) or (
            after[:1] == ["not"] and len(after) > 1 and after[1] in ("great", "good", "strong")
        )
        negated = negation_until > position or poor
        found.append(
            (match[1], position, end, negated, goal_until > position, negated and (averse or poor))
        )
        position = end
    return found


def test_segment_by_segment_reading_equals_one_pass_over_the_clause():
    vocabulary = load_vocabulary()
    rng = random.Random(12)
    words = [
        *("no", "not", "great", "poor", "hate", "never", "cant", "failed", "|", "/", "/"),
        *("want", "to", "get", "into", "keen", "on", "maybe", "or", "especially", "cleaning"),
        *("tills", "forklift", "driving", "licence", "care", "good", "with", "people", "nursing"),
    ]
    cases = [[rng.choice(words) for _ in range(rng.randint(0, 40))] for _ in range(3000)]
    cases += [
        vocabulary.normalise(text)
        for text in (
            "no licence, maybe forklift, or tills / reading not great",
            "wants to get into care, cleaning, tills, nursing, forklift, driving",
            "hates cleaning / especially tills, no nights | maybe HCA",
        )
    ]
    for tokens in cases:
        expected = one_pass_find_in_clause(vocabulary, tokens)
        assert [tuple(m) for m in vocabulary.find_in_clause(tokens)] == expected, tokens


def test_reading_a_clause_by_phrase_equals_reading_it_whole():
    vocabulary = load_vocabulary()
    requirement_of = {skill.label: skill.requirement for skill in vocabulary.labels}
    matcher_features = {"cleaning": 0, "tills": 1, "cleaning tills": 2, "care": 3, "tills care": 4}
    reader = ProfileReader(vocabulary, matcher_features, requirement_of)
    rng = random.Random(13)
    fragments = [
        *("did cleaning", "tills", "clening", "no driving licence", "maybe forklift", "or care"),
        *("gcse english c", "wants to do care", "not great", "food hygiene level 2", ""),
        *("hates tills", "nights ok", "17", "especially nursing", "my nan"),
    ]
    separators = [", ", " (", ") ", " / ", " - ", ",, "]
    texts = [
        "".join(rng.choice(fragments) + rng.choice(separators) for _ in range(rng.randint(1, 7)))
        for _ in range(3000)
    ]
    for text in texts:
        for clause_text in clause_texts(text):
            clause = reader._read_clause(clause_text)
            plain = folded_text(clause_text)
            tokens = tuple(vocabulary.normalise(plain.split()))
            words = [token for token in tokens if token.isalpha()]
            assert clause.plain == plain, text
            assert clause.tokens == tokens, text
            assert clause.said == reader._mentions(list(tokens)), text
            assert clause.flags == clause_flags(plain), text
            assert clause.names == names_levels(plain), text
            assert sorted(clause.features) == sorted(reader.features(words)), text
            assert (clause.first_word, clause.last_word) == (
                (words[0], words[-1]) if words else (None, None)
            ), text


def test_text_before_a_clause_equals_a_slice_of_the_whole_profile():
    vocabulary = load_vocabulary()
    reader = ProfileReader(vocabulary, {}, {})
    rng = random.Random(14)
    fragments = ["food hygiene", "level 2", "", "a very long clause about cleaning offices", "ok"]
    for _ in range(2000):
        text = ". ".join(rng.choice(fragments) for _ in range(rng.randint(1, 6)))
        clauses = reader._read_clauses(clause_texts(text))
        plain, starts = _plain(clauses)
        for position, clause in enumerate(clauses):
            if clause.plain:  # only clauses with text can name a level
                expected = plain[max(0, starts[position] - 25) : starts[position]]
                assert _before(clauses, position) == expected, text


@pytest.mark.parametrize("rows", [1, 7, 128, 5000])
def test_distances_filled_in_blocks_equal_one_block(rows):
    rng = np.random.default_rng(8)
    for spread in (0.1, 40.0):
        lat_a, lon_a = LEEDS[0] + rng.uniform(-spread, spread, (2, 300))
        lat_a[5] = np.nan
        units_a = unit_vectors(lat_a, lon_a)
        units_b = unit_vectors(*(LEEDS[0] + rng.uniform(-spread, spread, (2, 90))))
        with np.errstate(invalid="ignore"):
            whole = distances_from_unit_vectors(units_a, units_b, rows=len(units_a))
            blocked = distances_from_unit_vectors(units_a, units_b, rows=rows)
        np.testing.assert_array_equal(blocked, whole)
