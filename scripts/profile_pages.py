"""CPU cost of single requests to the load test's pages, in-process, on ``pathways_load``.

    .venv/bin/python scripts/seed_load_data.py --recreate    # once
    .venv/bin/python scripts/profile_pages.py                # 20 warm requests to each page
    .venv/bin/python scripts/profile_pages.py --profile caseload --sort tottime   # cProfile one

The app is built as in production (ENV=production, the gunicorn hook's warm caches) and driven
with Flask's test client, one request at a time, so nothing queues. For each request it counts
the app's CPU time (``time.process_time``), PostgreSQL's (the CPU its server processes used,
from /proc), the statements sent, and what EXPLAIN ANALYZE says the reads among them cost.
No load: one CPU at a time, a few seconds in all.
"""

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.matching import warm_up  # noqa: E402
from pathways.database import make_engine  # noqa: E402
from pathways.demo import DEMO_PASSWORD  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pathways_load"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HEADINGS = ("app CPU ms", "PG CPU ms", "wall ms", "statements", "EXPLAIN ms")
PAGES = ("login_get", "login_post", "caseload", "matches", "shortlist", "report", "cohort_report")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL server process on this machine."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # ended meanwhile
        name, _, rest = text.partition(") ")
        if name.endswith("(postgres"):
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class Pages:
    """Signed-in test clients for each role, and one method per page."""

    def __init__(self, app, statements: list[str]):
        self.app = app
        self.statements = statements
        self.advisor = self.signed_in("load-advisor-1@pathways.example")
        self.employer = self.signed_in("load-employer-1@pathways.example")
        self.lead = self.signed_in("load-lead-1@pathways.example")
        caseload = self.advisor.get("/residents/?page=1&whose=all").get_data(as_text=True)
        self.resident_ids = [int(i) for i in re.findall(r'href="/residents/(\d+)"', caseload)]
        listing = self.employer.get("/vacancies/").get_data(as_text=True)
        self.vacancy_ids = sorted(
            {int(i) for i in re.findall(r'href="/vacancies/(\d+)/shortlist"', listing)}
        )
        chooser = self.lead.get("/reports/").get_data(as_text=True)
        cohorts = re.search(r'name="cohort".*?</select>', chooser, re.DOTALL).group(0)
        self.cohort_ids = [int(i) for i in re.findall(r'value="([1-9]\d*)"', cohorts)]
        self.turn = 0

    def client(self):
        """A client on https, since production cookies are sent over https only."""
        client = self.app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        return client

    def signed_in(self, email: str):
        client = self.client()
        token = CSRF.search(client.get("/sign-in").get_data(as_text=True)).group(1)
        response = client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.status_code
        return client

    def next_of(self, items: list[int]) -> int:
        self.turn += 1
        return items[self.turn % len(items)]

    # Each page gives the request to time (anything it needs first is done untimed) and the
    # status code it must answer with.

    def login_get(self) -> tuple[Callable, int]:
        client = self.client()
        return lambda: client.get("/sign-in"), 200

    def login_post(self) -> tuple[Callable, int]:
        client = self.client()
        token = CSRF.search(client.get("/sign-in").get_data(as_text=True)).group(1)
        data = {
            "email": "load-advisor-2@pathways.example",
            "password": DEMO_PASSWORD,
            "csrf_token": token,
        }
        return lambda: client.post("/sign-in", data=data), 302

    def caseload(self) -> tuple[Callable, int]:
        page = self.next_of([1, 2, 3])
        return lambda: self.advisor.get(f"/residents/?page={page}&whose=all"), 200

    def matches(self) -> tuple[Callable, int]:
        path = f"/residents/{self.next_of(self.resident_ids)}/matches"
        return lambda: self.advisor.get(path), 200

    def shortlist(self) -> tuple[Callable, int]:
        path = f"/vacancies/{self.next_of(self.vacancy_ids)}/shortlist"
        return lambda: self.employer.get(path), 200

    def report(self) -> tuple[Callable, int]:
        """The load test's default report page: the chooser."""
        return lambda: self.lead.get("/reports/"), 200

    def cohort_report(self) -> tuple[Callable, int]:
        """One cohort's outcome report, cohorts in turn."""
        path = f"/reports/outcomes?cohort={self.next_of(self.cohort_ids)}"
        return lambda: self.lead.get(path), 200


