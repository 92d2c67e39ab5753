"""A journal handed to another teacher (one leaves mid-year): at the next sync the old
teacher's laptop loses the journal with its lessons and marks, and the new teacher's gains
all of it — though every row is older than that laptop's cursor — and may write it.

Петров teaches English to group 1 of 7А (he leads 8Б, not 7А); Соколов teaches PE in 7А.
"""

from __future__ import annotations

import datetime as dt

from node.models import Lesson, Mark, PlanItem, Student, TeachingAssignment, db
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_marks, set_topic
from node.services.students.handover import change_journal
from tests.sync.nodes import sync


def _held(node, journal_id: str) -> dict[str, int]:
    with node.active():
        lessons = Lesson.select(Lesson.id).where(Lesson.assignment == journal_id)
        return {
            "journal": TeachingAssignment.select()
            .where(TeachingAssignment.id == journal_id)
            .count(),
            "lessons": lessons.count(),
            "marks": Mark.select().where(Mark.lesson.in_(lessons)).count(),
            "plan": PlanItem.select().where(PlanItem.assignment == journal_id).count(),
        }


def _rows(node, journal_id: str) -> list[tuple]:
    """The journal's lessons, marks and plan, as stored."""
    with node.active():
        return [
            db.execute_sql(sql, (journal_id,)).fetchall()
            for sql in (
                "SELECT * FROM lesson WHERE assignment_id = ? ORDER BY id",
                "SELECT m.* FROM mark m JOIN lesson l ON l.id = m.lesson_id "
                "WHERE l.assignment_id = ? ORDER BY m.id",
                "SELECT * FROM plan_item WHERE assignment_id = ? ORDER BY id",
            )
        ]


def test_the_journal_leaves_the_old_teachers_laptop_and_reaches_the_new_ones(hub, laptop):
    s = hub.school
    lesson = hub.english_lesson
    with hub.active():
        system = Actor.for_system()
        set_topic(system, lesson.id, "Present Simple")
        set_marks(system, lesson.id, s.students[0].id, ["5"])
        PlanItem.create(assignment=s.english_g1, position=1, topic="Present Simple", hours=1)
    petrov = laptop("petrov", s.other_teacher.id)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    whole = {"journal": 1, "lessons": 1, "marks": 1, "plan": 1}
    assert _held(petrov, s.english_g1.id) == whole
    assert _held(sokolov, s.english_g1.id) == dict.fromkeys(whole, 0)

    hub.call(
        change_journal,
        Actor.from_user(s.director),
        s.english_g1.id,
        teacher_id=s.pe_teacher.id,
        subgroup_id=s.group1.id,
    )
    assert sync(hub, petrov) == []
    assert sync(hub, sokolov) == []
    assert _held(petrov, s.english_g1.id) == dict.fromkeys(whole, 0)
    assert _held(sokolov, s.english_g1.id) == whole
    with sokolov.active():  # the same rows as the school server's, and his to write
        assert TeachingAssignment.get_by_id(s.english_g1.id).teacher_id == s.pe_teacher.id
        set_marks(Actor.from_user(s.pe_teacher), lesson.id, s.students[1].id, ["4"])
    assert sync(hub, sokolov) == []
    assert _rows(sokolov, s.english_g1.id) == _rows(hub, s.english_g1.id)
    with petrov.active():  # he teaches nothing in 7А any more: its students left too
        assert not Student.select().where(Student.school_class == s.class_7a.id).exists()
        assert Student.select().where(Student.school_class == s.class_8b.id).count() == 3


def test_a_journal_of_a_class_new_to_the_teacher_comes_with_its_students(hub, laptop):
    s = hub.school
    with hub.active():
        lesson = Lesson.create(assignment=s.maths_8b, date=dt.date(2026, 11, 23), number=1)
        set_marks(Actor.for_system(), lesson.id, s.other_students[0].id, ["3"])
    sokolov = laptop("sokolov", s.pe_teacher.id)
    petrov = laptop("petrov", s.other_teacher.id)
    with sokolov.active():
        assert not Student.select().where(Student.school_class == s.class_8b.id).exists()
    hub.call(
        change_journal,
        Actor.from_user(s.deputy),
        s.maths_8b.id,
        teacher_id=s.pe_teacher.id,
        subgroup_id=None,
    )
    assert sync(hub, sokolov) == [] and sync(hub, petrov) == []
    assert _rows(sokolov, s.maths_8b.id) == _rows(hub, s.maths_8b.id)
    with sokolov.active():
        assert Student.select().where(Student.school_class == s.class_8b.id).count() == 3
    # Петров leads 8Б: as its class teacher he still sees the journal, now Соколов's
    assert _rows(petrov, s.maths_8b.id) == _rows(hub, s.maths_8b.id)
    with petrov.active():
        assert TeachingAssignment.get_by_id(s.maths_8b.id).teacher_id == s.pe_teacher.id


def test_a_journal_handed_back_returns_whole_to_the_first_laptop(hub, laptop):
    """What left with the journal (its lessons and marks, gone with it in one step) leaves no
    trace that would keep it from coming back when the journal is handed back."""
    s = hub.school
    lesson = hub.english_lesson
    with hub.active():
        set_marks(Actor.for_system(), lesson.id, s.students[0].id, ["5"])
    petrov = laptop("petrov", s.other_teacher.id)
    director = Actor.from_user(s.director)
    hand = dict(subgroup_id=s.group1.id)
    hub.call(change_journal, director, s.english_g1.id, teacher_id=s.pe_teacher.id, **hand)
    assert sync(hub, petrov) == []
    assert _held(petrov, s.english_g1.id)["lessons"] == 0
    with petrov.active():  # nothing of the journal's rows is remembered as received
        ids = [lesson.id, s.english_g1.id]
        known = db.execute_sql(
            "SELECT count(*) FROM sync_change WHERE row_id IN (?, ?)", ids
        ).fetchone()[0]
        assert known == 0
    hub.call(change_journal, director, s.english_g1.id, teacher_id=s.other_teacher.id, **hand)
    assert sync(hub, petrov) == []
    assert _rows(petrov, s.english_g1.id) == _rows(hub, s.english_g1.id)
    assert _held(petrov, s.english_g1.id)["marks"] == 1
