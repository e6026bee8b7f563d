"""Regression guard: dev-set figures stay above target (nDCG@5 >= 0.75, recall@5 >= 0.85)."""

import importlib.util
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "evaluate_matching.py"


@pytest.fixture(scope="module")
def evaluation():
    spec = importlib.util.spec_from_file_location("evaluate_matching", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_metric_matches_the_definition(evaluation):
    grades = {"A": 3, "B": 2, "C": 1}
    assert evaluation.ndcg_at(["A", "B", "C"], grades) == pytest.approx(1.0)
    swapped = (3 / 1 + 7 / 1.5849625 + 1 / 2) / (7 / 1 + 3 / 1.5849625 + 1 / 2)
    assert evaluation.ndcg_at(["B", "A", "C"], grades) == pytest.approx(swapped)
    assert evaluation.recall_at(["X", "B", "A"], grades) == 1.0
    assert evaluation.recall_at(["B"], {"B": 2}) is None


def test_dev_set_figures_stay_above_targets(evaluation):
    grades = evaluation.read_grades(DATA / "relevance.csv")
    ours = evaluation.matcher_rankings(DATA)
    ndcg, recall = evaluation.evaluate(ours, grades, sorted(ours))
    assert ndcg >= 0.75
    assert recall >= 0.85
    baseline = evaluation.baseline_rankings(DATA)
    base_ndcg, base_recall = evaluation.evaluate(baseline, grades, sorted(baseline))
    assert ndcg > base_ndcg + 0.2 and recall > base_recall + 0.2
