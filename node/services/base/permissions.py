"""The one permission module: who may do what to which record.

Every service calls ``ensure_allowed(actor, action, resource)`` before it reads personal
data or writes anything; no other code looks at roles. Rules follow the regulation:
teachers write their own journals [R 3.4, 7.2]; class teachers keep their class's student
data and correct attendance [R 3.3, 4.1, 4.2]; the director and deputies set up the school,
control and unlock [R 3.5, 5.4, 6.2]; the sysadmin manages accounts but never marks
[R 3.1, 3.2]; parents and students reach only their own data [R 3.6].

A substitute (замена) keeps one lesson's page of another teacher's journal: the journal
actions take a ``Lesson`` as well as a ``TeachingAssignment``, and only the lesson's own
rights (its topic, homework, marks, attendance) reach the substitute, for as long as the
substitution exists.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

import peewee as pw

from node.errors import Forbidden
from node.i18n import N_, _
from node.models import (
    Lesson,
    MailParticipant,
    MailThread,
    Reach,
    SchoolClass,
    Student,
    StudentGuardian,
    Subgroup,
    Substitution,
    TeachingAssignment,
    User,
    db,
    tables_of,
)
from node.models.identifiers import ident
from node.models.people import STAFF_ROLES, Guardian
from node.services.base.actor import Actor

ADMINISTRATION = ("director", "deputy")
_M = TypeVar("_M", bound=pw.Model)


class Action(StrEnum):
    SCHOOL_MANAGE = "school.manage"  # years, periods, classes, subjects, timetable; no resource
    SCHOOL_VIEW = "school.view"  # read the school's structure (the School section); no resource
    USERS_MANAGE = "users.manage"  # staff accounts and their codes; no resource
    REPORTS_VIEW = "reports.view"  # control and performance reports; no resource
    JOURNAL_VIEW = "journal.view"  # resource: TeachingAssignment, or one Lesson's page
    JOURNAL_WRITE = "journal.write"  # topics, homework, marks, attendance, plan: assignment;
    #                                  a Lesson: that lesson's page only (a substitute too)
    LESSON_SCHEDULE = "lesson.schedule"  # move or cancel a lesson: assignment
    JOURNAL_HANDOVER = "journal.handover"  # a journal's teacher or subgroup; no resource
    SUBSTITUTION_MANAGE = "substitution.manage"  # set or remove substitutes; no resource
    FINAL_WRITE = "final.write"  # final marks: assignment
    FINAL_UNLOCK = "final.unlock"  # reopen final marks after the deadline: assignment
    HISTORY_VIEW = "history.view"  # a journal's change history: assignment
    STUDENT_VIEW = "student.view"  # a student's profile, marks, attendance: Student
    STUDENT_EDIT = "student.edit"  # a student's personal data and guardians: Student
    ATTENDANCE_CORRECT = "attendance.correct"  # weekly correction of absences: Student
    SUBGROUP_MANAGE = "subgroup.manage"  # split a class for a subject: Subgroup or SchoolClass
    CODES_ISSUE = "codes.issue"  # access codes [R 3.2]: staff User, Student, StudentGuardian
    NODES_MANAGE = "nodes.manage"  # pair, list and revoke sync peers (laptops); no resource
    MAIL_USE = "mail.use"  # one's own mailbox: inbox, unread count, recipients; no resource
    MAIL_SEND = "mail.send"  # write to a User, a class's parents (SchoolClass), a Student's
    MAIL_READ = "mail.read"  # open or reply to a thread: MailThread
    MAIL_SUMMARIES = "mail.summaries"  # progress summaries to a class's parents: SchoolClass
    BACKUPS_VIEW = "backups.view"  # the age and health of the node's backups; no resource
    YEAR_CLOSE = "year.close"  # check, archive, close and roll over a year [R 6.3]; none
    CLASS_VIEW = "class.view"  # the class teacher's screen of a class [R 4.1]: SchoolClass
    CONFLICTS_VIEW = "conflicts.view"  # sync conflicts of rows one may write (staff); none
    SCHOOL_EXPORT = "school.export"  # the whole school with its people, as set-up sheets; none


Resource = (
    TeachingAssignment
    | Lesson
    | Student
    | StudentGuardian
    | SchoolClass
    | Subgroup
    | User
    | MailThread
    | None
)


def _teaches(actor: Actor, assignment: TeachingAssignment) -> bool:
    return actor.user_id is not None and assignment.teacher_id == actor.user_id


def _substitutes(actor: Actor, lesson_id: str) -> bool:
    """Is the actor the substitute of this lesson (now: the row goes when it is removed)?"""
    if actor.user_id is None:
        return False
    return (
        Substitution.select()
        .where(Substitution.lesson == lesson_id, Substitution.teacher == actor.user_id)
        .exists()
    )


def _journal_of(lesson: Lesson) -> TeachingAssignment | None:
    return _row_or_none(TeachingAssignment, lesson.assignment_id)


def _lesson_page(actor: Actor, action: Action, lesson: Lesson) -> bool:
    """One lesson's page: whoever has the right on its journal, and its substitute."""
    journal = _journal_of(lesson)
    if journal is not None and allowed(actor, action, journal):
        return True
    return _substitutes(actor, lesson.id)


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
    row = db.execute_sql(_GUARDIAN_SQL, (student.id, actor.user_id)).fetchone()
    return row is not None


