"""«Earlier» and «Later» on a report: the neighbouring period of the same kind.

A deputy at journal control expects ``]`` to bring the next quarter and ``[`` the previous
one; never a half-year after the fourth quarter, never a range past the school year, and
never a period that has not begun (its report would start after today: nothing to control
yet). When there is no such step the answer says why, for the status line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from node.i18n import _
from node.models import Period


@dataclass(frozen=True)
class PeriodStep:
    """The period to show, or (``period`` None) why there is none."""

    period: Period | None
    refusal: str = ""


def _scheme_of(periods: list[Period], start: dt.date, end: dt.date) -> str:
    """The scheme of the period shown; a range of other dates steps by the first scheme."""
    shown = next((p for p in periods if (p.start, p.end) == (start, end)), None)
    return shown.scheme if shown is not None else periods[0].scheme


def step_period(
    periods: list[Period], start: dt.date, end: dt.date, step: int, today: dt.date
) -> PeriodStep:
    """The period before (``step`` < 0) or after the range ``start``–``end``.

    ``periods`` are the school year's (``year_periods``); the step stays within the scheme
    of the period shown (quarters step by quarters), and a range chosen by dates steps to
    the period of the first scheme that starts before or after its start.
    """
    if not periods:
        return PeriodStep(None, _("The school year has no periods."))
    scheme = _scheme_of(periods, start, end)
    same = sorted((p for p in periods if p.scheme == scheme), key=lambda p: p.start)
    if step < 0:
        found = [p for p in same if p.start < start]
        if not found:
            return PeriodStep(None, _("This is the first period of the school year."))
        return PeriodStep(found[-1])
    later = [p for p in same if p.start > start]
    if not later:
        return PeriodStep(None, _("This is the last period of the school year."))
    period = later[0]
    if period.start > today:
        return PeriodStep(
            None,
            _("{period} begins on {day}: there is nothing to control yet.").format(
                period=period.name, day=period.start.strftime("%d.%m.%Y")
            ),
        )
    return PeriodStep(period)
