"""Sync conflicts named for people (node/services/replication/conflict_view.py).

The conflicts are made by the real merge.
"""

from __future__ import annotations

import datetime as dt
import json

from node.models import (
    Attendance,
    Lesson,
    Mark,
    PlanItem,
    Substitution,
    SyncConflict,
    SyncPeer,
    User,
    new_id,
)
from node.models.changes import database_epoch
from node.services.base.actor import Actor
from node.services.base.permissions import may_see_conflict
from node.services.gradebook.journal import set_marks
from node.services.replication.conflict_view import conflict_count, conflict_views
from node.services.replication.sync_conflicts import _stored_row, conflicts_for
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


# --- the count: SQL for the journal's tables, the same answer as the list ---------------


def _seen_one_by_one(actor: Actor) -> set[int]:
    """What the list showed before the count went to SQL: every conflict's row asked of
    ``may_see_conflict`` (the permission module's rule), one by one."""
    seen = set()
    for row in SyncConflict.select():
        lost = json.loads(row.loser_values)
        stored = _stored_row(row.tbl, row.row_id) or {}
        if may_see_conflict(actor, row.tbl, {**stored, **lost}):
            seen.add(row.id)
    return seen


def _conflict(table: str, row_id: str, lost: dict, kind: str = "concurrent") -> int:
    made = SyncConflict.create(
        detected_at=dt.datetime(2026, 11, 25, 10, 0),
        kind=kind,
        tbl=table,
        row_id=row_id,
        grp="g",
        loser_values=json.dumps(lost),
        loser_hlc=SyncConflict.select().count() + 1,
        loser_origin="laptop",
        winner_values="{}",
        winner_hlc=2,
        winner_origin="hub",
    )
    return made.id


def test_the_count_equals_the_list_for_every_role_on_conflicts_of_several_classes(school):
    s, system = school, Actor.for_system()
    maths_7a = s.maths_lessons[0]
    maths_8b = Lesson.create(assignment=s.maths_8b, date=dt.date(2026, 11, 23), number=1)
    english_7a = Lesson.create(assignment=s.english_g1, date=dt.date(2026, 11, 23), number=3)
    pupil_7a, pupil_8b = s.students[0], s.other_students[0]
    set_marks(system, maths_7a.id, pupil_7a.id, ["4"])
    set_marks(system, maths_8b.id, pupil_8b.id, ["3", "5"])
    mark_7a = Mark.get(Mark.lesson == maths_7a)
    mark_8b, gone_8b = Mark.select().where(Mark.lesson == maths_8b).order_by(Mark.position)
    gone_8b.delete_instance()  # its last image stays in the change log
    absence_7a = Attendance.create(
        lesson=english_7a, student=pupil_7a, updated_at=dt.datetime(2026, 11, 23)
    )
    absence_8b = Attendance.create(
        lesson=maths_8b, student=pupil_8b, updated_at=dt.datetime(2026, 11, 23)
    )
    plan_8b = PlanItem.create(assignment=s.maths_8b, position=1, topic="Дроби")
    mark = {"value": "2", "comment": ""}
    teacher_only = {
        _conflict("mark", mark_7a.id, mark),
        _conflict("lesson", maths_7a.id, {"date": "2026-11-24", "number": 3}),
        _conflict(  # a final mark the server refused: the row never came to be
            "final_mark",
            new_id(),
            {"assignment_id": s.maths.id, "student_id": pupil_7a.id, "value": "5"},
            kind="rejected",
        ),
        _conflict("student", pupil_7a.id, {"last_name": "Петрова"}),  # the class teacher's
    }
    other_only = {
        _conflict("mark", mark_8b.id, mark),
        _conflict("mark", gone_8b.id, mark, kind="deleted"),
        _conflict("attendance", absence_8b.id, {"code": "sick"}),
        _conflict("plan_item", plan_8b.id, {"topic": "Проценты"}),
        # refused: a mark typed into 8Б from 7А's row (the losing values name the lesson)
        _conflict("mark", mark_7a.id, {**mark, "lesson_id": maths_8b.id}, kind="rejected"),
    }
    both = {_conflict("attendance", absence_7a.id, {"code": "absent"})}  # class teacher too
    nobody = {  # of teachers: the administration's, or naming no row
        _conflict("final_mark_unlock", new_id(), {"assignment_id": s.maths.id}),
        _conflict("subject", s.maths_subject.id, {"name": "Алгебра"}),
        _conflict("mark", new_id(), mark),  # no row, no image: nothing says whose it is
        _conflict("mark", mark_7a.id, {**mark, "lesson_id": None}, kind="rejected"),
    }
    account = _conflict("user", s.teacher.id, {"last_name": "Сидорова"})  # the sysadmin's
    every = teacher_only | other_only | both | nobody | {account}
    expected = {
        s.teacher: teacher_only | both,
        s.other_teacher: other_only | both,
        s.pe_teacher: set(),
        s.sysadmin: {account},
        s.director: every,
        s.deputy: every,
    }
    for user, ids in expected.items():
        actor = Actor.from_user(user)
        listed = {entry.id for entry in conflicts_for(actor, limit=len(every))}
        assert listed == _seen_one_by_one(actor) == ids, user.login
        assert conflict_count(actor) == len(listed), user.login
    assert conflict_count(Actor.from_user(s.parent)) == 0


def test_a_substitute_sees_the_conflicts_of_the_lesson_they_take_and_no_other(school):
    s, system = school, Actor.for_system()
    taken, other = s.maths_lessons[0], s.maths_lessons[1]
    for lesson in (taken, other):
        set_marks(system, lesson.id, s.students[0].id, ["4"])
    covered = Substitution.create(lesson=taken, teacher=s.pe_teacher)
    mark_taken = Mark.get(Mark.lesson == taken)
    mark_other = Mark.get(Mark.lesson == other)
    mark = {"value": "2", "comment": ""}
    theirs = {_conflict("mark", mark_taken.id, mark)}
    other_mark = _conflict("mark", mark_other.id, mark)
    moved = _conflict("lesson", taken.id, {"date": "2026-11-24", "number": 3})  # the timetable's
    replaced = _conflict("substitution", covered.id, {"teacher_id": s.other_teacher.id})
    expected = {
        s.pe_teacher: theirs,
        s.teacher: theirs | {other_mark, moved},  # her journal; substitutions are not hers
        s.deputy: theirs | {other_mark, moved, replaced},
    }
    for user, ids in expected.items():
        actor = Actor.from_user(user)
        listed = {entry.id for entry in conflicts_for(actor, limit=10)}
        assert listed == _seen_one_by_one(actor) == ids, user.login
        assert conflict_count(actor) == len(listed), user.login
    covered.delete_instance()
    assert conflict_count(Actor.from_user(s.pe_teacher)) == 0  # the right went with the row
