"""What every browser test checks on every page it lands on: no console or page errors, and no
serious or critical WCAG 2.2 AA violations found by axe-core (from npm, injected by the driver).
"""

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page

from pathways.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
FAILED_TO_LOAD = "Failed to load resource: the server responded with a status of"


class Journey:
    """One person's way through the service in their own browser context.

    Every new document the page loads must be checked (console clean, axe clean) before the next
    one loads: `visit()` and `navigates()` do it, and the test fails if a page slipped through.
    """

    def __init__(self, page: Page, *, name: str) -> None:
        self.page = page
        self.screenshots = SCREENSHOTS / name
        shutil.rmtree(self.screenshots, ignore_errors=True)
        self.screenshot_count = 0
        self.console_errors: list[str] = []
        self.pages_checked: list[str] = []
        self.unchecked_pages: list[str] = []
        self._loaded_unchecked: str | None = None
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("domcontentloaded", self._on_new_document)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith(FAILED_TO_LOAD) and where == self.page.url:
            return  # the page itself, answered 400 with its form errors: the test sees the status
        self.console_errors.append(f"console error on {self.page.url}: {message.text} {where}")

    def _on_page_error(self, error: Error) -> None:
        self.console_errors.append(f"page error on {self.page.url}: {error.message}")

    def _on_new_document(self, page: Page) -> None:
        if self._loaded_unchecked is not None:
            self.unchecked_pages.append(self._loaded_unchecked)
        self._loaded_unchecked = page.url

    def visit(self, path: str) -> Page:
        """Open a page by its address and check it."""
        response = self.page.goto(path)
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )
        self.check_page()
        return self.page

    @contextmanager
    def navigates(self) -> Iterator[None]:
        """Wrap a click or key press that loads a new page; the new page is checked."""
        with self.page.expect_navigation():
            yield
        self.check_page()

    def check_page(self) -> None:
        """The current page has logged no errors and has no serious WCAG 2.2 AA violations."""
        self.page.wait_for_load_state("load")
        self.assert_no_console_errors()
        assert_accessible(self.page)
        self.pages_checked.append(self.page.url)
        self._loaded_unchecked = None

    def assert_no_console_errors(self) -> None:
        errors, self.console_errors = self.console_errors, []
        assert not errors, "\n".join(errors)

    def screenshot(self, name: str) -> Path:
        """Save the whole page as test-artifacts/screenshots/<journey>/<nn>-<name>.png."""
        self.screenshot_count += 1
        path = self.screenshots / f"{self.screenshot_count:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.visit("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        with self.navigates():
            self.page.get_by_role("button", name="Sign in").click()
        assert "/sign-in" not in self.page.url, "sign-in failed"

    def finish(self) -> None:
        """Check the last page too, and that no page was left unchecked along the way."""
        if self._loaded_unchecked is not None:
            self.check_page()
        assert not self.unchecked_pages, f"pages loaded without checks: {self.unchecked_pages}"
        self.assert_no_console_errors()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail on any serious or critical WCAG 2.2 AA violation."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(json.dumps(node["target"]) for node in v["nodes"][:5])
        for v in blocking
    )


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations; injected by the driver, so the page's CSP allows it."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return result["violations"]


@cache
def _axe_source() -> str:
    # A trailing expression, so evaluating the script returns a value Playwright can pass back.
    return AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true"
