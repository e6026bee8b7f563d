"""Ranking, eligibility reasons, distance, priority and explanations on small catalogues."""

import math
from pathlib import Path

import pytest

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
)
from matching.csv_io import read_people

ST_JAMES = (53.8069, -1.5209)  # St James's University Hospital
LEEDS_STATION = (53.7950, -1.5474)


def test_haversine_matches_a_known_distance():
    # London (51.5074, -0.1278) to Paris (48.8566, 2.3522) is about 343.5 km.
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=0.5)
    assert haversine_km(*ST_JAMES, *ST_JAMES) == 0.0


def catalogue():
    return [
        Opportunity(
            id="porter",
            title="Hospital Porter",
            description="Moves patients and equipment around the hospital.",
            skills=("manual handling", "customer service", "teamwork"),
            lat=ST_JAMES[0],
            lon=ST_JAMES[1],
        ),
        Opportunity(
            id="driver",
            title="Patient Transport Driver",
            description="Drives patients to appointments.",
            skills=("driving", "customer service", "moving and handling", "first aid"),
            requirements=Requirements(driving_licence=True, min_age=21),
        ),
        Opportunity(
            id="hcsw",
            title="Healthcare Support Worker",
            description="Personal care and observations on a ward.",
            skills=(
                "personal care",
                "patient observations",
                "infection prevention and control",
                "empathy",
            ),
            requirements=Requirements(shift_pattern=ShiftPattern.SHIFTS_WITH_NIGHTS),
        ),
        Opportunity(
            id="st0216",
            title="Healthcare Support Worker Apprenticeship",
            kind=OpportunityKind.APPRENTICESHIP,
            standard="ST0216",
            skills=(
                "personal care",
                "patient observations",
                "infection prevention and control",
                "communication",
            ),
        ),
        Opportunity(
            id="ringfenced",
            title="Domestic Assistant",
            description="Cleans wards.",
            skills=("cleaning", "COSHH", "infection prevention and control"),
            ring_fenced=True,
        ),
    ]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(catalogue())


def test_relevant_opportunity_ranks_first(matcher):
    carer = Person(
        id="c", profile="Care worker in a nursing home 3 yrs, washing and dressing, meds rounds"
    )
    [first, *_] = matcher.rank(carer, top=5)
    assert first.opportunity_id in {"hcsw", "st0216"}
    lifter = Person(
        id="l", profile="Warehouse operative, heavy lifting all day, team player, serving customers"
    )
    assert matcher.rank(lifter, top=1)[0].opportunity_id == "porter"


def test_ineligible_opportunities_rank_last_with_reasons(matcher):
    person = Person(
        id="p",
        profile="Drives, good with older passengers, first aid",
        driving_licence=False,
        age=19,
        availability=Availability(nights=False),
    )
    matches = matcher.rank(person, top=None)
    assert len(matches) == 5
    flags = [m.eligible for m in matches]
    assert flags == sorted(flags, reverse=True)  # every eligible match before every ineligible one
    by_id = {m.opportunity_id: m for m in matches}
    assert by_id["driver"].reasons == (
        "minimum age is 21; they are 19",
        "needs a full driving licence; they do not have one",
    )
    assert by_id["driver"].components.eligibility == 0.0
    assert by_id["hcsw"].reasons == ("involves night shifts; they cannot work nights",)
    assert by_id["ringfenced"].reasons == ("ring-fenced for residents of priority neighbourhoods",)
    assert by_id["porter"].eligible and by_id["porter"].reasons == ()


def test_excluding_ineligible_leaves_them_out(matcher):
    person = Person(id="p", profile="No driving licence", availability=Availability(nights=False))
    ids = {m.opportunity_id for m in matcher.rank(person, top=None, include_ineligible=False)}
    assert ids == {"porter", "st0216"}


