"""The roll-over into the next school year [R 6.3], after the year's archive is written.

In ONE transaction: the next year is created with its periods (by default the closed
year's, a year later) as a **draft**; every class that does not graduate becomes a class of
the next year (grade + 1, same letter, class teacher and period scheme) with its students,
subgroups, teaching assignments and weekly timetable copied; graduates (grade 11 by
default; a school may add 9) get ``left_on`` = the year's last day; the old year is
closed, so every service refuses writes into it (``lookup.ensure_year_open``).

Students are copied, not moved: the closed year's journals keep their rows, marks and
final marks exactly as archived, and the new row carries the personal data, the guardians
and the student's own account on. Plans are not copied (the next grade learns other
topics), nor lessons: the director reviews the draft (the next grade may have other
subjects or teachers) and ``confirm_year`` then makes the year active and generates its
lessons from the timetable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from node.errors import Conflict, ValidationError
from node.i18n import _
from node.models import AcademicYear, Holiday, Period, SchoolClass, db, new_id
from node.models.identifiers import ident, idents
from node.services.base import history
from node.services.base.actor import Actor
from node.services.base.lookup import ensure_year_open, get_year, required_text
from node.services.base.permissions import Action, ensure_allowed
from node.services.school.school_setup import check_period
from node.services.school.timetable import GenerationResult, generate_lessons

DEFAULT_GRADUATING = (11,)
Ranges = Sequence[tuple[dt.date, dt.date]]


@dataclass(frozen=True)
class RolloverResult:
    closed_year: AcademicYear
    new_year: AcademicYear
    periods: int
    classes_promoted: int
    classes_graduated: int
    students_promoted: int
    students_graduated: int
    subgroups: int
    assignments: int
    slots: int
    holidays: int


def a_year_later(day: dt.date) -> dt.date:
    """The same date a year later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_year_defaults(year: AcademicYear) -> tuple[str, dt.date, dt.date]:
    """Name and dates of the year after ``year``: "2026/2027" → "2027/2028", a year later."""
    match = re.fullmatch(r"(\d{4})([/\-–])(\d{4})", year.name.strip())
    if match is None:
        raise ValidationError(
            _(
                "Cannot tell the next year's name from «{name}»: give it (e.g. --next-name "
                "2027/2028)."
            ).format(name=year.name)
        )
    first, sep, second = match.groups()
    name = f"{int(first) + 1}{sep}{int(second) + 1}"
    return name, a_year_later(year.start), a_year_later(year.end)


def _planned_periods(
    year: AcademicYear, new: AcademicYear, quarters: Ranges | None, halves: Ranges | None
) -> list[tuple[str, int, str, dt.date, dt.date]]:
    """(scheme, number, name, start, end) of the next year, checked like ``add_period``."""
    old = {(p.scheme, p.number): p for p in Period.select().where(Period.year == year.id)}
    given = {"quarters": quarters, "halves": halves}
    planned: list[tuple[str, int, str, dt.date, dt.date]] = []
    for scheme in ("quarters", "halves"):
        ranges = given[scheme]
        olds = sorted((p for (s, _n), p in old.items() if s == scheme), key=lambda p: p.number)
        if ranges is None:
            rows = [(p.number, p.name, a_year_later(p.start), a_year_later(p.end)) for p in olds]
        else:
            names = {p.number: p.name for p in olds}
            rows = [
                (i, names.get(i) or f"{i}", start, end) for i, (start, end) in enumerate(ranges, 1)
            ]
        others: list[tuple[int, str, dt.date, dt.date]] = []
        for number, name, start, end in rows:
            clean = check_period(new, scheme, number, name, start, end, others)
            others.append((number, clean, start, end))
            planned.append((scheme, number, clean, start, end))
    year_name = old[("year", 1)].name if ("year", 1) in old else _("Year")
    planned.append(("year", 1, year_name, new.start, new.end))
    return planned


