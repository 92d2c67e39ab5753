"""What a replica may receive: the rows its user may see, and only the fields they may see.

A teacher's laptop gets the school's reference data (year, periods, bells, subjects, work
types, classes), every staff account (names, for "who set this mark"), its own account with
its password hash (so the teacher signs in offline) and no other password hash, and:

* the journals it may view (its own assignments, and as a class teacher every assignment of
  its class) with their lessons, plan, marks, attendance and final marks;
* the students of the classes it teaches or leads; birth date, address and phone only for
  the class it leads [R 3.3];
* guardians, their links and their accounts only for the class it leads — never another
  family's contact data;
* the mail threads it takes part in, with their participants' accounts;
* the lessons it substitutes (замены) in other teachers' journals: each lesson with its
  marks, attendance and plan links, the journal's row and plan (to pick a topic), and the
  students of the class — never the journal's other lessons or final marks;
* the substitutions of its own lessons and the ones it takes;
* the history of the rows above, and what the user did themself.

The director and deputies see the whole school (except others' password hashes). What a
row hangs on (the school, a journal, a lesson, a mail thread) is each model's ``reach``;
tables with a rule of their own reach no restricted replica until a rule is written here
(private by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from node.models import Reach, User, db, tables_of
from node.models.people import STAFF_ROLES
from node.services.base.permissions import ADMINISTRATION

#: Which rows hang on what: read from the models (``node.models.Reach``), as the
#: services' write rules read them.
REFERENCE_TABLES = tables_of(Reach.SCHOOL)
BY_ASSIGNMENT = tables_of(Reach.ASSIGNMENT)
BY_LESSON = tables_of(Reach.LESSON)
BY_THREAD = tables_of(Reach.THREAD)
#: Student columns only the class teacher (and the administration) receive.
PRIVATE_STUDENT = ("birth_date", "address", "phone")


def substituted_lessons(user_id: str) -> set[str]:
    """The lessons ``user_id`` takes as a substitute."""
    return _ids("SELECT lesson_id FROM substitution WHERE teacher_id = ?", (user_id,))


def _ids(sql: str, params: Iterable[Any] = ()) -> set[str]:
    return {r[0] for r in db.execute_sql(sql, tuple(params)) if r[0] is not None}


def _in(values: set[str]) -> tuple[str, list[str]]:
    items = sorted(values)
    return "(" + ",".join("?" * len(items)) + ")", items


@dataclass
class ScopeView:
    """The id sets of one user's scope, computed once per export."""

    user_id: str | None
    whole: bool = False
    admin: bool = False
    assignments: set[str] = field(default_factory=set)
    lessons: set[str] = field(default_factory=set)
    #: lessons of others' journals this user substitutes, and those journals
    substituted: set[str] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    own_classes: set[str] = field(default_factory=set)
    students: set[str] = field(default_factory=set)
    own_students: set[str] = field(default_factory=set)
    guardians: set[str] = field(default_factory=set)
    subgroups: set[str] = field(default_factory=set)
    threads: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, user_id: str | None) -> ScopeView:
        if user_id is None:
            return cls(None, whole=True)
        user = User.get_or_none(User.id == user_id)
        if user is None:
            return cls(user_id)  # an account that is gone sees nothing
        view = cls(user_id, admin=bool(user.role_set & set(ADMINISTRATION)))
        if view.admin:
            return view
        me = (user_id,)
        view.own_classes = _ids("SELECT id FROM school_class WHERE class_teacher_id = ?", me)
        sql, own = _in(view.own_classes)
        view.assignments = _ids(
            f"SELECT id FROM teaching_assignment WHERE teacher_id = ? OR school_class_id IN {sql}",
            (user_id, *own),
        )
        sql, assignments = _in(view.assignments)
        view.lessons = _ids(f"SELECT id FROM lesson WHERE assignment_id IN {sql}", assignments)
        view.substituted = substituted_lessons(user_id) - view.lessons
        view.lessons |= view.substituted
        sql, substituted = _in(view.substituted)
        view.visited = (
            _ids(f"SELECT assignment_id FROM lesson WHERE id IN {sql}", substituted)
            - view.assignments
        )
        sql, visited = _in(view.visited)
        view.classes = (
            view.own_classes
            | _ids("SELECT school_class_id FROM teaching_assignment WHERE teacher_id = ?", me)
            | _ids(f"SELECT school_class_id FROM teaching_assignment WHERE id IN {sql}", visited)
        )
        sql, classes = _in(view.classes)
        view.students = _ids(f"SELECT id FROM student WHERE school_class_id IN {sql}", classes)
        view.subgroups = _ids(f"SELECT id FROM subgroup WHERE school_class_id IN {sql}", classes)
        sql, own = _in(view.own_classes)
        view.own_students = _ids(f"SELECT id FROM student WHERE school_class_id IN {sql}", own)
        sql, own_students = _in(view.own_students)
        view.guardians = _ids(
            f"SELECT guardian_id FROM student_guardian WHERE student_id IN {sql}", own_students
        )
        view.threads = _ids("SELECT thread_id FROM mail_participant WHERE user_id = ?", me)
        view.users = view._visible_users()
        return view

    def _visible_users(self) -> set[str]:
        staff = " OR ".join("(' ' || roles || ' ') LIKE ?" for _ in STAFF_ROLES)
        users = _ids(f'SELECT id FROM "user" WHERE {staff}', [f"% {r} %" for r in STAFF_ROLES])
        sql, students = _in(self.students)
        users |= _ids(f"SELECT user_id FROM student WHERE id IN {sql}", students)
        sql, guardians = _in(self.guardians)
        users |= _ids(f"SELECT user_id FROM guardian WHERE id IN {sql}", guardians)
        sql, threads = _in(self.threads)
        users |= _ids(f"SELECT user_id FROM mail_participant WHERE thread_id IN {sql}", threads)
        users |= _ids(f"SELECT author_id FROM mail_message WHERE thread_id IN {sql}", threads)
        users |= _ids(
            f"SELECT created_by_id FROM mail_thread WHERE id IN {sql} "
            f"UNION SELECT last_author_id FROM mail_thread WHERE id IN {sql}",
            threads + threads,
        )
        if self.user_id:
            users.add(self.user_id)
        return users

    @property
    def everything(self) -> bool:
        return self.whole or self.admin

    # --- rows -----------------------------------------------------------------------------

    def allows(self, table: str, row: dict[str, Any]) -> bool:
        """May this scope receive ``row`` (all its columns, as stored) of ``table``?"""
        if self.everything or table in REFERENCE_TABLES:
            return True
        if table == "teaching_assignment":
            return row.get("id") in self.assignments or row.get("id") in self.visited
        if table == "lesson":
            return row.get("assignment_id") in self.assignments or row.get("id") in self.lessons
        if table == "plan_item":  # a substitute picks the lesson's topic from the plan
            assignment = row.get("assignment_id")
            return assignment in self.assignments or assignment in self.visited
        if table in BY_ASSIGNMENT:
            return row.get("assignment_id") in self.assignments
        if table == "substitution":
            return row.get("teacher_id") == self.user_id or row.get("lesson_id") in self.lessons
        if table in BY_LESSON:
            return row.get("lesson_id") in self.lessons
        if table == "student":
            return row.get("school_class_id") in self.classes
        if table == "guardian":
            return row.get("id") in self.guardians
        if table == "student_guardian":
            return row.get("student_id") in self.own_students
        if table == "subgroup":
            return row.get("school_class_id") in self.classes
        if table == "subgroup_member":
            return row.get("subgroup_id") in self.subgroups
        if table == "user":
            return row.get("id") in self.users
        if table == "mail_thread":
            return row.get("id") in self.threads
        if table in BY_THREAD:
            return row.get("thread_id") in self.threads
        if table == "history":
            return self._history(row)
        return False

    def _history(self, row: dict[str, Any]) -> bool:
        if self.user_id and row.get("actor_id") == self.user_id:
            return True
        cell = row.get("cell") or ""
        if cell and cell.split("/", 1)[0] in self.lessons:
            return True
        entity_id = row.get("entity_id")
        return entity_id is not None and (
            entity_id in self.assignments
            or entity_id in self.lessons
            or entity_id in self.students
            or entity_id in self.guardians
            or entity_id in self.threads
        )

    def hidden(self, table: str, row: dict[str, Any]) -> tuple[str, ...]:
        """Columns of ``row`` this scope does not receive."""
        if self.whole:
            return ()
        if table == "user" and row.get("id") != self.user_id:
            return ("password_hash",)
        if (
            table == "student"
            and not self.admin
            and row.get("school_class_id") not in self.own_classes
        ):
            return PRIVATE_STUDENT
        return ()

    # --- bootstrap queries -----------------------------------------------------------------

    def sql_filter(self, table: str) -> tuple[str, list[str]] | None:
        """A WHERE clause that narrows a bootstrap scan (``allows`` still decides)."""
        if self.everything or table in REFERENCE_TABLES:
            return None
        if table in BY_LESSON:
            sql, assignments = _in(self.assignments)
            extra, substituted = _in(self.substituted)
            return (
                f"lesson_id IN (SELECT id FROM lesson WHERE assignment_id IN {sql}) "
                f"OR lesson_id IN {extra}",
                assignments + substituted,
            )
        if table == "lesson":
            sql, assignments = _in(self.assignments)
            extra, substituted = _in(self.substituted)
            return f"assignment_id IN {sql} OR id IN {extra}", assignments + substituted
        if table == "plan_item":
            sql, assignments = _in(self.assignments | self.visited)
            return f"assignment_id IN {sql}", assignments
        if table in BY_ASSIGNMENT:
            sql, assignments = _in(self.assignments)
            return f"assignment_id IN {sql}", assignments
        if table == "student":
            sql, classes = _in(self.classes)
            return f"school_class_id IN {sql}", classes
        return None
