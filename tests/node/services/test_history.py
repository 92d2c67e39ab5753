"""History is written with the change, in the same transaction, and says who, when, where."""

from __future__ import annotations

import json

import pytest

from node.models import History, Subject, db
from node.services import history
from node.services.actor import Actor


def test_create_update_delete_are_recorded_with_old_and_new(school):
    actor = Actor.from_user(school.director)
    with db.atomic():
        subject = Subject.create(name="Химия", needs_written_work=True)
        history.record_create(actor, subject)
    before = history.snapshot(subject)
    with db.atomic():
        subject.short_name = "Хим"
        subject.save()
        history.record_update(actor, subject, before)
    with db.atomic():
        history.record_delete(actor, subject)
        subject.delete_instance()
    rows = list(History.of("subject", subject.id))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[1].change_map() == {"short_name": ["", "Хим"]}
    assert all(r.actor_login == "director" and r.node_id == "test-node" for r in rows)
    assert json.loads(rows[0].changes)["name"] == [None, "Химия"]


def test_an_update_that_changes_nothing_records_nothing(school):
    actor = Actor.from_user(school.director)
    before = history.snapshot(school.maths_subject)
    with db.atomic():
        assert history.record_update(actor, school.maths_subject, before) is None
    assert History.select().count() == 0


def test_history_outside_a_transaction_is_a_programming_error(school):
    with pytest.raises(AssertionError):
        history.record(Actor.for_system(), "subject", None, "import", {})


def test_a_failed_write_leaves_no_history(school):
    actor = Actor.from_user(school.director)
    with pytest.raises(RuntimeError), db.atomic():
        subject = Subject.create(name="Астрономия")
        history.record_create(actor, subject)
        raise RuntimeError("the power went out")
    assert History.select().count() == 0
    assert not Subject.select().where(Subject.name == "Астрономия").exists()
