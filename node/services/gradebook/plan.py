"""The thematic plan (КТП) of a journal and how far teaching has got through it [R 3.4, 3.5].

Weeks are counted from the academic year's start: week 1 is the Monday–Sunday week that
holds the first school day. A lesson counts as taught material when it took place (not
cancelled, not in the future) and has a topic or a plan item recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from typing import NamedTuple

from peewee import fn

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    Lesson,
    LessonPlanItem,
    PlanItem,
    SchoolClass,
    TeachingAssignment,
    db,
)
from node.services.base.actor import Actor
from node.services.base.history import record, record_create, record_delete, snapshot, update_row
from node.services.base.lookup import ensure_journal_open, get_assignment, get_plan_item
from node.services.base.permissions import Action, ensure_allowed
from node.services.base.text import plain_line

#: One plan line may not claim more hours than this (a typo guard: "40" for "4").
MAX_HOURS = 100.0
_FIELDS = ("section", "topic", "hours", "planned_week")
_HEADER_WORDS = frozenset(
    {
        "section",
        "topic",
        "hours",
        "week",
        "раздел",
        "тема",
        "тема урока",
        "часы",
        "часов",
        "кол-во часов",
        "количество часов",
        "неделя",
    }
)


class _Keep(enum.Enum):
    KEEP = "keep"


#: ``update_plan_item(..., planned_week=KEEP)``: leave the week as it is (``None`` clears it).
KEEP = _Keep.KEEP


class Coverage(NamedTuple):
    """Hours the plan expects by a date, and hours actually taught by then."""

    planned_hours: float
    taught_hours: float


def week_number(year_start: dt.date, day: dt.date) -> int:
    """The school week of ``day``: 1 for the week of ``year_start``, 0 or less before it."""
    first_monday = year_start - dt.timedelta(days=year_start.weekday())
    monday = day - dt.timedelta(days=day.weekday())
    return (monday - first_monday).days // 7 + 1


def _item_and_journal(plan_item_id: str) -> tuple[PlanItem, TeachingAssignment]:
    item = get_plan_item(plan_item_id)
    return item, item.assignment


def _year_of(assignment: TeachingAssignment) -> AcademicYear:
    return (
        AcademicYear.select()
        .join(SchoolClass, on=SchoolClass.year == AcademicYear.id)
        .where(SchoolClass.id == assignment.school_class_id)
        .get()
    )


def _weeks_in(year: AcademicYear) -> int:
    return week_number(year.start, year.end)


def _check_line(
    topic: str, hours: float, planned_week: int | None, weeks: int
) -> tuple[str, float, int | None]:
    """Validate one plan line; returns it cleaned."""
    text = plain_line(topic).strip()
    if not text:
        raise ValidationError(_("The topic is empty: write what the lessons cover."))
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise ValidationError(_("Hours must be a number, e.g. 1 or 1.5."))
    if not 0 < hours <= MAX_HOURS:
        raise ValidationError(
            _("Hours must be more than 0 and at most {max}; you entered {hours}.").format(
                max=f"{MAX_HOURS:g}", hours=f"{hours:g}"
            )
        )
    if planned_week is not None and (
        isinstance(planned_week, bool)
        or not isinstance(planned_week, int)
        or not 1 <= planned_week <= weeks
    ):
        raise ValidationError(
            _("The week must be a whole number from 1 to {weeks}; you entered {week}.").format(
                weeks=weeks, week=planned_week
            )
        )
    return text, float(hours), planned_week


def _next_position(assignment: TeachingAssignment) -> int:
    last = (
        PlanItem.select(PlanItem.position)
        .where(PlanItem.assignment == assignment.id)
        .order_by(PlanItem.position.desc())
        .scalar()
    )
    return 0 if last is None else last + 1


def plan_items(actor: Actor, assignment_id: str) -> list[PlanItem]:
    """The journal's plan lines in order."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
    return list(
        PlanItem.select()
        .where(PlanItem.assignment == assignment.id)
        .order_by(PlanItem.position, PlanItem.id)
    )


