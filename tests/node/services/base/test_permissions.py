"""The permission matrix: every action × every kind of actor in the small school.

The table names, for each action and resource, exactly who is allowed; everyone else must
be denied. The tests below the table restate the regulation's promises one by one [R 3.6,
3.4, 4.1, 4.2, 3.1–3.2] over every student and journal of the school, not just one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import peewee as pw
import pytest

from node.errors import Forbidden
from node.i18n import use_language
from node.models import (
    MailParticipant,
    MailThread,
    Meta,
    Student,
    StudentGuardian,
    Substitution,
    TeachingAssignment,
    db,
    new_id,
)
from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.base.permissions import Action, allowed, ensure_allowed, refusal
from tests.factories import SmallSchool, build_small_school, make_user

# Who is who, in terms of the journal ``english_g1`` (English, group 1 of 7А):
#   assignment_teacher  Петров: teaches english_g1; also leads 8Б and teaches its maths
#   class_teacher       Иванова: leads 7А and teaches its maths (not English)
#   another_teacher     Соколов: teaches PE in 7А, nothing else
#   outside_teacher     a teacher with no classes and no journals
#                       (and of 7А's maths: Иванова's; Соколов substitutes for one lesson)
#   parent / student    students[0] of 7А and their mother
#   other_parent        the father of a student in 8Б
#   childless_parent    a parent account linked to no student
#   unlinked_student    a student account linked to no student record
KINDS = (
    "sysadmin",
    "director",
    "deputy",
    "assignment_teacher",
    "class_teacher",
    "another_teacher",
    "outside_teacher",
    "parent",
    "other_parent",
    "student",
    "childless_parent",
    "unlinked_student",
    "system",
)
ADMIN = {"director", "deputy", "system"}

#: (action, resource, who is allowed); every other kind of actor is denied.
RULES: list[tuple[Action, str | None, set[str]]] = [
    (Action.SCHOOL_MANAGE, None, ADMIN),
    (Action.REPORTS_VIEW, None, ADMIN),
    # the age and health of backups: no personal data, for those who watch the node
    (Action.BACKUPS_VIEW, None, ADMIN | {"sysadmin"}),
    # the whole school with its people, as set-up sheets: those who set the school up
    (Action.SCHOOL_EXPORT, None, ADMIN | {"sysadmin"}),
    # the School section read-only: the sysadmin sees how the school is set up, changes nothing
    (Action.SCHOOL_VIEW, None, ADMIN | {"sysadmin"}),
    (Action.USERS_MANAGE, None, {"sysadmin", "system"}),
    (Action.NODES_MANAGE, None, {"sysadmin", "system"}),
    # sync conflicts: staff open the list; it then shows the rows each may write
    (
        Action.CONFLICTS_VIEW,
        None,
        ADMIN
        | {"sysadmin", "assignment_teacher", "class_teacher", "another_teacher", "outside_teacher"},
    ),
    # a teacher writes only their own journals; nobody else does, not even the director
    (Action.JOURNAL_WRITE, "english_g1", {"assignment_teacher", "system"}),
    (Action.JOURNAL_WRITE, "maths", {"class_teacher", "system"}),
    (Action.JOURNAL_WRITE, "maths_8b", {"assignment_teacher", "system"}),
    (Action.FINAL_WRITE, "english_g1", {"assignment_teacher", "system"}),
    (Action.FINAL_WRITE, "maths", {"class_teacher", "system"}),
    (Action.LESSON_SCHEDULE, "english_g1", ADMIN | {"assignment_teacher"}),
    (Action.LESSON_SCHEDULE, "maths", ADMIN | {"class_teacher"}),
    (Action.FINAL_UNLOCK, "english_g1", ADMIN),
    # a journal handed to another teacher or subgroup (a teacher leaves mid-year) [R 6.1]
    (Action.JOURNAL_HANDOVER, None, ADMIN | {"sysadmin"}),
    # journals are seen by their teacher, the class teacher and the administration
    (Action.JOURNAL_VIEW, "english_g1", ADMIN | {"assignment_teacher", "class_teacher"}),
    (Action.JOURNAL_VIEW, "maths_8b", ADMIN | {"assignment_teacher"}),
    (Action.HISTORY_VIEW, "english_g1", ADMIN | {"assignment_teacher", "class_teacher"}),
    (Action.HISTORY_VIEW, "maths_8b", ADMIN | {"assignment_teacher"}),
    # one lesson's page: its journal's rights, and its substitute's (замена) for that lesson
    # only — not the journal, not another lesson, not its final marks or timetable
    (Action.SUBSTITUTION_MANAGE, None, ADMIN),
    (Action.JOURNAL_WRITE, "substituted_lesson", {"class_teacher", "another_teacher", "system"}),
    (Action.JOURNAL_WRITE, "maths_lesson", {"class_teacher", "system"}),
    (
        Action.JOURNAL_VIEW,
        "substituted_lesson",
        ADMIN | {"class_teacher", "another_teacher"},
    ),
    (Action.JOURNAL_VIEW, "maths_lesson", ADMIN | {"class_teacher"}),
    (
        Action.HISTORY_VIEW,
        "substituted_lesson",
        ADMIN | {"class_teacher", "another_teacher"},
    ),
    (Action.FINAL_WRITE, "substituted_lesson", {"system"}),
    (Action.LESSON_SCHEDULE, "substituted_lesson", {"system"}),
    (Action.SUBSTITUTION_MANAGE, "substituted_lesson", ADMIN),
    # a student's data: the family, the class's teachers, the administration [R 3.6]
    (
        Action.STUDENT_VIEW,
        "own_student",
        ADMIN | {"assignment_teacher", "class_teacher", "another_teacher", "parent", "student"},
    ),
    (
        Action.STUDENT_VIEW,
        "classmate",
        ADMIN | {"assignment_teacher", "class_teacher", "another_teacher"},
    ),
    (Action.STUDENT_VIEW, "student_8b", ADMIN | {"assignment_teacher", "other_parent"}),
    # personal data and attendance corrections: the class teacher of that class [R 4.1, 4.2]
    (Action.STUDENT_EDIT, "own_student", ADMIN | {"class_teacher"}),
    (Action.STUDENT_EDIT, "student_8b", ADMIN | {"assignment_teacher"}),
    (Action.ATTENDANCE_CORRECT, "own_student", ADMIN | {"class_teacher"}),
    (Action.ATTENDANCE_CORRECT, "classmate", ADMIN | {"class_teacher"}),
    (Action.ATTENDANCE_CORRECT, "student_8b", ADMIN | {"assignment_teacher"}),
    # subgroups: the class teacher splits the class, with the subject's teachers [R 4.3]
    (Action.SUBGROUP_MANAGE, "group1", ADMIN | {"class_teacher", "assignment_teacher"}),
    (Action.SUBGROUP_MANAGE, "class_7a", ADMIN | {"class_teacher"}),
    (Action.SUBGROUP_MANAGE, "class_8b", ADMIN | {"assignment_teacher"}),
    # access codes [R 3.2]: the sysadmin for staff; a class teacher for their own class's
    # students and parents, and for nobody else's
    (Action.CODES_ISSUE, "staff_user", {"sysadmin", "system"}),
    (Action.CODES_ISSUE, "parent_user", {"system"}),
    (Action.CODES_ISSUE, "own_student", {"class_teacher", "system"}),
    (Action.CODES_ISSUE, "student_8b", {"assignment_teacher", "system"}),
    (Action.CODES_ISSUE, "own_parent_link", {"class_teacher", "system"}),
    (Action.CODES_ISSUE, "parent_8b_link", {"assignment_teacher", "system"}),
    (Action.CODES_ISSUE, None, {"system"}),
    (Action.CODES_ISSUE, "class_7a", {"system"}),
    # the class teacher's screen of a class [R 4.1]: its class teacher, the administration
    (Action.CLASS_VIEW, "class_7a", ADMIN | {"class_teacher"}),
    (Action.CLASS_VIEW, "class_8b", ADMIN | {"assignment_teacher"}),
    (Action.CLASS_VIEW, "own_student", {"system"}),
    (Action.CLASS_VIEW, None, {"system"}),
    # closing the year [R 6.3]: the director, or the sysadmin for them
    (Action.YEAR_CLOSE, None, {"director", "sysadmin", "system"}),
    # the wrong kind of resource (or none) is denied to every person
    (Action.JOURNAL_WRITE, None, {"system"}),
    (Action.JOURNAL_WRITE, "own_student", {"system"}),
    (Action.JOURNAL_VIEW, "own_student", {"system"}),
    (Action.STUDENT_VIEW, "english_g1", {"system"}),
    (Action.STUDENT_EDIT, "class_7a", {"system"}),
    (Action.FINAL_UNLOCK, None, {"system"}),
    (Action.SUBGROUP_MANAGE, None, {"system"}),
    # internal mail [R 3.6, 4.4, 7.1]: anyone signed in has a mailbox; staff write to staff;
    # teachers to the parents of their classes; families to their children's teachers
    (Action.MAIL_USE, None, set(KINDS)),
    (Action.MAIL_USE, "class_7a", {"system"}),
    (
        Action.MAIL_SEND,
        "staff_user",
        ADMIN
        | {"sysadmin", "class_teacher", "another_teacher", "outside_teacher", "parent"}
        | {"student", "other_parent"},
    ),
    (
        Action.MAIL_SEND,
        "parent_user",
        ADMIN | {"class_teacher", "assignment_teacher", "another_teacher"},
    ),
    (
        Action.MAIL_SEND,
        "class_7a",
        ADMIN | {"class_teacher", "assignment_teacher", "another_teacher"},
    ),
    (Action.MAIL_SEND, "class_8b", ADMIN | {"assignment_teacher"}),
    (
        Action.MAIL_SEND,
        "own_student",
        ADMIN | {"class_teacher", "assignment_teacher", "another_teacher"},
    ),
    (Action.MAIL_SEND, None, {"system"}),
    (Action.MAIL_READ, "parent_thread", {"parent", "class_teacher", "system"}),
    (Action.MAIL_READ, None, {"system"}),
    (Action.MAIL_SUMMARIES, "class_7a", ADMIN | {"class_teacher"}),
    (Action.MAIL_SUMMARIES, "class_8b", ADMIN | {"assignment_teacher"}),
    (Action.MAIL_SUMMARIES, "own_student", {"system"}),
]

CASES = [
    pytest.param(action, resource, kind, kind in who, id=f"{action.value}-{resource}-{kind}")
    for action, resource, who in RULES
    for kind in KINDS
]


class People:
    """The actors and resources of the matrix, built on the small school."""

    def __init__(self, s: SmallSchool) -> None:
        self.school = s
        outside = make_user("outsider", "teacher", "Егоров", "Иван")
        childless = make_user("parent3", "parent", "Фомина", "Ольга")
        unlinked = make_user("student9", "student", "Зайцев", "Лев")
        users = {
            "sysadmin": s.sysadmin,
            "director": s.director,
            "deputy": s.deputy,
            "assignment_teacher": s.other_teacher,
            "class_teacher": s.teacher,
            "another_teacher": s.pe_teacher,
            "outside_teacher": outside,
            "parent": s.parent,
            "other_parent": s.other_parent,
            "student": s.student_user,
            "childless_parent": childless,
            "unlinked_student": unlinked,
        }
        self.actors: dict[str, Actor] = {k: Actor.from_user(u) for k, u in users.items()}
        self.actors["system"] = Actor.for_system()
        self.resources = {
            None: None,
            "english_g1": s.english_g1,
            "maths": s.maths,
            "maths_8b": s.maths_8b,
            "own_student": s.students[0],
            "classmate": s.students[1],
            "student_8b": s.other_students[0],
            "group1": s.group1,
            "class_7a": s.class_7a,
            "class_8b": s.class_8b,
            "staff_user": s.other_teacher,
            "parent_user": s.parent,
            "own_parent_link": StudentGuardian.get(StudentGuardian.student == s.students[0].id),
            "parent_8b_link": StudentGuardian.get(
                StudentGuardian.student == s.other_students[0].id
            ),
            "parent_thread": _thread_between(s.parent, s.teacher),
            "substituted_lesson": s.maths_lessons[0],
            "maths_lesson": s.maths_lessons[1],
        }
        Substitution.create(lesson=s.maths_lessons[0], teacher=s.pe_teacher)


def _thread_between(*users) -> MailThread:
    """A conversation of ``users``, written straight into the tables."""
    moment = dt.datetime(2026, 11, 20, 10, 0)
    thread = MailThread.create(
        subject="Вопрос", created_by=users[0], created_at=moment, last_message_at=moment
    )
    for user in users:
        MailParticipant.create(thread=thread, user=user)
    return thread


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[pw.SqliteDatabase, People]]:
    """One small school for the whole module: permission checks only read, and the
    matrix has hundreds of cases."""
    database = open_database(tmp_path_factory.mktemp("permissions") / "ediary.db", create=True)
    Meta.set_value("node_id", "test-node")
    yield database, People(build_small_school())
    database.close()


@pytest.fixture
def people(built: tuple[pw.SqliteDatabase, People]) -> People:
    database, people = built
    db.initialize(database)  # other modules' tests bind their own databases in between
    return people


def test_the_table_covers_every_action_and_kind():
    assert {action for action, _r, _w in RULES} == set(Action)
    for _action, _resource, who in RULES:
        assert who <= set(KINDS)


@pytest.mark.parametrize(("action", "resource", "kind", "expected"), CASES)
def test_permission_matrix(people, action, resource, kind, expected):
    actor = people.actors[kind]
    target = people.resources[resource]
    assert allowed(actor, action, target) is expected
    if expected:
        ensure_allowed(actor, action, target)
    else:
        with pytest.raises(Forbidden) as refused:
            ensure_allowed(actor, action, target)
        assert str(refused.value) == refusal(action)


# --- the regulation's promises, over the whole school ---------------------------------------


def test_parents_and_students_reach_only_their_own_child(people):
    """[R 3.6] Only their own data: one student each, no journal, no writing."""
    s = people.school
    own = {
        "parent": {s.students[0].id},
        "student": {s.students[0].id},
        "other_parent": {s.other_students[0].id},
        "childless_parent": set(),
        "unlinked_student": set(),
    }
    for kind, reachable in own.items():
        actor = people.actors[kind]
        for student in Student.select():
            for action in (Action.STUDENT_VIEW, Action.STUDENT_EDIT, Action.ATTENDANCE_CORRECT):
                expected = action is Action.STUDENT_VIEW and student.id in reachable
                assert allowed(actor, action, student) is expected, (kind, action, student)
        for assignment in TeachingAssignment.select():
            for action in Action:
                assert not allowed(actor, action, assignment), (kind, action)
        for action in (Action.SCHOOL_MANAGE, Action.USERS_MANAGE, Action.REPORTS_VIEW):
            assert not allowed(actor, action)


def test_a_teacher_writes_only_their_own_journals(people):
    """[R 3.4, 7.2] Marks, attendance, topics and final marks: the journal's own teacher."""
    teachers = ("assignment_teacher", "class_teacher", "another_teacher", "outside_teacher")
    for kind in teachers:
        actor = people.actors[kind]
        for assignment in TeachingAssignment.select():
            own = assignment.teacher_id == actor.user_id
            for action in (Action.JOURNAL_WRITE, Action.FINAL_WRITE, Action.LESSON_SCHEDULE):
                assert allowed(actor, action, assignment) is own, (kind, action, assignment)
            assert not allowed(actor, Action.FINAL_UNLOCK, assignment)


