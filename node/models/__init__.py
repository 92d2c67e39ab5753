"""Peewee models of the school, one module per aggregate; database opening and migrations."""

from __future__ import annotations

from node.models.accounts import AccessCode, ActivityLog, Session, SignInThrottle
from node.models.base import BaseModel, Meta, Reach, SyncModel, bulk_insert, db, new_id
from node.models.changes import SyncChange, SyncClock, SyncConflict, SyncVector
from node.models.classes import SchoolClass, Subject
from node.models.history import History
from node.models.journal import (
    Attendance,
    FinalMark,
    FinalMarkUnlock,
    Lesson,
    LessonPlanItem,
    Mark,
    Substitution,
    WorkType,
)
from node.models.mail import MailMessage, MailParticipant, MailThread
from node.models.peers import PairingCode, SyncPeer
from node.models.people import Guardian, User
from node.models.school import AcademicYear, Bell, Holiday, Period, School
from node.models.students import Student, StudentGuardian
from node.models.teaching import (
    PlanItem,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    TimetableSlot,
)

#: Every table, in an order where each table comes after the tables it refers to.
ALL_MODELS: tuple[type[BaseModel], ...] = (
    Meta,
    School,
    AcademicYear,
    Period,
    Holiday,
    Bell,
    User,
    Guardian,
    Subject,
    SchoolClass,
    Student,
    StudentGuardian,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    TimetableSlot,
    PlanItem,
    WorkType,
    Lesson,
    Substitution,
    LessonPlanItem,
    Mark,
    Attendance,
    FinalMark,
    FinalMarkUnlock,
    History,
    AccessCode,
    Session,
    SignInThrottle,
    ActivityLog,
    SyncClock,
    SyncChange,
    SyncVector,
    SyncConflict,
    SyncPeer,
    PairingCode,
    MailThread,
    MailMessage,
    MailParticipant,
)

SYNC_MODELS: tuple[type[SyncModel], ...] = tuple(m for m in ALL_MODELS if issubclass(m, SyncModel))


def tables_of(reach: Reach) -> frozenset[str]:
    """The replicated tables whose rows belong to ``reach``, as each model says (``Reach``):
    what sync's scope and the write rules of the services' permissions both read."""
    return frozenset(m._meta.table_name for m in SYNC_MODELS if m.reach is reach)


__all__ = [
    "ALL_MODELS",
    "SYNC_MODELS",
    "AcademicYear",
    "AccessCode",
    "ActivityLog",
    "Attendance",
    "BaseModel",
    "Bell",
    "FinalMark",
    "FinalMarkUnlock",
    "Guardian",
    "History",
    "Holiday",
    "Lesson",
    "LessonPlanItem",
    "MailMessage",
    "MailParticipant",
    "MailThread",
    "Mark",
    "Meta",
    "PairingCode",
    "Period",
    "Reach",
    "PlanItem",
    "School",
    "SchoolClass",
    "Session",
    "SignInThrottle",
    "Student",
    "StudentGuardian",
    "Subgroup",
    "SubgroupMember",
    "Subject",
    "Substitution",
    "SyncChange",
    "SyncClock",
    "SyncConflict",
    "SyncModel",
    "SyncVector",
    "SyncPeer",
    "TeachingAssignment",
    "TimetableSlot",
    "User",
    "tables_of",
    "WorkType",
    "bulk_insert",
    "db",
    "new_id",
]
