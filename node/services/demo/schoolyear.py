"""The demo's school calendar: the year around a date, quarters, halves, holidays, bells.

Russian schools run from 1 September to 31 May with autumn, winter and spring breaks of
about nine days, two weeks and nine days, plus the public holidays that fall in term time
(moved to Monday when they fall on a weekend). Grades 1–9 report by quarters (the breaks
separate them), grades 10–11 by halves (the winter break separates them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Bells: lesson number → (starts, ends), local time.
BELLS: tuple[tuple[int, str, str], ...] = (
    (1, "08:30", "09:15"),
    (2, "09:25", "10:10"),
    (3, "10:30", "11:15"),
    (4, "11:35", "12:20"),
    (5, "12:30", "13:15"),
    (6, "13:25", "14:10"),
    (7, "14:20", "15:05"),
    (8, "15:15", "16:00"),
)

_PUBLIC_HOLIDAYS = (
    (11, 4, "День народного единства"),
    (2, 23, "День защитника Отечества"),
    (3, 8, "Международный женский день"),
    (5, 1, "Праздник Весны и Труда"),
    (5, 9, "День Победы"),
)


@dataclass(frozen=True)
class Term:
    """A reporting period as the demo stores it."""

    scheme: str  # "quarters", "halves" or "year"
    number: int
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class SchoolYear:
    name: str
    start: dt.date
    end: dt.date
    terms: tuple[Term, ...]
    holidays: tuple[tuple[str, dt.date, dt.date], ...]

    def of_scheme(self, scheme: str) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.scheme == scheme)

    def is_holiday(self, day: dt.date) -> bool:
        return any(start <= day <= end for _, start, end in self.holidays)

    def school_days(self, days_per_week: int) -> list[dt.date]:
        """Every day with lessons for a class that learns ``days_per_week`` days a week."""
        days = []
        day = self.start
        while day <= self.end:
            if day.isoweekday() <= days_per_week and not self.is_holiday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days


def start_year(today: dt.date) -> int:
    """The calendar year in which the school year around ``today`` began; in summer, the
    year that has just ended (its journals are still the ones people look at)."""
    return today.year if today.month >= 9 else today.year - 1


def _saturday_from(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def _sunday_from(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(6 - day.weekday()) % 7)


def school_year(year: int) -> SchoolYear:
    """The calendar of the school year that starts on 1 September ``year``."""
    start, end = dt.date(year, 9, 1), dt.date(year + 1, 5, 31)
    autumn = _saturday_from(dt.date(year, 10, 24))
    winter = _saturday_from(dt.date(year, 12, 24))
    winter_end = _sunday_from(dt.date(year + 1, 1, 8))
    spring = _saturday_from(dt.date(year + 1, 3, 21))
    breaks = [
        ("Осенние каникулы", autumn, autumn + dt.timedelta(days=8)),
        ("Зимние каникулы", winter, winter_end),
        ("Весенние каникулы", spring, spring + dt.timedelta(days=8)),
    ]
    holidays = list(breaks)
    for month, day_of_month, name in _PUBLIC_HOLIDAYS:
        day = dt.date(year if month >= 9 else year + 1, month, day_of_month)
        if day.weekday() >= 5:
            day += dt.timedelta(days=7 - day.weekday())  # moved to Monday
        if not any(s <= day <= e for _, s, e in holidays):
            holidays.append((name, day, day))
    holidays.sort(key=lambda h: h[1])
    one_day = dt.timedelta(days=1)
    quarter_dates = (
        (start, breaks[0][1] - one_day),
        (breaks[0][2] + one_day, breaks[1][1] - one_day),
        (breaks[1][2] + one_day, breaks[2][1] - one_day),
        (breaks[2][2] + one_day, end),
    )
    terms = [
        Term("quarters", i + 1, f"{i + 1} четверть", s, e) for i, (s, e) in enumerate(quarter_dates)
    ]
    terms += [
        Term("halves", 1, "1 полугодие", start, breaks[1][1] - one_day),
        Term("halves", 2, "2 полугодие", breaks[1][2] + one_day, end),
        Term("year", 1, "Год", start, end),
    ]
    return SchoolYear(f"{year}/{year + 1}", start, end, tuple(terms), tuple(holidays))
