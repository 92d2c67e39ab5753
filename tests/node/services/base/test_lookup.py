"""The shared look-ups: one friendly NotFound message per model, and the closed-year lock."""

from __future__ import annotations

import pytest

from node.errors import Locked, NotFound
from node.models import new_id
from node.services.base import lookup

GETTERS = [
    (lookup.get_year, "academic year"),
    (lookup.get_period, "period"),
    (lookup.get_class, "class"),
    (lookup.get_subject, "subject"),
    (lookup.get_subgroup, "subgroup"),
    (lookup.get_student, "student"),
    (lookup.get_user, "user"),
    (lookup.get_assignment, "journal"),
    (lookup.get_lesson, "lesson"),
    (lookup.get_work_type, "work type"),
    (lookup.get_plan_item, "plan item"),
    (lookup.get_slot, "timetable slot"),
    (lookup.get_attendance, "attendance record"),
]


@pytest.mark.parametrize(("getter", "what"), GETTERS)
def test_a_missing_row_is_named_without_its_id(database, getter, what):
    missing = new_id()
    with pytest.raises(NotFound, match=f"This {what} does not exist") as caught:
        getter(missing)
    assert missing not in str(caught.value)


@pytest.mark.parametrize("blank", ["", None])
def test_a_blank_id_is_not_found(database, blank):
    with pytest.raises(NotFound):
        lookup.get_student(blank)


def test_getters_return_the_row(school):
    assert lookup.get_student(school.students[0].id) == school.students[0]
    assert lookup.get_year(school.year.id) == school.year


def test_the_assignment_comes_with_its_class_and_subject(school):
    assignment = lookup.get_assignment(school.maths.id)
    assert assignment.school_class.label == "7А"
    assert assignment.subject.name == school.maths_subject.name


def test_many_rows_keep_the_order_asked_and_drop_repeats(school):
    first, second = school.students[0], school.students[1]
    ids = [second.id, first.id, second.id]
    assert lookup.get_students(ids) == [second, first]
    assert lookup.get_students([]) == []


def test_many_rows_fail_whole_when_one_is_missing(school):
    with pytest.raises(NotFound, match="This student does not exist"):
        lookup.get_students([school.students[0].id, new_id()])


def test_an_open_year_passes(school):
    lookup.ensure_year_open(school.year)
    lookup.ensure_journal_open(school.maths)


def test_a_closed_year_locks_its_data_and_its_journals_with_one_message(school):
    school.year.status = "closed"
    school.year.save()
    with pytest.raises(Locked) as year_error:
        lookup.ensure_year_open(school.year)
    with pytest.raises(Locked) as journal_error:
        lookup.ensure_journal_open(school.maths)
    assert str(year_error.value) == str(journal_error.value)
    assert "2026/2027 is closed" in str(journal_error.value)