#: Is the user a guardian of the student? Every page of a parent asks it, so it is one
#: indexed SQL lookup (student_guardian by student, guardian by id) rather than an ORM query.
_GUARDIAN_SQL = """
SELECT 1 FROM student_guardian sg JOIN guardian g ON g.id = sg.guardian_id
WHERE sg.student_id = ? AND g.user_id = ? LIMIT 1
"""


def allowed(actor: Actor, action: Action, resource: Resource = None) -> bool:
    """May ``actor`` do ``action`` to ``resource``? Answers without raising."""
    if actor.system:
        return True
    admin = actor.has_role(*ADMINISTRATION)
    match action:
        case Action.SCHOOL_MANAGE | Action.REPORTS_VIEW | Action.SUBSTITUTION_MANAGE:
            return admin
        case Action.CONFLICTS_VIEW:
            return actor.user_id is not None and actor.has_role(*STAFF_ROLES)
        case Action.USERS_MANAGE | Action.NODES_MANAGE:
            return actor.has_role("sysadmin")
        case (
            Action.BACKUPS_VIEW
            | Action.SCHOOL_EXPORT
            | Action.SCHOOL_VIEW
            | Action.JOURNAL_HANDOVER  # a teacher who leaves mid-year: the journal goes on
        ):
            return admin or actor.has_role("sysadmin")
        case Action.YEAR_CLOSE:
            return actor.has_role("director", "sysadmin")
        case Action.JOURNAL_WRITE | Action.JOURNAL_VIEW | Action.HISTORY_VIEW if isinstance(
            resource, Lesson
        ):
            return _lesson_page(actor, action, resource)
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
        case Action.MAIL_USE | Action.MAIL_SEND | Action.MAIL_READ | Action.MAIL_SUMMARIES:
            return _may_mail(actor, action, resource)
        case Action.CLASS_VIEW:
            return isinstance(resource, SchoolClass) and (
                admin or _is_class_teacher(actor, resource.id)
            )
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


# --- internal mail [R 3.3, 3.6, 4.4, 7.1] ---------------------------------------------------

TEACHING_ROLES = ("teacher", "class_teacher")


def _teacher_class_ids(user_id: str) -> set[str]:
    """Classes a teacher teaches in or leads."""
    taught = TeachingAssignment.select(TeachingAssignment.school_class).where(
        TeachingAssignment.teacher == user_id
    )
    led = SchoolClass.select(SchoolClass.id).where(SchoolClass.class_teacher == user_id)
    return {row.school_class_id for row in taught} | {row.id for row in led}


def _family_class_ids(user_id: str) -> set[str]:
    """Classes of the students a user signs in for: themself, or their children."""
    own = Student.select(Student.school_class).where(Student.user == user_id)
    linked = (
        Student.select(Student.school_class)
        .join(StudentGuardian)
        .join(Guardian)
        .where(Guardian.user == user_id)
    )
    return {row.school_class_id for row in own} | {row.school_class_id for row in linked}


def _teaches_in_any(actor: Actor, class_id: str) -> bool:
    return _is_class_teacher(actor, class_id) or _teaches_in_class(actor, class_id)


