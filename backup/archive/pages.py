"""Printable HTML pages of the archive: journals laid out like the paper one, the summary
sheets, and the index. Self-contained (no scripts, no external files but the links between
pages), escaped with the stdlib, A4 landscape print style."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from node.i18n import _
from node.services.reports.export import format_cell
from node.services.reports.table import Table
from node.services.year_end.journals import (
    ClassJournals,
    JournalSheet,
    SheetLesson,
    SheetPeriod,
    YearContents,
)

#: Lesson columns per printed grid: what fits across A4 landscape beside the names.
COLUMNS_PER_PAGE = 22

CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "PT Sans", Arial, sans-serif; font-size: 9pt; color: #000; margin: 0 auto;
       max-width: 277mm; }
h1 { font-size: 14pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; }
h3 { font-size: 10pt; margin: 4mm 0 2mm; }
p { margin: 0 0 3mm; }
table { border-collapse: collapse; margin-bottom: 4mm; }
th, td { border: 1px solid #444; padding: 0.6mm 1.2mm; vertical-align: top; }
th { background: #eee; font-weight: bold; }
td.c, th.c { text-align: center; white-space: nowrap; min-width: 6mm; }
td.name { white-space: nowrap; }
table.grid td, table.grid th { text-align: center; white-space: nowrap; min-width: 6mm; }
table.grid td.name { text-align: left; }
td.final, th.final { background: #f3f3f3; font-weight: bold; border-left: 2px solid #000; }
table.wide { width: 100%; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
section.period, section.finals { page-break-before: always; }
th.v { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
       text-align: left; padding: 1mm 0.5mm; }
nav { margin-bottom: 3mm; }
ul { margin: 0 0 3mm; padding-left: 6mm; }
.muted { color: #555; }
@media print { nav { display: none; } }
"""


def page(title: str, body: str, *, lang: str = "ru", up: str = "") -> str:
    nav = f'<nav><a href="{escape(up)}">{escape(_("Contents"))}</a></nav>\n' if up else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{nav}{body}</body>\n</html>\n"
    )


def _date(lesson: SheetLesson) -> str:
    return lesson.date.strftime("%d.%m")


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
    """Every filled cell, escaped, once per journal (most cells are empty)."""
    keys = set(sheet.marks) | set(sheet.attendance)
    return {key: escape(sheet.cell(*key)) for key in keys}


def _grid(
    sheet: JournalSheet,
    period: SheetPeriod,
    lessons: list[SheetLesson],
    cells: dict[tuple[str, str], str],
) -> str:
    """The marks pages of one period, the final mark right after the last lesson [R 5.3]."""
    held = [lesson for lesson in lessons if not lesson.cancelled]
    chunks = [held[i : i + COLUMNS_PER_PAGE] for i in range(0, len(held), COLUMNS_PER_PAGE)]
    chunks = chunks or [[]]
    final_head = escape(_("Final: {period}").format(period=period.name))
    parts = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        head = "".join(f"<th>{_date(lesson)}</th>" for lesson in chunk)
        if last:
            head += f'<th class="final">{final_head}</th>'
        ids = [lesson.id for lesson in chunk]
        rows = []
        for number, student in enumerate(sheet.students, start=1):
            sid = student.id
            row = "".join(f"<td>{cells.get((sid, lid), '')}</td>" for lid in ids)
            if last:
                value = escape(sheet.finals.get((sid, period.id), ""))
                row += f'<td class="final">{value}</td>'
            rows.append(
                f'<tr><td>{number}</td><td class="name">{escape(student.name)}</td>{row}</tr>'
            )
        parts.append(
            f'<table class="grid"><thead><tr><th>№</th><th>{escape(_("Student"))}</th>{head}'
            "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
        )
    return "\n".join(parts)


