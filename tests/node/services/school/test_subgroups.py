"""Subgroups and their members: every rule, every bad input, and nothing written on failure."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, EdiaryError, Forbidden, Locked, NotFound, ValidationError
from node.models import (
    Attendance,
    History,
    Lesson,
    Mark,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
)
from node.services.school import subgroups
from tests.helpers import close_year, history_of, nothing_written

# --- subgroups ------------------------------------------------------------------------------


@pytest.fixture
def group2(school) -> Subgroup:
    """The second English group of 7А, made by its class teacher."""
    return subgroups.create_subgroup(
        school.actor(school.teacher), school.class_7a.id, school.english_subject.id, " 2 группа "
    )


def test_class_teacher_creates_a_subgroup(school, group2):
    assert (group2.name, group2.school_class_id) == ("2 группа", school.class_7a.id)
    assert [r.action for r in history_of(group2)] == ["create"]


def test_create_subgroup_rejects(school, director):
    s = school
    with nothing_written(), pytest.raises(Conflict, match="already has a subgroup «1 группа»"):
        subgroups.create_subgroup(director, s.class_7a.id, s.english_subject.id, "1 группа")
    with nothing_written(), pytest.raises(ValidationError, match="subgroup's name"):
        subgroups.create_subgroup(director, s.class_7a.id, s.english_subject.id, "")
    # a subject teacher may manage members, but splitting the class is the class teacher's
    with nothing_written(), pytest.raises(Forbidden):
        subgroups.create_subgroup(
            s.actor(s.other_teacher), s.class_7a.id, s.english_subject.id, "3"
        )
    with nothing_written(), pytest.raises(Forbidden):
        subgroups.create_subgroup(s.actor(s.teacher), s.class_8b.id, s.english_subject.id, "3")
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        subgroups.create_subgroup(director, s.class_7a.id, s.english_subject.id, "3")


def members(subgroup: Subgroup) -> set[str]:
    return {
        m.student_id for m in SubgroupMember.select().where(SubgroupMember.subgroup == subgroup)
    }


def test_subject_teacher_sets_members(school, group2):
    s = school
    english_teacher = s.actor(s.other_teacher)
    subgroups.set_subgroup_members(english_teacher, group2.id, [s.students[3].id, s.students[4].id])
    assert members(group2) == {s.students[3].id, s.students[4].id}
    # replacing the list removes who is not in it
    subgroups.set_subgroup_members(english_teacher, group2.id, [s.students[4].id, s.students[4].id])
    assert members(group2) == {s.students[4].id}
    actions = [r.action for r in History.select().where(History.entity == "subgroup_member")]
    assert sorted(actions) == ["create", "create", "delete"]


def test_set_members_rejects(school, group2):
    s = school
    teacher = s.actor(s.teacher)
    with nothing_written(), pytest.raises(Conflict, match="already in the subgroup «1 группа»"):
        subgroups.set_subgroup_members(teacher, group2.id, [s.students[3].id, s.students[0].id])
    with nothing_written(), pytest.raises(ValidationError, match="not in 7А"):
        subgroups.set_subgroup_members(teacher, group2.id, [s.other_students[0].id])
    with nothing_written(), pytest.raises(NotFound):
        subgroups.set_subgroup_members(teacher, group2.id, ["0" * 32])
    with nothing_written(), pytest.raises(Forbidden):
        subgroups.set_subgroup_members(s.actor(s.pe_teacher), group2.id, [s.students[3].id])
    with nothing_written(), pytest.raises(Forbidden):
        subgroups.set_subgroup_members(s.actor(s.parent), s.group1.id, [])


def test_batches_answer_each_request_as_the_one_call_would(school):
    s = school
    teacher = s.actor(s.teacher)
    ask = subgroups.SubgroupRequest
    made = subgroups.create_subgroups(
        teacher,
        [
            ask(s.class_7a.id, s.english_subject.id, " 2 группа "),
            ask(s.class_7a.id, s.english_subject.id, "2 группа"),  # made by the one before
            ask(s.class_7a.id, s.english_subject.id, ""),
            ask(s.class_8b.id, s.english_subject.id, "3"),  # not this teacher's class
        ],
    )
    group2 = made[0]
    assert isinstance(group2, Subgroup) and group2.name == "2 группа"
    assert [r.action for r in history_of(Subgroup.get_by_id(group2.id))] == ["create"]
    with nothing_written(), pytest.raises(EdiaryError) as namesake:
        subgroups.create_subgroup(teacher, s.class_7a.id, s.english_subject.id, "2 группа")
    assert [type(r) for r in made[1:]] == [Conflict, ValidationError, Forbidden]
    assert str(made[1]) == str(namesake.value)
    put = subgroups.MembersRequest
    first, third = s.students[0].id, s.students[3].id  # students[0] is in 1 группа
    results = subgroups.set_members_of_subgroups(
        teacher,
        [
            put(group2.id, (third, s.students[4].id)),
            put(group2.id, (third, first)),  # in 1 группа already
            put(group2.id, (s.other_students[0].id,)),
            put(group2.id, ("0" * 32,)),
            put(s.group1.id, (first, third)),  # third is in 2 группа now
            put(group2.id, (s.students[4].id,)),  # third leaves 2 группа
        ],
    )
    assert [type(r) for r in results] == [list, Conflict, ValidationError, NotFound, Conflict, list]
    assert "already in the subgroup «1 группа»" in str(results[1])
    assert "already in the subgroup «2 группа»" in str(results[4])
    assert members(group2) == {s.students[4].id}
    actions = [r.action for r in History.select().where(History.entity == "subgroup_member")]
    assert sorted(actions) == ["create", "create", "delete"]
    with nothing_written():
        [refused] = subgroups.set_members_of_subgroups(
            s.actor(s.pe_teacher), [put(group2.id, (third,))]
        )
    assert isinstance(refused, Forbidden)


def test_a_student_may_be_in_groups_of_different_subjects(school, director):
    it_group = subgroups.create_subgroup(director, school.class_7a.id, school.maths_subject.id, "A")
    subgroups.set_subgroup_members(director, it_group.id, [school.students[0].id])
    assert members(it_group) == {school.students[0].id}


def test_moving_a_student_keeps_all_marks(school, director, group2):
    s = school
    student = s.students[0]
    english_lesson = Lesson.create(assignment=s.english_g1, date=dt.date(2026, 11, 10), number=3)
    at = dt.datetime(2026, 11, 10, 10, 0)
    Mark.create(
        lesson=english_lesson, student=student, value="5", points=5, work_type=s.oral, updated_at=at
    )
    Attendance.create(lesson=english_lesson, student=student, code="late", updated_at=at)
    marks_before = list(Mark.select().where(Mark.student == student).dicts())
    attendance_before = list(Attendance.select().where(Attendance.student == student).dicts())

    moved = subgroups.move_student_to_subgroup(director, student.id, s.group1.id, group2.id)

    assert moved.subgroup_id == group2.id
    assert student.id not in members(s.group1) and student.id in members(group2)
    assert list(Mark.select().where(Mark.student == student).dicts()) == marks_before
    assert (
        list(Attendance.select().where(Attendance.student == student).dicts()) == attendance_before
    )
    assert student.id not in {
        x.id for x in TeachingAssignment.get_by_id(s.english_g1.id).students()
    }
    assert [r.action for r in History.select().where(History.entity == "subgroup_member")] in (
        ["delete", "create"],
        ["create", "delete"],
    )


def test_move_student_rejects(school, director, group2):
    s = school
    student = s.students[0]
    with nothing_written(), pytest.raises(ValidationError, match="different subgroup"):
        subgroups.move_student_to_subgroup(director, student.id, s.group1.id, s.group1.id)
    with (
        nothing_written(),
        pytest.raises(ValidationError, match="is not in the subgroup «2 группа»"),
    ):
        subgroups.move_student_to_subgroup(director, student.id, group2.id, s.group1.id)
    maths_group = subgroups.create_subgroup(director, s.class_7a.id, s.maths_subject.id, "A")
    with nothing_written(), pytest.raises(ValidationError, match="same class and subject"):
        subgroups.move_student_to_subgroup(director, student.id, s.group1.id, maths_group.id)
    with nothing_written(), pytest.raises(Forbidden):
        subgroups.move_student_to_subgroup(
            s.actor(s.pe_teacher), student.id, s.group1.id, group2.id
        )
    with nothing_written(), pytest.raises(NotFound):
        subgroups.move_student_to_subgroup(director, student.id, s.group1.id, "0" * 32)
    close_year(s.year)
    with nothing_written(), pytest.raises(Locked):
        subgroups.move_student_to_subgroup(director, student.id, s.group1.id, group2.id)
