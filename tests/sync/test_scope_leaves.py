"""A laptop holds only what its user may see now: rows that leave its scope (a substitution
removed or handed on, a journal given to another teacher) leave the laptop at its next sync,
without a change of its own that would delete them on the school server (sync/leave.py).

Соколов teaches PE in 7А; the deputy gives him lesson 1 of Петров's maths in 8Б.
"""

from __future__ import annotations

import datetime as dt
import zlib

from node.models import (
    History,
    Lesson,
    Mark,
    PlanItem,
    SchoolClass,
    Student,
    SyncConflict,
    TeachingAssignment,
    db,
)
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_attendance, set_marks, set_topic
from node.services.school import substitutions
from sync import engine
from tests.sync.nodes import Node, contents, pull, push, sync

DAY = dt.date(2026, 11, 23)
#: What one lesson's page is made of on a node (the rows that hang on the lesson).
PAGE_TABLES = ("lesson", "mark", "attendance", "lesson_plan_item", "substitution")


def _page(node: Node, lesson_id: str) -> dict[str, int]:
    """How many rows of each kind ``node`` holds of the lesson's page."""
    with node.active():
        out = {"lesson": Lesson.select().where(Lesson.id == lesson_id).count()}
        for table in PAGE_TABLES[1:]:
            sql = f'SELECT count(*) FROM "{table}" WHERE lesson_id = ?'  # noqa: S608
            out[table] = db.execute_sql(sql, (lesson_id,)).fetchone()[0]
        return out


def _own_changes(node: Node) -> int:
    with node.active():
        return db.execute_sql(
            "SELECT count(*) FROM sync_change c JOIN sync_clock k ON k.id = 1 "
            "WHERE c.origin = k.origin"
        ).fetchone()[0]


def _substituted_lesson(hub: Node) -> Lesson:
    """Lesson 1 of maths in 8Б, with a topic, a mark and an absence, given to Соколов."""
    s = hub.school
    with hub.active():
        lesson = Lesson.create(assignment=s.maths_8b, date=DAY, number=1)
        Lesson.create(assignment=s.maths_8b, date=DAY, number=4)
        system = Actor.for_system()
        item = PlanItem.create(assignment=s.maths_8b, position=1, topic="Дроби", hours=1)
        set_topic(system, lesson.id, "Дроби", plan_item_ids=[item.id])
        set_marks(system, lesson.id, s.other_students[0].id, ["4"])
        set_attendance(system, lesson.id, s.other_students[1].id, "absent")
        substitutions.set_substitute(Actor.from_user(s.deputy), lesson.id, s.pe_teacher.id)
    return lesson


def test_a_removed_substitution_leaves_the_substitutes_laptop(hub, laptop):
    s = hub.school
    lesson = _substituted_lesson(hub)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    petrov = laptop("petrov", s.other_teacher.id)
    held = {"lesson": 1, "mark": 1, "attendance": 1, "lesson_plan_item": 1, "substitution": 1}
    assert _page(sokolov, lesson.id) == held
    with sokolov.active():  # he marks the lesson and syncs: the school server takes it
        set_marks(Actor.from_user(s.pe_teacher), lesson.id, s.other_students[2].id, ["5"])
    assert sync(hub, sokolov) == []
    own_before = _own_changes(sokolov)

    with hub.active():
        substitutions.remove_substitute(Actor.from_user(s.deputy), lesson.id)
    assert sync(hub, sokolov) == []

    assert _page(sokolov, lesson.id) == dict.fromkeys(PAGE_TABLES, 0)
    with sokolov.active():
        # nor the journal it came from (with its plan), nor 8Б's students
        assert TeachingAssignment.get_or_none(TeachingAssignment.id == s.maths_8b.id) is None
        assert not PlanItem.select().where(PlanItem.assignment == s.maths_8b.id).exists()
        assert not Student.select().where(Student.school_class == s.class_8b.id).exists()
        # his own journal is untouched
        assert TeachingAssignment.get_by_id(s.pe.id).teacher_id == s.pe_teacher.id
        assert Student.select().where(Student.school_class == s.class_7a.id).count() == 5
        # what he did himself stays in his history
        assert History.select().where(History.actor_id == s.pe_teacher.id).exists()
    # leaving wrote no change of the laptop's own: nothing goes back to the server
    assert _own_changes(sokolov) == own_before
    assert push(sokolov, hub) == []
    with hub.active():
        assert Lesson.get_by_id(lesson.id).topic == "Дроби"
        assert sorted(m.value for m in Mark.select().where(Mark.lesson == lesson.id)) == [
            "4",
            "5",
        ]
    assert _page(hub, lesson.id) == {**held, "mark": 2, "substitution": 0}
    # the usual teacher still sees the whole page
    pull(hub, petrov)
    assert _page(petrov, lesson.id) == _page(hub, lesson.id)
    assert contents(petrov, ("mark", "attendance")) == contents(hub, ("mark", "attendance"))


