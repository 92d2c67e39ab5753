"""What the plan screen shows: lines with their lesson counts, and coverage by a day."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound
from node.models import History, LessonPlanItem
from node.services.gradebook import journal_entry, plan
from node.services.gradebook.plan_view import plan_view


def test_lines_count_the_lessons_that_cover_them(school):
    teacher = school.actor(school.teacher)
    first = plan.add_plan_item(teacher, school.maths.id, "Дроби", hours=2, planned_week=1)
    second = plan.add_plan_item(teacher, school.maths.id, "Проценты", section="Числа")
    lesson = school.maths_lessons[0]
    journal_entry.save_lesson_form(
        teacher,
        lesson.id,
        topic="",
        plan_item_ids=[first.id],
        homework="",
        work_type_id=lesson.work_type_id,
    )
    assert LessonPlanItem.select().count() == 1
    changes = History.select().count()
    view = plan_view(teacher, school.maths.id, dt.date(2026, 11, 25))
    assert History.select().count() == changes  # reading writes nothing
    assert [(line.item.id, line.lessons) for line in view.lines] == [(first.id, 1), (second.id, 0)]
    assert view.total_hours == 3.0
    assert view.journal.startswith(school.maths.school_class.label)
    assert view.coverage == plan.plan_coverage(teacher, school.maths.id, dt.date(2026, 11, 25))
    assert view.coverage.planned_hours == 2.0  # the line without a week is not planned


def test_an_empty_plan(school):
    view = plan_view(school.actor(school.teacher), school.maths.id, dt.date(2026, 11, 25))
    assert view.lines == [] and view.total_hours == 0


def test_who_may_see_the_plan(school):
    with pytest.raises(Forbidden):
        plan_view(school.actor(school.parent), school.maths.id, dt.date(2026, 11, 25))
    with pytest.raises(NotFound):
        plan_view(school.actor(school.teacher), "0" * 32, dt.date(2026, 11, 25))
