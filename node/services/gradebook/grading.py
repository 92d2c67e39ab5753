"""Weighted averages and suggested final marks (docs/ARCHITECTURE.md §3), as pure functions.

Exact fractions, not floats: 3.6 must round up at a .6 threshold, and a float sum of
weights can land on 3.5999…; a teacher would rightly call that a wrong suggestion.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from node.services.base.policy import Policy


def _weight(weight: float | int | Fraction) -> Fraction:
    return weight if isinstance(weight, Fraction) else Fraction(str(weight))


def weighted_average(marks: Iterable[tuple[int | None, float | int | Fraction]]) -> Fraction | None:
    """Σ(weight·points)/Σweight over the numeric marks; ``None`` when there are none.

    ``marks`` are (points, weight) pairs; pairs with ``points`` None (зач/незач) are skipped.
    """
    total = Fraction(0)
    weights = Fraction(0)
    for points, weight in marks:
        if points is None:
            continue
        w = _weight(weight)
        total += w * points
        weights += w
    if weights == 0:
        return None
    return total / weights


def round_by_threshold(value: Fraction, threshold: Fraction) -> int:
    """Round down, unless the fractional part reaches ``threshold`` (default .6 → up)."""
    whole = math.floor(value)
    return whole + 1 if value - whole >= threshold else whole


def suggest_final(
    marks: Iterable[tuple[int | None, float | int | Fraction]], policy: Policy
) -> int | None:
    """The final mark the weighted average suggests, clamped to the school's scale."""
    average = weighted_average(marks)
    if average is None:
        return None
    suggestion = round_by_threshold(average, policy.rounding_threshold)
    return max(policy.mark_min, min(policy.mark_max, suggestion))


def suggest_year_final(period_points: Iterable[int | None], policy: Policy) -> int | None:
    """A year mark from the period finals: their plain average, rounded by the threshold."""
    return suggest_final(((p, 1) for p in period_points), policy)


def display_average(average: Fraction | None) -> str:
    """'4.33' — two decimals, the way journals show averages ('' when there is none)."""
    if average is None:
        return ""
    return f"{float(average):.2f}"