def test_text_constraints_apply_when_fields_are_empty(matcher):
    person = Person(id="p", profile="Bus driver 10 yrs. Provisional licence only. Can't do nights.")
    by_id = {m.opportunity_id: m for m in matcher.rank(person, top=None)}
    assert not by_id["driver"].eligible and not by_id["hcsw"].eligible


def test_structured_fields_override_the_profile(matcher):
    person = Person(id="p", profile="No driving licence", driving_licence=True, age=30)
    [driver] = [m for m in matcher.rank(person, top=None) if m.opportunity_id == "driver"]
    assert driver.eligible


def test_qualification_rules_use_levels():
    apprenticeship = Opportunity(
        id="ra",
        title="Registered Nurse Degree Apprenticeship",
        kind=OpportunityKind.APPRENTICESHIP,
        skills=("care experience", "clinical skills"),
        requirements=Requirements(qualification_level=Level.LEVEL_3, english_level=Level.LEVEL_2),
    )
    matcher = Matcher([apprenticeship])
    [match] = matcher.rank(
        Person(id="p", qualification_level=Level.LEVEL_2, english_level=Level.LEVEL_1)
    )
    assert match.reasons == (
        "needs Level 2 English; they have Level 1",
        "needs a Level 3 qualification; their highest is Level 2",
    )


def test_right_to_work_is_a_hard_filter_with_its_reason(matcher):
    without = Person(id="p", profile="porter at Jimmy's, manual handling", right_to_work=False)
    unknown = Person(id="q", profile="porter at Jimmy's, manual handling")
    [ruled_out] = [m for m in matcher.rank(without, top=None) if m.opportunity_id == "porter"]
    [kept] = [m for m in matcher.rank(unknown, top=None) if m.opportunity_id == "porter"]
    assert not ruled_out.eligible
    assert ruled_out.reasons == ("needs the right to work in the UK",)
    assert kept.eligible  # not stated is not ruled out


def test_distance_component_and_travel_limit(matcher):
    near = Person(id="n", profile="porter", lat=ST_JAMES[0], lon=ST_JAMES[1], max_travel_km=1)
    far = Person(
        id="f", profile="porter", lat=LEEDS_STATION[0], lon=LEEDS_STATION[1], max_travel_km=1
    )
    [near_porter] = [m for m in matcher.rank(near, top=None) if m.opportunity_id == "porter"]
    [far_porter] = [m for m in matcher.rank(far, top=None) if m.opportunity_id == "porter"]
    assert near_porter.distance_km == 0.0 and near_porter.components.distance == 1.0
    expected = haversine_km(*LEEDS_STATION, *ST_JAMES)
    assert far_porter.distance_km == pytest.approx(expected, abs=0.01)
    assert not far_porter.eligible
    assert far_porter.reasons == (f"{expected:.1f} km away; they can travel up to 1 km",)
    # Opportunities without a site have no distance component.
    [driver] = [m for m in matcher.rank(near, top=None) if m.opportunity_id == "driver"]
    assert driver.components.distance is None and driver.distance_km is None


def test_priority_area_residents_get_ring_fenced_roles_and_a_bonus(matcher):
    person = Person(id="p", profile="office cleaning, COSHH course", in_priority_area=True)
    [domestic] = [m for m in matcher.rank(person, top=None) if m.opportunity_id == "ringfenced"]
    assert domestic.eligible
    assert domestic.components.priority == pytest.approx(0.1)
    assert domestic.score == pytest.approx(min(domestic.components.skills + 0.1, 1.0), abs=1e-3)


def test_explanation_lists_matched_missing_and_a_bridging_programme(matcher):
    person = Person(
        id="p", profile="Looked after my nan, washing and dressing her. Kind and caring."
    )
    [hcsw] = [m for m in matcher.rank(person, top=None) if m.opportunity_id == "hcsw"]
    assert hcsw.matched_skills == ("personal care", "empathy")
    assert hcsw.missing_skills == ("patient observations", "infection prevention and control")
    assert hcsw.bridging is not None
    assert hcsw.bridging.opportunity_id == "st0216"
    assert set(hcsw.bridging.teaches) == {
        "patient observations",
        "infection prevention and control",
    }


