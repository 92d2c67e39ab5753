"""The one permission module: who may do what to which record.

Every service calls ``ensure_allowed(actor, action, resource)`` before it reads personal
data or writes anything; no other code looks at roles. Rules follow the regulation:
teachers write their own journals [R 3.4, 7.2]; class teachers keep their class's student
data and correct attendance [R 3.3, 4.1, 4.2]; the director and deputies set up the school,
control and unlock [R 3.5, 5.4, 6.2]; the sysadmin manages accounts but never marks
[R 3.1, 3.2]; parents and students reach only their own data [R 3.6].
"""

from __future__ import annotations

from enum import StrEnum

from node.errors import Forbidden
from node.i18n import _
from node.models import (
    SchoolClass,
    Student,
    StudentGuardian,
    Subgroup,
    TeachingAssignment,
    User,
)
from node.models.people import STAFF_ROLES, Guardian
from node.services.actor import Actor

ADMINISTRATION = ("director", "deputy")


class Action(StrEnum):
    SCHOOL_MANAGE = "school.manage"  # years, periods, classes, subjects, timetable; no resource
    USERS_MANAGE = "users.manage"  # staff accounts and their codes; no resource
    REPORTS_VIEW = "reports.view"  # control and performance reports; no resource
    JOURNAL_VIEW = "journal.view"  # resource: TeachingAssignment
    JOURNAL_WRITE = "journal.write"  # topics, homework, marks, attendance, plan: assignment
    LESSON_SCHEDULE = "lesson.schedule"  # move or cancel a lesson: assignment
    FINAL_WRITE = "final.write"  # final marks: assignment
    FINAL_UNLOCK = "final.unlock"  # reopen final marks after the deadline: assignment
    HISTORY_VIEW = "history.view"  # a journal's change history: assignment
    STUDENT_VIEW = "student.view"  # a student's profile, marks, attendance: Student
    STUDENT_EDIT = "student.edit"  # a student's personal data and guardians: Student
    ATTENDANCE_CORRECT = "attendance.correct"  # weekly correction of absences: Student
    SUBGROUP_MANAGE = "subgroup.manage"  # split a class for a subject: Subgroup or SchoolClass
    CODES_ISSUE = "codes.issue"  # access codes [R 3.2]: staff User, Student, StudentGuardian


Resource = TeachingAssignment | Student | StudentGuardian | SchoolClass | Subgroup | User | None


def _teaches(actor: Actor, assignment: TeachingAssignment) -> bool:
    return actor.user_id is not None and assignment.teacher_id == actor.user_id


def _is_class_teacher(actor: Actor, class_id: str) -> bool:
    if actor.user_id is None:
        return False
    return (
        SchoolClass.select()
        .where(SchoolClass.id == class_id, SchoolClass.class_teacher == actor.user_id)
        .exists()
    )


def _teaches_in_class(actor: Actor, class_id: str, subject_id: str | None = None) -> bool:
    if actor.user_id is None:
        return False
    query = TeachingAssignment.select().where(
        TeachingAssignment.school_class == class_id,
        TeachingAssignment.teacher == actor.user_id,
    )
    if subject_id is not None:
        query = query.where(TeachingAssignment.subject == subject_id)
    return query.exists()


def _is_own_student(actor: Actor, student: Student) -> bool:
    """The student themself, or one of their guardians."""
    if actor.user_id is None:
        return False
    if student.user_id == actor.user_id:
        return True
    return (
        StudentGuardian.select()
        .join(Guardian)
        .where(StudentGuardian.student == student.id, Guardian.user == actor.user_id)
        .exists()
    )


def allowed(actor: Actor, action: Action, resource: Resource = None) -> bool:
    """May ``actor`` do ``action`` to ``resource``? Answers without raising."""
    if actor.system:
        return True
    admin = actor.has_role(*ADMINISTRATION)
    match action:
        case Action.SCHOOL_MANAGE | Action.REPORTS_VIEW:
            return admin
        case Action.USERS_MANAGE:
            return actor.has_role("sysadmin")
        case Action.JOURNAL_WRITE | Action.FINAL_WRITE:
            return isinstance(resource, TeachingAssignment) and _teaches(actor, resource)
        case Action.LESSON_SCHEDULE:
            return isinstance(resource, TeachingAssignment) and (admin or _teaches(actor, resource))
        case Action.FINAL_UNLOCK:
            return isinstance(resource, TeachingAssignment) and admin
        case Action.JOURNAL_VIEW | Action.HISTORY_VIEW:
            return isinstance(resource, TeachingAssignment) and (
                admin
                or _teaches(actor, resource)
                or _is_class_teacher(actor, resource.school_class_id)
            )
        case Action.STUDENT_VIEW:
            return isinstance(resource, Student) and (
                admin
                or _is_own_student(actor, resource)
                or _is_class_teacher(actor, resource.school_class_id)
                or _teaches_in_class(actor, resource.school_class_id)
            )
        case Action.STUDENT_EDIT | Action.ATTENDANCE_CORRECT:
            return isinstance(resource, Student) and (
                admin or _is_class_teacher(actor, resource.school_class_id)
            )
        case Action.SUBGROUP_MANAGE:
            if isinstance(resource, Subgroup):
                return (
                    admin
                    or _is_class_teacher(actor, resource.school_class_id)
                    or _teaches_in_class(actor, resource.school_class_id, resource.subject_id)
                )
            if isinstance(resource, SchoolClass):
                return admin or _is_class_teacher(actor, resource.id)
            return False
        case Action.CODES_ISSUE:
            return _may_issue_code(actor, resource)
    return False


def _may_issue_code(actor: Actor, resource: Resource) -> bool:
    """[R 3.2] The sysadmin gives codes to staff; a class teacher to their own class's
    students and parents (through the student, or the guardian's link to a student)."""
    if isinstance(resource, User):
        return actor.has_role("sysadmin") and bool(resource.role_set & set(STAFF_ROLES))
    if isinstance(resource, Student):
        return _is_class_teacher(actor, resource.school_class_id)
    if isinstance(resource, StudentGuardian):
        student = Student.get_or_none(Student.id == resource.student_id)
        return student is not None and _is_class_teacher(actor, student.school_class_id)
    return False


def ensure_allowed(actor: Actor, action: Action, resource: Resource = None) -> None:
    """Raise ``Forbidden`` unless ``allowed``; the message names the action, not the data."""
    if not allowed(actor, action, resource):
        raise Forbidden(
            _("You do not have the right to do this ({action}).").format(action=action.value)
        )
