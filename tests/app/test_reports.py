"""Report pages, exports and the API: the same numbers everywhere, and only for the right people.

Figures come from the hand-counted fixture in tests/reporting_data.py, with the clock frozen at
its report date; tests/pathways/test_reporting.py checks each figure against the hand count.
"""

import csv
import io
import re
from html import unescape

import pytest
from freezegun import freeze_time
from openpyxl import load_workbook

from pathways.models import Role
from tests.reporting_data import AS_OF

TABLE = re.compile(r'<table class="nhsuk-table" data-table="([^"]+)">(.*?)</table>', re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)


def _text(value) -> str:
    return "" if value is None else str(value)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """Each table on the page as rows of cell text, header row first."""
    return {
        key: [[unescape(cell.strip()) for cell in CELL.findall(row)] for row in ROW.findall(body)]
        for key, body in TABLE.findall(html)
    }


def csv_tables(text: str) -> list[list[list[str]]]:
    """The CSV export split into its tables: title row, header row, then figures."""
    rows = list(csv.reader(io.StringIO(text)))
    sections, current = [], []
    for row in rows[2:]:  # the report title and the blank line after it
        if not row:
            sections.append(current)
            current = []
        else:
            current.append(row)
    sections.append(current)
    return sections


def xlsx_tables(content: bytes) -> list[list[list[str]]]:
    workbook = load_workbook(io.BytesIO(content))
    tables = []
    for sheet in workbook.worksheets:
        rows = [[_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        body = rows[1:]
        end = next((index for index, row in enumerate(body) if not any(row)), len(body))
        tables.append([[cell for cell in row if cell != ""] or row for row in body[:end]])
    return tables


@pytest.fixture(autouse=True)
def report_date():
    """The fixture's report date, for signing in and for every request."""
    with freeze_time(AS_OF):
        yield


@pytest.fixture
def lead(login_as):
    return login_as(Role.PROGRAMME_LEAD)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


def test_page_exports_and_api_agree_for_a_cohort(client, outcome_data, lead):
    cohort_id = outcome_data.cohort_a.id
    api = _get(client, f"/api/v1/reports/cohorts/{cohort_id}").get_json()
    page = page_tables(_get(client, f"/reports/outcomes?cohort={cohort_id}").get_data(as_text=True))
    csv_text = _get(client, f"/reports/outcomes.csv?cohort={cohort_id}").get_data(as_text=True)
    workbook = _get(client, f"/reports/outcomes.xlsx?cohort={cohort_id}").data

    expected = [
        [[table["title"]], table["columns"], *[[_text(c) for c in r] for r in table["rows"]]]
        for table in api["tables"]
    ]
    assert [table["key"] for table in api["tables"]] == list(page)
    for table in api["tables"]:
        on_page = page[table["key"]]
        assert on_page[0] == table["columns"]
        assert on_page[1:] == [[_text(cell) for cell in row] for row in table["rows"]]
    assert [
        section[: len(table)] for section, table in zip(csv_tables(csv_text), expected, strict=True)
    ] == expected
    xlsx = xlsx_tables(workbook)
    for sheet, table in zip(xlsx, expected, strict=True):
        assert sheet[0] == table[0]
        assert sheet[1] == table[1]
        assert [[cell for cell in row] for row in sheet[2 : len(table)]] == [
            [cell for cell in row if cell != ""] for row in table[2:]
        ]

    # The hand-counted figures for cohort A, as published.
    assert api["funnel"][0] == {
        "stage": "registered",
        "label": "Registered on the cohort",
        "number": 12,
        "out_of": 12,
        "rate_percent": 100,
        "not_yet_known": None,
    }
    assert [(row["number"], row["out_of"], row["rate_percent"]) for row in api["funnel"]] == [
        (12, 12, 100),
        (10, 12, 83),
        (8, 10, 80),
        (7, 10, 70),
        (6, 10, 60),
        (6, 10, 60),
        ("<5", "<5", "[low]"),
        ("<5", 5, "[low]"),
        ("<5", "<5", "[low]"),
        ("<5", 6, "[low]"),
    ]
    assert [row["not_yet_known"] for row in api["funnel"][6:9]] == ["<5", "<5", "<5"]
    assert api["as_of"] == AS_OF.isoformat()
    assert api["cohort"]["name"] == "January 2023"


def test_programme_report_shows_cohorts_side_by_side(client, outcome_data, lead):
    response = _get(client, f"/reports/outcomes?programme={outcome_data.programme.id}")
    tables = page_tables(response.get_data(as_text=True))
    assert tables["cohorts"][0] == ["Stage", "January 2023", "May 2023", "All cohorts"]
    assert tables["cohorts"][8] == ["Offered a job", "[c]", "<5", "10"]
    assert tables["funnel"][6] == ["Started a job", "10", "17", "59", ""]
    assert tables["by_priority_area"][1] == ["Harehills", "6", "<5", "<5", "0", "0", "[low]"]
    board = _get(client, f"/reports/outcomes/board-pack?programme={outcome_data.programme.id}")
    assert page_tables(board.get_data(as_text=True)) == tables
    assert "css/reports.css" in board.get_data(as_text=True)


def test_text_that_looks_like_a_formula_is_neutralised(client, db, outcome_data, lead):
    outcome_data.cohort_a.name = '=HYPERLINK("http://evil.example","x")'
    outcome_data.programme.name = "+SUM(1,2)"
    db.flush()
    query = f"programme={outcome_data.programme.id}"
    text = _get(client, f"/reports/outcomes.csv?{query}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["'+SUM(1,2)"]
    assert ["Stage", '\'=HYPERLINK("http://evil.example","x")', "May 2023", "All cohorts"] in rows
    workbook = load_workbook(io.BytesIO(_get(client, f"/reports/outcomes.xlsx?{query}").data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@"))
    page = _get(client, f"/reports/outcomes?{query}").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;x&#34;)" in page


def test_thresholds_come_from_settings(app, client, outcome_data, lead):
    app.config["REPORT_MIN_COUNT"] = 3
    app.config["REPORT_MIN_DENOMINATOR"] = 5
    api = _get(client, f"/api/v1/reports/cohorts/{outcome_data.cohort_a.id}").get_json()
    assert api["disclosure"] == {"min_count": 3, "min_denominator": 5}
    # 13 weeks: 3 in work of 4 known, 2 not yet known (below 3, so hidden).
    assert api["funnel"][6]["number"] == 3
    assert api["funnel"][6]["out_of"] == 4
    assert api["funnel"][6]["rate_percent"] == "[low]"
    assert api["funnel"][6]["not_yet_known"] == "<3"
    assert api["funnel"][7]["rate_percent"] == 80  # 26 weeks: 4 of 5


def test_employers_see_their_own_anchor_measures(client, outcome_data, login_as):
    login_as(Role.EMPLOYER, organisation=outcome_data.trust)
    tables = page_tables(_get(client, "/reports/anchor").get_data(as_text=True))
    assert tables["anchor"][1:] == [
        ["Entry-role and apprenticeship starts", "13", "", ""],
        ["Living in a priority area or IMD decile 1-2", "9", "13", "69"],
        ["Paid at or above the Real Living Wage when they started", "8", "10", "80"],
    ]
    rows = list(csv.reader(io.StringIO(_get(client, "/reports/anchor.csv").get_data(as_text=True))))
    assert ["Living in a priority area or IMD decile 1-2", "9", "13", "69"] in rows
    workbook = load_workbook(io.BytesIO(_get(client, "/reports/anchor.xlsx").data))
    assert [cell.value for cell in workbook.worksheets[0][5]] == [
        "Living in a priority area or IMD decile 1-2",
        9,
        13,
        69,
    ]
    assert client.get(f"/reports/anchor?employer={outcome_data.care.id}").status_code == 400
    for url in (
        f"/reports/outcomes?cohort={outcome_data.cohort_a.id}",
        f"/reports/outcomes.csv?cohort={outcome_data.cohort_a.id}",
        "/reports/",
        f"/api/v1/reports/cohorts/{outcome_data.cohort_a.id}",
    ):
        assert client.get(url).status_code == 403, url


def test_programme_leads_see_any_employers_anchor_measures(client, outcome_data, lead):
    response = _get(client, f"/reports/anchor?employer={outcome_data.trust.id}")
    assert "Anchor measures: Leeds Trust" in response.get_data(as_text=True)
    assert client.get("/reports/anchor").status_code == 400
    assert client.get("/reports/anchor?employer=999999").status_code == 404
    too_big = 10**20  # more than any id column holds
    for url in (f"/reports/anchor?employer={too_big}", f"/reports/outcomes?cohort={too_big}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "must be at most" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.ADMIN, Role.EMPLOYER])
def test_only_programme_leads_get_outcome_reports(client, outcome_data, login_as, role):
    login_as(role)
    cohort_id = outcome_data.cohort_a.id
    for url in (
        f"/api/v1/reports/cohorts/{cohort_id}",
        f"/reports/outcomes?cohort={cohort_id}",
        f"/reports/outcomes.xlsx?cohort={cohort_id}",
        f"/reports/outcomes/board-pack?cohort={cohort_id}",
    ):
        assert client.get(url).status_code == 403, url


def test_api_errors(client, outcome_data, lead):
    response = client.get("/api/v1/reports/cohorts/999999")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404
    anonymous = client.application.test_client()
    assert anonymous.get(f"/api/v1/reports/cohorts/{outcome_data.cohort_a.id}").status_code == 401


@pytest.mark.parametrize(
    ("query", "status"),
    [("cohort=999999", 404), ("cohort=abc", 400), ("from=2019-13-01", 400), ("colour=red", 400)],
)
def test_bad_report_parameters(client, outcome_data, lead, query, status):
    assert client.get(f"/reports/outcomes?{query}").status_code == status


def test_chooser_leads_to_the_report(client, outcome_data, lead):
    page = client.get("/reports/").get_data(as_text=True)
    assert "Ready for Work: January 2023" in page
    response = client.get(f"/reports/?programme={outcome_data.programme.id}&cohort=0")
    assert response.status_code == 302
    assert (
        response.headers["Location"] == f"/reports/outcomes?programme={outcome_data.programme.id}"
    )
    wrong = client.get("/reports/?starts_from=2024-01-01&starts_to=2023-01-01")
    assert wrong.status_code == 200
    assert "The end of the period must be on or after its start" in wrong.get_data(as_text=True)
    assert "nhsuk-error-summary" in wrong.get_data(as_text=True)


def test_an_empty_cohort_reports_zeros(client, db, outcome_data, lead):
    from datetime import date

    from pathways.models import Cohort

    empty = Cohort(
        programme_id=outcome_data.programme.id,
        name="Empty",
        starts_on=date(2024, 6, 3),
        ends_on=date(2024, 7, 12),
    )
    db.add(empty)
    db.flush()
    api = _get(client, f"/api/v1/reports/cohorts/{empty.id}").get_json()
    assert [row["number"] for row in api["funnel"]] == [0] * 10
    assert {row["rate_percent"] for row in api["funnel"]} == {"[low]"}


def test_programme_leads_have_a_reports_link(client, lead):
    assert 'href="/reports/"' in client.get("/reports/").get_data(as_text=True)


def test_employers_have_an_anchor_measures_link(client, login_as):
    login_as(Role.EMPLOYER)
    assert 'href="/reports/anchor"' in client.get("/reports/anchor").get_data(as_text=True)


def test_openapi_documents_the_report(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/reports/cohorts/{cohort_id}" in paths


def test_charts_say_what_the_tables_say(client, outcome_data, lead):
    html = _get(client, f"/reports/outcomes?programme={outcome_data.programme.id}").get_data(
        as_text=True
    )
    for chart in ("chart-funnel", "chart-trend", "chart-by_priority_area", "chart-by_imd_decile"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    funnel_desc = re.search(r'<desc id="chart-funnel-desc">(.*?)</desc>', html).group(1)
    assert "Started a job: 10 (59%)" in unescape(funnel_desc)
    assert "Progressed in work: &lt;5" in funnel_desc
    anchor = _get(client, f"/reports/anchor?employer={outcome_data.trust.id}")
    assert "Living in a priority area or IMD decile 1-2: 69%" in unescape(
        anchor.get_data(as_text=True)
    )
