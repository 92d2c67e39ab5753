"""Students, their personal data, and their guardians."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from node.models.base import Reach, SyncModel
from node.models.classes import SchoolClass
from node.models.people import Guardian, User, short_name


class Student(SyncModel):
    """A student in a class. ``left_on`` is set when they leave; rows are never deleted so
    marks and history stay. ``verified_at`` is the class teacher's last check [R 4.1]."""

    reach = Reach.OWN_RULE

    school_class = pw.ForeignKeyField(SchoolClass, backref="students")
    last_name = pw.TextField()
    first_name = pw.TextField()
    middle_name = pw.TextField(default="")
    birth_date = pw.DateField(null=True)
    gender = pw.TextField(default="")
    address = pw.TextField(default="")
    phone = pw.TextField(default="")
    enrolled_on = pw.DateField()
    left_on = pw.DateField(null=True)
    verified_at = pw.DateTimeField(null=True)
    user = pw.ForeignKeyField(User, null=True, unique=True, backref="student_profile")

    @property
    def display_name(self) -> str:
        return short_name(self.last_name, self.first_name, self.middle_name)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def is_enrolled_on(self, day: dt.date) -> bool:
        return self.enrolled_on <= day and (self.left_on is None or self.left_on >= day)

    @classmethod
    def in_class(cls, school_class: SchoolClass | str) -> pw.ModelSelect:
        """All students ever in the class, in journal order (surname, name)."""
        return (
            cls.select()
            .where(cls.school_class == school_class)
            .order_by(cls.last_name, cls.first_name, cls.middle_name)
        )

    @classmethod
    def active_in(cls, school_class: SchoolClass | str, day: dt.date) -> pw.ModelSelect:
        return cls.in_class(school_class).where(
            cls.enrolled_on <= day, (cls.left_on.is_null()) | (cls.left_on >= day)
        )


class StudentGuardian(SyncModel):
    reach = Reach.OWN_RULE

    student = pw.ForeignKeyField(
        Student, backref="guardian_links", on_delete="CASCADE", index=False
    )
    guardian = pw.ForeignKeyField(Guardian, backref="student_links", on_delete="CASCADE")
    relation = pw.TextField(default="")

    class Meta:
        indexes = ((("student", "guardian"), True),)
