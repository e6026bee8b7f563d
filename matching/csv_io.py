"""Read pathways and people from CSV and write ranks, for the command line and scripts."""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from pathlib import Path

from matching.geo import PostcodeLookup
from matching.matcher import Matcher
from matching.model import Opportunity, OpportunityKind, Person
from matching.table import MatchTable

PATHWAY_COLUMNS = ("id", "title", "description", "skills")
PEOPLE_COLUMNS = ("id", "postcode", "profile")
RANK_COLUMNS = ("person_id", "rank", "pathway_id", "score", "matched_skills", "missing_skills")
# With --explain: the rest of each match's explanation (see MatchTable.text_columns).
EXPLAIN_COLUMNS = (
    "title",
    "eligible",
    "skills_score",
    "distance_score",
    "priority",
    "distance_km",
    "reasons",
    "bridging",
    "bridging_id",
    "bridging_teaches",
)


class InputError(Exception):
    """A CSV file that cannot be used; the message is one line for whoever ran the command."""


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV file, after checking it can be read and has the required columns."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in required if column not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"{path}: missing required column(s): {', '.join(missing)}")
            return list(reader)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: cannot read CSV ({error})") from None


def _kind(text: str) -> OpportunityKind:
    """Opportunity kind from free text ("entry role", "apprenticeship", "pre-employment course")."""
    lowered = text.lower()
    if "apprentice" in lowered:
        return OpportunityKind.APPRENTICESHIP
    if any(
        word in lowered
        for word in ("course", "programme", "program", "training", "bootcamp", "academy")
    ):
        return OpportunityKind.TRAINING
    if "vacanc" in lowered or lowered == "job":
        return OpportunityKind.VACANCY
    return OpportunityKind.ENTRY_ROLE


def read_pathways(path: Path) -> list[Opportunity]:
    """Pathways from id,title,description,skills (";" between skills); other columns optional."""
    return [
        Opportunity(
            id=row["id"],
            title=row["title"],
            kind=_kind(row.get("kind") or ""),
            description=row["description"] or "",
            skills=tuple(
                skill.strip() for skill in (row["skills"] or "").split(";") if skill.strip()
            ),
            level=row.get("level") or "",
            standard=row.get("standard") or "",
        )
        for row in _rows(path, PATHWAY_COLUMNS)
    ]


def read_people(path: Path, postcodes: PostcodeLookup | None = None) -> list[Person]:
    """People from id,postcode,profile; postcodes become coordinates when a lookup is given."""
    people = []
    for row in _rows(path, PEOPLE_COLUMNS):
        place = postcodes.find(row["postcode"]) if postcodes and row["postcode"] else None
        people.append(
            Person(
                id=row["id"],
                profile=row["profile"] or "",
                lat=place.lat if place else None,
                lon=place.lon if place else None,
                in_priority_area=bool(place and place.priority_area),
            )
        )
    return people


def write_ranks(
    path: Path,
    matcher: Matcher,
    people: Sequence[Person],
    *,
    top: int | None,
    include_ineligible: bool = True,
    explain: bool = False,
    workers: int = 1,
    chunk_size: int = 1000,
) -> int:
    """Rank people and write person_id,rank,pathway_id,score,matched_skills,missing_skills
    (and, with ``explain``, the ``EXPLAIN_COLUMNS``) a chunk at a time; return the row count.

    People are ranked ``chunk_size`` at a time, and each chunk is worded where it was ranked (in
    a forked worker when ``workers`` > 1), so the wording is shared out too and only text comes
    back; the file is the same whatever the workers.
    """
    chunks = matcher.map_tables(
        people,
        functools.partial(ranks_text, explain=explain),
        top=top,
        include_ineligible=include_ineligible,
        chunk_size=chunk_size,
        workers=workers,
    )
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow(RANK_COLUMNS + (EXPLAIN_COLUMNS if explain else ()))
        for rows, text in chunks:
            handle.write(text)
            count += rows
    return count


def ranks_text(table: MatchTable, *, explain: bool = False) -> tuple[int, str]:
    """A table's rows as CSV lines (``write_ranks`` columns), with how many rows there are.

    Rows are joined here rather than by ``csv.writer`` (several times faster on big files);
    every text goes through ``csv_field``, so the bytes are the ones csv.writer writes.
    """
    if not len(table):
        return 0, ""
    columns = table.text_columns(explain=explain, escape=csv_field)
    rows = zip(*columns.values(), strict=True)
    return len(table), "\r\n".join(map(",".join, rows)) + "\r\n"


def csv_field(text: str) -> str:
    """One field as ``csv.writer`` writes it by default: quoted only when it has to be."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
