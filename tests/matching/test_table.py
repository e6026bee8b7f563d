"""The columnar result: the same matches as the object API, explanations as text, fast CSV."""

import csv
import io
import os
import pickle
import random
from pathlib import Path

import numpy as np
import pytest

from matching import Availability, Matcher, Person
from matching.cli import main
from matching.csv_io import EXPLAIN_COLUMNS, RANK_COLUMNS, csv_field, read_people, write_ranks
from matching.geo import load_postcodes
from matching.table import MatchTable, ReasonsOnDemand, _numbers
from tests.matching.test_matcher import LEEDS_STATION, ST_JAMES, catalogue
from tests.matching.test_vectorised import small_catalogue

DATA = Path(__file__).parent / "data"


def people(count=40, seed=3):
    rng = random.Random(seed)
    notes = [
        "care worker, washing and dressing, no driving licence",
        "warehouse, heavy lifting, can't do nights",
        "cleaner in a school, COSHH, wants to get into nursing",
        "tills and customer service. aged 17",
        "drives for a living, first aid, hates cleaning",
        "",
    ]
    return [
        Person(
            id=f"P{index},{index}" if index % 9 == 0 else f"P{index}",  # a comma to be quoted
            profile=". ".join(rng.sample(notes, 2)),
            availability=Availability(),
            lat=None if index % 4 == 0 else ST_JAMES[0] + rng.uniform(-0.1, 0.1),
            lon=None if index % 4 == 0 else LEEDS_STATION[1] + rng.uniform(-0.1, 0.1),
            in_priority_area=index % 3 == 0,
            max_travel_km=rng.choice([None, 3.0, 20.0]),
        )
        for index in range(count)
    ]


def row_text(match):
    """What text_columns(explain=True) should say about a Match."""
    components, bridging = match.components, match.bridging
    return {
        "person_id": match.person_id,
        "rank": str(match.rank),
        "opportunity_id": match.opportunity_id,
        "score": f"{match.score:.4f}",
        "matched_skills": ";".join(match.matched_skills),
        "missing_skills": ";".join(match.missing_skills),
        "title": match.title,
        "eligible": "yes" if match.eligible else "no",
        "skills_score": f"{components.skills:.4f}",
        "distance_score": "" if components.distance is None else f"{components.distance:.4f}",
        "priority": f"{components.priority:.4f}",
        "distance_km": "" if match.distance_km is None else f"{match.distance_km:.2f}",
        "reasons": " | ".join(match.reasons),
        "bridging": bridging.title if bridging else "",
        "bridging_id": (bridging.opportunity_id or "") if bridging else "",
        "bridging_teaches": ";".join(bridging.teaches) if bridging else "",
    }


@pytest.mark.parametrize("make", [catalogue, lambda: small_catalogue(random.Random(11))])
def test_table_rows_are_the_matches_of_rank_many(make):
    matcher = Matcher(make())
    group = people()
    table = matcher.rank_table(group, top=6, chunk_size=7)
    expected = [match for _, matches in matcher.rank_many(group, top=6) for match in matches]
    assert table.matches() == expected
    assert [m for ms in table.by_person() for m in ms] == expected
    assert table.ranked_ids() == [
        [m.opportunity_id for m in ms] for _, ms in matcher.rank_many(group, top=6)
    ]
    assert not table.eligible.all() and (table.bridging >= 0).any()  # the cases are exercised
    columns = table.text_columns(explain=True)
    assert list(columns) == [
        "person_id",
        "rank",
        "opportunity_id",
        *RANK_COLUMNS[3:],
        *EXPLAIN_COLUMNS,
    ]
    for row, match in enumerate(expected):
        assert {name: values[row] for name, values in columns.items()} == row_text(match)
        assert table.match(row) == match
        assert table.bridging_step(row) == match.bridging
        assert table.reasons(row) == match.reasons


def test_an_employer_route_is_the_bridging_step_in_the_text_too():
    matcher = Matcher(small_catalogue(random.Random(2)))
    routed = [
        o if index % 2 else type(o)(**{**{f: getattr(o, f) for f in o.__slots__}, "bridging": "x"})
        for index, o in enumerate(matcher.opportunities)
    ]
    table = Matcher(routed).rank_table(people(), top=5)
    columns = table.text_columns(explain=True)
    rows = [row for row, bridging in enumerate(columns["bridging"]) if bridging == "x"]
    assert rows
    for row in rows:
        assert columns["bridging_teaches"][row] == columns["missing_skills"][row]
        assert columns["bridging_id"][row] == ""


