"""Employer journey: post a vacancy, an advisor refers a resident to it from their matches, and
the employer takes the referral through shortlist, interview, offer, checks and job start, then
confirms a hire's 13-week check."""

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, expect
from sqlmodel import Session, select

from pathways.clock import today
from pathways.database import make_engine
from pathways.matchmaking import matches_for_resident, shortlist_pool
from pathways.models import User
from pathways.permissions import can_manage_resident

pytestmark = pytest.mark.browser

TITLE = "Hospital porter (browser test)"
CHECKS = ("DBS", "Occupational health", "References", "Right to work")


def choose(select: Locator, text: str) -> None:
    """Select the option whose text contains ``text`` (labels add postcodes and bands)."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def resident_offered(database_url: str, vacancy_title: str) -> int:
    """A consenting resident of the demo advisor whose matches page lists the vacancy (read on
    the server's database): someone the advisor can refer to it with a click."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            advisor = session.exec(
                select(User).where(User.email == "advisor@pathways.example")
            ).one()
            for resident in shortlist_pool(session=session):
                if not can_manage_resident(advisor, resident):
                    continue
                found = matches_for_resident(session=session, resident=resident, today=today())
                if any(match.vacancy.title == vacancy_title for match in found.vacancies):
                    return resident.id
    finally:
        engine.dispose()
    pytest.fail(f"no resident of the demo advisor has {vacancy_title!r} among their matches")


def advisor_refers(start_journey, resident_id: int, vacancy_title: str) -> None:
    """The advisor opens the resident's matches and clicks Refer on the new vacancy."""
    advisor = start_journey("employer-referral")
    advisor.sign_in("advisor@pathways.example")
    page = advisor.visit(f"/residents/{resident_id}/matches")
    with advisor.navigates():
        page.get_by_role("button", name=f"Refer to {vacancy_title}").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Referred to {vacancy_title}. The employer can now see this referral."
    )
    advisor.screenshot("advisor-referred")


def test_employer_moves_a_referral_to_job_start_and_confirms_13_weeks(start_journey, live_server):
    employer = start_journey("employer")
    page = employer.page
    employer.sign_in("employer@pathways.example")
    nav = page.get_by_role("navigation")

    with employer.navigates():
        nav.get_by_role("link", name="Vacancies", exact=True).click()
    with employer.navigates():
        page.get_by_role("link", name="Post a vacancy").click()
    choose(page.get_by_label("Job or apprenticeship"), "Hospital porter")
    choose(page.get_by_label("Site"), "St James's University Hospital")
    page.get_by_label("Job title").fill(TITLE)
    page.get_by_label("Number of posts").fill("2")
    page.get_by_label("Pay from (£)").fill("24465")
    page.get_by_label("Pay is").select_option(label="A year (full-time)")
    page.get_by_label("Hours a week (optional)").fill("37.5")
    page.get_by_label("Closing date").fill(date(today().year + 1, 1, 31).isoformat())
    page.get_by_role("checkbox", name="Ring-fenced for people living in priority areas").check()
    page.get_by_label("Description").fill(
        "Moving patients, equipment and samples around St James's."
    )
    employer.screenshot("post-vacancy")
    with employer.navigates():
        page.get_by_role("button", name="Save as draft").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    with employer.navigates():
        row.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text(re.compile("open", re.I))
    employer.screenshot("vacancy-published")

    resident_id = resident_offered(live_server.database_url, TITLE)
    advisor_refers(start_journey, resident_id, TITLE)

    with employer.navigates():
        nav.get_by_role("link", name="Applications").click()
    referral = page.get_by_role("row").filter(has_text=TITLE)
    expect(referral).to_have_count(1)
    # Names stay hidden until interview.
    expect(referral).to_contain_text(f"Candidate R{resident_id:05d}")
    employer.screenshot("referral")
    with employer.navigates():
        referral.get_by_role("link").first.click()
    stage = page.locator("#stage")
    expect(stage).to_have_text("Referred")

    with employer.navigates():
        page.get_by_role("button", name="Shortlist").click()
    expect(stage).to_have_text("Shortlisted")
    on = today().isoformat()
    page.get_by_label("Interview date").fill(on)
    page.get_by_label("Time (UK time)").fill("09:30")
    with employer.navigates():
        page.get_by_role("button", name="Save interview").click()
    expect(stage).to_have_text("Interview")
    page.get_by_label("Date of the offer").fill(on)
    with employer.navigates():
        page.get_by_role("button", name="Record offer").click()
    expect(stage).to_have_text("Offer")
    with employer.navigates():
        page.get_by_role("button", name="Start checks").click()
    for check in CHECKS:
        form = page.locator("form").filter(has=page.get_by_role("heading", name=check, exact=True))
        form.get_by_label("Status", exact=True).select_option(label="Cleared")
        form.get_by_label("Date it reached this status").fill(on)
        with employer.navigates():
            form.get_by_role("button", name="Save check").click()
    employer.screenshot("checks-cleared")
    job = page.locator("#move-job")
    job.get_by_label("Start date").fill(on)
    choose(job.get_by_label("Site"), "St James's University Hospital")
    job.get_by_label("Annual pay (£, optional)").fill("24465")
    with employer.navigates():
        job.get_by_role("button", name="Record job start").click()
    expect(stage).to_have_text("Job started")
    employer.screenshot("job-started")

    with employer.navigates():
        nav.get_by_role("link", name="Sustainment checks").click()
    due = page.locator("tbody tr").filter(has_text="13 weeks")
    expect(due.first).to_be_visible()
    before = due.count()
    hire = due.first.locator("strong").first.inner_text()
    due.first.get_by_label("Status").select_option(label="In work")
    employer.screenshot("sustainment-checks")
    with employer.navigates():
        page.get_by_role("button", name="Save confirmations").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 1 check.")
    expect(page.locator("tbody tr").filter(has_text="13 weeks")).to_have_count(before - 1)
    expect(
        page.locator("tbody tr").filter(has_text="13 weeks").filter(has_text=hire)
    ).to_have_count(0)
    employer.screenshot("sustainment-confirmed")