def may_write_to(actor: Actor, user: User) -> bool:
    """May ``actor`` start a conversation with ``user``? [R 3.6, 4.4, 7.1]

    Anyone writes to the administration and the system administrators; staff write to one
    another, and the administration to anyone; a teacher writes to the parents of the
    classes they teach or lead; a parent or student writes to their children's (their own)
    teachers. One family never reaches another. Replies need only a place in the thread.
    """
    if actor.system:
        return True
    if actor.user_id is None or user.id == actor.user_id:
        return False
    target = user.role_set
    if target & {"sysadmin", *ADMINISTRATION} or actor.has_role(*ADMINISTRATION):
        return True
    if actor.has_role(*STAFF_ROLES) and target & set(STAFF_ROLES):
        return True
    if actor.has_role(*TEACHING_ROLES) and "parent" in target:
        classes = _teacher_class_ids(actor.user_id)
        if classes & _family_class_ids(user.id):
            return True
    if actor.has_role("parent", "student") and target & set(TEACHING_ROLES):
        return bool(_family_class_ids(actor.user_id) & _teacher_class_ids(user.id))
    return False


def writes_to_colleagues(actor: Actor) -> bool:
    """Staff (and the node itself) may write to every member of staff."""
    return actor.system or actor.has_role(*STAFF_ROLES)


def mail_class_ids(actor: Actor) -> set[str]:
    """Classes whose parents ``actor`` may write to as a group: every class for the
    administration, the classes they teach or lead for a teacher, none for anyone else."""
    if actor.system or actor.has_role(*ADMINISTRATION):
        return {row.id for row in SchoolClass.select(SchoolClass.id)}
    if actor.user_id is None:
        return set()
    return _teacher_class_ids(actor.user_id)


def _may_mail(actor: Actor, action: Action, resource: Resource) -> bool:
    if actor.user_id is None:
        return False
    admin = actor.has_role(*ADMINISTRATION)
    if action == Action.MAIL_USE:
        return resource is None
    if action == Action.MAIL_READ:
        return isinstance(resource, MailThread) and (
            MailParticipant.select()
            .where(MailParticipant.thread == resource.id, MailParticipant.user == actor.user_id)
            .exists()
        )
    if action == Action.MAIL_SUMMARIES:
        return isinstance(resource, SchoolClass) and (
            admin or _is_class_teacher(actor, resource.id)
        )
    # MAIL_SEND: to a person, to all parents of a class, to the parents of one student
    if isinstance(resource, User):
        return may_write_to(actor, resource)
    if isinstance(resource, SchoolClass):
        return admin or _teaches_in_any(actor, resource.id)
    if isinstance(resource, Student):
        return admin or _teaches_in_any(actor, resource.school_class_id)
    return False


#: Who may, in words, for the refusals people meet on screens (the rest name the action);
#: codes as the regulation gives them [R 3.2].
_WHO_MAY = {
    Action.SCHOOL_MANAGE: N_(
        "Only the director and the deputies change the school's structure and timetable."
    ),
    Action.SUBSTITUTION_MANAGE: N_("Substitutes are set by the director and the deputies."),
    Action.CODES_ISSUE: N_(
        "Access codes are given by the class teacher to their students and parents, and by "
        "the system administrator to the staff."
    ),
    Action.JOURNAL_WRITE: N_(
        "Only the journal's teacher writes in it (a substitute: the page of their lesson)."
    ),
    Action.STUDENT_EDIT: N_(
        "A student's personal data is kept by their class teacher and the administration."
    ),
}


def refusal(action: Action) -> str:
    """What a refused ``action`` says: who may do it (or, for the rest, the action's name);
    never the data it was about."""
    who_may = _WHO_MAY.get(action)
    if who_may is not None:
        return _(who_may)
    return _("You do not have the right to do this ({action}).").format(action=action.value)


def ensure_allowed(actor: Actor, action: Action, resource: Resource = None) -> None:
    """Raise ``Forbidden`` unless ``allowed``."""
    if not allowed(actor, action, resource):
        raise Forbidden(refusal(action))


# --- rows pushed by a replica (sync) -----------------------------------------------------------