def test_caring_for_family_counts_as_personal_care(matcher):
    """ "looked after my nan" reads as unpaid caring, which brings personal care with it."""
    person = Person(id="p", profile="looked after my nan for years")
    [hcsw] = [m for m in matcher.rank(person, top=None) if m.opportunity_id == "hcsw"]
    assert "personal care" in hcsw.matched_skills
    assert "personal care" not in (hcsw.missing_skills or ())


def test_employer_bridging_route_is_preferred():
    vacancy = Opportunity(
        id="v",
        title="Catering Assistant",
        skills=("food hygiene", "cash handling"),
        bridging="six-week employability course",
    )
    course = Opportunity(
        id="c", title="Food hygiene course", kind=OpportunityKind.TRAINING, skills=("food hygiene",)
    )
    [match] = [
        m
        for m in Matcher([vacancy, course]).rank(Person(id="p", profile="tills"))
        if m.opportunity_id == "v"
    ]
    assert match.matched_skills == ("cash handling",)
    assert match.bridging.title == "six-week employability course"
    assert match.bridging.teaches == ("food hygiene",)


def test_scores_are_bounded_and_ordered(matcher):
    matches = matcher.rank(Person(id="p", profile="HCA on wards, obs, infection control"), top=None)
    scores = [m.score for m in matches if m.eligible]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= m.score <= 1.0 and not math.isnan(m.score) for m in matches)
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))


def test_rank_many_matches_rank_for_each_person(matcher):
    people = [
        Person(id=str(i), profile=text) for i, text in enumerate(["porter", "carer", "cleaner"])
    ]
    batch = {
        person.id: matches for person, matches in matcher.rank_many(people, top=3, chunk_size=2)
    }
    for person in people:
        assert batch[person.id] == matcher.rank(person, top=3)


def test_rank_many_in_worker_processes_gives_the_same_results(dev_matcher):
    dev_people = read_people(Path(__file__).parent / "data" / "people.csv")
    serial = list(dev_matcher.rank_many(dev_people, top=5, chunk_size=10))
    forked = list(dev_matcher.rank_many(dev_people, top=5, chunk_size=10, workers=2))
    assert forked == serial


def test_shortlist_ranks_people_for_one_opportunity(matcher):
    people = [
        Person(id="hca", profile="HCA 2 yrs, personal care, obs, infection control"),
        Person(id="chef", profile="line cook, food safety"),
        Person(
            id="nights",
            profile="carer, washing and dressing",
            availability=Availability(nights=False),
        ),
    ]
    shortlist = matcher.shortlist("hcsw", people, top=5)
    assert [m.person_id for m in shortlist] == ["hca", "chef"]
    assert [m.rank for m in shortlist] == [1, 2]
    with_ineligible = matcher.shortlist("hcsw", people, top=5, include_ineligible=True)
    assert with_ineligible[-1].person_id == "nights" and not with_ineligible[-1].eligible


def test_people_read_once_shortlist_as_if_read_each_time(dev_matcher):
    """A worker reads its pool once and shortlists it for every vacancy; nothing may differ."""
    dev_people = read_people(Path(__file__).parent / "data" / "people.csv")
    read = dev_matcher.read_people(dev_people)
    for opportunity in list(dev_matcher.opportunities)[:8]:
        fresh = dev_matcher.shortlist(opportunity, dev_people, top=10, include_ineligible=True)
        reused = dev_matcher.shortlist(
            opportunity, dev_people, top=10, include_ineligible=True, read=read
        )
        assert reused == fresh and len(fresh) == 10


def test_a_matcher_needs_opportunities():
    with pytest.raises(ValueError, match="at least one"):
        Matcher([])
