"""Subjects and classes (a class is e.g. 7 "Б" in one academic year)."""

from __future__ import annotations

import peewee as pw

from node.models.base import Reach, SyncModel
from node.models.people import User
from node.models.school import AcademicYear


class Subject(SyncModel):
    """A school subject. ``pass_fail`` subjects are marked зач/незач; ``needs_written_work``
    subjects need a written/lab/practical mark to justify a final mark [R 5.2]."""

    reach = Reach.SCHOOL

    name = pw.TextField(unique=True)
    short_name = pw.TextField(default="")
    pass_fail = pw.BooleanField(default=False)
    needs_written_work = pw.BooleanField(default=False)


class SchoolClass(SyncModel):
    reach = Reach.SCHOOL

    year = pw.ForeignKeyField(AcademicYear, backref="classes", on_delete="CASCADE", index=False)
    grade = pw.IntegerField()
    letter = pw.TextField()
    class_teacher = pw.ForeignKeyField(User, null=True, backref="home_classes")
    period_scheme = pw.TextField(default="quarters")

    class Meta:
        table_name = "school_class"
        indexes = ((("year", "grade", "letter"), True),)

    @property
    def label(self) -> str:
        return f"{self.grade}{self.letter}"
