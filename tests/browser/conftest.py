"""Browser tests: one served Pathways with demo data, one headless Chromium, and the checks run on
every page a journey lands on (no console or page errors; no serious or critical WCAG 2.2 AA
violations found by axe-core). Screenshots go to test-artifacts/screenshots/<journey>/.

Chromium is Debian's (`make browser-deps`); Playwright drives it and never downloads a browser.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.journey import AXE_SCRIPT, ROOT, Journey
from tests.conftest import postgres_database

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the networking flags Chromium keeps calling Google's hosts; a closed network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_SECONDS = 60


class LiveServer(NamedTuple):
    url: str
    database_url: str


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so teardown checks stay quiet after a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory) -> Iterator[LiveServer]:
    """Pathways under gunicorn on a free local port, on a new database of each kind (SQLite, and
    PostgreSQL from TEST_DATABASE_URL as the other database tests use it) with the demo data."""
    folder = tmp_path_factory.mktemp(f"live_server_{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite:///{folder / 'pathways.db'}"
        _run(["alembic", "upgrade", "head"], _server_environment(database_url, 0))
        yield from _serve(database_url, folder)
        return
    for database_url in postgres_database():  # created and migrated; dropped afterwards
        yield from _serve(database_url, folder)


def _serve(database_url: str, folder: Path) -> Iterator[LiveServer]:
    """Seed the demo data into a migrated database and serve it with gunicorn until done."""
    port = _free_port()
    env = _server_environment(database_url, port)
    _run(["flask", "--app", "wsgi", "seed-demo"], env)
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server, log_path)
        yield LiveServer(url, database_url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _server_environment(database_url: str, port: int) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "ENV": "development",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "warning",
    }


def _run(step: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *step], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(step)} failed:\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"The server exited ({server.returncode}):\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(
        f"The server did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()}"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (Debian package chromium)")
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make setup` (npm package axe-core)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def start_journey(browser, live_server, request) -> Iterator[Callable[[str], Journey]]:
    """Start a journey in a fresh browser context (its own cookies) with a checked page.

    After the test, the last page is checked too and any console error fails the test.
    """
    journeys: list[Journey] = []

    def start(name: str) -> Journey:
        context = browser.new_context(
            base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        journey = Journey(context.new_page(), name=name)
        journeys.append(journey)
        return journey

    yield start
    call = getattr(request.node, "report_call", None)
    try:
        for journey in journeys:
            if call is not None and call.passed:
                journey.finish()
            else:  # the page as the test left it, to see what went wrong
                journey.screenshot("failed")
    finally:
        for journey in journeys:
            journey.page.context.close()