def measure(pages: Pages, name: str, repeats: int) -> dict[str, float]:
    """Mean app and PostgreSQL CPU (clock ticks are 10 ms), median wall time and statements,
    and the PostgreSQL time of the last request's reads by EXPLAIN ANALYZE (median of 5)."""
    page: Callable[[], tuple[Callable, int]] = getattr(pages, name)
    page()[0]()  # warm
    app_ms, pg_ms, wall_ms, counts = [], [], [], []
    for _ in range(repeats):
        send, expected = page()
        pages.statements.clear()
        cpu, pg, wall = time.process_time(), postgres_cpu_seconds(), time.perf_counter()
        response = send()
        app_ms.append((time.process_time() - cpu) * 1000)
        pg_ms.append((postgres_cpu_seconds() - pg) * 1000)
        wall_ms.append((time.perf_counter() - wall) * 1000)
        counts.append(len(pages.statements))
        assert response.status_code == expected, (name, response.status_code)
    return {
        HEADINGS[0]: statistics.mean(app_ms),
        HEADINGS[1]: statistics.mean(pg_ms),
        HEADINGS[2]: statistics.median(wall_ms),
        HEADINGS[3]: statistics.median(counts),
        HEADINGS[4]: explained_ms(pages.app, pages.statements),
    }


def explained_ms(app, statements: list[str]) -> float:
    """Planning plus execution time of the reads among ``statements``, each the median of 5."""
    total = 0.0
    engine = make_engine(app.config["DATABASE_URL"])  # its own, so these are not counted
    with engine.connect() as connection:
        for statement in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            runs = []
            for _ in range(5):
                plan = connection.exec_driver_sql(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + statement.replace("%", "%%")
                ).scalar()
                runs.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
            total += statistics.median(runs)
    engine.dispose()
    return total


def print_profile(pages: Pages, name: str, repeats: int, order: str) -> None:
    """cProfile of ``repeats`` requests to one page, the ``order`` costliest functions."""
    requests = [getattr(pages, name)()[0] for _ in range(repeats)]
    profiler = cProfile.Profile()
    profiler.enable()
    for send in requests:
        send()
    profiler.disable()
    pstats.Stats(profiler).sort_stats(order).print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pages", nargs="*", default=PAGES, choices=PAGES)
    parser.add_argument("--profile", choices=PAGES, help="print a cProfile of this page")
    parser.add_argument("--show-statements", action="store_true", help="list each page's SQL")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, ...)")
    options = parser.parse_args()
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": options.database_url,
        }
    )
    warm_up(app)
    statements: list[str] = []
    sa.event.listen(
        app.extensions["pathways.engine"],
        "before_cursor_execute",
        lambda _conn, cursor, statement, parameters, *_: statements.append(
            psycopg.ClientCursor(cursor.connection).mogrify(statement, parameters)
        ),
    )
    pages = Pages(app, statements)
    if options.profile:
        getattr(pages, options.profile)()[0]()  # warm
        print_profile(pages, options.profile, options.repeats, options.sort)
        return
    print(
        f"{'page':<13} {'app CPU ms':>10} {'PG CPU ms':>10} {'wall ms':>10} {'queries':>10}", end=""
    )
    print(f" {'EXPLAIN ms':>10}")
    for name in options.pages:
        figures = measure(pages, name, options.repeats)
        print(f"{name:<13} " + " ".join(f"{value:>10.1f}" for value in figures.values()))
        if options.show_statements:
            for statement in statements:
                print("    " + " ".join(statement.split())[:300])


if __name__ == "__main__":
    main()