#: Replicated tables only the administration writes: the school's reference data (each
#: model's ``reach``), and who teaches which journal when.
_SCHOOL_TABLES = tables_of(Reach.SCHOOL) | {"teaching_assignment", "timetable_slot"}
#: The other tables of one journal (``Reach.ASSIGNMENT``), with the actions that let a
#: user write them (tests/node/services/base/test_permissions.py holds the two lists equal).
_BY_ASSIGNMENT = {
    "plan_item": (Action.JOURNAL_WRITE,),
    "lesson": (Action.JOURNAL_WRITE, Action.LESSON_SCHEDULE),
    "final_mark": (Action.FINAL_WRITE,),
    "final_mark_unlock": (Action.FINAL_UNLOCK,),
}
#: One lesson's rows: its journal's teacher (or substitute) writes them.
_BY_LESSON = tables_of(Reach.LESSON)
#: The columns of a lesson its page holds: what a substitute may change from a laptop (its
#: date, number and status are the timetable's, its journal is the usual teacher's).
_LESSON_PAGE_COLUMNS = frozenset({"topic", "homework", "work_type_id"})
#: What a user may change in their own account from a laptop (their password, offline).
_OWN_ACCOUNT_COLUMNS = frozenset({"password_hash", "language"})


def _row_or_none(model: type[_M], row_id: object) -> _M | None:
    """A row by id, as SQL: the hub asks this several times for every change a laptop
    pushes, and building ``get_or_none`` through the ORM cost far more than the lookup."""
    if not row_id:
        return None
    sql = f'SELECT * FROM {ident(model._meta.table_name)} WHERE "id" = ?'
    return next(iter(model.raw(sql, str(row_id))), None)


def _assignment_allows(actor: Actor, assignment_id: object, actions: tuple[Action, ...]) -> bool:
    assignment = _row_or_none(TeachingAssignment, assignment_id)
    return assignment is not None and any(allowed(actor, a, assignment) for a in actions)


def _student_of(row: dict[str, Any]) -> Student | None:
    return _row_or_none(Student, row.get("student_id"))


def _in_thread(actor: Actor, thread_id: object) -> bool:
    thread = MailThread.get_or_none(MailThread.id == thread_id)
    return thread is not None and allowed(actor, Action.MAIL_READ, thread)


def may_write_row(
    actor: Actor, table: str, row: dict[str, Any], *, changed: tuple[str, ...] | None = None
) -> bool:
    """May ``actor`` write ``row`` (column → value, as stored) of a replicated table?

    The hub asks this of every change a laptop pushes (replicas are untrusted), for the row
    before and after the change; ``changed`` names the columns an update writes. The rules
    are those the services apply through ``allowed``, stated per table.
    """
    if actor.system:
        return True
    if table in _SCHOOL_TABLES:
        return allowed(actor, Action.SCHOOL_MANAGE)
    if table == "substitution":
        return allowed(actor, Action.SUBSTITUTION_MANAGE)
    if table in _BY_ASSIGNMENT:
        if _assignment_allows(actor, row.get("assignment_id"), _BY_ASSIGNMENT[table]):
            return True
        return (
            table == "lesson"
            and changed is not None
            and set(changed) <= _LESSON_PAGE_COLUMNS
            and _substitutes(actor, str(row.get("id")))
        )
    if table in _BY_LESSON:
        lesson = _row_or_none(Lesson, row.get("lesson_id"))
        if lesson is None:
            return False
        if allowed(actor, Action.JOURNAL_WRITE, lesson):
            return True
        student = _student_of(row) if table == "attendance" else None
        return student is not None and allowed(actor, Action.ATTENDANCE_CORRECT, student)
    if table == "student":
        student = Student(id=row.get("id"), school_class=row.get("school_class_id"))
        return allowed(actor, Action.STUDENT_EDIT, student)
    if table == "student_guardian":
        student = _student_of(row)
        return student is not None and allowed(actor, Action.STUDENT_EDIT, student)
    if table == "guardian":
        linked = list(
            Student.select().join(StudentGuardian).where(StudentGuardian.guardian == row.get("id"))
        )
        if linked:
            return any(allowed(actor, Action.STUDENT_EDIT, s) for s in linked)
        return actor.has_role(*ADMINISTRATION) or (
            actor.user_id is not None
            and SchoolClass.select().where(SchoolClass.class_teacher == actor.user_id).exists()
        )
    if table == "subgroup":
        subgroup = Subgroup(
            id=row.get("id"), school_class=row.get("school_class_id"), subject=row.get("subject_id")
        )
        return allowed(actor, Action.SUBGROUP_MANAGE, subgroup)
    if table == "subgroup_member":
        subgroup = Subgroup.get_or_none(Subgroup.id == row.get("subgroup_id"))
        return subgroup is not None and allowed(actor, Action.SUBGROUP_MANAGE, subgroup)
    if table == "user":
        own = row.get("id") == actor.user_id
        if own and changed is not None and set(changed) <= _OWN_ACCOUNT_COLUMNS:
            return True
        return allowed(actor, Action.USERS_MANAGE)
    if table == "history":
        return actor.user_id is not None and row.get("actor_id") == actor.user_id
    if table == "activity_log":  # the laptop's own sign-ins, failed ones (no user) included
        return actor.user_id is not None and row.get("user_id") in (actor.user_id, None)
    if table == "mail_thread":
        return row.get("created_by_id") == actor.user_id or _in_thread(actor, row.get("id"))
    if table == "mail_message":
        return row.get("author_id") == actor.user_id and _in_thread(actor, row.get("thread_id"))
    if table == "mail_participant":
        if row.get("user_id") == actor.user_id:
            return True
        thread = MailThread.get_or_none(MailThread.id == row.get("thread_id"))
        return thread is not None and thread.created_by_id == actor.user_id
    return False


