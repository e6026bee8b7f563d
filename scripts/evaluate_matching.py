"""Score the matcher on the labelled dev set beside plain TF-IDF, with match rates by IMD decile.

Usage: python scripts/evaluate_matching.py [DEV_DIR] [--tune]

DEV_DIR defaults to ../shared/matching-dev beside the repository. Metrics are those defined in the
dev set's README: nDCG@5 over all people, recall@5 of grade-3 pathways over people who have one.
--tune is the overfitting check: choose weights on one half of the people, score the other half.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402 - after making the repository importable
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from matching.csv_io import InputError, read_pathways, read_people  # noqa: E402
from matching.geo import load_postcodes  # noqa: E402
from matching.matcher import Matcher, Weights  # noqa: E402

CUTOFF = 5
Grades = Mapping[str, Mapping[str, int]]


def read_grades(path: Path) -> dict[str, dict[str, int]]:
    """person_id -> {pathway_id: grade} from relevance.csv."""
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            grades[row["person_id"]][row["pathway_id"]] = int(row["grade"])
    return dict(grades)


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], cutoff: int = CUTOFF) -> float:
    """DCG@k with gain 2^grade - 1 and log2(rank + 1) discount, over the ideal DCG@k."""
    dcg = sum((2 ** grades.get(p, 0) - 1) / math.log2(r + 2) for r, p in enumerate(ranked[:cutoff]))
    ideal = sorted(grades.values(), reverse=True)[:cutoff]
    best = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at(
    ranked: Sequence[str], grades: Mapping[str, int], cutoff: int = CUTOFF
) -> float | None:
    """Share of grade-3 pathways in the top k; None when the person has none."""
    excellent = {p for p, g in grades.items() if g == 3}
    return len(excellent & set(ranked[:cutoff])) / len(excellent) if excellent else None


def evaluate(
    rankings: Mapping[str, Sequence[str]], grades: Grades, people: Sequence[str]
) -> tuple[float, float]:
    """Mean nDCG@5 over the people, and mean recall@5 over those with a grade-3 pathway."""
    ndcgs = [ndcg_at(rankings[p], grades.get(p, {})) for p in people]
    recalls = [r for p in people if (r := recall_at(rankings[p], grades.get(p, {}))) is not None]
    return float(np.mean(ndcgs)), float(np.mean(recalls)) if recalls else float("nan")


def matcher_rankings(dev: Path, weights: Weights = Weights()) -> dict[str, list[str]]:  # noqa: B008
    """Every person's full ranking of all pathways from the matcher (ineligible ones last)."""
    pathways = read_pathways(dev / "pathways.csv")
    people = read_people(dev / "people.csv", load_postcodes())
    table = Matcher(pathways, weights=weights).rank_table(people, top=None, include_ineligible=True)
    return dict(zip(table.person_ids, table.ranked_ids(), strict=True))


def baseline_rankings(dev: Path) -> dict[str, list[str]]:
    """Plain TF-IDF: profile against title + description + skills, cosine, no vocabulary."""
    pathways = read_pathways(dev / "pathways.csv")
    people = read_people(dev / "people.csv")
    model = TfidfVectorizer()
    documents = model.fit_transform(
        [f"{p.title} {p.description} {' '.join(p.skills)}" for p in pathways]
    )
    similarity = (model.transform([p.profile for p in people]) @ documents.T).toarray()
    ids = [p.id for p in pathways]
    return {
        person.id: [ids[i] for i in np.argsort(-similarity[row], kind="stable")]
        for row, person in enumerate(people)
    }


