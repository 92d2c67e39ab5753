"""Page views are written by group commit (``node.web.viewlog``): none lost, none twice."""

from __future__ import annotations

import datetime as dt

from node.models import ActivityLog
from node.services.base import clock
from node.services.gradebook import diary
from node.web.viewlog import ViewLog


def _views() -> list[tuple[str, str]]:
    rows = ActivityLog.select().where(ActivityLog.kind == "view").order_by(ActivityLog.id)
    return [(row.login, row.detail) for row in rows]


def test_a_view_is_written_before_add_returns_when_nobody_writes(school):
    ViewLog().add(school.actor(school.parent), "week", "10.0.0.7")
    assert _views() == [("parent1", "week")]


def test_views_arriving_during_a_write_are_written_by_that_writer(school, monkeypatch):
    log = ViewLog()
    parent, other = school.actor(school.parent), school.actor(school.other_parent)
    batches: list[list[str]] = []
    write = diary.record_views

    def record_views(views):
        batch = list(views)
        batches.append([page for _actor, page, _client in batch])
        if len(batches) == 1:  # another thread's views arrive while this one writes
            log.add(other, "marks", "")
            log.add(parent, "homework", "")
            assert len(batches) == 1  # they did not write themselves
        write(batch)

    monkeypatch.setattr(diary, "record_views", record_views)
    log.add(parent, "week", "")
    assert batches == [["week"], ["marks", "homework"]]
    assert sorted(_views()) == [("parent1", "homework"), ("parent1", "week"), ("parent2", "marks")]
    log.add(parent, "attendance", "")  # the writer let go: the next view writes again
    assert batches[-1] == ["attendance"]


def test_a_page_opened_again_within_five_minutes_is_one_view(school):
    log = ViewLog()
    parent = school.actor(school.parent)
    log.add(parent, "week", "")
    log.add(parent, "week", "")
    with clock.frozen_time(clock.now() + dt.timedelta(minutes=6)):
        log.add(parent, "week", "")
    assert _views() == [("parent1", "week"), ("parent1", "week")]


def test_a_failed_write_lets_the_next_view_write(school, monkeypatch):
    log = ViewLog()
    parent = school.actor(school.parent)

    def broken(views):
        raise RuntimeError("disk full")

    monkeypatch.setattr(diary, "record_views", broken)
    try:
        log.add(parent, "week", "")
    except RuntimeError:
        pass
    monkeypatch.undo()
    log.add(parent, "marks", "")
    assert _views() == [("parent1", "marks")]


def test_the_remembered_views_are_bounded(school):
    """A long-running server does not remember every (user, page) it ever saw."""
    log = ViewLog(max_recent=3)
    parent = school.actor(school.parent)
    for n in range(10):
        log.add(parent, f"page {n}", "")
    assert len(log) == 3
    log.add(parent, "page 9", "")  # still remembered: not logged again
    assert _views().count(("parent1", "page 9")) == 1


def test_views_older_than_the_interval_are_forgotten(school):
    log = ViewLog()
    parent, other = school.actor(school.parent), school.actor(school.other_parent)
    for page in ("week", "marks", "homework"):
        log.add(parent, page, "")
    with clock.frozen_time(clock.now() + dt.timedelta(minutes=6)):
        log.add(other, "week", "")
        assert len(log) == 1
