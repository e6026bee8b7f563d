"""Disclosure control: small counts hidden, and never recoverable from a published total."""

import pandas as pd
import pytest

from pathways.disclosure import (
    LOW_BASE,
    PRIMARY,
    SECONDARY,
    DisclosureRules,
    percent,
    show_count,
    show_rate,
    show_total,
    suppress_column,
    suppress_table,
)

RULES = DisclosureRules()


@pytest.mark.parametrize(("value", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (17, 17)])
def test_counts_of_one_to_four_are_shown_as_less_than_five(value, shown):
    assert show_total(value, RULES) == shown


def test_a_single_small_cell_takes_the_smallest_other_non_zero_cell_with_it():
    # Total 17 is published; alone, the 4 could be worked out as 17 - 6 - 7.
    assert suppress_column([4, 6, 7], RULES) == [PRIMARY, SECONDARY, None]
    # Zeros identify nobody and protect nothing, so the 6 is hidden, not the 0.
    assert suppress_column([0, 6, 4], RULES) == [None, SECONDARY, PRIMARY]


def test_ties_hide_the_first_of_the_smallest_cells():
    assert suppress_column([2, 9, 9, 30], RULES) == [PRIMARY, SECONDARY, None, None]


def test_two_small_cells_protect_each_other():
    assert suppress_column([2, 4, 30], RULES) == [PRIMARY, PRIMARY, None]


def test_no_secondary_suppression_when_the_total_is_itself_hidden():
    # Total 1 is published as "<5", so nothing can be subtracted from it.
    assert suppress_column([1, 0, 0], RULES) == [PRIMARY, None, None]


def test_no_suppression_when_nothing_is_small():
    assert suppress_column([0, 5, 12], RULES) == [None, None, None]


def test_a_hidden_cell_cannot_be_recovered_from_any_column_of_a_table():
    counts = pd.DataFrame(
        {"registered": [6, 6, 8], "started": [4, 6, 7], "job": [0, 6, 4], "sustained": [0, 4, 2]},
        index=["Harehills", "Lincoln Green", "Elsewhere"],
    )
    marks = suppress_table(counts, RULES)
    assert marks["registered"].tolist() == [None, None, None]
    assert marks["started"].tolist() == [PRIMARY, SECONDARY, None]
    assert marks["job"].tolist() == [None, SECONDARY, PRIMARY]
    assert marks["sustained"].tolist() == [None, PRIMARY, PRIMARY]
    for name in counts:
        hidden = marks[name].notna()
        assert hidden.sum() != 1, f"{name}: one hidden cell is the total minus the others"


def test_shown_cells_use_symbols():
    assert show_count(3, PRIMARY, RULES) == "<5"
    assert show_count(6, SECONDARY, RULES) == "[c]"
    assert show_count(6, None, RULES) == 6


def test_rates_need_a_denominator_of_ten_and_visible_figures():
    assert show_rate(29, 49, RULES) == 59
    assert show_rate(5, 9, RULES) == LOW_BASE
    assert show_rate(0, 9, RULES) == LOW_BASE
    assert show_rate(0, 10, RULES) == 0
    # The rate and the denominator would give the hidden numerator back.
    assert show_rate(3, 40, RULES) == SECONDARY
    assert show_rate(6, 40, RULES, numerator_hidden=True) == SECONDARY
    assert show_rate(6, 40, RULES, denominator_hidden=True) == SECONDARY


@pytest.mark.parametrize(
    ("numerator", "denominator", "whole"), [(29, 49, 59), (1, 8, 13), (1, 200, 1), (13, 17, 76)]
)
def test_percentages_round_half_up(numerator, denominator, whole):
    assert percent(numerator, denominator) == whole


def test_thresholds_are_settings():
    strict = DisclosureRules(min_count=10, min_denominator=20)
    assert show_total(9, strict) == "<10"
    assert suppress_column([9, 10, 30], strict) == [PRIMARY, SECONDARY, None]
    assert show_rate(12, 19, strict) == LOW_BASE
    assert show_rate(12, 20, strict) == 60
