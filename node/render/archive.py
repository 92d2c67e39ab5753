"""Printable HTML pages of the year archive: journals laid out like the paper one, the
summary sheets, and the index. Self-contained (no scripts, no external files but the links
between pages), A4 landscape print style; the templates are in ``templates/archive/``.

The same data gives the same bytes (the archive's hashes and the expected-tree test rely
on it): see ``node.render.environment`` for the escaping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from node.i18n import _
from node.render.environment import render
from node.services.reports.table import Table
from node.services.year_end.journals import (
    ClassJournals,
    JournalSheet,
    SheetLesson,
    SheetPeriod,
    YearContents,
)

#: Lesson columns per printed grid, as a paper journal has so many dates per spread: what
#: fits across A4 landscape (277 mm, the page's width on screen too) beside the number, the
#: name and the period's final mark, with two marks in a cell («3/4», «оп 5»). Checked in
#: Chromium at 1200 px by tests/backup/test_archive_print.py.
COLUMNS_PER_PAGE = 15


@dataclass(frozen=True)
class GridRow:
    name: str
    cells: list[str]
    final: str


@dataclass(frozen=True)
class Grid:
    """One printed marks grid: up to ``COLUMNS_PER_PAGE`` lessons; the last of a period
    ends with the period's final mark [R 5.3]."""

    lessons: list[SheetLesson]
    rows: list[GridRow]
    last: bool


@dataclass(frozen=True)
class PeriodPart:
    period: SheetPeriod
    grids: list[Grid]
    lessons: list[SheetLesson]  # with the cancelled ones, for the list of topics


def _by_period(
    lessons: Sequence[SheetLesson], periods: Sequence[SheetPeriod]
) -> list[tuple[SheetPeriod, list[SheetLesson]]]:
    """The class's periods (not the year) with their lessons; a lesson between periods (a
    make-up lesson in the holidays) goes with the period before it."""
    terms = [p for p in periods if not p.is_year] or list(periods)
    out: list[tuple[SheetPeriod, list[SheetLesson]]] = [(p, []) for p in terms]
    for lesson in lessons:
        index = 0
        for i, term in enumerate(terms):
            if term.start <= lesson.date:
                index = i
        out[index][1].append(lesson)
    return out


def _cells(sheet: JournalSheet) -> dict[tuple[str, str], str]:
    """Every filled cell, once per journal (most cells are empty)."""
    keys = set(sheet.marks) | set(sheet.attendance)
    return {key: sheet.cell(*key) for key in keys}


def _grids(
    sheet: JournalSheet,
    period: SheetPeriod,
    lessons: list[SheetLesson],
    cells: Mapping[tuple[str, str], str],
) -> list[Grid]:
    held = [lesson for lesson in lessons if not lesson.cancelled]
    chunks = [held[i : i + COLUMNS_PER_PAGE] for i in range(0, len(held), COLUMNS_PER_PAGE)]
    chunks = chunks or [[]]
    grids = []
    for index, chunk in enumerate(chunks):
        ids = [lesson.id for lesson in chunk]
        rows = [
            GridRow(
                name=student.name,
                cells=[cells.get((student.id, lid), "") for lid in ids],
                final=sheet.finals.get((student.id, period.id), ""),
            )
            for student in sheet.students
        ]
        grids.append(Grid(lessons=chunk, rows=rows, last=index == len(chunks) - 1))
    return grids


def journal_page(
    year: YearContents, journals: ClassJournals, sheet: JournalSheet, *, lang: str, up: str
) -> str:
    """One journal for the year, as ``templates/archive/journal.html`` lays it out."""
    heading = _("Class {label}, {subject}").format(label=journals.label, subject=sheet.title)
    cells = _cells(sheet)
    parts = [
        PeriodPart(period, _grids(sheet, period, lessons, cells), lessons)
        for period, lessons in _by_period(sheet.lessons, journals.periods)
    ]
    return render(
        "archive/journal.html",
        title=f"{heading} — {year.name}",
        heading=heading,
        year=year,
        journals=journals,
        sheet=sheet,
        parts=parts,
        lang=lang,
        up=up,
    )


def tables_page(title: str, tables: Sequence[Table], *, school: str, lang: str, up: str) -> str:
    """Several report tables on one page (the summary sheet has one per period)."""
    return render(
        "archive/tables.html", title=title, tables=tables, school=school, lang=lang, up=up
    )


def index_page(
    year: YearContents,
    classes: Sequence[tuple[str, str, list[tuple[str, str]]]],
    reports: Sequence[tuple[str, str]],
    *,
    created: str,
    node_id: str,
    lang: str,
) -> str:
    """The archive's contents: ``classes`` as (label, summary href, [(journal, href)]),
    ``reports`` as (title, href)."""
    return render(
        "archive/index.html",
        title=_("Archive of the school year {name}").format(name=year.name),
        year=year,
        classes=classes,
        reports=reports,
        created=created,
        node_id=node_id,
        lang=lang,
        up="",
    )
