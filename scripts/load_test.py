"""A bounded load test over loopback: simulated users signing in and using the busiest pages.

    .venv/bin/python scripts/seed_load_data.py --recreate          # once: 20,000 residents
    .venv/bin/python scripts/load_test.py --start-server            # gunicorn on pathways_load
    .venv/bin/python scripts/load_test.py --base-url http://127.0.0.1:8000   # a running server

Each simulated user signs in (with the load-test logins the seed script creates), then repeats
its role's pages with a short pause between them, signing in again every few rounds:
advisors open the caseload and a resident's matches, employers a vacancy's shortlist, programme
leads a cohort's outcome report (every fourth time the whole partnership's). After
``--duration`` seconds it prints throughput, p50/p95/p99 per page and every error.
Only loopback addresses are accepted.
"""

import argparse
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pathways-demo-2026"  # noqa: S105 - the demo password the seed script gives load logins
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RESIDENT_LINK = re.compile(r'href="/residents/(\d+)"')
SHORTLIST_LINK = re.compile(r'href="/vacancies/(\d+)/shortlist"')
COHORT_CHOICES = re.compile(r'<select[^>]*name="cohort".*?</select>', re.DOTALL)
CHOICE = re.compile(r'<option value="(\d+)"')
PAGES = ("login", "caseload", "matches", "shortlist", "report")
# Who uses which page; each round a user opens each of its pages once.
ROLE_PAGES = {
    "advisor": ("caseload", "matches"),
    "employer": ("shortlist",),
    "lead": ("report",),
}