def test_an_edit_made_before_the_removal_is_rejected_and_reported(hub, laptop):
    s = hub.school
    lesson = _substituted_lesson(hub)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    with sokolov.active():  # offline: a mark and a new topic
        me = Actor.from_user(s.pe_teacher)
        set_marks(me, lesson.id, s.other_students[2].id, ["2"])
        set_topic(me, lesson.id, "Проценты")
    with hub.active():
        substitutions.remove_substitute(Actor.from_user(s.deputy), lesson.id)

    rejected = sync(hub, sokolov)  # pushes first: the server re-checks his rights

    assert sorted(r.change["table"] for r in rejected) == ["lesson", "mark"]
    assert all("sokolov may not change this" in r.reason for r in rejected)
    with hub.active():
        assert Lesson.get_by_id(lesson.id).topic == "Дроби"
        assert [m.value for m in Mark.select().where(Mark.lesson == lesson.id)] == ["4"]
        assert SyncConflict.select().where(SyncConflict.kind == "rejected").count() == 2
    assert _page(sokolov, lesson.id) == dict.fromkeys(PAGE_TABLES, 0)
    assert push(sokolov, hub) == []  # nothing is offered again


def test_another_substitute_takes_the_lesson_from_the_first(hub, laptop):
    s = hub.school
    lesson = _substituted_lesson(hub)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    ivanova = laptop("ivanova", s.teacher.id)
    with hub.active():
        substitutions.set_substitute(Actor.from_user(s.deputy), lesson.id, s.teacher.id)
    sync(hub, sokolov)
    sync(hub, ivanova)
    assert _page(sokolov, lesson.id) == dict.fromkeys(PAGE_TABLES, 0)
    assert _page(ivanova, lesson.id) == _page(hub, lesson.id)


def test_a_lesson_given_back_to_the_substitute_comes_again_whole(hub, laptop):
    s = hub.school
    lesson = _substituted_lesson(hub)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    deputy = Actor.from_user(s.deputy)
    hub.call(substitutions.remove_substitute, deputy, lesson.id)
    sync(hub, sokolov)
    with hub.active():
        set_marks(Actor.for_system(), lesson.id, s.other_students[2].id, ["3"])
        substitutions.set_substitute(deputy, lesson.id, s.pe_teacher.id)
    sync(hub, sokolov)
    assert _page(sokolov, lesson.id) == _page(hub, lesson.id)
    assert contents(sokolov, ("mark",)) == contents(hub, ("mark",))
    with sokolov.active():  # and he may mark it again
        set_marks(Actor.from_user(s.pe_teacher), lesson.id, s.other_students[1].id, ["5"])
    assert sync(hub, sokolov) == []


def test_a_journal_given_to_another_teacher_leaves_the_first_ones_laptop(hub, laptop):
    """The same mechanism when a row's own update takes it out of the scope: the laptop never
    receives that update, so the hub names the row."""
    s = hub.school
    lesson = _substituted_lesson(hub)
    hub.call(substitutions.remove_substitute, Actor.from_user(s.deputy), lesson.id)
    petrov = laptop("petrov", s.other_teacher.id)
    assert _page(petrov, lesson.id)["mark"] == 1
    with hub.active():  # 8Б's maths goes to Иванова (Петров stays 8Б's class teacher)
        TeachingAssignment.update(teacher=s.teacher.id).where(
            TeachingAssignment.id == s.maths_8b.id
        ).execute()
    pull(hub, petrov)
    with petrov.active():
        assert TeachingAssignment.get_or_none(TeachingAssignment.id == s.maths_8b.id)
    # he leads 8Б: as its class teacher he still sees every journal of his class
    with hub.active():
        SchoolClass.update(class_teacher=s.teacher.id).where(
            SchoolClass.id == s.class_8b.id
        ).execute()
    pull(hub, petrov)
    assert _page(petrov, lesson.id) == dict.fromkeys(PAGE_TABLES, 0)
    with petrov.active():
        assert TeachingAssignment.get_or_none(TeachingAssignment.id == s.maths_8b.id) is None
        assert TeachingAssignment.get_by_id(s.english_g1.id).teacher_id == s.other_teacher.id
    assert _own_changes(petrov) == 0
    # a whole-school laptop is never asked to drop anything
    whole = laptop("office")
    with hub.active():
        chunk = engine.export_chunk(whole.scope, {})
    assert b"leave" not in zlib.decompress(chunk.payload)
