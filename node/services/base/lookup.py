"""Look-ups and checks that every service needs the same way, kept here once.

Finding a row by id (missing → ``NotFound``), refusing changes to a closed year, and
cleaning a required name. A missing row almost always means a stale screen (someone else
deleted it, or a sync removed it), so the message says so instead of showing an id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from node.errors import Locked, NotFound, ValidationError
from node.i18n import N_, _, gettext
from node.models import (
    AcademicYear,
    Attendance,
    Lesson,
    Period,
    PlanItem,
    SchoolClass,
    Student,
    Subgroup,
    Subject,
    SyncModel,
    TeachingAssignment,
    TimetableSlot,
    User,
    WorkType,
)
from node.models.identifiers import ident
from node.services.base.text import plain_line, plain_text

M = TypeVar("M", bound=SyncModel)

#: What the user is told when the row they picked is gone, one message per model; marked
#: here and translated when raised, so it speaks the language active at that moment.
_MISSING: dict[type[SyncModel], str] = {
    AcademicYear: N_("This academic year does not exist; reload the list and try again."),
    Attendance: N_("This attendance record does not exist; reload the list and try again."),
    Lesson: N_("This lesson does not exist; reload the list and try again."),
    Period: N_("This period does not exist; reload the list and try again."),
    PlanItem: N_("This plan item does not exist; reload the plan and try again."),
    SchoolClass: N_("This class does not exist; reload the list and try again."),
    Student: N_("This student does not exist; reload the list and try again."),
    Subgroup: N_("This subgroup does not exist; reload the list and try again."),
    Subject: N_("This subject does not exist; reload the list and try again."),
    TeachingAssignment: N_("This journal does not exist; reload the list and try again."),
    TimetableSlot: N_("This timetable slot does not exist; reload the timetable and try again."),
    User: N_("This user does not exist; reload the list and try again."),
    WorkType: N_("This work type does not exist; choose one from the list."),
}


def _missing(model: type[SyncModel]) -> NotFound:
    return NotFound(gettext(_MISSING[model]))


def _get(model: type[M], row_id: str | None) -> M:
    # Written as SQL: every service starts here, and building ``get_or_none`` through the
    # ORM cost ~40 times what SQLite spent finding the row by its primary key.
    sql = f'SELECT * FROM {ident(model._meta.table_name)} WHERE "id" = ?'
    row = next(iter(model.raw(sql, model.id.db_value(row_id))), None) if row_id else None
    if row is None:
        raise _missing(model)
    return row


def by_ids(model: type[M], row_ids: Iterable[str]) -> dict[str, M]:
    """The rows that exist of those asked, by id, read in a few queries (a batch service
    reads its rows at once and says ``NotFound`` only for the requests naming a missing one)."""
    wanted = list(dict.fromkeys(row_ids))
    found: dict[str, M] = {}
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        found.update({row.id: row for row in model.select().where(model.id.in_(chunk))})
    return found


#: Ids bound in one ``IN (…)``: under SQLite's oldest default limit of 999 variables.
_IDS_PER_QUERY = 500


def _get_all(model: type[M], row_ids: Iterable[str]) -> list[M]:
    """The rows in the order asked, repeats dropped; ``NotFound`` if any one is missing."""
    wanted = list(dict.fromkeys(row_ids))
    if not wanted:
        return []
    found = {row.id: row for row in model.select().where(model.id.in_(wanted))}
    if len(found) < len(wanted):
        raise _missing(model)
    return [found[row_id] for row_id in wanted]


# --- one getter per model the services look up by id ------------------------------------


def get_year(year_id: str) -> AcademicYear:
    return _get(AcademicYear, year_id)


def get_period(period_id: str) -> Period:
    return _get(Period, period_id)


def get_class(class_id: str) -> SchoolClass:
    return _get(SchoolClass, class_id)


def get_subject(subject_id: str) -> Subject:
    return _get(Subject, subject_id)


def get_subgroup(subgroup_id: str) -> Subgroup:
    return _get(Subgroup, subgroup_id)


def get_student(student_id: str) -> Student:
    return _get(Student, student_id)


def get_students(student_ids: Iterable[str]) -> list[Student]:
    return _get_all(Student, student_ids)


def get_user(user_id: str) -> User:
    return _get(User, user_id)


def get_assignment(assignment_id: str) -> TeachingAssignment:
    """The assignment (a journal) with its class and subject, which every caller needs."""
    assignment = (
        TeachingAssignment.select(TeachingAssignment, SchoolClass, Subject)
        .join(SchoolClass, on=TeachingAssignment.school_class == SchoolClass.id)
        .switch(TeachingAssignment)
        .join(Subject, on=TeachingAssignment.subject == Subject.id)
        .where(TeachingAssignment.id == assignment_id)
        .first()
    )
    if assignment is None:
        raise _missing(TeachingAssignment)
    return assignment


def get_lesson(lesson_id: str) -> Lesson:
    return _get(Lesson, lesson_id)


def get_work_type(work_type_id: str) -> WorkType:
    return _get(WorkType, work_type_id)


def get_plan_item(plan_item_id: str) -> PlanItem:
    return _get(PlanItem, plan_item_id)


def get_plan_items(plan_item_ids: Iterable[str]) -> list[PlanItem]:
    return _get_all(PlanItem, plan_item_ids)


def get_slot(slot_id: str) -> TimetableSlot:
    return _get(TimetableSlot, slot_id)


def get_attendance(attendance_id: str) -> Attendance:
    return _get(Attendance, attendance_id)


# --- checks -------------------------------------------------------------------------------


def ensure_year_open(year: AcademicYear) -> None:
    """A closed year is archived and read-only [R 6.3]."""
    if year.status == "closed":
        raise Locked(
            _("The academic year {name} is closed; its data can no longer be changed.").format(
                name=year.name
            )
        )


def ensure_journal_open(assignment: TeachingAssignment) -> None:
    """``ensure_year_open`` for a journal, fetching only the year's name and status.

    Every mark and attendance write passes here, so it skips loading the class and the
    whole year.
    """
    year = (
        AcademicYear.select(AcademicYear.name, AcademicYear.status)
        .join(SchoolClass, on=SchoolClass.year == AcademicYear.id)
        .where(SchoolClass.id == assignment.school_class_id)
        .get()
    )
    ensure_year_open(year)


def required_text(value: str | None, message: str, *, lines: bool = False) -> str:
    """``value`` as plain text (one line unless ``lines``), stripped;
    ``ValidationError(message)`` if nothing is left."""
    cleaned = (plain_text(value) if lines else plain_line(value)).strip()
    if not cleaned:
        raise ValidationError(message)
    return cleaned


def ensure_period_of_class(school_class: SchoolClass, period: Period) -> None:
    """The period must be of the class's year and scheme (quarters or halves), or the year."""
    if period.year_id != school_class.year_id or not (
        period.is_year or period.scheme == school_class.period_scheme
    ):
        raise ValidationError(
            _(
                "Class {label} is marked by {scheme}, so «{period}» is not one of its periods. "
                "Choose one of the class's periods or the year."
            ).format(
                label=school_class.label, scheme=school_class.period_scheme, period=period.name
            )
        )
