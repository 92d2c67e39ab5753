"""History is written with the change, in the same transaction, and says who, when, where."""

from __future__ import annotations

import json

import pytest

from node.models import History, Subject, db
from node.services.base import history
from node.services.base.actor import Actor
from tests.helpers import nothing_written


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


def test_update_row_sets_saves_and_records_in_one_call(school):
    actor = Actor.from_user(school.director)
    subject = school.maths_subject
    assert history.update_row(actor, subject, {"short_name": "Матем."})
    stored = Subject.get_by_id(subject.id)
    assert stored.short_name == "Матем."
    (row,) = History.of("subject", subject.id)
    assert row.action == "update" and row.change_map()["short_name"][1] == "Матем."


def test_update_row_that_changes_nothing_writes_nothing(school):
    actor = Actor.from_user(school.director)
    subject = Subject.get_by_id(school.maths_subject.id)
    with nothing_written():
        assert not history.update_row(
            actor, subject, {"name": subject.name}, stamp={"short_name": "changed?"}
        )
    assert subject.short_name != "changed?"  # the stamp goes only with a real change


def test_update_row_stamps_a_change_without_recording_the_stamp(school):
    actor = Actor.from_user(school.director)
    subject = Subject.get_by_id(school.maths_subject.id)
    assert history.update_row(
        actor, subject, {"name": "Математика 2"}, tracked=("name",), stamp={"short_name": "М2"}
    )
    stored = Subject.get_by_id(subject.id)
    assert (stored.name, stored.short_name) == ("Математика 2", "М2")
    (row,) = History.of("subject", subject.id)
    assert set(row.change_map()) == {"name"}
