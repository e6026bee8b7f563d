"""Statistical disclosure control for published counts, on by default.

Counts of 1 to ``min_count - 1`` are shown as "<5" (primary suppression). Where a table's
categories add up to a total that is shown, a single hidden cell could be worked out by
subtraction, so the smallest other non-zero cell in that column is hidden too, shown as "[c]"
(secondary suppression). Rates are hidden as "[low]" when the denominator is under
``min_denominator``, and as "[c]" when either figure they come from is hidden, since a rate and
its denominator give the numerator back. Zero is shown: it identifies nobody.

Symbols follow the Government Statistical Service's guidance on symbols in tables.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

PRIMARY = "<5"
SECONDARY = "[c]"
LOW_BASE = "[low]"


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds, from the REPORT_MIN_COUNT and REPORT_MIN_DENOMINATOR settings."""

    min_count: int = 5
    min_denominator: int = 10

    @property
    def primary_symbol(self) -> str:
        return f"<{self.min_count}"


def is_small(value: int, rules: DisclosureRules) -> bool:
    """A count of people small enough to identify someone: more than none, under the minimum."""
    return 0 < value < rules.min_count


def suppress_column(values: Sequence[int], rules: DisclosureRules) -> list[str | None]:
    """Which cells of one additive column to hide, given that their total is published.

    Returns, per cell, None (show it), PRIMARY or SECONDARY.
    """
    marks: list[str | None] = [PRIMARY if is_small(int(v), rules) else None for v in values]
    hidden = [index for index, mark in enumerate(marks) if mark]
    if len(hidden) == 1 and not is_small(int(sum(values)), rules):
        candidates = [
            (int(value), index)
            for index, value in enumerate(values)
            if marks[index] is None and int(value) > 0
        ]
        if candidates:
            marks[min(candidates)[1]] = SECONDARY
    return marks


def suppress_table(counts: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """Marks (None, PRIMARY or SECONDARY) for a table of counts whose columns sum to totals."""
    return pd.DataFrame(
        {name: suppress_column(counts[name].tolist(), rules) for name in counts.columns},
        index=counts.index,
        dtype=object,
    )


def show_count(value: int, mark: str | None, rules: DisclosureRules) -> int | str:
    """The count as published: the number, or the symbol that replaces it."""
    if mark == PRIMARY:
        return rules.primary_symbol
    if mark:
        return mark
    return int(value)


def show_total(value: int, rules: DisclosureRules) -> int | str:
    """A single published count (a total or a headline figure): primary suppression only."""
    return show_count(value, PRIMARY if is_small(value, rules) else None, rules)


def show_rate(
    numerator: int,
    denominator: int,
    rules: DisclosureRules,
    *,
    numerator_hidden: bool = False,
    denominator_hidden: bool = False,
) -> int | str:
    """A whole percentage, or why it is hidden."""
    if denominator < rules.min_denominator:
        return LOW_BASE
    if numerator_hidden or denominator_hidden or is_small(numerator, rules):
        return SECONDARY
    return percent(numerator, denominator)


def percent(numerator: int, denominator: int) -> int:
    """Whole percentage rounded half up (29 of 49 is 59), as people round by hand."""
    return (200 * numerator + denominator) // (2 * denominator)


def is_hidden(shown: int | str) -> bool:
    return isinstance(shown, str)
