"""Time the matcher against a plain TF-IDF ranker on seeded synthetic data, with peak memory.

Usage: python scripts/benchmark_matching.py [--small] [--workers N] [--pairs N] [--write-docs]

Full run: 50,000 people x 2,000 opportunities, top 10 with every explanation written to a CSV
file, beside a plain TF-IDF top-10 (cosine, no explanations, nothing written) on the same data;
then one resident against 5,000 vacancies (median of repeated runs). Each measurement runs in a
fresh subprocess so peak RSS is its own; with --workers N the matcher also runs with N forked
worker processes, whose peak is added. With --pairs N it also alternates baseline and matcher
runs (and, with --workers, the forked matcher) N times and prints each pair's ratios with the
load average when it started: on a shared machine the load changes from minute to minute, and
pairs run back to back see the same load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402 - after making the repository importable
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from matching import Availability, Matcher, Opportunity, OpportunityKind, Person, load_vocabulary  # noqa: E402
from matching.cli import available_cpus  # noqa: E402
from matching.csv_io import write_ranks  # noqa: E402
from matching.model import Requirements, ShiftPattern  # noqa: E402

SEED = 20261123
LEEDS = (53.80, -1.55)
FILLER = [
    "worked for years at a local firm",
    "reliable and keen",
    "wants steady work near home with a pension",
    "ok with weekends",
    "good with people",
    "did some courses through the job centre",
]
SIZES = {"full": (50_000, 2_000, 5_000), "small": (5_000, 500, 5_000)}


def synthetic_opportunities(
    count: int, rng: random.Random, *, vacancies_only: bool = False
) -> list[Opportunity]:
    """Pathways, programmes and vacancies built from vocabulary labels, with sites around Leeds."""
    labels = [skill.label for skill in load_vocabulary().labels]
    kinds = [OpportunityKind.VACANCY] if vacancies_only else list(OpportunityKind)
    opportunities = []
    for index in range(count):
        skills = rng.sample(labels, rng.randint(4, 8))
        kind = rng.choice(kinds)
        opportunities.append(
            Opportunity(
                id=f"O{index:05d}",
                title=f"{skills[0].capitalize()} {kind.value}",
                kind=kind,
                description=(
                    f"Work that needs {skills[1]} and {skills[2]}; training in {skills[3]} given."
                ),
                skills=tuple(skills),
                requirements=Requirements(
                    min_age=rng.choice([None, 16, 18, 21]),
                    driving_licence=rng.random() < 0.1,
                    shift_pattern=rng.choice(list(ShiftPattern)),
                    part_time_available=rng.choice([None, True, False]),
                ),
                lat=LEEDS[0] + rng.uniform(-0.12, 0.12),
                lon=LEEDS[1] + rng.uniform(-0.2, 0.2),
                ring_fenced=rng.random() < 0.1,
            )
        )
    return opportunities


def synthetic_people(count: int, rng: random.Random) -> list[Person]:
    """Residents whose profiles use synonyms, typos and limits the way advisers' notes do."""
    vocabulary = load_vocabulary()
    people = []
    for index in range(count):
        phrases = []
        for skill in rng.sample(vocabulary.labels, rng.randint(2, 6)):
            phrase = rng.choice((skill.label, *skill.synonyms))
            if len(phrase) > 6 and rng.random() < 0.15:  # a dropped letter, as in "clening"
                cut = rng.randrange(1, len(phrase) - 1)
                phrase = phrase[:cut] + phrase[cut + 1 :]
            phrases.append(phrase)
        limits = rng.sample(
            ["no driving licence", "can't do nights", "failed maths", "part-time only", ""], 2
        )
        filler = ". ".join(rng.sample(FILLER, 4))
        profile = f"{filler}. Did {', '.join(phrases)}. {rng.choice(FILLER)}. {'. '.join(limits)}"
        people.append(
            Person(
                id=f"R{index:06d}",
                profile=profile,
                availability=Availability(),
                lat=LEEDS[0] + rng.uniform(-0.1, 0.1),
                lon=LEEDS[1] + rng.uniform(-0.15, 0.15),
                in_priority_area=rng.random() < 0.3,
                max_travel_km=rng.choice([None, 5.0, 10.0, 20.0]),
            )
        )
    return people


