"""The command line: output format, and one-line errors with exit status 2."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from matching.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_rank_writes_the_documented_columns(tmp_path):
    out = tmp_path / "ranks.csv"
    status = main(
        [
            "rank",
            "--pathways",
            str(DATA / "pathways.csv"),
            "--people",
            str(DATA / "people.csv"),
            "--top",
            "3",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    with open(out, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [
        "person_id",
        "rank",
        "pathway_id",
        "score",
        "matched_skills",
        "missing_skills",
    ]
    assert len(rows) == 36 * 3
    first = [row for row in rows if row["person_id"] == "D02"]
    assert [row["rank"] for row in first] == ["1", "2", "3"]
    assert first[0]["pathway_id"] == "P19"  # door supervisor with an SIA badge -> Security Officer
    assert "SIA licence" in first[0]["matched_skills"].split(";")
    scores = [float(row["score"]) for row in first]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_extra_columns_are_ignored_and_optional_ones_not_required(tmp_path):
    pathways = tmp_path / "p.csv"
    pathways.write_text(
        "id,title,description,skills,owner\nA,Porter,Moves patients,manual handling;teamwork,x\n"
    )
    people = tmp_path / "d.csv"
    people.write_text("id,postcode,profile,notes\nR1,ZZ1 1ZZ,heavy lifting in a warehouse,y\n")
    out = tmp_path / "o.csv"
    assert (
        main(
            [
                "rank",
                "--pathways",
                str(pathways),
                "--people",
                str(people),
                "--top",
                "5",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_text().splitlines()[1].startswith("R1,1,A,")


@pytest.mark.parametrize(
    ("pathways_text", "message"),
    [
        ("id,title,skills\nA,Porter,lifting\n", "missing required column(s): description"),
        (None, "file not found"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, pathways_text, message):
    pathways = tmp_path / "p.csv"
    if pathways_text is not None:
        pathways.write_text(pathways_text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "matching",
            "rank",
            "--pathways",
            str(pathways),
            "--people",
            str(DATA / "people.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert not (tmp_path / "o.csv").exists()