@dataclass
class Results:
    """Latencies and errors per page, shared by every user thread."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies[page].append(seconds)
            if error:
                self.errors[page].append(error)


class User(threading.Thread):
    """One simulated person: signs in, then opens their role's pages until the deadline."""

    def __init__(self, number: int, role: str, email: str, options, results: Results) -> None:
        super().__init__(name=f"{role}-{number}", daemon=True)
        self.role, self.email, self.options, self.results = role, email, options, results
        self.http = requests.Session()
        self.rng = random.Random(number)  # noqa: S311 - choosing pages, not secrets
        self.ids: list[int] = []
        self.cohorts: list[int] = []
        self.reports = 0

    def run(self) -> None:
        deadline = self.options.deadline
        time.sleep(self.rng.uniform(0, self.options.ramp_up))
        rounds = 0
        while time.monotonic() < deadline:
            if rounds % self.options.relogin_every == 0 and not self.sign_in():
                time.sleep(1)
                rounds += 1
                continue
            for page in ROLE_PAGES[self.role]:
                if time.monotonic() >= deadline:
                    return
                if page in self.options.pages:
                    getattr(self, f"open_{page}")()
                    time.sleep(self.rng.uniform(0.5, 1.5) * self.options.think)
            rounds += 1

    def sign_in(self) -> bool:
        """Sign in through the real form; only the POST (password check, lock-out) is timed."""
        self.http.cookies.clear()
        page = self.fetch("get", "/sign-in")
        token = CSRF.search(page.text)
        if not token:
            self.results.record("login", 0.0, f"sign-in page {page.status_code}, no CSRF token")
            return False
        response = self.timed(
            "login",
            "post",
            "/sign-in",
            data={"email": self.email, "password": PASSWORD, "csrf_token": token.group(1)},
            allow_redirects=False,
            expect=302,
        )
        return response is not None and response.status_code == 302

    def open_caseload(self) -> None:
        page = self.rng.choice((1, 1, 1, 2, 3))
        response = self.timed("caseload", "get", f"/residents/?page={page}&whose=all")
        if response is not None and response.ok:
            self.ids = [int(i) for i in RESIDENT_LINK.findall(response.text)] or self.ids

    def open_matches(self) -> None:
        if not self.ids:
            return
        self.timed("matches", "get", f"/residents/{self.rng.choice(self.ids)}/matches")

    def open_shortlist(self) -> None:
        if not self.ids:
            listing = self.fetch("get", "/vacancies/")
            self.ids = sorted({int(i) for i in SHORTLIST_LINK.findall(listing.text)})
            if not self.ids:
                self.results.record("shortlist", 0.0, "the employer has no vacancies")
                return
        self.timed("shortlist", "get", f"/vacancies/{self.rng.choice(self.ids)}/shortlist")

    def open_report(self) -> None:
        """A cohort's outcome report (funnel, breakdowns, trend, charts); every fourth time the
        whole partnership's, all cohorts side by side."""
        if not self.cohorts:
            chooser = self.fetch("get", "/reports/")
            choices = COHORT_CHOICES.search(chooser.text)
            found = CHOICE.findall(choices.group(0)) if choices else []
            self.cohorts = [int(i) for i in found if int(i) > 0]  # 0: "any cohort"
            if not self.cohorts:
                self.results.record("report", 0.0, "the report chooser lists no cohorts")
                return
        self.reports += 1
        if self.reports % 4 == 0:
            path = "/reports/outcomes"
        else:
            path = f"/reports/outcomes?cohort={self.rng.choice(self.cohorts)}"
        self.timed("report", "get", path)

    def timed(self, page, method, path, *, expect=200, **kwargs):
        started = time.perf_counter()
        try:
            response = self.fetch(method, path, **kwargs)
        except requests.RequestException as error:
            self.results.record(page, time.perf_counter() - started, f"{type(error).__name__}")
            return None
        elapsed = time.perf_counter() - started
        error = None
        if response.status_code != expect:
            error = f"{response.status_code} {path}"
        self.results.record(page, elapsed, error)
        return response

    def fetch(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(
            method, self.url(path), timeout=60, **({"allow_redirects": False} | kwargs)
        )
        # The service marks cookies Secure in production; over loopback HTTP send them anyway, as
        # a TLS-terminating load balancer in front of it would.
        for cookie in self.http.cookies:
            cookie.secure = False
        return response

    def url(self, path: str) -> str:
        return self.options.base_url.rstrip("/") + path


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of latencies (seconds)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def start_server(options) -> subprocess.Popen:
    """Gunicorn as ``make serve`` runs it (production settings) on the load-test database."""
    environment = os.environ | {
        "ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": options.database_url,
        "BIND": urlsplit(options.base_url).netloc,
        "LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(  # noqa: S603 - fixed command line, our own venv
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(120):
        try:
            if requests.get(options.base_url + "/healthz", timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: {server.stderr.read()[-2000:]}")
        time.sleep(0.5)
    server.send_signal(signal.SIGTERM)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages (s)")
    parser.add_argument("--ramp-up", type=float, default=5.0, help="users start within (s)")
    parser.add_argument("--relogin-every", type=int, default=10, help="rounds between sign-ins")
    parser.add_argument(
        "--pages", default=",".join(PAGES), help="comma-separated: " + ", ".join(PAGES)
    )
    parser.add_argument("--advisors", type=int, default=20, help="load-advisor-N logins to use")
    parser.add_argument("--employers", type=int, default=10)
    parser.add_argument("--leads", type=int, default=5)
    parser.add_argument("--start-server", action="store_true", help="run gunicorn for the test")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/pathways_load"
    )
    options = parser.parse_args(argv)
    if urlsplit(options.base_url).hostname not in LOOPBACK:
        parser.error("the load test only runs against a loopback address")
    options.pages = {page.strip() for page in options.pages.split(",") if page.strip()}
    if unknown := options.pages - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    server = start_server(options) if options.start_server else None
    try:
        return run(options)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def run(options) -> int:
    results = Results()
    roles = _role_mix(options)
    load_before = os.getloadavg()
    started = time.monotonic()
    options.deadline = started + options.duration
    users = [
        User(number, role, email, options, results) for number, (role, email) in enumerate(roles)
    ]
    for user in users:
        user.start()
    for user in users:
        user.join(timeout=options.duration + 120)
    elapsed = time.monotonic() - started
    print_report(results, options, elapsed, load_before, os.getloadavg(), roles)
    return 1 if any(results.errors.values()) else 0


def _role_mix(options) -> list[tuple[str, str]]:
    """Half advisors, a third employers, the rest programme leads (by the pages asked for)."""
    wanted = [
        role
        for role, pages in ROLE_PAGES.items()
        if set(pages) & options.pages or (role == "advisor" and options.pages == {"login"})
    ]
    share = {"advisor": 0.5, "employer": 0.33, "lead": 0.17}
    counts = {role: share[role] for role in wanted}
    total = sum(counts.values())
    mix = []
    for role in wanted:
        mix += [role] * round(options.users * counts[role] / total)
    mix = (mix + [wanted[0]] * options.users)[: options.users]
    logins = {"advisor": options.advisors, "employer": options.employers, "lead": options.leads}
    return [
        (role, f"load-{role}-{number % logins[role] + 1}@pathways.example")
        for number, role in enumerate(mix)
    ]


def print_report(results, options, elapsed, load_before, load_after, roles) -> None:
    total = sum(len(values) for values in results.latencies.values())
    counts = {role: sum(1 for r, _ in roles if r == role) for role in ROLE_PAGES}
    mix = ", ".join(f"{count} {role}s" for role, count in counts.items() if count)
    print(
        f"{options.users} users ({mix}) for {elapsed:.0f} s against {options.base_url}, "
        f"think time {options.think:g} s"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"throughput {total / elapsed:.1f} requests/s ({total} timed requests)")
    print(f"{'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for page in PAGES:
        values = results.latencies.get(page)
        if not values:
            continue
        p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.5, 0.95, 0.99))
        errors = len(results.errors.get(page, []))
        print(f"{page:<10} {len(values):>8} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {errors:>6}")
    for page, errors in results.errors.items():
        for message, count in sorted(
            {m: errors.count(m) for m in set(errors)}.items(), key=lambda item: -item[1]
        )[:5]:
            print(f"error: {page}: {message} (x{count})")


if __name__ == "__main__":
    sys.exit(main())