def run_baseline(people: list[Person], opportunities: list[Opportunity], top: int) -> int:
    """Plain TF-IDF top-k by cosine, chunked sparse products, no explanations."""
    model = TfidfVectorizer(dtype=np.float32)
    documents = model.fit_transform(
        [f"{o.title} {o.description} {' '.join(o.skills)}" for o in opportunities]
    ).T
    found = 0
    for start in range(0, len(people), 2000):
        queries = model.transform([p.profile for p in people[start : start + 2000]])
        similarity = (queries @ documents).toarray()
        best = np.argpartition(-similarity, top - 1, axis=1)[:, :top]
        order = np.argsort(-np.take_along_axis(similarity, best, axis=1), axis=1)
        found += np.take_along_axis(best, order, axis=1).shape[0]
    return found


def run_matcher(
    people: list[Person], opportunities: list[Opportunity], top: int, workers: int = 1
) -> int:
    """The matcher's top-k, every row's explanation written out as text.

    What ``python -m matching rank --explain`` writes: score and its parts, eligibility and the
    reasons, matched and missing skills, and the bridging step, for every one of the top k of
    every person, to a CSV file (deleted afterwards).
    """
    matcher = Matcher(opportunities)
    with tempfile.TemporaryDirectory() as folder:
        return write_ranks(
            Path(folder) / "ranks.csv", matcher, people, top=top, explain=True, workers=workers
        )


def measure(part: str, size: str, workers: int = 1) -> dict[str, float]:
    """One measurement in this process (run as a child): wall time and peak RSS.

    With workers, the peak is this process's plus the largest worker's times the workers.
    """
    people_count, opportunity_count, vacancy_count = SIZES[size]
    rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic data, not security
    if part == "single":
        vacancies = synthetic_opportunities(vacancy_count, rng, vacancies_only=True)
        resident = synthetic_people(1, rng)[0]
        matcher = Matcher(vacancies)
        matcher.rank(resident, top=10)  # warm caches (typo corrections, first-use allocations)
        timings = []
        for person in synthetic_people(50, rng):
            started = time.perf_counter()
            matcher.rank(person, top=10)
            timings.append(time.perf_counter() - started)
        seconds = statistics.median(timings)
    else:
        opportunities = synthetic_opportunities(opportunity_count, rng)
        people = synthetic_people(people_count, rng)
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        if part == "baseline":
            run_baseline(people, opportunities, 10)
        else:
            run_matcher(people, opportunities, 10, workers)
        seconds = time.perf_counter() - started
        cpu_seconds = _cpu_seconds() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if workers > 1:
        peak_mb += workers * resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if part == "single":
        cpu_seconds = seconds
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_mb}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (worker processes)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(part: str, size: str, workers: int = 1) -> dict[str, float]:
    """Run one measurement in a fresh interpreter so its peak memory is its own."""
    output = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--child", part, "--size", size, "--workers", str(workers)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(size: str, results: dict[str, dict[str, float]]) -> str:
    """The figures as a Markdown section for docs/performance.md."""
    people, opportunities, vacancies = SIZES[size]
    baseline, ours, single = results["baseline"], results["matcher"], results["single"]
    ratio = ours["seconds"] / baseline["seconds"]
    cpu_ratio = ours["cpu_seconds"] / baseline["cpu_seconds"]
    command = "python scripts/benchmark_matching.py" + (" --small" if size == "small" else "")
    if "workers" in results:
        command += f" --workers {results['workers']['count']:.0f}"
    return f"""## Matching

Measured {dt.date.today().isoformat()} on {platform.node() or "this machine"} ({platform.machine()},
{available_cpus()} CPUs, Python {platform.python_version()}), command `{command}`;
synthetic data, seed {SEED}; load average {results["load"]:.1f} when it started (other work on
the machine slows both rows; CPU time shows the work itself). Each row ran in its own process;
peak memory is that process's maximum resident set size (data included).

| Run | Wall time | CPU time | Peak memory | Target |
|---|---:|---:|---:|---|
| Plain TF-IDF top-10 (baseline, no explanations), {people:,} people x {opportunities:,} | \
{baseline["seconds"]:.1f} s | {baseline["cpu_seconds"]:.1f} s | {baseline["peak_mb"]:.0f} MB | - |
| Matcher top-10 with explanations, {people:,} x {opportunities:,} | {ours["seconds"]:.1f} s \
| {ours["cpu_seconds"]:.1f} s | {ours["peak_mb"]:.0f} MB | <= 3x baseline, < 2 GB |
| Matcher / baseline | {ratio:.2f}x | {cpu_ratio:.2f}x | | <= 3x |
{_workers_rows(results, baseline)}| One resident vs {vacancies:,} vacancies, median of 50 | \
{single["seconds"] * 1000:.1f} ms | | {single["peak_mb"]:.0f} MB | < 50 ms |

"With explanations": every one of the 500,000 top-10 rows is written as text to a CSV file
(what `python -m matching rank --explain` writes): score and its parts, eligible or not with the
reasons, matched and missing skills, and the bridging step (title, id, skills it teaches). The
baseline writes nothing. People are read 1,000 at a time; their scores against every
opportunity are dense float32 arrays, the top 10 come from argpartition, and only those pairs
are explained (as columns of a `MatchTable`, no `Match` objects), so memory does not grow with
people.
"""


