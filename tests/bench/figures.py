"""Shared arithmetic of the benchmarks: ratios against a baseline, and the cores to count."""

from __future__ import annotations

import os


def ratio(value: float, baseline: float, digits: int = 2) -> float | None:
    """``value / baseline``, or None when the baseline is not a positive figure.

    A baseline of zero (a clock too coarse, a step that did nothing) says nothing about the
    thing measured: its ratio is no figure, so a goal on it is not met rather than met.
    """
    if not baseline or baseline <= 0:
        return None
    return round(value / baseline, digits)


def usable_cores() -> int:
    """The cores this process may run on (its affinity, else every core of the machine)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