def imd_table(
    dev: Path, rankings: Mapping[str, Sequence[str]], grades: Grades
) -> list[tuple[str, int, float, float]]:
    """Per IMD 2025 decile (postcode, else sector, else unknown): people, nDCG@5, hit rate."""
    lookup = load_postcodes()
    by_decile: dict[str, list[str]] = defaultdict(list)
    with open(dev / "people.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            place = lookup.find(row["postcode"])
            decile = place.imd_decile if place else None
            by_decile["unknown" if decile is None else str(decile)].append(row["id"])
    table = []
    for decile in sorted(by_decile, key=lambda d: (d == "unknown", int(d) if d.isdigit() else 0)):
        members = by_decile[decile]
        ndcg, _ = evaluate(rankings, grades, members)
        # A "match" is a pathway graded 2 or 3 in the person's top 5.
        hits = [any(grades[p].get(q, 0) >= 2 for q in rankings[p][:CUTOFF]) for p in members]
        table.append((decile, len(members), ndcg, float(np.mean(hits))))
    return table


GRID = {
    "coverage": (0.3, 0.45, 0.6),
    "interest": (0.1, 0.25, 0.4),
    "text": (0.15, 0.3, 0.45),
    "aversion": (0.3, 0.6, 1.0),
    "implied": (0.4, 0.6, 0.8),
}


def split_half_check(dev: Path, grades: Grades, halves: Mapping[str, Sequence[str]]) -> None:
    """Pick weights by nDCG@5 on one half, report them on the other half (and the reverse)."""
    candidates = [
        Weights(**dict(zip(GRID, values, strict=True)))
        for values in itertools.product(*GRID.values())
    ]
    rankings = [matcher_rankings(dev, weights) for weights in candidates]
    print(
        f"\nSplit-half check: weights tuned on one half ({len(candidates)} settings),"
        " scored on the other"
    )
    print(
        f"{'tuned on':<24}{'scored on':<24}{'tuned nDCG@5':>14}"
        f"{'held-out nDCG@5':>17}{'held-out recall@5':>19}"
    )
    names = list(halves)
    for tune_on, score_on in ((names[0], names[1]), (names[1], names[0])):
        best = max(
            range(len(candidates)), key=lambda i: evaluate(rankings[i], grades, halves[tune_on])[0]
        )
        tuned = evaluate(rankings[best], grades, halves[tune_on])[0]
        ndcg, recall = evaluate(rankings[best], grades, halves[score_on])
        print(f"{tune_on:<24}{score_on:<24}{tuned:>14.3f}{ndcg:>17.3f}{recall:>19.3f}")
        chosen = candidates[best]
        print("    chosen: " + ", ".join(f"{name}={getattr(chosen, name)}" for name in GRID))


def main(argv: list[str] | None = None) -> int:
    """Print the metric table, the split-half check and the IMD decile table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "dev", nargs="?", type=Path, default=REPO.parent / "shared" / "matching-dev"
    )
    parser.add_argument("--tune", action="store_true", help="also run the split-half tuning check")
    args = parser.parse_args(argv)
    try:
        grades = read_grades(args.dev / "relevance.csv")
        ours = matcher_rankings(args.dev)
        baseline = baseline_rankings(args.dev)
    except (InputError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    people = sorted(ours)
    halves = {"odd-numbered people": people[0::2], "even-numbered people": people[1::2]}

    print(f"Dev set: {args.dev} ({len(people)} people)\n")
    print(f"{'ranker':<28}{'people':>8}{'nDCG@5':>10}{'recall@5 (g3)':>16}")
    for name, rankings in (("matcher", ours), ("plain TF-IDF baseline", baseline)):
        for subset, members in (("all", people), *halves.items()):
            ndcg, recall = evaluate(rankings, grades, members)
            label = name if subset == "all" else f"  {subset}"
            print(f"{label:<28}{len(members):>8}{ndcg:>10.3f}{recall:>16.3f}")
    if args.tune:
        split_half_check(args.dev, grades, halves)
    print(
        "\nMatch rate by IMD 2025 decile (1 = most deprived);"
        " match = a grade >= 2 pathway in the top 5"
    )
    print(
        f"{'decile':<10}{'people':>8}{'matcher nDCG@5':>16}"
        f"{'matcher match':>15}{'baseline match':>16}"
    )
    base_rows = {row[0]: row for row in imd_table(args.dev, baseline, grades)}
    for decile, count, ndcg, hit in imd_table(args.dev, ours, grades):
        print(f"{decile:<10}{count:>8}{ndcg:>16.3f}{hit:>15.0%}{base_rows[decile][3]:>16.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
