"""Reading uploaded CSV files: header variants, encodings, and refusals with line numbers."""

import pytest

from pathways.csv_import import Column, ImportRejected, read_csv, template_csv

COLUMNS = [
    Column("first_name", aliases=("First name", "Forename"), required=True),
    Column("date_of_birth", aliases=("DOB",), required=True),
    Column("postcode", aliases=("Post code",)),
]


def test_header_variants_map_to_column_names_and_unknown_headers_are_reported():
    parsed = read_csv(b"Forename,D.O.B.,Post Code,Shoe size\nAsha,01/02/1990,LS9 7JA,5\n", COLUMNS)
    assert parsed.rows[0].values == {
        "first_name": "Asha",
        "date_of_birth": "01/02/1990",
        "postcode": "LS9 7JA",
    }
    assert parsed.rows[0].line == 2
    assert parsed.ignored_headers == ["Shoe size"]


def test_excel_encodings_are_read():
    bom_utf8 = "\ufefffirst_name,DOB\nZoë,1990-01-01\n".encode()
    windows = "first_name,DOB\nZoë,1990-01-01\n".encode("cp1252")
    assert read_csv(bom_utf8, COLUMNS).rows[0].values["first_name"] == "Zoë"
    assert read_csv(windows, COLUMNS).rows[0].values["first_name"] == "Zoë"


def test_blank_lines_are_skipped_but_line_numbers_stay_true():
    parsed = read_csv("first_name,DOB\n\nAsha,1990-01-01\n,\nBen,1991-01-01\n", COLUMNS)
    assert [row.line for row in parsed.rows] == [3, 5]


def test_short_rows_get_empty_values():
    parsed = read_csv("first_name,DOB,postcode\nAsha,1990-01-01\n", COLUMNS)
    assert parsed.rows[0].values["postcode"] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "line 1: the file is empty"),
        ("first_name,DOB\n", "line 2: the file has a header but no rows"),
        ("Forename,postcode\nAsha,LS9\n", "line 1, date_of_birth: required column is missing"),
    ],
)
def test_unusable_files_are_refused_with_the_line(text, expected):
    with pytest.raises(ImportRejected) as refused:
        read_csv(text, COLUMNS)
    assert str(refused.value.row_errors[0]).startswith(expected)
    assert "not imported" in str(refused.value)


def test_template_has_the_headers_and_examples():
    text = template_csv(COLUMNS, [{"first_name": "Asha", "date_of_birth": "1990-01-01"}])
    assert text.splitlines() == ["first_name,date_of_birth,postcode", "Asha,1990-01-01,"]