def _lesson_list(lessons: list[SheetLesson]) -> str:
    rows = []
    for number, lesson in enumerate(lessons, start=1):
        topic = escape(lesson.topic)
        if lesson.cancelled:
            topic = f'<span class="muted">({escape(_("cancelled"))})</span> {topic}'
        rows.append(
            f'<tr><td class="c">{number}</td><td class="c">{lesson.date.strftime("%d.%m.%Y")}'
            f'</td><td class="c">{lesson.number}</td><td>{topic}</td>'
            f"<td>{escape(lesson.homework)}</td></tr>"
        )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in ("№", _("Date"), _("Lesson no."), _("Topic of the lesson"), _("Homework"))
    )
    return (
        f'<table class="wide"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _finals_page(sheet: JournalSheet, periods: Sequence[SheetPeriod]) -> str:
    head = "".join(f'<th class="c">{escape(p.name)}</th>' for p in periods)
    rows = []
    for number, student in enumerate(sheet.students, start=1):
        cells = "".join(
            f'<td class="c">{escape(sheet.finals.get((student.id, p.id), ""))}</td>'
            for p in periods
        )
        rows.append(
            f'<tr><td class="c">{number}</td><td class="name">{escape(student.full_name)}</td>'
            f"{cells}</tr>"
        )
    return (
        f'<section class="finals"><h2>{escape(_("Final marks"))}</h2>\n'
        f'<table><thead><tr><th class="c">№</th><th>{escape(_("Student"))}</th>{head}</tr>'
        "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></section>\n"
    )


def journal_page(
    year: YearContents, journals: ClassJournals, sheet: JournalSheet, *, lang: str, up: str
) -> str:
    """One journal for the year: per period the marks and attendance, then its lessons
    with topics and homework; the final-marks page after the last lesson [R 5.3]."""
    title = _("Class {label}, {subject}").format(label=journals.label, subject=sheet.title)
    body = [
        f"<h1>{escape(year.school)}</h1>\n<h2>{escape(title)} — {escape(year.name)}</h2>\n",
        "<p>"
        + escape(
            _(
                "Teacher: {teacher}; {hours} lesson(s) a week; class teacher: {class_teacher}."
            ).format(
                teacher=sheet.teacher,
                hours=f"{sheet.hours_per_week:g}",
                class_teacher=journals.class_teacher or "—",
            )
        )
        + "</p>\n",
        "<p>"
        + escape(
            _("In the cells: marks; н absent, б sick, у excused, оп late. Dates are day.month.")
        )
        + "</p>\n",
    ]
    cells = _cells(sheet)
    for period, lessons in _by_period(sheet.lessons, journals.periods):
        span = f"{period.start.strftime('%d.%m.%Y')} – {period.end.strftime('%d.%m.%Y')}"
        body.append(
            f'<section class="period"><h2>{escape(period.name)} ({span})</h2>\n'
            + _grid(sheet, period, lessons, cells)
            + f"\n<h3>{escape(_('Lessons, topics and homework'))}</h3>\n"
            + _lesson_list(lessons)
            + "</section>\n"
        )
    body.append(_finals_page(sheet, journals.periods))
    return page(f"{title} — {year.name}", "".join(body), lang=lang, up=up)


def tables_page(title: str, tables: Sequence[Table], *, school: str, lang: str, up: str) -> str:
    """Several report tables on one page (the summary sheet has one per period)."""
    body = [f"<h1>{escape(school)}</h1>\n<h2>{escape(title)}</h2>\n"]
    for index, table in enumerate(tables):
        head = "".join(
            f"<th>{escape(c)}</th>" if i < 2 else f'<th class="v">{escape(c)}</th>'
            for i, c in enumerate(table.columns)
        )
        rows = "\n".join(
            "<tr>"
            + "".join(
                f'<td class="{"c" if i != 1 else "name"}">{escape(format_cell(v))}</td>'
                for i, v in enumerate(row)
            )
            + "</tr>"
            for row in table.rows
        )
        css = ' class="period"' if index else ""
        body.append(
            f"<section{css}><h3>{escape(table.title)}</h3>\n<p>{escape(table.subtitle)}</p>\n"
            f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table>"
            "</section>\n"
        )
    return page(title, "".join(body), lang=lang, up=up)


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
    title = _("Archive of the school year {name}").format(name=year.name)
    body = [
        f"<h1>{escape(year.school)}</h1>\n<h2>{escape(title)}</h2>\n",
        "<p>"
        + escape(
            _(
                "{start} – {end}. Written {created} by the node {node}. The journals, summary "
                "sheets and reports below are also in csv/ (for a spreadsheet), and the whole "
                "database is in database/. README.txt beside data/ says how to check that "
                "nothing was changed."
            ).format(
                start=year.start.strftime("%d.%m.%Y"),
                end=year.end.strftime("%d.%m.%Y"),
                created=created,
                node=node_id,
            )
        )
        + "</p>\n",
        f"<h2>{escape(_('Classes'))}</h2>\n",
    ]
    for label, summary, sheets in classes:
        links = "".join(
            f'<li><a href="{escape(href)}">{escape(name)}</a></li>' for name, href in sheets
        )
        body.append(
            f"<h3>{escape(_('Class {label}').format(label=label))}</h3>\n<ul>"
            f'<li><a href="{escape(summary)}">{escape(_("Summary sheet of final marks"))}</a>'
            f"</li>{links}</ul>\n"
        )
    body.append(f"<h2>{escape(_('Reports'))}</h2>\n<ul>")
    body.extend(f'<li><a href="{escape(href)}">{escape(t)}</a></li>' for t, href in reports)
    body.append("</ul>\n")
    return page(title, "".join(body), lang=lang)
