"""Skills matching for Pathways: frozen dataclasses in, ranked and explained matches out.

A pure library (no Flask, no database, no project imports)::

    from matching import Matcher, Opportunity, Person, load_vocabulary

    matcher = Matcher(opportunities)                      # build once per catalogue
    matches = matcher.rank(person, top=10)                # best opportunities for one person
    for person, matches in matcher.rank_many(people, top=10):   # many people, chunked
        ...
    shortlist = matcher.shortlist("VAC-12", people, top=20)     # best people for one opportunity
    table = matcher.rank_table(people, top=10)            # the same as columns, for batch work

Each ``Match`` carries ``score`` and its ``components`` (skills, eligibility, distance, priority),
``eligible`` with plain-English ``reasons`` when not, ``matched_skills``, ``missing_skills`` and a
``bridging`` step (a programme from the catalogue that teaches the missing skills). Ineligible
opportunities rank after eligible ones, or are left out with ``include_ineligible=False``.
A ``MatchTable`` holds ranked pairs as numpy columns and puts explanations into words on demand.

``load_vocabulary()`` returns the shared skills vocabulary
(``matching/data/skills_vocabulary.csv``);
its labels are the ones the app's skill picker and catalogue use. See ``matching/README.md``.
"""

from matching.geo import haversine_km, load_postcodes
from matching.matcher import Matcher, PeopleRead, Weights
from matching.model import (
    Availability,
    BridgingStep,
    Level,
    Match,
    Opportunity,
    OpportunityKind,
    Person,
    Requirements,
    ScoreComponents,
    ShiftPattern,
)
from matching.table import MatchTable
from matching.vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "Availability",
    "BridgingStep",
    "Level",
    "Match",
    "MatchTable",
    "Matcher",
    "Opportunity",
    "OpportunityKind",
    "PeopleRead",
    "Person",
    "Requirements",
    "ScoreComponents",
    "ShiftPattern",
    "Vocabulary",
    "Weights",
    "haversine_km",
    "load_postcodes",
    "load_vocabulary",
]