def may_see_conflict(actor: Actor, table: str, row: dict[str, Any]) -> bool:
    """A sync conflict concerns those who may write its row, and the administration."""
    return actor.system or actor.has_role(*ADMINISTRATION) or may_write_row(actor, table, row)


#: Tables whose conflicts ``conflict_condition_sql`` decides: the journal's and the school's
#: set-up, nearly every conflict. The others (names, accounts, subgroups, mail) are few and
#: asked of ``may_see_conflict`` row by row.
CONFLICT_SQL_TABLES = _SCHOOL_TABLES | _BY_LESSON | frozenset({*_BY_ASSIGNMENT, "substitution"})


def conflict_condition_sql(actor: Actor) -> tuple[str, tuple[str, ...]] | None:
    """``may_see_conflict`` for conflicts of ``CONFLICT_SQL_TABLES``, as one SQL condition.

    Home counts a school's conflicts on every visit; asking ``may_write_row`` of each took
    a second for 2,000. The condition reads ``r.tbl`` and the row's ``r.lesson_id``,
    ``r.student_id`` and ``r.assignment_id`` (the conflict's row as ``may_see_conflict``
    gets it) and states the same rules as ``may_write_row`` for those tables; None: the
    actor sees every conflict. tests/sync/test_conflict_view.py holds the two equal.
    """
    if actor.system or actor.has_role(*ADMINISTRATION):
        return None
    if actor.user_id is None:
        return "0", ()
    teaches = "EXISTS (SELECT 1 FROM teaching_assignment ta WHERE ta.id = {} AND ta.teacher_id = ?)"
    by_lesson = (  # JOURNAL_WRITE on the lesson: its journal's teacher, or its substitute
        teaches.format("(SELECT l.assignment_id FROM lesson l WHERE l.id = r.lesson_id)")
        + " OR EXISTS (SELECT 1 FROM substitution s JOIN lesson l ON l.id = s.lesson_id "
        "WHERE s.lesson_id = r.lesson_id AND s.teacher_id = ?)"
    )
    corrects = (  # ATTENDANCE_CORRECT: the class teacher of the student's class
        "(EXISTS (SELECT 1 FROM lesson l WHERE l.id = r.lesson_id) AND EXISTS (SELECT 1 "
        "FROM student s JOIN school_class sc ON sc.id = s.school_class_id "
        "WHERE s.id = r.student_id AND sc.class_teacher_id = ?))"
    )
    by_assignment = teaches.format("r.assignment_id")
    sql = (
        f"CASE WHEN r.tbl IN ('mark', 'lesson_plan_item') THEN {by_lesson} "
        f"WHEN r.tbl = 'attendance' THEN {by_lesson} OR {corrects} "
        # JOURNAL_WRITE, LESSON_SCHEDULE and FINAL_WRITE: the journal's teacher
        f"WHEN r.tbl IN ('plan_item', 'lesson', 'final_mark') THEN {by_assignment} "
        "ELSE 0 END"  # final_mark_unlock, substitutions, the set-up: the administration's
    )
    user = actor.user_id
    return sql, (user,) * 6
