"""Time the full outcome report over a large synthetic partnership, beside a plain read of events.

Usage: python scripts/bench_reporting.py [--database-url URL] [--sqlite] [--residents N]
       [--events N]

Creates a fresh PostgreSQL database next to the one URL names (default TEST_DATABASE_URL, else
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), migrates it, and bulk-loads 100,000
residents, their enrolments and 1,000,000 milestone events (COPY; seeded, so every run has the
same data). Then, each in a fresh subprocess so peak RSS is its own:

- baseline: ``pandas.read_sql("SELECT * FROM milestone_event")``, the cheapest way to get the
  events into pandas at all;
- report: ``build_report`` for every cohort (funnel, breakdowns, cohorts side by side, trend),
  disclosure control and the CSV export, as a programme lead's "all cohorts" report does.

With --sqlite the same runs on a SQLite file too. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402 - after making the repository importable
import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402

from pathways.database import make_engine, migrate, normalise_database_url  # noqa: E402
from pathways.models import (  # noqa: E402
    Cohort,
    Enrolment,
    MilestoneEvent,
    Organisation,
    Pathway,
    Programme,
    Resident,
    Site,
)

SEED = 20261206
TARGET_SECONDS = 5
TARGET_MB = 2048
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WARDS = ["Burmantofts and Richmond Hill", "Gipton and Harehills", "Killingbeck and Seacroft"]
WARDS += ["Armley", "Headingley and Hyde Park", "Roundhay", "Temple Newsam", "Beeston and Holbeck"]
AREAS = ["Lincoln Green", "Harehills", "Seacroft", "Gipton", None, None, None, None]
ETHNICITIES = ["White British", "Pakistani", "Black African", "Indian", "prefer_not_to_say", None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--sqlite", action="store_true", help="also run on a SQLite file")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--reuse", help="measure on this already generated database")
    parser.add_argument("--measure", choices=["baseline", "report"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.url)))
        return

    print(
        f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}), load average {os.getloadavg()[0]:.1f}; "
        f"{args.residents:,} residents, {args.events:,} milestone events, seed {SEED}"
    )
    if args.reuse:
        results = {mode: run_measurement(mode, args.reuse) for mode in ("baseline", "report")}
        print_results("reused database", results)
        return
    backends = [("PostgreSQL", args.database_url or DEFAULT_SERVER)]
    if args.sqlite:
        backends.append(("SQLite", None))
    for name, server in backends:
        with fresh_database(server, keep=args.keep) as url:
            started = time.perf_counter()
            counts = generate(url, residents=args.residents, events=args.events)
            print(
                f"\n{name}: generated and loaded {counts} in {time.perf_counter() - started:.1f} s"
            )
            results = {mode: run_measurement(mode, url) for mode in ("baseline", "report")}
        print_results(name, results)


def print_results(name: str, results: dict[str, dict]) -> None:
    base, report = results["baseline"], results["report"]
    print(f"| Run ({name}) | Wall time | CPU time | Peak memory | Rows |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| Baseline: pandas.read_sql of milestone_event | {base['wall']:.2f} s | "
        f"{base['cpu']:.2f} s | {base['peak_mb']:.0f} MB | {base['rows']:,} events |"
    )
    print(
        f"| Full report (all cohorts, disclosure, CSV) | {report['wall']:.2f} s | "
        f"{report['cpu']:.2f} s | {report['peak_mb']:.0f} MB | {report['rows']:,} journeys |"
    )
    print(f"| Report / baseline | {report['wall'] / base['wall']:.2f}x | | | |")
    met = report["wall"] < TARGET_SECONDS and report["peak_mb"] < TARGET_MB
    print(f"Target: under {TARGET_SECONDS} s and {TARGET_MB} MB: {'met' if met else 'NOT met'}")


def run_measurement(mode: str, url: str) -> dict:
    """Run one measurement in a fresh interpreter, so its peak memory is its own."""
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--measure", mode, "--url", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(mode: str, url: str) -> dict:
    """Time one run after the imports; peak RSS is the process's maximum resident set size."""
    from sqlmodel import Session

    from pathways.disclosure import DisclosureRules
    from pathways.report_exports import tables_to_csv
    from pathways.reporting import ReportScope, build_report, report_tables

    engine = make_engine(url)
    with Session(engine) as session:
        session.connection()  # connect before the clock starts, as a request would have
        wall, cpu = time.perf_counter(), time.process_time()
        if mode == "baseline":
            rows = len(pd.read_sql(sa.text("SELECT * FROM milestone_event"), session.connection()))
        else:
            report = build_report(session=session, scope=ReportScope())
            tables = report_tables(report, DisclosureRules())
            tables_to_csv(report.title, tables)
            rows = len(report.journeys)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"wall": wall, "cpu": cpu, "peak_mb": peak_kb / 1024, "rows": rows}