def _workers_rows(results: dict[str, dict[str, float]], baseline: dict[str, float]) -> str:
    """Table rows for the forked-workers run, if there was one."""
    if "workers" not in results:
        return ""
    forked = results["workers"]
    return (
        f"| Matcher with {forked['count']:.0f} forked workers (peak: parent + workers) | "
        f"{forked['seconds']:.1f} s | {forked['cpu_seconds']:.1f} s | {forked['peak_mb']:.0f} MB "
        "| < 2 GB |\n"
        f"| Forked matcher / baseline | {forked['seconds'] / baseline['seconds']:.2f}x | "
        f"{forked['cpu_seconds'] / baseline['cpu_seconds']:.2f}x | | <= 3x |\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements, print them and optionally write docs/performance.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small", action="store_true", help="5,000 people x 500 opportunities, for a quick check"
    )
    parser.add_argument(
        "--write-docs", action="store_true", help="write the figures to docs/performance.md"
    )
    parser.add_argument(
        "--child", choices=("baseline", "matcher", "single"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="also time the matcher with N forked workers"
    )
    parser.add_argument(
        "--pairs", type=int, default=0, help="also alternate baseline and matcher N times"
    )
    parser.add_argument("--size", choices=tuple(SIZES), default="full", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.size, args.workers)))
        return 0
    size = "small" if args.small else "full"
    load = os.getloadavg()[0]
    results: dict = {part: child(part, size) for part in ("baseline", "matcher", "single")}
    results["load"] = load
    if args.workers > 1:
        results["workers"] = child("matcher", size, args.workers)
        results["workers"]["count"] = args.workers
    section = report(size, results)
    print(section)
    if args.pairs:
        print(alternating_pairs(size, args.pairs, args.workers))
    if args.write_docs:
        write_section(REPO / "docs" / "performance.md", section)
    return 0


def alternating_pairs(size: str, count: int, workers: int = 1) -> str:
    """Baseline then matcher (then, with workers, the forked matcher), ``count`` times, as a
    Markdown table with each run's ratios to the baseline it ran beside."""
    forked = workers > 1
    lines = [
        "| Pair (start UTC, load) | Baseline wall (CPU) | Matcher wall (CPU) | Ratio wall (CPU) |"
        + (f" {workers} workers wall (CPU) | Ratio wall (CPU) |" if forked else ""),
        "|---|---:|---:|---:|" + ("---:|---:|" if forked else ""),
    ]
    ratios: dict[str, list[float]] = {"serial CPU": [], "serial wall": [], "forked wall": []}
    for _ in range(count):
        started = dt.datetime.now(dt.UTC).strftime("%H:%M")
        load = os.getloadavg()[0]
        baseline, ours = child("baseline", size), child("matcher", size)
        ratios["serial CPU"].append(ours["cpu_seconds"] / baseline["cpu_seconds"])
        ratios["serial wall"].append(ours["seconds"] / baseline["seconds"])
        line = f"| {started}, {load:.1f} | {_timing(baseline)} | {_timing(ours)} | " + _ratio(
            ours, baseline
        )
        if forked:
            parallel = child("matcher", size, workers)
            ratios["forked wall"].append(parallel["seconds"] / baseline["seconds"])
            line += f" {_timing(parallel)} | {_ratio(parallel, baseline)}"
        lines.append(line)
    lines.append("")
    for name, values in ratios.items():
        if values:
            lines.append(
                f"Median {name} ratio over {count} pairs: {statistics.median(values):.2f}x"
            )
    return "\n".join(lines)


def _timing(run: dict[str, float]) -> str:
    return f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f})"


def _ratio(run: dict[str, float], baseline: dict[str, float]) -> str:
    wall = run["seconds"] / baseline["seconds"]
    return f"{wall:.2f}x ({run['cpu_seconds'] / baseline['cpu_seconds']:.2f}x) |"


def write_section(path: Path, section: str) -> None:
    """Replace (or add) the "## Matching" section, leaving other headings as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    start = text.find("## Matching")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("" if end == -1 else text[end + 1 :])
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
