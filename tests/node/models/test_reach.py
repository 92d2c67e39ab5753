"""One description of the replicated tables: each model says what its rows belong to,
and sync's scope and the services' write rules both read it from there."""

from __future__ import annotations

import pytest

from node.models import SYNC_MODELS, Reach, SyncModel, tables_of
from node.services.base import permissions
from sync import scope

#: The column that names what a row hangs on.
ANCHOR = {Reach.ASSIGNMENT: "assignment_id", Reach.LESSON: "lesson_id", Reach.THREAD: "thread_id"}


@pytest.mark.parametrize("model", SYNC_MODELS, ids=lambda m: m._meta.table_name)
def test_every_replicated_table_says_what_its_rows_belong_to(model):
    assert isinstance(vars(model).get("reach"), Reach)  # its own, not inherited
    if model.reach in ANCHOR:
        assert ANCHOR[model.reach] in model._meta.columns


def test_a_new_replicated_table_cannot_leave_it_out():
    with pytest.raises(TypeError, match="reach"):

        class Forgotten(SyncModel):  # noqa: F841 (its definition is the test)
            pass


def test_sync_scope_and_write_rules_read_the_models():
    assert scope.REFERENCE_TABLES == tables_of(Reach.SCHOOL)
    assert scope.BY_ASSIGNMENT == tables_of(Reach.ASSIGNMENT)
    assert scope.BY_LESSON == tables_of(Reach.LESSON)
    assert scope.BY_THREAD == tables_of(Reach.THREAD)
    assert tables_of(Reach.SCHOOL) <= permissions._SCHOOL_TABLES
    # a journal's tables: each has the actions that let a teacher write it, but the
    # timetable, which the administration writes
    by_assignment = set(permissions._BY_ASSIGNMENT) | {"timetable_slot"}
    assert by_assignment == tables_of(Reach.ASSIGNMENT)
    assert tables_of(Reach.LESSON) <= permissions.CONFLICT_SQL_TABLES


def test_every_replicated_table_has_exactly_one_reach():
    tables = [m._meta.table_name for m in SYNC_MODELS]
    assert sorted(tables) == sorted(t for reach in Reach for t in tables_of(reach))
