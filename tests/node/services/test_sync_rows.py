"""What a laptop may push (``may_write_row``) and who sees which sync conflict."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from node.errors import Forbidden
from node.models import Mark, SyncConflict
from node.services.base.actor import Actor
from node.services.base.permissions import may_write_row
from node.services.replication.sync_conflicts import conflicts_for
from tests.factories import SmallSchool


def _mark_row(s: SmallSchool, lesson_id: str) -> dict:
    return {"id": "m1", "lesson_id": lesson_id, "student_id": s.students[0].id}


def test_a_teacher_may_push_their_own_journal_only(school: SmallSchool):
    s = school
    teacher, other = s.actor(s.teacher), s.actor(s.other_teacher)
    row = _mark_row(s, s.maths_lessons[0].id)
    assert may_write_row(teacher, "mark", row)
    assert not may_write_row(other, "mark", row)
    assert not may_write_row(teacher, "mark", {**row, "lesson_id": "missing"})
    assert may_write_row(teacher, "lesson", {"assignment_id": s.maths.id})
    assert not may_write_row(teacher, "lesson", {"assignment_id": s.maths_8b.id})
    assert may_write_row(teacher, "final_mark", {"assignment_id": s.maths.id})
    assert not may_write_row(teacher, "final_mark_unlock", {"assignment_id": s.maths.id})
    assert may_write_row(s.actor(s.director), "final_mark_unlock", {"assignment_id": s.maths.id})


def test_the_class_teacher_corrects_attendance_and_keeps_student_data(school: SmallSchool):
    s = school
    lesson = s.maths_lessons[0]
    row = {"lesson_id": lesson.id, "student_id": s.students[1].id}
    pe = s.actor(s.pe_teacher)
    assert not may_write_row(pe, "attendance", row)
    assert may_write_row(s.actor(s.teacher), "attendance", row)  # her class and her lesson
    student = {"id": s.students[1].id, "school_class_id": s.class_7a.id}
    assert may_write_row(s.actor(s.teacher), "student", student)
    assert not may_write_row(s.actor(s.other_teacher), "student", student)
    link = {"student_id": s.students[0].id, "guardian_id": "g"}
    assert may_write_row(s.actor(s.teacher), "student_guardian", link)
    assert not may_write_row(pe, "student_guardian", link)


def test_own_account_password_only_and_own_history(school: SmallSchool):
    s = school
    teacher = s.actor(s.teacher)
    me = {"id": s.teacher.id, "roles": "director"}
    assert may_write_row(teacher, "user", me, changed=("password_hash",))
    assert not may_write_row(teacher, "user", me, changed=("roles",))
    assert not may_write_row(teacher, "user", {"id": s.director.id}, changed=("password_hash",))
    assert may_write_row(s.actor(s.sysadmin), "user", me, changed=("roles",))
    assert may_write_row(teacher, "history", {"actor_id": s.teacher.id})
    assert not may_write_row(teacher, "history", {"actor_id": s.director.id})
    assert may_write_row(teacher, "activity_log", {"user_id": s.teacher.id})
    assert may_write_row(teacher, "activity_log", {"user_id": None})  # a failed sign-in
    assert not may_write_row(teacher, "activity_log", {"user_id": s.director.id})
    assert not may_write_row(teacher, "school_class", {"id": s.class_7a.id})
    assert may_write_row(s.actor(s.director), "school_class", {"id": s.class_7a.id})
    assert not may_write_row(teacher, "no_such_table", {})
    assert may_write_row(Actor.for_system(), "no_such_table", {})


def _conflict(s: SmallSchool, table: str, row_id: str, lost: dict) -> None:
    SyncConflict.create(
        detected_at=dt.datetime(2026, 11, 25, 10),
        kind="concurrent",
        tbl=table,
        row_id=row_id,
        grp="mark",
        loser_values=json.dumps(lost),
        loser_hlc=1,
        loser_origin="a",
        winner_values=json.dumps({"value": "5"}),
        winner_hlc=2,
        winner_origin="b",
    )


def test_conflicts_are_shown_to_the_people_concerned(school: SmallSchool):
    s = school
    mark = Mark.create(
        lesson=s.maths_lessons[0],
        student=s.students[0],
        value="5",
        points=5,
        work_type=s.oral,
        updated_at=dt.datetime(2026, 11, 25),
    )
    _conflict(s, "mark", mark.id, {"value": "3", "updated_by_id": s.teacher.id})
    (entry,) = conflicts_for(s.actor(s.teacher))
    assert entry.lost["value"] == "3" and entry.won == {"value": "5"} and entry.who == "ivanova"
    assert conflicts_for(s.actor(s.other_teacher)) == []
    assert len(conflicts_for(s.actor(s.director))) == 1
    # a row gone since is judged by its last image in the change log
    mark.delete_instance()
    assert len(conflicts_for(s.actor(s.teacher))) == 1
    with pytest.raises(Forbidden):
        conflicts_for(s.actor(s.parent))