def add_plan_item(
    actor: Actor,
    assignment_id: str,
    topic: str,
    *,
    section: str = "",
    hours: float = 1,
    planned_week: int | None = None,
) -> PlanItem:
    """Append a line to the journal's thematic plan."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, assignment)
    ensure_journal_open(assignment)
    text, hours_value, week = _check_line(
        topic, hours, planned_week, _weeks_in(_year_of(assignment))
    )
    with db.atomic():
        item = PlanItem.create(
            assignment=assignment.id,
            position=_next_position(assignment),
            section=plain_line(section).strip(),
            topic=text,
            hours=hours_value,
            planned_week=week,
        )
        record_create(actor, item)
    return item


def update_plan_item(
    actor: Actor,
    plan_item_id: str,
    *,
    topic: str | None = None,
    section: str | None = None,
    hours: float | None = None,
    planned_week: int | None | _Keep = KEEP,
) -> PlanItem:
    """Change a plan line; arguments left out stay as they are (``planned_week=None`` clears)."""
    item, assignment = _item_and_journal(plan_item_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, assignment)
    ensure_journal_open(assignment)
    text, hours_value, week = _check_line(
        item.topic if topic is None else topic,
        item.hours if hours is None else hours,
        item.planned_week if planned_week is KEEP else planned_week,
        _weeks_in(_year_of(assignment)),
    )
    edit: dict[str, object] = {"topic": text, "hours": hours_value, "planned_week": week}
    if section is not None:
        edit["section"] = plain_line(section).strip()
    update_row(actor, item, edit, tracked=_FIELDS)
    return item


def delete_plan_item(actor: Actor, plan_item_id: str) -> None:
    """Remove a plan line that no lesson covers yet."""
    item, assignment = _item_and_journal(plan_item_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, assignment)
    ensure_journal_open(assignment)
    linked = LessonPlanItem.select().where(LessonPlanItem.plan_item == item.id).count()
    if linked:
        raise Conflict(
            _(
                "The plan item «{topic}» is linked to {count} lesson(s): unlink it from "
                "those lessons' topics before deleting it."
            ).format(topic=item.topic, count=linked)
        )
    with db.atomic():
        record_delete(actor, item)
        item.delete_instance()


def _parse_number(text: str) -> float:
    return float(text.replace(",", ".").replace(" ", ""))


def _is_header(cells: list[str]) -> bool:
    return any(c.strip().lower() in _HEADER_WORDS for c in cells)


def parse_plan_csv(text: str | bytes, weeks: int) -> list[tuple[str, str, float, int | None]]:
    """Read plan lines (section;topic;hours;week) from CSV as Excel saves it.

    UTF-8 with or without BOM, ';' or ',' between columns, an optional header row. An empty
    section repeats the one above (merged cells export that way); empty hours mean 1; an
    empty week means unscheduled. Raises ``ValidationError`` naming the line of a bad row.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The plan file is not UTF-8 text: save it as «CSV UTF-8» and try again.")
            ) from exc
    text = text.lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), None)
    if first is None:
        raise ValidationError(_("The plan file is empty."))
    reader = csv.reader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    lines: list[tuple[str, str, float, int | None]] = []
    section = ""
    seen_row = False
    try:
        for row in reader:
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if not seen_row:
                seen_row = True
                if _is_header(cells):
                    continue
            try:
                lines.append(_plan_row(cells, section, weeks))
            except ValidationError as exc:
                raise ValidationError(
                    _("Line {line} of the plan: {problem}").format(
                        line=reader.line_num, problem=exc.message
                    )
                ) from exc
            section = lines[-1][0]
    except csv.Error as exc:
        raise ValidationError(
            _("Line {line} of the plan cannot be read: {error}").format(
                line=reader.line_num, error=exc
            )
        ) from exc
    if not lines:
        raise ValidationError(_("The plan file has no plan lines, only a header."))
    return lines


def _plan_row(
    cells: list[str], previous_section: str, weeks: int
) -> tuple[str, str, float, int | None]:
    if len(cells) > 4 and any(cells[4:]):
        raise ValidationError(
            _("it has {count} columns; expected section, topic, hours, week.").format(
                count=len(cells)
            )
        )
    section, topic, hours_text, week_text = (cells + ["", "", "", ""])[:4]
    try:
        hours = _parse_number(hours_text) if hours_text else 1.0
    except ValueError as exc:
        raise ValidationError(
            _("«{value}» is not a number of hours.").format(value=hours_text)
        ) from exc
    try:
        week = int(week_text) if week_text else None
    except ValueError as exc:
        raise ValidationError(_("«{value}» is not a week number.").format(value=week_text)) from exc
    text, hours, week = _check_line(topic, hours, week, weeks)
    return section or previous_section, text, hours, week


def import_plan_csv(actor: Actor, assignment_id: str, text: str | bytes) -> list[PlanItem]:
    """Append the lines of a CSV plan to the journal's plan; a bad row imports nothing."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_WRITE, assignment)
    ensure_journal_open(assignment)
    lines = parse_plan_csv(text, _weeks_in(_year_of(assignment)))
    items: list[PlanItem] = []
    with db.atomic():
        position = _next_position(assignment)
        for offset, (section, topic, hours, week) in enumerate(lines):
            item = PlanItem.create(
                assignment=assignment.id,
                position=position + offset,
                section=section,
                topic=topic,
                hours=hours,
                planned_week=week,
            )
            record(
                actor,
                PlanItem._meta.table_name,
                item.id,
                "import",
                {k: [None, v] for k, v in snapshot(item).items()},
            )
            items.append(item)
    return items


def plan_coverage(actor: Actor, assignment_id: str, today: dt.date) -> Coverage:
    """Hours planned up to ``today``'s week, and lessons taught by ``today`` [R 3.5].

    Each lesson that took place with a topic or plan item counts one hour; plan lines without
    a week are not counted as planned to date.
    """
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.JOURNAL_VIEW, assignment)
    year = _year_of(assignment)
    week = week_number(year.start, today)
    planned = 0.0
    for hours, planned_week in (
        PlanItem.select(PlanItem.hours, PlanItem.planned_week)
        .where(PlanItem.assignment == assignment.id, PlanItem.planned_week.is_null(False))
        .tuples()
    ):
        if planned_week <= week:
            planned += hours
    has_link = fn.EXISTS(LessonPlanItem.select().where(LessonPlanItem.lesson == Lesson.id))
    taught = (
        Lesson.select()
        .where(
            Lesson.assignment == assignment.id,
            Lesson.date <= today,
            Lesson.status != "cancelled",
            (Lesson.topic != "") | has_link,
        )
        .count()
    )
    return Coverage(planned_hours=planned, taught_hours=float(taught))
