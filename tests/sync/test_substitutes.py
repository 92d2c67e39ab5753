"""A substitute's laptop: it receives the lesson it takes (even when the substitution comes
after its first fill), keeps that lesson's page, and the hub accepts exactly those writes.

Соколов teaches PE in 7А only; the deputy gives him one lesson of Петров's maths in 8Б.
"""

from __future__ import annotations

import datetime as dt

from node.errors import NotFound
from node.models import Lesson, Mark, Student, Substitution, TeachingAssignment
from node.services.base.actor import Actor
from node.services.gradebook.journal import set_marks
from node.services.school import substitutions
from tests.sync.nodes import pull, push

DAY = dt.date(2026, 11, 23)


def _lessons_8b(hub):
    s = hub.school
    with hub.active():
        taken = Lesson.create(assignment=s.maths_8b, date=DAY, number=1)
        other = Lesson.create(assignment=s.maths_8b, date=DAY, number=4)
        set_marks(Actor.for_system(), taken.id, s.other_students[0].id, ["4"])
        set_marks(Actor.for_system(), other.id, s.other_students[0].id, ["3"])
    return taken, other


def test_a_substitution_made_after_the_first_fill_brings_its_lesson(hub, laptop):
    s = hub.school
    taken, other = _lessons_8b(hub)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    assert sokolov.call(lambda: Lesson.get_or_none(Lesson.id == taken.id)) is None
    with hub.active():
        substitutions.set_substitute(Actor.from_user(s.deputy), taken.id, s.pe_teacher.id)
    pull(hub, sokolov)
    with sokolov.active():
        assert Lesson.get_by_id(taken.id).number == 1
        assert Lesson.get_or_none(Lesson.id == other.id) is None  # not the journal's others
        assert TeachingAssignment.get_by_id(s.maths_8b.id).teacher_id == s.other_teacher.id
        assert [m.value for m in Mark.select().where(Mark.lesson == taken.id)] == ["4"]
        assert Mark.select().where(Mark.lesson == other.id).count() == 0
        in_8b = Student.select().where(Student.school_class == s.class_8b.id)
        assert in_8b.count() == 3 and {st.phone for st in in_8b} == {""}
        # he marks the lesson offline, as the services on his laptop allow
        me = Actor.from_user(s.pe_teacher)
        set_marks(me, taken.id, s.other_students[1].id, ["5"])
    assert push(sokolov, hub) == []
    with hub.active():
        assert Mark.get(Mark.lesson == taken.id, Mark.student == s.other_students[1].id).value
    # removed: the lesson leaves his laptop (tests/sync/test_scope_leaves.py)
    with hub.active():
        substitutions.remove_substitute(Actor.from_user(s.deputy), taken.id)
    pull(hub, sokolov)
    with sokolov.active():
        assert not Substitution.select().exists()
        assert Lesson.get_or_none(Lesson.id == taken.id) is None
        try:
            set_marks(Actor.from_user(s.pe_teacher), taken.id, s.other_students[2].id, ["3"])
        except NotFound:
            pass
        else:
            raise AssertionError("the substitute kept the lesson after the substitution went")


def test_the_hub_refuses_a_substitutes_write_to_another_lesson(hub, laptop):
    s = hub.school
    taken, other = _lessons_8b(hub)
    with hub.active():
        substitutions.set_substitute(Actor.from_user(s.deputy), taken.id, s.pe_teacher.id)
    sokolov = laptop("sokolov", s.pe_teacher.id)  # paired after: the first fill has it
    assert sokolov.call(lambda: Lesson.get_by_id(taken.id).id) == taken.id
    with sokolov.active():
        # written past the services, as a tampered laptop could
        Lesson.update(topic="Дроби").where(Lesson.id == taken.id).execute()
        Lesson.update(number=2).where(Lesson.id == taken.id).execute()
        Mark.create(
            lesson=taken.id,
            student=s.other_students[2].id,
            value="5",
            points=5,
            work_type=s.oral.id,
            updated_at=dt.datetime(2026, 11, 23, 10),
        )
    rejected = push(sokolov, hub)
    assert [r.change["table"] for r in rejected] == ["lesson"]  # the move, not the topic
    with hub.active():
        lesson = Lesson.get_by_id(taken.id)
        assert (lesson.topic, lesson.number) == ("Дроби", 1)
        assert Mark.select().where(Mark.lesson == taken.id).count() == 2


def test_the_usual_teachers_laptop_shows_who_substitutes(hub, laptop):
    s = hub.school
    taken, _other = _lessons_8b(hub)
    petrov = laptop("petrov", s.other_teacher.id)
    with hub.active():
        substitutions.set_substitute(Actor.from_user(s.deputy), taken.id, s.pe_teacher.id)
    pull(hub, petrov)
    with petrov.active():
        [row] = Substitution.select()
        assert (row.lesson_id, row.teacher_id) == (taken.id, s.pe_teacher.id)
