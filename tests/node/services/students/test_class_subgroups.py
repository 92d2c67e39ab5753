"""The subgroup screen's reading of a class split, and placing a student [R 4.3]."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, Locked, NotFound, ValidationError
from node.models import Mark, SubgroupMember
from node.services.school import subgroups
from node.services.students.class_subgroups import place_in_subgroup, split_choices, subgroup_split
from tests.factories import make_mark
from tests.helpers import close_year, nothing_written

TODAY = dt.date(2026, 11, 25)


def group_of(student, subject) -> str | None:
    member = (
        SubgroupMember.select()
        .join_from(SubgroupMember, SubgroupMember.subgroup.rel_model)
        .where(
            SubgroupMember.student == student.id,
            SubgroupMember.subgroup.rel_model.subject == subject.id,
        )
        .first()
    )
    return member.subgroup_id if member else None


@pytest.fixture
def group2(school):
    return subgroups.create_subgroup(
        school.actor(school.teacher), school.class_7a.id, school.english_subject.id, "2 группа"
    )


def test_the_split_opens_on_the_subject_with_subgroups(school, group2):
    s = school
    split = subgroup_split(s.actor(s.teacher), s.class_7a.id, None, TODAY)
    assert split.subject_id == s.english_subject.id
    assert [name for _id, name in split.subjects] == [
        "Английский язык",
        "Математика",
        "Физическая культура",
    ]
    assert [(g.name, g.members, g.teacher) for g in split.subgroups] == [
        ("1 группа", 3, "Петров О. В."),
        ("2 группа", 0, ""),
    ]
    assert [r.subgroup_id for r in split.rows].count(s.group1.id) == 3
    maths = subgroup_split(s.actor(s.teacher), s.class_7a.id, s.maths_subject.id, TODAY)
    assert maths.subgroups == [] and {r.subgroup_id for r in maths.rows} == {None}


def test_split_refusals(school):
    s = school
    with pytest.raises(Forbidden):
        subgroup_split(s.actor(s.pe_teacher), s.class_7a.id, None, TODAY)
    with pytest.raises(NotFound):
        subgroup_split(s.actor(s.teacher), s.class_7a.id, "0" * 32, TODAY)


def test_placing_joins_moves_and_leaves_keeping_marks(school, group2):
    s = school
    teacher = s.actor(s.teacher)
    english = s.english_subject
    student = s.students[3]  # in no English group yet
    place_in_subgroup(teacher, student.id, english.id, s.group1.id)
    assert group_of(student, english) == s.group1.id
    lesson = s.maths_lessons[0]
    make_mark(lesson, student, "5", s.oral)
    place_in_subgroup(teacher, student.id, english.id, group2.id)  # a move
    assert group_of(student, english) == group2.id
    assert Mark.select().where(Mark.student == student.id).count() == 1
    place_in_subgroup(teacher, student.id, english.id, group2.id)  # already there: nothing
    place_in_subgroup(teacher, student.id, english.id, None)
    assert group_of(student, english) is None
    with nothing_written():
        place_in_subgroup(teacher, student.id, english.id, None)


def test_the_subject_teacher_may_place_students_of_their_subgroups(school, group2):
    s = school
    place_in_subgroup(s.actor(s.other_teacher), s.students[0].id, s.english_subject.id, group2.id)
    assert group_of(s.students[0], s.english_subject) == group2.id


def test_placing_refusals(school, group2):
    s = school
    teacher = s.actor(s.teacher)
    with nothing_written(), pytest.raises(Forbidden):
        place_in_subgroup(s.actor(s.pe_teacher), s.students[3].id, s.english_subject.id, group2.id)
    with nothing_written(), pytest.raises(Forbidden):
        place_in_subgroup(s.actor(s.pe_teacher), s.students[3].id, s.english_subject.id, None)
    with nothing_written(), pytest.raises(ValidationError, match="not a subgroup"):
        place_in_subgroup(teacher, s.students[3].id, s.maths_subject.id, group2.id)
    with nothing_written(), pytest.raises(ValidationError, match="not a subgroup"):
        place_in_subgroup(
            s.actor(s.director), s.other_students[0].id, s.english_subject.id, group2.id
        )
    with nothing_written(), pytest.raises(NotFound):
        place_in_subgroup(teacher, s.students[3].id, s.english_subject.id, "0" * 32)
    with nothing_written(), pytest.raises(NotFound):
        place_in_subgroup(teacher, s.students[3].id, "0" * 32, None)
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        place_in_subgroup(teacher, s.students[3].id, s.english_subject.id, group2.id)


def test_a_subject_teacher_reaches_the_split_of_their_subject(school):
    s = school
    petrov = s.actor(s.other_teacher)
    assert [(c.label, c.subject_id) for c in split_choices(petrov)] == [
        ("7А · Английский язык", s.english_subject.id)
    ]
    assert split_choices(s.actor(s.teacher)) == []  # the class teacher goes through the class
    assert split_choices(s.actor(s.parent)) == []
    split = subgroup_split(petrov, s.class_7a.id, s.english_subject.id, TODAY)
    assert split.subjects == [(s.english_subject.id, "Английский язык")]
    assert [g.name for g in split.subgroups] == ["1 группа"]
    with pytest.raises(Forbidden):
        subgroup_split(petrov, s.class_7a.id, None, TODAY)
    with pytest.raises(Forbidden):
        subgroup_split(petrov, s.class_7a.id, s.pe_subject.id, TODAY)
    with pytest.raises(Forbidden):
        subgroup_split(s.actor(s.pe_teacher), s.class_7a.id, s.english_subject.id, TODAY)
