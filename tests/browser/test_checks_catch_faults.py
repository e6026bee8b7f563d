"""The checks every journey relies on must fail on a faulty page, not only pass on good ones.

Each fault is injected into the real sign-in page as the browser receives it; the same page
without the fault passes, so the failure is the fault's.
"""

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Route

from tests.browser.journey import AXE_SCRIPT, ROOT, Journey

pytestmark = pytest.mark.browser

ORIGINAL_STYLESHEET = ROOT / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
EMAIL_LABEL = re.compile(r'<label\s[^>]*for="email"[^>]*>.*?</label>', re.S)


@pytest.fixture
def open_page(browser, live_server) -> Iterator[Callable[[str], Journey]]:
    """A checked page whose faults the test expects, so nothing is checked again afterwards."""
    contexts = []

    def open_(name: str) -> Journey:
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        return Journey(context.new_page(), name=name)

    yield open_
    for context in contexts:
        context.close()


def _edit_html(edit: Callable[[str], str], status: int | None = None) -> Callable[[Route], None]:
    """Serve the real page with an edit, and with another status when one is given."""

    def handle(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, status=status, body=edit(response.text()))

    return handle


def _without_email_label(html: str) -> str:
    edited, count = EMAIL_LABEL.subn("", html)
    assert count == 1, "the sign-in page's email label was not found"
    return edited


def _with_missing_image(html: str) -> str:
    return html.replace(
        "<h1>Sign in</h1>", '<h1>Sign in</h1><img src="/assets/no-such.png" alt="">'
    )


def test_the_unchanged_page_passes_both_checks(open_page):
    journey = open_page("fault-control")
    journey.visit("/sign-in")
    assert journey.pages_checked == [journey.page.url]


def test_an_input_without_a_label_fails_the_accessibility_check(open_page):
    journey = open_page("fault-label")
    journey.page.route("**/sign-in", _edit_html(_without_email_label))
    with pytest.raises(
        AssertionError, match=r"- label \(critical\): Form elements must have labels"
    ):
        journey.visit("/sign-in")


def test_a_missing_resource_fails_the_console_check(open_page):
    journey = open_page("fault-console")
    journey.page.route("**/sign-in", _edit_html(_with_missing_image))
    with pytest.raises(AssertionError, match=r"console error on .*/sign-in: .*404"):
        journey.visit("/sign-in")


def test_a_page_answering_400_with_form_errors_is_not_itself_a_console_error(open_page):
    journey = open_page("fault-400")
    journey.page.route("**/sign-in", _edit_html(lambda html: html, status=400))
    assert journey.page.goto("/sign-in").status == 400
    journey.check_page()


def test_a_missing_resource_on_a_400_page_still_fails_the_console_check(open_page):
    journey = open_page("fault-400-image")
    journey.page.route("**/sign-in", _edit_html(_with_missing_image, status=400))
    journey.page.goto("/sign-in")
    with pytest.raises(AssertionError, match=r"console error on .*/sign-in: .*404"):
        journey.check_page()


def test_a_script_error_fails_the_console_check(open_page):
    journey = open_page("fault-script")
    journey.page.route(
        "**/static/js/app.js",
        lambda route: route.fulfill(
            content_type="text/javascript", body="throw new Error('injected fault');"
        ),
    )
    with pytest.raises(AssertionError, match=r"page error on .*/sign-in: injected fault"):
        journey.visit("/sign-in")


def test_the_stylesheet_as_published_would_log_font_errors(open_page):
    """Why the service serves the NHS.UK stylesheet without its remote Frutiger font rules."""
    journey = open_page("fault-fonts")
    journey.page.route(
        "**/assets/nhsuk-frontend.min.css",
        lambda route: route.fulfill(
            path=ORIGINAL_STYLESHEET / "nhsuk-frontend.min.css", content_type="text/css"
        ),
    )
    with pytest.raises(AssertionError, match=r"console error on .*assets\.nhs\.uk/fonts"):
        journey.visit("/sign-in")


def test_a_page_loaded_without_checks_fails_the_journey(open_page):
    journey = open_page("fault-unchecked")
    journey.visit("/sign-in")
    journey.page.goto("/")  # a navigation that skips visit() and navigates()
    journey.page.goto("/about")
    with pytest.raises(AssertionError, match=r"pages loaded without checks: \[.*/'\]"):
        journey.finish()


def test_axe_is_the_npm_package():
    assert AXE_SCRIPT.is_file() and "axe v4." in AXE_SCRIPT.read_text(encoding="utf-8")[:200]
