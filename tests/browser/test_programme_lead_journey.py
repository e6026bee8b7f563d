"""Programme lead journey: open a cohort's outcome report, see its charts, download it as XLSX
and find the same figure in the workbook (the Lincoln Green 2019 pilot: 29 started a job)."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COHORT = "Lincoln Green 2019"


def test_programme_lead_reads_the_cohort_report_and_its_xlsx(start_journey, tmp_path):
    lead = start_journey("programme-lead")
    page = lead.page
    lead.sign_in("lead@pathways.example")

    with lead.navigates():
        page.get_by_role("navigation").get_by_role("link", name="Reports").click()
    cohort = page.get_by_label("Cohort", exact=True)
    cohort.select_option(cohort.locator("option", has_text=COHORT).get_attribute("value"))
    with lead.navigates():
        page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(COHORT)

    charts = page.locator("figure.app-report-chart svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    funnel = page.locator("section#funnel")
    expect(funnel.locator("figure svg")).to_be_visible()
    started_job = funnel.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Started a job", exact=True)
    )
    on_page = started_job.locator("td").first.inner_text().strip()
    assert on_page == "29"
    funnel_title = funnel.get_by_role("heading", level=2).inner_text()
    lead.screenshot("cohort-report")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = load_workbook(path, read_only=True)
    [sheet] = [s for s in workbook.worksheets if s.cell(row=2, column=1).value == funnel_title]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row}
    assert str(rows["Started a job"][0]) == on_page == "29"
    workbook.close()