def _check_new_year(year: AcademicYear, name: str, start: dt.date, end: dt.date) -> str:
    clean = required_text(name, _("Enter the next academic year's name, e.g. 2027/2028."))
    if end <= start:
        raise ValidationError(
            _("An academic year must end after it starts ({start} – {end}).").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    if start <= year.end:
        raise ValidationError(
            _("The next year must start after {name} ends ({end}).").format(
                name=year.name, end=year.end.isoformat()
            )
        )
    for other in AcademicYear.select():
        if other.name == clean:
            raise Conflict(_("An academic year named {name} already exists.").format(name=clean))
        if start <= other.end and other.start <= end:
            raise Conflict(
                _("These dates overlap the academic year {name} ({start} – {end}).").format(
                    name=other.name, start=other.start.isoformat(), end=other.end.isoformat()
                )
            )
    return clean


# --- copying rows generically (columns other parts add are carried along) ----------------


def _select(
    table: str, where: str, params: Sequence[Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = db.execute_sql(f"SELECT * FROM {ident(table)} WHERE {where}", tuple(params))
    return [d[0] for d in cursor.description], cursor.fetchall()


def _insert(table: str, columns: list[str], rows: list[list[Any]]) -> None:
    if not rows:
        return
    names = idents(columns)
    marks = ", ".join("?" for _c in columns)
    db.connection().executemany(f"INSERT INTO {ident(table)} ({names}) VALUES ({marks})", rows)


def _copy(
    table: str,
    where: str,
    params: Sequence[Any],
    change: Callable[[dict[str, Any]], dict[str, Any] | None],
) -> dict[str, str]:
    """Copy the matching rows with new ids and ``change`` applied (None: skip the row);
    returns old id → new id."""
    columns, rows = _select(table, where, params)
    mapping: dict[str, str] = {}
    out: list[list[Any]] = []
    for raw in rows:
        row = dict(zip(columns, raw, strict=True))
        changed = change(row)
        if changed is None:
            continue
        new = new_id()
        mapping[row["id"]] = new
        out.append([new if c == "id" else changed.get(c, row[c]) for c in columns])
    _insert(table, columns, out)
    return mapping


def _in(ids: Sequence[str]) -> str:
    return "(" + ", ".join("?" for _i in ids) + ")" if ids else "(NULL)"


def _prepare(
    actor: Actor,
    year_id: str,
    new_name: str,
    start: dt.date,
    end: dt.date,
    quarters: Ranges | None,
    halves: Ranges | None,
    graduating_grades: Sequence[int],
) -> tuple[AcademicYear, AcademicYear, list[tuple[str, int, str, dt.date, dt.date]], set[int]]:
    year = get_year(year_id)
    ensure_allowed(actor, Action.YEAR_CLOSE)
    ensure_year_open(year)
    if year.status != "active":
        raise Conflict(
            _("The year {name} is a draft: confirm it before closing it.").format(name=year.name)
        )
    graduating = {int(g) for g in graduating_grades}
    if not graduating or any(g < 1 or g > 11 for g in graduating):
        raise ValidationError(_("Graduating grades must be between 1 and 11, e.g. 11 or 9,11."))
    clean = _check_new_year(year, new_name, start, end)
    draft = AcademicYear(name=clean, start=start, end=end, status="draft")
    planned = _planned_periods(year, draft, quarters, halves)
    return year, draft, planned, graduating


def check_rollover(
    actor: Actor,
    year_id: str,
    new_name: str,
    start: dt.date,
    end: dt.date,
    *,
    quarters: Ranges | None = None,
    halves: Ranges | None = None,
    graduating_grades: Sequence[int] = DEFAULT_GRADUATING,
) -> None:
    """Everything ``rollover`` would refuse, refused now and writing nothing: the CLI asks
    before it spends minutes on the archive."""
    _prepare(actor, year_id, new_name, start, end, quarters, halves, graduating_grades)


def rollover(
    actor: Actor,
    year_id: str,
    new_name: str,
    start: dt.date,
    end: dt.date,
    *,
    quarters: Ranges | None = None,
    halves: Ranges | None = None,
    graduating_grades: Sequence[int] = DEFAULT_GRADUATING,
) -> RolloverResult:
    """Close ``year_id`` and make the next year as a draft (see the module's docstring).

    ``quarters``/``halves`` give the next year's periods; None copies the closed year's, a
    year later.
    """
    year, draft, planned, graduating = _prepare(
        actor, year_id, new_name, start, end, quarters, halves, graduating_grades
    )
    classes = list(
        SchoolClass.select().where(SchoolClass.year == year.id).order_by(SchoolClass.grade)
    )
    promoted = [c for c in classes if c.grade not in graduating and c.grade < 11]
    leaving = [c for c in classes if c not in promoted]
    with db.atomic():
        draft.save(force_insert=True)
        history.record_create(actor, draft)
        for scheme, number, name, first, last in planned:
            period = Period.create(
                year=draft, scheme=scheme, number=number, name=name, start=first, end=last
            )
            history.record_create(actor, period)
        holidays = _copy_holidays(year, draft)
        class_map: dict[str, str] = {}
        for school_class in promoted:
            new_class = SchoolClass.create(
                year=draft,
                grade=school_class.grade + 1,
                letter=school_class.letter,
                class_teacher=school_class.class_teacher_id,
                period_scheme=school_class.period_scheme,
            )
            history.record_create(actor, new_class)
            class_map[school_class.id] = new_class.id
        counts = _copy_people_and_teaching(class_map, start)
        leaving_ids = [c.id for c in leaving]
        graduated = db.execute_sql(
            f"UPDATE student SET left_on = ? WHERE left_on IS NULL "
            f"AND school_class_id IN {_in(leaving_ids)}",
            (year.end.isoformat(), *leaving_ids),
        ).rowcount
        history.update_row(actor, year, {"status": "closed"})
        result = RolloverResult(
            closed_year=year,
            new_year=draft,
            periods=len(planned),
            classes_promoted=len(promoted),
            classes_graduated=len(leaving),
            students_promoted=counts["student"],
            students_graduated=graduated,
            subgroups=counts["subgroup"],
            assignments=counts["teaching_assignment"],
            slots=counts["timetable_slot"],
            holidays=holidays,
        )
        history.record(
            actor,
            "academic_year",
            draft.id,
            "rollover",
            {
                "from_year": [None, year.id],
                "graduating_grades": [None, sorted(graduating)],
                **{
                    key: [None, getattr(result, key)]
                    for key in (
                        "classes_promoted",
                        "classes_graduated",
                        "students_promoted",
                        "students_graduated",
                        "subgroups",
                        "assignments",
                        "slots",
                        "holidays",
                    )
                },
            },
        )
    return result


def _copy_holidays(year: AcademicYear, draft: AcademicYear) -> int:
    copied = 0
    for holiday in Holiday.select().where(Holiday.year == year.id):
        first, last = a_year_later(holiday.start), a_year_later(holiday.end)
        if draft.start <= first and last <= draft.end:
            Holiday.create(year=draft, name=holiday.name, start=first, end=last)
            copied += 1
    return copied


def _copy_people_and_teaching(class_map: dict[str, str], start: dt.date) -> dict[str, int]:
    """Students (with guardians and account), subgroups, assignments and timetable slots of
    the promoted classes into their new classes."""
    old_classes = list(class_map)
    where_class = f"school_class_id IN {_in(old_classes)}"
    users: dict[str, str] = {}

    def student(row: dict[str, Any]) -> dict[str, Any] | None:
        if row["left_on"] is not None:
            return None  # left during the year: stays in the closed year only
        if row.get("user_id"):
            users[row["id"]] = row["user_id"]
        return {
            "school_class_id": class_map[row["school_class_id"]],
            "enrolled_on": start.isoformat(),
            "left_on": None,
            "user_id": None,  # the account moves below, once the old row lets go of it
        }

    students = _copy("student", where_class, old_classes, student)
    if users:
        moving = list(users)
        db.execute_sql(f"UPDATE student SET user_id = NULL WHERE id IN {_in(moving)}", moving)
        db.connection().executemany(
            "UPDATE student SET user_id = ? WHERE id = ?",
            [(user_id, students[old]) for old, user_id in users.items()],
        )
    old_students = list(students)
    _copy(
        "student_guardian",
        f"student_id IN {_in(old_students)}",
        old_students,
        lambda row: {"student_id": students[row["student_id"]]},
    )
    subgroups = _copy(
        "subgroup",
        where_class,
        old_classes,
        lambda row: {"school_class_id": class_map[row["school_class_id"]]},
    )
    old_groups = list(subgroups)
    _copy(
        "subgroup_member",
        f"subgroup_id IN {_in(old_groups)}",
        old_groups,
        lambda row: (
            {
                "subgroup_id": subgroups[row["subgroup_id"]],
                "student_id": students[row["student_id"]],
            }
            if row["student_id"] in students
            else None
        ),
    )
    assignments = _copy(
        "teaching_assignment",
        where_class,
        old_classes,
        lambda row: {
            "school_class_id": class_map[row["school_class_id"]],
            "subgroup_id": subgroups.get(row["subgroup_id"]) if row["subgroup_id"] else None,
        },
    )
    old_assignments = list(assignments)
    slots = _copy(
        "timetable_slot",
        f"assignment_id IN {_in(old_assignments)}",
        old_assignments,
        lambda row: {"assignment_id": assignments[row["assignment_id"]]},
    )
    return {
        "student": len(students),
        "subgroup": len(subgroups),
        "teaching_assignment": len(assignments),
        "timetable_slot": len(slots),
    }


def confirm_year(actor: Actor, year_id: str) -> GenerationResult:
    """Make a draft year active and generate its lessons from the reviewed timetable."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    if year.status != "draft":
        raise Conflict(
            _("The year {name} is already confirmed; nothing to do.").format(name=year.name)
        )
    whole = Period.get_or_none(Period.year == year.id, Period.scheme == "year")
    if whole is None:
        raise ValidationError(
            _("The year {name} has no whole-year period; add one before confirming it.").format(
                name=year.name
            )
        )
    with db.atomic():
        history.update_row(actor, year, {"status": "active"})
        return generate_lessons(actor, whole.id)