def test_class_teacher_keeps_their_own_class_only(people):
    """[R 4.1, 4.2] The class teacher edits and corrects attendance of their class only."""
    s = people.school
    actor = people.actors["class_teacher"]  # leads 7А
    for student in Student.select():
        mine = student.school_class_id == s.class_7a.id
        assert allowed(actor, Action.STUDENT_EDIT, student) is mine
        assert allowed(actor, Action.ATTENDANCE_CORRECT, student) is mine
    # teaching in a class is not leading it
    for kind in ("another_teacher", "outside_teacher"):
        for student in Student.select():
            assert not allowed(people.actors[kind], Action.STUDENT_EDIT, student)
            assert not allowed(people.actors[kind], Action.ATTENDANCE_CORRECT, student)


def test_sysadmin_manages_accounts_but_never_marks(people):
    """[R 3.1, 3.2] The sysadmin keeps accounts; marks and final marks are not theirs."""
    actor = people.actors["sysadmin"]
    assert allowed(actor, Action.USERS_MANAGE)
    for assignment in TeachingAssignment.select():
        for action in (Action.JOURNAL_WRITE, Action.FINAL_WRITE, Action.FINAL_UNLOCK):
            assert not allowed(actor, action, assignment)
    for student in Student.select():
        assert not allowed(actor, Action.ATTENDANCE_CORRECT, student)