def test_no_people_give_an_empty_table(dev_matcher):
    table = dev_matcher.rank_table([])
    assert len(table) == 0 and table.by_person() == []
    assert all(values == [] for values in table.text_columns(explain=True).values())


def test_chunks_concatenate_and_forked_workers_agree(dev_matcher):
    group = read_people(DATA / "people.csv")
    whole = dev_matcher.rank_table(group, top=4, chunk_size=100)
    chunked = dev_matcher.rank_table(group, top=4, chunk_size=5)
    forked = dev_matcher.rank_table(group, top=4, chunk_size=5, workers=2)
    assert chunked.matches() == whole.matches() == forked.matches()
    assert MatchTable.concatenate([whole]) is whole


def test_forked_workers_write_the_same_file(tmp_path, dev_matcher):
    group = read_people(DATA / "people.csv")
    written = {}
    for workers in (1, 2):
        path = tmp_path / f"ranks-{workers}.csv"
        rows = write_ranks(
            path, dev_matcher, group, top=4, explain=True, workers=workers, chunk_size=5
        )
        assert rows == len(group) * 4
        written[workers] = path.read_bytes()
    assert written[2] == written[1]
    assert written[1].count(b"\r\n") == len(group) * 4 + 1  # and the header


def test_map_tables_runs_the_function_in_the_workers(dev_matcher):
    group = read_people(DATA / "people.csv")
    serial = list(dev_matcher.map_tables(group, _rows_and_process, top=2, chunk_size=5))
    forked = list(dev_matcher.map_tables(group, _rows_and_process, top=2, chunk_size=5, workers=2))
    assert [rows for rows, _ in forked] == [rows for rows, _ in serial] == [10] * 7 + [2]
    assert {process for _, process in serial} == {os.getpid()}
    assert os.getpid() not in {process for _, process in forked}


def _rows_and_process(table: MatchTable) -> tuple[int, int]:
    return len(table), os.getpid()


def test_numbers_are_formatted_as_python_formats_them():
    values = np.asarray(
        [0.0, 1.0, 0.1, 0.2782, 0.99995, 1e-4, np.nan, 0.5, 123.45, 12345.67, -0.0, 0.123456]
    )
    assert _numbers(values, 4) == [
        "" if np.isnan(value) else f"{value:.4f}" for value in values.tolist()
    ]
    assert _numbers(values, 2) == [
        "" if np.isnan(value) else f"{value:.2f}" for value in values.tolist()
    ]


def test_csv_fields_are_quoted_as_csv_writer_quotes_them():
    texts = ["plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "", " spaced ", "semi;colon"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(texts)
    assert buffer.getvalue() == ",".join(map(csv_field, texts)) + "\r\n"


def test_command_line_writes_what_csv_writer_writes_from_the_matches(tmp_path, dev_matcher):
    out, explained = tmp_path / "ranks.csv", tmp_path / "explained.csv"
    args = ["rank", "--pathways", str(DATA / "pathways.csv"), "--people", str(DATA / "people.csv")]
    assert main([*args, "--top", "4", "--out", str(out)]) == 0
    assert main([*args, "--top", "4", "--explain", "--out", str(explained)]) == 0
    group = read_people(DATA / "people.csv", load_postcodes())
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(RANK_COLUMNS)
    full = []
    for _, matches in dev_matcher.rank_many(group, top=4):
        for match in matches:
            text = list(row_text(match).values())
            writer.writerow(text[:6])
            full.append(text)
    assert out.read_bytes() == buffer.getvalue().encode("utf-8")
    with open(explained, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [list(RANK_COLUMNS + EXPLAIN_COLUMNS), *full]


def test_reasons_are_worded_only_for_rows_read_and_travel_worked_out():
    """A page that shows ten rows of a full ranking words ten rows' reasons, not all of them."""

    worded = []

    def explain(row):
        worded.append(row)
        return (f"reason {row}",)

    reasons = ReasonsOnDemand([2, 5, 9], explain)
    assert len(reasons) == 3 and list(reasons) == [2, 5, 9] and worded == []
    assert reasons.get(5) == ("reason 5",) and reasons.get(4, ()) == ()
    assert reasons[5] == ("reason 5",) and worded == [5]  # worded once, then kept
    travelled = pickle.loads(pickle.dumps(reasons))  # noqa: S301  our own bytes
    assert travelled == {2: ("reason 2",), 5: ("reason 5",), 9: ("reason 9",)}