class fresh_database:  # noqa: N801 - used as a context manager, like contextlib's
    """A new migrated database beside ``server`` (a SQLite file when None), dropped after."""

    def __init__(self, server: str | None, *, keep: bool = False):
        self.server, self.keep = server, keep
        self.name = f"pathways_bench_{uuid.uuid4().hex[:8]}"
        self.directory = None

    def __enter__(self) -> str:

        if self.server is None:
            self.directory = tempfile.TemporaryDirectory()
            url = f"sqlite:///{self.directory.name}/bench.db"
        else:
            admin = make_engine(self.server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
            url = normalise_database_url(
                re.sub(r"/[^/?]+(\?|$)", rf"/{self.name}\1", self.server, count=1)
            )
        migrate(url)
        return url

    def __exit__(self, *_exc) -> None:
        if self.directory is not None:
            self.directory.cleanup()
            return
        if self.keep:
            print(f"Kept database {self.name}")
            return
        admin = make_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


# Synthetic data: one enrolment per resident, a journey of events, then corrections and extra
# interviews (people apply for more than one job) until there are exactly ``events`` events.


def generate(url: str, *, residents: int, events: int) -> str:
    rng = np.random.default_rng(SEED)
    engine = make_engine(url)
    today = date.today()
    with engine.begin() as connection:
        small_tables(connection)
        cohorts = cohort_frame(rng)
        load(connection, Cohort, cohorts)
        people = resident_frame(rng, residents)
        load(connection, Resident, people)
        chosen = rng.integers(0, len(cohorts), residents)
        cohort_start = pd.to_datetime(cohorts["starts_on"]).to_numpy()[chosen]
        enrolled = cohort_start - np.timedelta64(7, "D")
        enrolments = pd.DataFrame(
            {
                "id": np.arange(1, residents + 1),
                "resident_id": people["id"],
                "cohort_id": cohorts["id"].to_numpy()[chosen],
                "enrolled_on": pd.to_datetime(enrolled).date,
                "status": "started",
            }
        )
        load(connection, Enrolment, enrolments)
        milestones = event_frame(rng, enrolments, cohort_start, events, today)
        load(connection, MilestoneEvent, milestones)
        if connection.dialect.name == "postgresql":
            for table in ("cohort", "resident", "enrolment", "milestone_event"):
                connection.execute(
                    sa.text(  # our own table names, not input
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()
    return f"{len(people):,} residents, {len(enrolments):,} enrolments, {len(milestones):,} events"


def small_tables(connection) -> None:
    organisations = pd.DataFrame(
        {
            "id": range(1, 8),
            "name": ["Provider", "Trust A", "Trust B", "Trust C", "Care A", "Care B", "Council"],
            "kind": ["employability_provider"]
            + ["nhs_trust"] * 3
            + ["care_provider"] * 2
            + ["council"],
        }
    )
    load(connection, Organisation, organisations)
    sites = pd.DataFrame(
        {
            "id": range(1, 11),
            "organisation_id": [2, 2, 3, 3, 4, 4, 5, 5, 6, 6],
            "name": [f"Site {number}" for number in range(1, 11)],
            "postcode": "LS9 7TF",
        }
    )
    load(connection, Site, sites)
    pathways = pd.DataFrame(
        {
            "id": range(1, 7),
            "slug": [f"bench-{number}" for number in range(1, 7)],
            "title": [
                "Porter",
                "Domestic",
                "Care worker",
                "HCA apprentice",
                "Admin apprentice",
                "Ready for work",
            ],
            "kind": ["entry_role"] * 3 + ["apprenticeship"] * 2 + ["pre_employment"],
            "staff_group": "Estates and ancillary",
            "apprenticeship_standard_code": [None, None, None, "ST0216", "ST0072", None],
            "apprenticeship_level": pd.array([None, None, None, 2, 3, None], dtype="Int64"),
        }
    )
    load(connection, Pathway, pathways)
    programmes = pd.DataFrame(
        {
            "id": range(1, 11),
            "name": [f"Programme {number}" for number in range(1, 11)],
            "provider_organisation_id": 1,
            "partner_employer_id": [2, 3, 4, 5, 6, 2, 3, 4, 5, 6],
        }
    )
    load(connection, Programme, programmes)


def cohort_frame(rng) -> pd.DataFrame:
    count = 400
    starts = pd.Timestamp("2019-01-07") + pd.to_timedelta(rng.integers(0, 7 * 365, count), "D")
    return pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "programme_id": np.arange(count) % 10 + 1,
            "name": [f"Cohort {number}" for number in range(1, count + 1)],
            "starts_on": starts.date,
            "ends_on": (starts + pd.Timedelta(weeks=6)).date,
        }
    )


def resident_frame(rng, count: int) -> pd.DataFrame:
    areas = np.array(AREAS, dtype=object)[rng.integers(0, len(AREAS), count)]
    deciles = rng.integers(1, 11, count)
    return pd.DataFrame(
        {
            "id": np.arange(1, count + 1),
            "organisation_id": 1,
            "priority_area": areas,
            "in_priority_area": pd.notna(areas) | (deciles <= 2),
            "imd_decile": deciles,
            "ward_name": np.array(WARDS, dtype=object)[rng.integers(0, len(WARDS), count)],
            "age_band": np.array(["16-24", "25-34", "35-49", "50-64", "65+"])[
                rng.integers(0, 5, count)
            ],
            "sex": np.array(["female", "male", "prefer_not_to_say", None], dtype=object)[
                rng.integers(0, 4, count)
            ],
            "ethnicity": np.array(ETHNICITIES, dtype=object)[
                rng.integers(0, len(ETHNICITIES), count)
            ],
            "disability": np.array(["yes", "no", None], dtype=object)[rng.integers(0, 3, count)],
        }
    )


def event_frame(rng, enrolments: pd.DataFrame, cohort_start, total: int, today: date):
    """Each resident's journey, then superseded corrections and extra interviews up to ``total``."""
    count = len(enrolments)
    start = pd.to_datetime(cohort_start)
    frames = []

    def add(mask, kind, on, **columns):
        frame = pd.DataFrame(
            {
                "resident_id": enrolments["resident_id"].to_numpy()[mask],
                "kind": kind,
                "occurred_on": pd.to_datetime(np.asarray(on)[mask]),
            }
        )
        for name, values in columns.items():
            frame[name] = values[mask] if isinstance(values, np.ndarray) else values
        frames.append(frame)

    everyone = np.ones(count, dtype=bool)
    enrolment_ids = enrolments["id"].to_numpy()
    add(everyone, "registered", start - pd.Timedelta(days=14))
    started = rng.random(count) < 0.92
    add(started, "programme_started", start, enrolment_id=enrolment_ids)
    completed = started & (rng.random(count) < 0.85)
    add(completed, "programme_completed", start + pd.Timedelta(weeks=6), enrolment_id=enrolment_ids)
    employer = rng.integers(2, 7, count)
    site = (employer - 2) * 2 + rng.integers(1, 3, count)
    pathway = rng.integers(1, 7, count)
    interviewed = started & (rng.random(count) < 0.75)
    add(interviewed, "interview", start + pd.Timedelta(weeks=7), employer_id=employer)
    offered = interviewed & (rng.random(count) < 0.75)
    add(offered, "offer", start + pd.Timedelta(weeks=8), employer_id=employer)
    job_on = start + pd.to_timedelta(rng.integers(60, 200, count), "D")
    job = offered & (rng.random(count) < 0.9) & (job_on < pd.Timestamp(today))
    pay = np.round(rng.uniform(9.0, 14.0, count), 2)
    add(
        job,
        "job_started",
        job_on,
        employer_id=employer,
        site_id=site,
        pathway_id=pathway,
        hourly_pay=pay,
    )
    for weeks in (13, 26, 52):
        due = job_on + pd.Timedelta(weeks=weeks)
        checked = job & (due < pd.Timestamp(today)) & (rng.random(count) < 0.85)
        answers = rng.random(count)
        in_work = np.where(answers < 0.8, True, np.where(answers < 0.92, False, None))
        add(
            checked,
            "sustainment_check",
            due + pd.Timedelta(days=3),
            employer_id=employer,
            weeks_after_start=weeks,
            in_work=in_work,
        )
    progressed = (
        job & (rng.random(count) < 0.1) & (job_on + pd.Timedelta(weeks=40) < pd.Timestamp(today))
    )
    add(
        progressed,
        "progressed",
        job_on + pd.Timedelta(weeks=40),
        employer_id=employer,
        progression_kind="band_change",
    )
    events = pd.concat(frames, ignore_index=True)
    events["id"] = np.arange(1, len(events) + 1)
    missing = total - len(events)
    if missing < 0:
        events = events.iloc[:total]
    else:
        # Half the filler are earlier versions of current events, superseded by them; half are
        # interviews for other applications.
        corrected = events.sample(n=missing // 2, random_state=SEED, replace=True).copy()
        corrected["superseded_by_id"] = corrected["id"]
        corrected["occurred_on"] = corrected["occurred_on"] - pd.Timedelta(days=2)
        interviews = events.loc[events["kind"] == "interview"].sample(
            n=missing - len(corrected), random_state=SEED + 1, replace=True
        )
        interviews = interviews.assign(occurred_on=interviews["occurred_on"] + pd.Timedelta(days=9))
        filler = pd.concat([corrected, interviews], ignore_index=True)
        filler["id"] = np.arange(len(events) + 1, len(events) + len(filler) + 1)
        events = pd.concat([events, filler], ignore_index=True)
    events["occurred_on"] = events["occurred_on"].dt.date
    return events.sort_values("id", ignore_index=True)


# Bulk loading: COPY on PostgreSQL, executemany on SQLite; required columns get model defaults.


def load(connection, model, frame: pd.DataFrame) -> None:
    table = model.__table__
    frame = with_defaults(model, frame)
    for column in table.columns:
        if column.name in frame and isinstance(column.type, sa.Integer):
            frame[column.name] = pd.array(frame[column.name], dtype="Int64")
    if connection.dialect.name == "postgresql":
        not_null = [c.name for c in table.columns if c.name in frame and not c.nullable]
        options = "FORMAT csv"
        if not_null:
            options += f", FORCE_NOT_NULL ({', '.join(not_null)})"
        raw = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(
                f"COPY {table.name} ({', '.join(frame.columns)}) FROM STDIN WITH ({options})"
            ) as copy,
        ):
            for offset in range(0, len(frame), 200_000):
                buffer = io.StringIO()
                frame.iloc[offset : offset + 200_000].to_csv(buffer, index=False, header=False)
                copy.write(buffer.getvalue())
        return
    rows = frame.astype(object).where(frame.notna(), None)
    placeholders = ", ".join("?" for _ in frame.columns)
    connection.exec_driver_sql(  # our own table and column names, not input
        f"INSERT INTO {table.name} ({', '.join(frame.columns)}) VALUES ({placeholders})",  # noqa: S608
        [tuple(_plain(value) for value in row) for row in rows.itertuples(index=False)],
    )


def with_defaults(model, frame: pd.DataFrame) -> pd.DataFrame:
    """Fill every NOT NULL column the frame lacks with the model's own default."""
    frame = frame.copy()
    now = pd.Timestamp.now(tz="UTC").isoformat()
    for column in model.__table__.columns:
        if column.name in frame or column.nullable or column.primary_key:
            continue
        field = model.model_fields[column.name]
        if field.default_factory is not None:
            value = field.default_factory()
            value = now if not isinstance(value, list) else json.dumps(value)
        elif field.default is not PydanticUndefined:
            value = getattr(field.default, "value", field.default)
        else:
            raise ValueError(f"{model.__name__}.{column.name} needs a value")
        frame[column.name] = value
    return frame


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


if __name__ == "__main__":
    main()
