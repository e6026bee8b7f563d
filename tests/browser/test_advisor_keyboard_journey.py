"""The main advisor journey again with the keyboard alone: Tab, Enter, Space, arrows and typing.

Locators only find what should get focus next and check the result; every action is a key press.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

MAX_TABS = 150
# WCAG 2.4.7: the focused control shows it. NHS.UK draws the focus on checkboxes and radios on
# their label's ::before box, since the input itself is hidden behind it.
HAS_VISIBLE_FOCUS = """element => {
  const styled = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
  if (element.type === "checkbox" || element.type === "radio") {
    return styled(getComputedStyle(element.labels[0], "::before"));
  }
  return styled(getComputedStyle(element));
}"""


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until the target has the focus, as a keyboard user would; fail if it never does."""
    target.wait_for(state="visible")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            assert target.evaluate(HAS_VISIBLE_FOCUS), f"{target} shows no focus indicator"
            return
    raise AssertionError(f"{target} never received the focus after {MAX_TABS} presses of Tab")


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)
    expect(target).to_have_value(text)


def tick(page: Page, target: Locator) -> None:
    tab_to(page, target)
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def choose(page: Page, target: Locator, option: str) -> None:
    """Pick a select option by typing the start of its text, as type-ahead lets you."""
    tab_to(page, target)
    page.keyboard.type(option)
    expect(target.locator("option:checked")).to_have_text(re.compile("^" + re.escape(option)))


def pick_radio(page: Page, group: Locator, target: Locator) -> None:
    """Tab into a radio group, then use the arrow keys to reach and select the target."""
    tab_to(page, group.first)
    for _ in range(group.count()):
        if target.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    if not target.is_checked():  # Tab only focuses the first radio; Space selects it
        page.keyboard.press("Space")
    expect(target).to_be_checked()


def skip_to_main_content(page: Page) -> None:
    """Start from the top of the page and use the skip link, so Tab goes through the content."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")


def test_advisor_journey_with_the_keyboard_alone(start_journey):
    advisor = start_journey("advisor-keyboard")
    page = advisor.page

    advisor.visit("/sign-in")
    skip_to_main_content(page)
    type_into(page, page.get_by_label("Email address"), "advisor@pathways.example")
    type_into(page, page.get_by_label("Password", exact=True), "pathways-demo-2026")
    with advisor.navigates():
        page.keyboard.press("Enter")
    expect(page.get_by_text("You are signed in as Amira Khan, advisor.")).to_be_visible()

    tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Register a resident"))
    with advisor.navigates():
        page.keyboard.press("Enter")
    skip_to_main_content(page)
    type_into(page, page.get_by_label("First name"), "Tomasz")
    type_into(page, page.get_by_label("Last name"), "Kowalczuk")
    type_into(page, page.get_by_label("Date of birth"), "03/09/2001")
    type_into(page, page.get_by_label("Postcode"), "LS9 7AA")
    type_into(
        page,
        page.get_by_label("Work history"),
        "Warehouse picker and kitchen porter for two years.",
    )
    type_into(
        page,
        page.get_by_label("Interests and the work they would like"),
        "Keeping hospital wards clean and safe; working as a domestic or porter.",
    )
    type_into(page, page.get_by_label("Type skills to add, separated by commas"), "cleaning")
    choose(page, page.get_by_label("English", exact=True), "Level 2")
    choose(page, page.get_by_label("Maths", exact=True), "Level 1")
    tick(page, page.get_by_role("checkbox", name="Has the right to work in the UK"))
    type_into(page, page.get_by_label("Hours a week they can work"), "37")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        tick(page, page.get_by_role("checkbox", name=day, exact=True))
    type_into(page, page.get_by_label("Furthest they can travel (km)"), "10")
    tick(page, page.get_by_role("checkbox", name=re.compile("agrees to us holding their")))
    tick(page, page.get_by_role("checkbox", name=re.compile("agrees to us sharing their")))
    tab_to(page, page.get_by_role("button", name="Register resident"))
    advisor.screenshot("register-resident")
    with advisor.navigates():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Tomasz Kowalczuk has been registered.")
    expect(
        page.locator(".nhsuk-summary-list__row").filter(has_text="Priority area")
    ).to_contain_text("Lincoln Green (priority area)")
    advisor.screenshot("resident-priority-area")

    tab_to(page, page.get_by_role("link", name="Matching pathways and vacancies"))
    with advisor.navigates():
        page.keyboard.press("Enter")
    vacancies = page.locator("h2:text-is('Open vacancies') + ol > li")
    expect(vacancies.first.locator("h3")).to_have_text(re.compile(r"^1\. "))
    expect(vacancies.first).to_contain_text(re.compile(r"Distance: \d+\.\d km"))
    expect(page.locator("h2:text-is('Pathways') + ol > li").first).to_contain_text(
        "Skills they have:"
    )

    refer = page.get_by_role("button", name=re.compile(r"^Refer to ")).first
    vacancy_title = refer.inner_text().removeprefix("Refer to ")
    skip_to_main_content(page)
    tab_to(page, refer)
    with advisor.navigates():
        page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text(f"Referred to {vacancy_title}.")
    advisor.screenshot("referred")

    tab_to(page, page.get_by_role("navigation").get_by_role("link", name="Caseload"))
    with advisor.navigates():
        page.keyboard.press("Enter")
    type_into(page, page.get_by_label("Name", exact=True), "Tomasz Kowalczuk")
    with advisor.navigates():
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Tomasz Kowalczuk"))
    with advisor.navigates():
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Enrol in a cohort"))
    with advisor.navigates():
        page.keyboard.press("Enter")
    pick_radio(
        page,
        page.get_by_role("radio"),
        page.get_by_role("radio", name=re.compile(r": Burmantofts and Richmond Hill$")),
    )
    tab_to(page, page.get_by_role("button", name="Enrol"))
    advisor.screenshot("choose-cohort")
    with advisor.navigates():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "Tomasz Kowalczuk has been enrolled on Burmantofts and Richmond Hill."
    )
    advisor.screenshot("enrolled")
