"""Exports: no cell a spreadsheet would run as a formula, header row included."""

import csv
import io

import pytest

from pathways.exports import safe_cell, to_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("'=already", "'=already"),
        (-2, -2),
    ],
)
def test_safe_cell_prefixes_only_formula_text(value, written):
    assert safe_cell(value) == written


def test_to_csv_neutralises_header_and_rows_and_writes_none_as_empty():
    text = to_csv(["=Name", "Count"], [["@evil", None], ["Harehills", 3]])
    assert list(csv.reader(io.StringIO(text))) == [
        ["'=Name", "Count"],
        ["'@evil", ""],
        ["Harehills", "3"],
    ]