def test_administration_controls_but_does_not_write_marks(people):
    """[R 3.5, 6.2] Director and deputies see and unlock, but marks stay the teacher's."""
    for kind in ("director", "deputy"):
        actor = people.actors[kind]
        for assignment in TeachingAssignment.select():
            assert allowed(actor, Action.JOURNAL_VIEW, assignment)
            assert allowed(actor, Action.FINAL_UNLOCK, assignment)
            assert not allowed(actor, Action.JOURNAL_WRITE, assignment)
            assert not allowed(actor, Action.FINAL_WRITE, assignment)
        assert not allowed(actor, Action.USERS_MANAGE)


def test_an_actor_without_a_user_is_not_a_teacher(people):
    """A non-system actor with no user id must not match journals whose teacher is unset."""
    ghost = Actor(user_id=None, login="ghost", roles=frozenset({"teacher", "parent"}))
    s = people.school
    for action in Action:
        for resource in (s.maths, s.students[0], s.group1, s.class_7a):
            assert not allowed(ghost, action, resource)


def test_roles_alone_do_not_make_a_class_teacher(people):
    """The 'class_teacher' role names a job; rights come from leading an actual class."""
    actor = Actor(user_id=new_id(), login="lead2", roles=frozenset({"teacher", "class_teacher"}))
    assert not allowed(actor, Action.STUDENT_EDIT, people.school.students[0])
    assert not allowed(actor, Action.SUBGROUP_MANAGE, people.school.class_7a)


def test_a_refusal_people_meet_says_who_may(people):
    """A deputy pressing «Коды» on a class is told who gives codes, not «codes.issue»."""
    s = people.school
    with use_language("ru"), pytest.raises(Forbidden) as refused:
        ensure_allowed(s.actor(s.deputy), Action.CODES_ISSUE, s.students[0])
    assert str(refused.value).startswith("Коды доступа выдаёт классный руководитель")
    assert "codes.issue" not in str(refused.value)
    with pytest.raises(Forbidden, match=r"\(final.unlock\)"):  # the rest name the action
        ensure_allowed(s.actor(s.teacher), Action.FINAL_UNLOCK, s.maths)
