"""Command line: ``python -m matching rank --pathways P --people D --top K --out RANKS``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from matching.csv_io import InputError, read_pathways, read_people, write_ranks
from matching.geo import load_postcodes
from matching.matcher import Matcher

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m matching", description="Rank pathways for residents."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    rank = commands.add_parser(
        "rank", help="rank every pathway for every person and write the top K"
    )
    rank.add_argument(
        "--pathways", type=Path, required=True, help="CSV: id,title,description,skills"
    )
    rank.add_argument("--people", type=Path, required=True, help="CSV: id,postcode,profile")
    rank.add_argument(
        "--top", type=_positive_int, default=5, help="pathways per person (default 5)"
    )
    rank.add_argument("--out", type=Path, required=True, help="output CSV")
    rank.add_argument(
        "--exclude-ineligible",
        action="store_true",
        help="leave out pathways a person is ruled out of (default: rank them after eligible ones)",
    )
    rank.add_argument(
        "--explain",
        action="store_true",
        help="also write each match's title, eligibility, reasons, score parts and bridging step",
    )
    rank.add_argument(
        "--workers",
        type=_positive_int,
        default=available_cpus(),
        help="processes to rank in (default: the CPUs this process may use)",
    )
    return parser


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform says, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for unusable input)."""
    args = _parser().parse_args(argv)
    try:
        pathways = read_pathways(args.pathways)
        people = read_people(args.people, load_postcodes())
        if not pathways:
            raise InputError(f"{args.pathways}: no pathways")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    matcher = Matcher(pathways)
    try:
        rows = write_ranks(
            args.out,
            matcher,
            people,
            top=args.top,
            include_ineligible=not args.exclude_ineligible,
            explain=args.explain,
            workers=args.workers,
        )
    except OSError as error:
        print(f"error: {args.out}: cannot write ({error.strerror})", file=sys.stderr)
        return USAGE_ERROR
    print(f"wrote {rows} rows for {len(people)} people to {args.out}", file=sys.stderr)
    return 0
