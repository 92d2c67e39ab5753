"""The journal itself: lessons, work types, marks, attendance and final marks."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from node.models.base import Reach, SyncModel
from node.models.people import User
from node.models.school import Period
from node.models.students import Student
from node.models.teaching import PlanItem, TeachingAssignment

LESSON_STATUSES = ("scheduled", "cancelled")
ATTENDANCE_CODES = ("absent", "sick", "excused", "late")
WORK_KINDS = ("oral", "written", "lab", "practical", "test", "homework", "other")
#: Work kinds that count as written/laboratory/practical work for [R 5.2].
WRITTEN_KINDS = frozenset({"written", "lab", "practical", "test"})


class WorkType(SyncModel):
    """A kind of work with its weight in the weighted average (e.g. контрольная ×2)."""

    reach = Reach.SCHOOL

    name = pw.TextField(unique=True)
    weight = pw.FloatField(default=1.0)
    kind = pw.TextField(default="oral")

    @property
    def counts_as_written(self) -> bool:
        return self.kind in WRITTEN_KINDS


class Lesson(SyncModel):
    """One lesson of an assignment on a date: a column of the journal."""

    reach = Reach.ASSIGNMENT

    # index=False where a composite index below already starts with the column
    assignment = pw.ForeignKeyField(
        TeachingAssignment, backref="lessons", on_delete="CASCADE", index=False
    )
    date = pw.DateField()
    number = pw.IntegerField()
    status = pw.TextField(default="scheduled")
    topic = pw.TextField(default="")
    homework = pw.TextField(default="")
    work_type = pw.ForeignKeyField(WorkType, null=True, index=False)

    class Meta:
        indexes = (
            (("assignment", "date", "number"), True),
            (("date",), False),
        )

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @classmethod
    def of_assignment_between(
        cls, assignment: TeachingAssignment | str, start: dt.date, end: dt.date
    ) -> pw.ModelSelect:
        return (
            cls.select()
            .where(cls.assignment == assignment, cls.date >= start, cls.date <= end)
            .order_by(cls.date, cls.number)
        )


class Substitution(SyncModel):
    """Another teacher takes one lesson because its own teacher is away (замена).

    The lesson stays in its journal; the substitute may keep that one lesson's page
    (topic, homework, marks, attendance) while the row exists. One lesson has at most one
    substitute; the row is removed, not emptied, when the lesson goes back to its teacher.
    """

    reach = Reach.OWN_RULE

    lesson = pw.ForeignKeyField(Lesson, backref="substitutions", on_delete="CASCADE", unique=True)
    teacher = pw.ForeignKeyField(User, backref="substitutions")
    reason = pw.TextField(default="")


class LessonPlanItem(SyncModel):
    """A lesson covers a plan item (a lesson may cover several, an item may take several)."""

    reach = Reach.LESSON

    lesson = pw.ForeignKeyField(Lesson, backref="plan_links", on_delete="CASCADE", index=False)
    plan_item = pw.ForeignKeyField(PlanItem, backref="lesson_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("lesson", "plan_item"), True),)


class Mark(SyncModel):
    """A mark in a lesson. ``position`` orders several marks in one cell ("5/4");
    ``points`` is the numeric value (null for зач/незач) so SQL can average it."""

    reach = Reach.LESSON

    lesson = pw.ForeignKeyField(Lesson, backref="marks", on_delete="CASCADE", index=False)
    student = pw.ForeignKeyField(Student, backref="marks", index=False)
    position = pw.IntegerField(default=0)
    value = pw.TextField()
    points = pw.IntegerField(null=True)
    work_type = pw.ForeignKeyField(WorkType, index=False)
    comment = pw.TextField(default="")
    updated_by = pw.ForeignKeyField(User, null=True, index=False)
    updated_at = pw.DateTimeField()

    class Meta:
        indexes = (
            (("lesson", "student", "position"), True),
            (("student",), False),
        )


class Attendance(SyncModel):
    """A student missed (or was late to) a lesson; the reason is corrected weekly [R 4.2]."""

    reach = Reach.LESSON

    lesson = pw.ForeignKeyField(Lesson, backref="attendance", on_delete="CASCADE", index=False)
    student = pw.ForeignKeyField(Student, backref="attendance", index=False)
    code = pw.TextField(default="absent")
    reason = pw.TextField(default="")
    updated_by = pw.ForeignKeyField(User, null=True, index=False)
    updated_at = pw.DateTimeField()

    class Meta:
        indexes = (
            (("lesson", "student"), True),
            (("student",), False),
        )


class FinalMark(SyncModel):
    """A final mark for a period (quarter, half-year, year) [R 5.1–5.4]."""

    reach = Reach.ASSIGNMENT

    student = pw.ForeignKeyField(Student, backref="final_marks")
    assignment = pw.ForeignKeyField(TeachingAssignment, backref="final_marks", index=False)
    period = pw.ForeignKeyField(Period, backref="final_marks")
    value = pw.TextField()
    points = pw.IntegerField(null=True)
    suggested = pw.TextField(null=True)
    justification = pw.TextField(default="")
    set_by = pw.ForeignKeyField(User, null=True, index=False)
    set_at = pw.DateTimeField()

    class Meta:
        indexes = ((("assignment", "period", "student"), True),)

    @classmethod
    def of_cell(cls, assignment_id: str, period_id: str, student_id: str) -> FinalMark | None:
        """The final mark in one cell of the final-marks column, if any."""
        return cls.get_or_none(
            cls.assignment == assignment_id, cls.period == period_id, cls.student == student_id
        )


class FinalMarkUnlock(SyncModel):
    """A deputy or director reopened final marks of an assignment and period until ``until``."""

    reach = Reach.ASSIGNMENT

    assignment = pw.ForeignKeyField(TeachingAssignment, on_delete="CASCADE", index=False)
    period = pw.ForeignKeyField(Period, on_delete="CASCADE")
    unlocked_by = pw.ForeignKeyField(User, null=True, index=False)
    unlocked_at = pw.DateTimeField()
    until = pw.DateField()
    reason = pw.TextField()

    class Meta:
        indexes = ((("assignment", "period"), False),)
