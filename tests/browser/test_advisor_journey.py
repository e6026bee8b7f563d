"""Advisor journey: register a Lincoln Green resident, see the priority flag, their ranked
pathways and vacancies with reasons, refer them, and enrol them in a cohort."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REFER_BUTTON = re.compile(r"^Refer to ")


def test_advisor_registers_matches_refers_and_enrols_a_resident(start_journey):
    advisor = start_journey("advisor")
    page = advisor.page
    advisor.sign_in("advisor@pathways.example")

    with advisor.navigates():
        page.get_by_role("navigation").get_by_role("link", name="Register a resident").click()
    page.get_by_label("First name").fill("Aaliyah")
    page.get_by_label("Last name").fill("Quarshie")
    page.get_by_label("Date of birth").fill("14/02/1995")
    page.get_by_label("Postcode").fill("ls9 7ja")
    page.get_by_label("Work history").fill(
        "Three years as a cleaner at a supermarket; stacked shelves and worked the tills."
    )
    page.get_by_label("Interests and the work they would like").fill(
        "Caring for people, working in a hospital as a porter or a healthcare assistant."
    )
    page.get_by_label("Type skills to add, separated by commas").fill("cleaning, customer service")
    page.get_by_label("English", exact=True).select_option(
        label="Level 2 (GCSE grade 4/C or above)"
    )
    page.get_by_label("Maths", exact=True).select_option(label="Level 1")
    page.get_by_role("checkbox", name="Has the right to work in the UK").check()
    page.get_by_label("Hours a week they can work").fill("30")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_role("checkbox", name=day, exact=True).check()
    page.get_by_label("Furthest they can travel (km)").fill("8")
    page.get_by_role("checkbox", name=re.compile("agrees to us holding their information")).check()
    page.get_by_role("checkbox", name=re.compile("agrees to us sharing their details")).check()
    advisor.screenshot("register-resident")
    with advisor.navigates():
        page.get_by_role("button", name="Register resident").click()

    expect(page.get_by_role("status")).to_contain_text("Aaliyah Quarshie has been registered.")
    area = page.locator(".nhsuk-summary-list__row").filter(has_text="Priority area")
    expect(area).to_contain_text("Lincoln Green (priority area)")
    expect(page.locator(".nhsuk-summary-list__row").filter(has_text="Postcode")).to_contain_text(
        "LS9 7JA"
    )
    expect(
        page.locator(".nhsuk-summary-list__row").filter(has_text="IMD 2025 decile")
    ).to_contain_text("1 (1 is the most deprived")
    advisor.screenshot("resident-priority-area")

    with advisor.navigates():
        page.get_by_role("link", name="Matching pathways and vacancies").click()
    vacancies = page.locator("h2:text-is('Open vacancies') + ol > li")
    pathways = page.locator("h2:text-is('Pathways') + ol > li")
    assert vacancies.count() >= 3 and pathways.count() >= 10
    for ranked in (vacancies, pathways):
        expect(ranked.first.locator("h3")).to_have_text(re.compile(r"^1\. "))
        expect(ranked.nth(1).locator("h3")).to_have_text(re.compile(r"^2\. "))
        expect(ranked.first).to_contain_text(re.compile(r"score \d+ of 100"))
    # Vacancies say how far away they are; pathways say which skills the resident has.
    expect(vacancies.first).to_contain_text(re.compile(r"Distance: \d+\.\d km"))
    expect(pathways.first).to_contain_text("Skills they have:")
    advisor.screenshot("matches")

    refer = page.get_by_role("button", name=REFER_BUTTON).first
    vacancy_title = REFER_BUTTON.sub("", refer.inner_text())
    with advisor.navigates():
        refer.click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Referred to {vacancy_title}. The employer can now see this referral."
    )
    referred = vacancies.filter(has=page.locator("h3", has_text=vacancy_title))
    expect(referred.get_by_text("Referred", exact=True)).to_be_visible()
    advisor.screenshot("referred")

    with advisor.navigates():
        page.get_by_role("navigation").get_by_role("link", name="Caseload").click()
    page.get_by_label("Name", exact=True).fill("Aaliyah Quarshy")  # a typo, as advisors make
    with advisor.navigates():
        page.get_by_role("button", name="Search").click()
    with advisor.navigates():
        page.get_by_role("link", name="Aaliyah Quarshie").click()
    with advisor.navigates():
        page.get_by_role("link", name="Enrol in a cohort").click()
    with advisor.navigates():  # forgetting to choose shows the error summary, also checked
        page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a cohort")
    page.get_by_role("radio", name=re.compile(r": Burmantofts and Richmond Hill$")).check()
    advisor.screenshot("choose-cohort")
    with advisor.navigates():
        page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Aaliyah Quarshie has been enrolled on Burmantofts and Richmond Hill."
    )
    advisor.screenshot("enrolled")
