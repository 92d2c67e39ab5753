"""Sync conflicts named for people (node/services/conflict_view.py), made by the real merge."""

from __future__ import annotations

import datetime as dt

from node.models import SyncPeer, User
from node.models.changes import database_epoch
from node.services.actor import Actor
from node.services.conflict_view import conflict_count, conflict_views
from node.services.journal import set_marks
from tests.sync.nodes import Node, pull, push, sync


def _actor(node: Node, user_id: str) -> Actor:
    return node.call(lambda: Actor.from_user(User.get_by_id(user_id)))


def _pair(hub: Node, laptop: Node, login: str, user_id: str | None) -> None:
    """What pairing leaves on the hub: the laptop's login and, after a sync, its epoch."""
    epoch = laptop.call(database_epoch)
    with hub.active():
        SyncPeer.create(
            node_id=f"node-{laptop.name}",
            role="replica",
            public_key="00",
            login=login,
            user_id=user_id,
            paired_at=dt.datetime(2026, 11, 1),
            epoch=epoch,
        )


def test_two_laptops_typing_one_mark_is_named_by_class_subject_student_and_date(hub, laptop):
    s = hub.school
    a, b = laptop("a", s.teacher.id), laptop("b", s.teacher.id)
    _pair(hub, a, "ivanova", s.teacher.id)
    lesson, student = s.maths_lessons[0], s.students[0]
    hub.call(set_marks, Actor.for_system(), lesson.id, student.id, ["4"])
    pull(hub, a)
    pull(hub, b)
    with a.active():
        set_marks(Actor.from_user(User.get_by_id(s.teacher.id)), lesson.id, student.id, ["3"])
    with b.active():
        set_marks(Actor.from_user(User.get_by_id(s.teacher.id)), lesson.id, student.id, ["5"])
    sync(hub, b)
    sync(hub, a)  # a's 3 is older than b's 5 it never saw: it loses
    (view,) = hub.call(conflict_views, _actor(hub, s.teacher.id))
    assert view.kind == "concurrent" and view.what == "mark"
    assert (view.kept, view.lost) == ("5", "3")
    assert view.lost_on == "laptop of ivanova" and view.kept_on == ""
    assert (
        view.lost_by == view.kept_by == hub.call(lambda: User.get_by_id(s.teacher.id)).display_name
    )
    with hub.active():
        klass = s.maths.school_class
        assert klass.label in view.place and s.maths.subject.name in view.place
        assert User.get_by_id(s.teacher.id).last_name not in view.place
    assert student.last_name in view.place and lesson.date.strftime("%d.%m.%Y") in view.place
    assert (view.assignment_id, view.lesson_id, view.student_id) == (
        s.maths.id,
        lesson.id,
        student.id,
    )
    assert hub.call(conflict_count, _actor(hub, s.director.id)) == 1
    assert hub.call(conflict_count, _actor(hub, s.pe_teacher.id)) == 0
    assert hub.call(conflict_views, _actor(hub, s.pe_teacher.id)) == []


def test_a_duplicate_cell_and_a_delete_are_named_and_the_hub_is_this_computer(hub, laptop):
    s = hub.school
    a, b = laptop("a"), laptop("b")
    cell = (s.maths_lessons[1].id, s.students[1].id)
    a.call(set_marks, Actor.for_system(), *cell, ["2"])
    b.call(set_marks, Actor.for_system(), *cell, ["4"])
    sync(hub, a)
    sync(hub, b)
    pull(hub, a)
    a.call(set_marks, Actor.for_system(), *cell, [])  # a deletes the cell...
    b.call(set_marks, Actor.for_system(), *cell, ["5"])  # ...while b edits it
    push(a, hub)
    push(b, hub)
    views = hub.call(conflict_views, _actor(hub, s.director.id))
    kinds = [v.kind for v in views]
    assert sorted(kinds) == ["deleted", "unique"]
    assert views[0].id > views[1].id  # newest first
    unique = next(v for v in views if v.kind == "unique")
    assert {unique.kept, unique.lost} == {"2", "4"}
    deleted = next(v for v in views if v.kind == "deleted")
    assert (deleted.kept, deleted.lost) == ("deleted", "5")
    assert s.students[1].last_name in deleted.place


def test_a_refused_push_shows_the_servers_reason_and_no_secret(hub, laptop):
    s = hub.school
    ivanova = laptop("ivanova", s.teacher.id)
    with ivanova.active():
        User.update(roles="director", password_hash="secret-hash").where(
            User.id == s.teacher.id
        ).execute()
    assert push(ivanova, hub)
    (view,) = hub.call(conflict_views, _actor(hub, s.director.id))
    assert view.kind == "rejected" and "refused by the school server" in view.kind_text
    assert "secret-hash" not in view.lost and "director" not in view.lost
    assert view.assignment_id is None
    assert hub.call(conflict_views, _actor(hub, s.teacher.id)) == []
