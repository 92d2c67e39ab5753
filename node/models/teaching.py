"""Who teaches what to whom: subgroups, teaching assignments, timetable, thematic plans."""

from __future__ import annotations

import peewee as pw

from node.models.base import Reach, SyncModel
from node.models.classes import SchoolClass, Subject
from node.models.people import User
from node.models.students import Student


class Subgroup(SyncModel):
    """Part of a class for one subject (e.g. English group 1) [R 4.3]."""

    reach = Reach.OWN_RULE

    school_class = pw.ForeignKeyField(
        SchoolClass, backref="subgroups", on_delete="CASCADE", index=False
    )
    subject = pw.ForeignKeyField(Subject, backref="subgroups")
    name = pw.TextField()

    class Meta:
        indexes = ((("school_class", "subject", "name"), True),)


class SubgroupMember(SyncModel):
    reach = Reach.OWN_RULE

    subgroup = pw.ForeignKeyField(Subgroup, backref="members", on_delete="CASCADE", index=False)
    student = pw.ForeignKeyField(Student, backref="subgroup_memberships", on_delete="CASCADE")

    class Meta:
        indexes = ((("subgroup", "student"), True),)


class TeachingAssignment(SyncModel):
    """A teacher teaching a subject to a class (or one subgroup of it): one journal."""

    reach = Reach.OWN_RULE

    teacher = pw.ForeignKeyField(User, backref="assignments")
    school_class = pw.ForeignKeyField(SchoolClass, backref="assignments")
    subject = pw.ForeignKeyField(Subject, backref="assignments")
    subgroup = pw.ForeignKeyField(Subgroup, null=True, backref="assignments")
    hours_per_week = pw.FloatField(default=1.0)

    @classmethod
    def of_teacher(cls, teacher: User | str) -> pw.ModelSelect:
        return cls.select().where(cls.teacher == teacher)

    def students(self) -> pw.ModelSelect:
        """Students of this journal: the subgroup's members, or the whole class."""
        query = Student.in_class(self.school_class_id)
        if self.subgroup_id:
            members = SubgroupMember.select(SubgroupMember.student).where(
                SubgroupMember.subgroup == self.subgroup_id
            )
            query = query.where(Student.id.in_(members))
        return query


class TimetableSlot(SyncModel):
    """A weekly slot: the assignment's lesson on ``weekday`` (1=Mon … 7=Sun), lesson ``number``."""

    reach = Reach.ASSIGNMENT

    assignment = pw.ForeignKeyField(
        TeachingAssignment, backref="slots", on_delete="CASCADE", index=False
    )
    weekday = pw.IntegerField()
    number = pw.IntegerField()
    room = pw.TextField(default="")

    class Meta:
        indexes = ((("assignment", "weekday", "number"), True),)


class PlanItem(SyncModel):
    """One line of the thematic plan (КТП) of an assignment [R 3.4]."""

    reach = Reach.ASSIGNMENT

    assignment = pw.ForeignKeyField(
        TeachingAssignment, backref="plan_items", on_delete="CASCADE", index=False
    )
    position = pw.IntegerField()
    section = pw.TextField(default="")
    topic = pw.TextField()
    hours = pw.FloatField(default=1.0)
    planned_week = pw.IntegerField(null=True)

    class Meta:
        indexes = ((("assignment", "position"), False),)
