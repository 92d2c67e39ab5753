"""The history of one final mark (what ``h`` shows on a final cell)."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound
from node.services.base import clock
from node.services.gradebook.final_history import final_mark_history
from node.services.gradebook.finals import clear_final_mark, set_final_mark
from tests.node.services.gradebook.test_finals import REASON, give_good_marks


def test_set_changed_and_cleared_in_order(school):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    assert final_mark_history(teacher, *args) == []
    set_final_mark(teacher, *args, "4")
    with clock.frozen_time(dt.datetime(2026, 11, 26, 9, 30)):
        set_final_mark(teacher, *args, "5", justification=REASON)
    with clock.frozen_time(dt.datetime(2026, 11, 26, 10, 0)):
        clear_final_mark(teacher, *args)
    changes = final_mark_history(teacher, *args)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("value", None, "4"),
        ("value", "4", "5"),
        ("justification", "", REASON),
        ("value", "5", None),
        ("justification", REASON, None),
    ]
    assert {c.actor_login for c in changes} == {school.teacher.login}


def test_bad_ids_and_strangers(school):
    student = give_good_marks(school)
    args = (school.maths.id, school.quarters[1].id, student.id)
    with pytest.raises(Forbidden):
        final_mark_history(school.actor(school.parent), *args)
    with pytest.raises(NotFound):
        final_mark_history(school.actor(school.teacher), school.maths.id, "0" * 32, student.id)
