"""Sync between a hub and laptops, case by case: the teacher's day, conflicts, deletes,
unique cells, orphans, replays, clock skew, rights and scope (docs/ARCHITECTURE.md §4)."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from node.models import (
    Attendance,
    Guardian,
    History,
    Lesson,
    Mark,
    Student,
    SyncChange,
    SyncClock,
    SyncConflict,
    User,
    db,
)
from node.models.changes import HLC_SHIFT, database_epoch, wall_hlc
from node.services.base.actor import Actor
from node.services.gradebook.journal import correct_attendance, set_attendance, set_marks
from node.services.replication.sync_conflicts import conflicts_for
from sync import engine
from sync.merge import SyncError
from tests.sync.nodes import Node, bootstrap, contents, pull, push, sync

DAY_MS = 24 * 3600 * 1000


def _marks(node: Node) -> dict[tuple[str, str, int], str]:
    with node.active():
        return {(m.lesson_id, m.student_id, m.position): m.value for m in Mark.select()}


def _conflicts(node: Node) -> list[SyncConflict]:
    return node.call(lambda: list(SyncConflict.select().order_by(SyncConflict.id)))


def _type(node: Node, cell: tuple[str, str], *values: str) -> None:
    """Someone types ``values`` into one journal cell on ``node`` (no value clears it)."""
    with node.active():
        set_marks(Actor.for_system(), *cell, list(values))


def _everyone_has(hub: Node, cell: tuple[str, str], value: str, *laptops: Node) -> None:
    """A mark typed on the hub, pulled by every laptop: the common starting point."""
    _type(hub, cell, value)
    for node in laptops:
        pull(hub, node)


def test_a_whole_school_laptop_is_a_copy_of_the_hub(hub, laptop):
    copy = laptop("copy")
    assert contents(copy) == contents(hub)
    with copy.active():
        assert User.get(User.login == "ivanova").password_hash == hub.call(
            lambda: User.get(User.login == "ivanova").password_hash
        )


def test_two_teachers_mark_one_class_offline_and_the_one_real_conflict_is_shown(hub, laptop):
    """Issue 7's 'done when': every mark reaches the hub; the one clash is listed."""
    s = hub.school
    english = hub.english_lesson
    ivanova = laptop("ivanova", s.teacher.id)
    petrov = laptop("petrov", s.other_teacher.id)
    with petrov.active():
        set_attendance(
            Actor.from_user(User.get_by_id(s.other_teacher.id)),
            english.id,
            s.students[0].id,
            "absent",
        )
    sync(hub, petrov)
    sync(hub, ivanova)
    # offline: each marks their own journal, and both touch the same absence
    with ivanova.active():
        me = Actor.from_user(User.get_by_id(s.teacher.id))
        for lesson in s.maths_lessons[:3]:
            for student in s.students:
                set_marks(me, lesson.id, student.id, ["5"])
        absence = Attendance.get(Attendance.lesson == english.id)
        correct_attendance(me, absence.id, "sick", "справка")
    with petrov.active():
        me = Actor.from_user(User.get_by_id(s.other_teacher.id))
        for student in s.students[:3]:
            set_marks(me, english.id, student.id, ["4"])
        set_attendance(me, english.id, s.students[0].id, "late")
    assert sync(hub, ivanova) == [] and sync(hub, petrov) == []
    sync(hub, ivanova)
    marks = _marks(hub)
    assert len(marks) == 3 * 5 + 3
    assert marks == {**_marks(ivanova), **_marks(petrov)}
    (conflict,) = _conflicts(hub)
    assert conflict.tbl == "attendance" and conflict.kind == "concurrent"
    values = {json.loads(conflict.loser_values)["code"], json.loads(conflict.winner_values)["code"]}
    assert values == {"sick", "late"}
    with hub.active():
        assert hub.call(lambda: Attendance.get(Attendance.lesson == english.id).code) in values
        for user in (s.teacher, s.other_teacher, s.director):
            (shown,) = conflicts_for(Actor.from_user(User.get_by_id(user.id)))
            assert shown.table == "attendance" and shown.who in ("ivanova", "petrov")
        assert conflicts_for(Actor.from_user(User.get_by_id(s.pe_teacher.id))) == []
    # both laptops hold what the hub holds of their scope
    assert ivanova.call(lambda: Attendance.get(Attendance.lesson == english.id).code) == (
        hub.call(lambda: Attendance.get(Attendance.lesson == english.id).code)
    )


def test_a_later_edit_that_saw_the_first_is_no_conflict(hub, laptop):
    a, b = laptop("a"), laptop("b")
    s = hub.school
    with a.active():
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["3"])
    sync(hub, a)
    sync(hub, b)
    with b.active():
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["4"])
    sync(hub, b)
    sync(hub, a)
    assert _marks(a) == _marks(b) == _marks(hub)
    assert _conflicts(hub) == [] and _conflicts(a) == []


def _set_lesson(node: Node, lesson_id: str, **values: str) -> None:
    with node.active():
        Lesson.update(**values).where(Lesson.id == lesson_id).execute()


def _losers(node: Node) -> list[tuple[str, dict, dict]]:
    return [
        (c.grp, json.loads(c.loser_values), json.loads(c.winner_values)) for c in _conflicts(node)
    ]


def test_an_edit_of_another_group_does_not_hide_a_concurrent_edit(hub, laptop):
    """A's topic and C's homework are concurrent; B saw only C's homework and then wrote
    the topic: B had not seen A's topic, so A's topic lost and is listed."""
    a, b, c = laptop("a"), laptop("b"), laptop("c")
    lesson = hub.school.maths_lessons[0].id
    _set_lesson(a, lesson, topic="Fractions")
    _set_lesson(c, lesson, homework="p. 12")
    sync(hub, c)
    sync(hub, b)
    _set_lesson(b, lesson, topic="Decimals")
    sync(hub, b)
    sync(hub, a)
    for node in (a, b, c):
        sync(hub, node)
    assert contents(a) == contents(b) == contents(c) == contents(hub)
    topic = hub.call(lambda: Lesson.get_by_id(lesson).topic)
    assert topic == "Decimals"
    assert ("topic", {"topic": "Fractions"}, {"topic": "Decimals"}) in _losers(hub)


def test_a_write_lost_to_an_edit_made_after_a_third_one_is_listed(hub, laptop):
    """A and C type one cell's topic at the same time; B saw C's and changed it. The hub
    gets A's last: A's write lost, although B's clock is past it, and is listed."""
    a, b, c = laptop("a"), laptop("b"), laptop("c")
    lesson = hub.school.maths_lessons[0].id
    _set_lesson(a, lesson, topic="Fractions")
    _set_lesson(c, lesson, topic="Percent")
    sync(hub, c)
    sync(hub, b)
    _set_lesson(b, lesson, topic="Decimals")
    sync(hub, b)
    sync(hub, a)
    assert hub.call(lambda: Lesson.get_by_id(lesson).topic) == "Decimals"
    losers = [(grp, loser) for grp, loser, _winner in _losers(hub)]
    assert ("topic", {"topic": "Fractions"}) in losers
    assert ("topic", {"topic": "Percent"}) not in losers  # B saw it: an ordinary edit


def test_a_delete_beats_an_edit_it_did_not_see_and_the_edit_is_kept(hub, laptop):
    a, b = laptop("a"), laptop("b")
    s = hub.school
    cell = (s.maths_lessons[0].id, s.students[0].id)
    _everyone_has(hub, cell, "3", a, b)
    _type(b, cell, "4")
    _type(a, cell)  # deleted after b's edit
    sync(hub, b)
    sync(hub, a)
    sync(hub, b)
    assert _marks(hub) == _marks(a) == _marks(b) == {}
    (conflict,) = _conflicts(hub)
    assert conflict.kind == "deleted" and json.loads(conflict.loser_values)["value"] == "4"
    # the cell can be filled again
    _type(a, cell, "5")
    sync(hub, a)
    sync(hub, b)
    assert list(_marks(b).values()) == ["5"] and _marks(a) == _marks(hub) == _marks(b)


def test_two_new_marks_for_one_cell_keep_the_smaller_id_everywhere(hub, laptop):
    a, b = laptop("a"), laptop("b")
    s = hub.school
    cell = (s.maths_lessons[1].id, s.students[2].id)
    _type(a, cell, "2")
    _type(b, cell, "5")
    ids = [a.call(lambda: Mark.get().id), b.call(lambda: Mark.get().id)]
    sync(hub, a)
    sync(hub, b)
    sync(hub, a)
    winner = min(ids)
    for node in (hub, a, b):
        assert node.call(lambda: [m.id for m in Mark.select()]) == [winner]
    kinds = [c.kind for c in _conflicts(hub)]
    assert kinds == ["unique"]
    assert contents(a) == contents(b) == contents(hub)


def test_a_mark_in_a_lesson_deleted_elsewhere_goes_too_and_is_kept_as_a_conflict(hub, laptop):
    a = laptop("a")
    s = hub.school
    lesson = s.maths_lessons[2]
    with a.active():
        set_marks(Actor.for_system(), lesson.id, s.students[0].id, ["4"])
    with hub.active():
        Lesson.delete_by_id(lesson.id)
    sync(hub, a)
    assert _marks(hub) == _marks(a) == {}
    assert [c.kind for c in _conflicts(hub)] == ["orphan"]
    assert contents(a) == contents(hub)


def test_duplicated_reordered_and_replayed_chunks_change_nothing(hub, laptop):
    a = laptop("a")
    s = hub.school
    with hub.active():
        for lesson in s.maths_lessons:
            for student in s.students:
                set_marks(Actor.for_system(), lesson.id, student.id, ["4"])
    pull(hub, a)
    with hub.active():
        for lesson in s.maths_lessons:
            for student in s.students:
                set_marks(Actor.for_system(), lesson.id, student.id, ["3"])
    since = a.call(engine.version_vector)
    chunks = []
    while True:
        chunk = hub.call(engine.export_chunk, a.scope, since, max_changes=7)
        chunks.append(chunk)
        since = chunk.vector
        if not chunk.more:
            break
    assert len(chunks) > 3
    order = chunks + chunks[::-1] + random.Random(7).sample(chunks, len(chunks))
    for chunk in order:
        a.call(engine.apply_chunk, chunk.payload, pushed_by=None)
    assert contents(a) == contents(hub)
    before = contents(a)
    for chunk in chunks:
        result = a.call(engine.apply_chunk, chunk.payload, pushed_by=None)
        assert result.applied == 0 and result.conflicts == 0
    assert contents(a) == before
    pull(hub, a)
    assert contents(a) == before


def test_a_damaged_or_foreign_payload_is_refused_without_writing(hub, laptop):
    a = laptop("a")
    before = contents(a)
    for payload in (b"junk", b"x\x9c" + b"\x00" * 10):
        with pytest.raises(SyncError):
            a.call(engine.apply_chunk, payload, pushed_by=None)
    assert contents(a) == before


def test_a_chunk_that_refers_to_rows_never_received_is_refused_whole(hub, laptop):
    a = laptop("a")
    s = hub.school
    with hub.active():
        lesson = Lesson.create(assignment=s.maths, date=dt.date(2026, 11, 20), number=5)
        set_marks(Actor.for_system(), lesson.id, s.students[0].id, ["5"])
    since = a.call(engine.version_vector)
    first = hub.call(engine.export_chunk, a.scope, since, max_changes=1)
    rest = hub.call(engine.export_chunk, a.scope, first.vector)
    before = contents(a)
    with pytest.raises(SyncError):
        a.call(engine.apply_chunk, rest.payload, pushed_by=None)
    assert contents(a) == before
    a.call(engine.apply_chunk, first.payload, pushed_by=None)
    a.call(engine.apply_chunk, rest.payload, pushed_by=None)
    assert _marks(a) == _marks(hub)


def test_a_laptop_a_day_ahead_syncs_and_its_later_clock_wins(hub, laptop):
    a, b = laptop("ahead"), laptop("b")
    s = hub.school
    cell = (s.maths_lessons[0].id, s.students[1].id)
    _everyone_has(hub, cell, "4", a, b)
    with a.active():
        SyncClock.update(hlc=wall_hlc(DAY_MS)).execute()  # its wall clock is a day fast
        set_marks(Actor.for_system(), *cell, ["2"])
    _type(b, cell, "5")  # later in real time, earlier by clocks
    sync(hub, b)
    assert sync(hub, a) == []
    sync(hub, b)
    assert list(_marks(hub).values()) == ["2"] and _marks(a) == _marks(b) == _marks(hub)
    assert [c.kind for c in _conflicts(hub)] == ["concurrent"]
    # the hub's clock moved past the laptop's: its next write orders after it
    with hub.active():
        set_marks(Actor.for_system(), *cell, ["3"])
        assert SyncChange.select().order_by(SyncChange.hlc.desc()).get().origin == database_epoch()
    sync(hub, a)
    assert list(_marks(a).values()) == ["3"]


def test_a_laptop_days_ahead_is_refused_until_its_clock_is_right(hub, laptop):
    a = laptop("wrong-clock")
    s = hub.school
    with a.active():
        SyncClock.update(hlc=wall_hlc(3 * DAY_MS)).execute()
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["2"])
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[1].id, ["3"])
    rejected = push(a, hub)
    assert rejected and "ahead" in rejected[0].reason
    assert _marks(hub) == {}
    epoch = a.call(database_epoch)
    assert hub.call(engine.version_vector).get(epoch, 0) < wall_hlc(DAY_MS)
    assert hub.call(lambda: SyncClock.get_by_id(1).hlc) >> HLC_SHIFT < wall_hlc(DAY_MS) >> 16


def test_a_push_outside_the_users_rights_is_rejected_with_a_reason(hub, laptop):
    s = hub.school
    ivanova = laptop("ivanova", s.teacher.id)
    english = hub.english_lesson
    with ivanova.active():
        # a class teacher sees the English journal of her class but may not write it
        Mark.create(
            lesson=english.id,
            student=s.students[0].id,
            value="2",
            points=2,
            work_type=s.oral.id,
            updated_at=dt.datetime(2026, 11, 25),
        )
        User.update(roles="director").where(User.id == s.teacher.id).execute()
        User.update(password_hash="mine").where(User.id == s.teacher.id).execute()
        me = Actor(s.teacher.id, "ivanova", frozenset({"teacher", "class_teacher"}))
        set_marks(me, s.maths_lessons[0].id, s.students[0].id, ["5"])
    rejected = push(ivanova, hub)
    reasons = {r.change["table"]: r.reason for r in rejected}
    assert set(reasons) == {"mark", "user"} and len(rejected) == 2
    assert "ivanova may not change this record (mark)" in reasons["mark"]
    with hub.active():
        me = User.get_by_id(s.teacher.id)
        assert me.roles == "teacher class_teacher" and me.password_hash == "mine"
        assert [m.lesson_id for m in Mark.select()] == [s.maths_lessons[0].id]
        kinds = sorted(c.kind for c in SyncConflict.select())
        assert kinds == ["rejected", "rejected"]
    # the push is not offered again, and the next pull puts the laptop right
    assert len(push(ivanova, hub)) == 0
    pull(hub, ivanova)
    with ivanova.active():
        assert User.get_by_id(s.teacher.id).roles == "teacher class_teacher"
        assert User.get_by_id(s.teacher.id).password_hash == "mine"
        assert [m.lesson_id for m in Mark.select()] == [s.maths_lessons[0].id]
        # what she lost is on her laptop's conflicts list: the role, the mark
        assert {c.kind for c in SyncConflict.select()} == {"concurrent", "deleted"}
    assert push(ivanova, hub) == []
    assert contents(ivanova, ("mark",)) == contents(hub, ("mark",))


def test_a_laptop_never_receives_another_class_or_family(hub, laptop):
    s = hub.school
    with hub.active():
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["5"])
        User.update(password_hash="secret").execute()
        lesson_8b = Lesson.create(assignment=s.maths_8b, date=dt.date(2026, 11, 23), number=1)
        set_marks(Actor.for_system(), lesson_8b.id, s.other_students[0].id, ["3"])
        Student.update(phone="+7 111", address="ул. Ленина").execute()
    ivanova = laptop("ivanova", s.teacher.id)
    sokolov = laptop("sokolov", s.pe_teacher.id)
    with ivanova.active():
        assert {st.school_class_id for st in Student.select()} == {s.class_7a.id}
        assert Guardian.select().count() == 1 and Student.get_by_id(s.students[0].id).phone
        users = {u.login: u.password_hash for u in User.select()}
        assert "parent2" not in users and users["ivanova"] == "secret"
        assert {k for k, v in users.items() if v} == {"ivanova"}
        assert Lesson.get_or_none(Lesson.id == lesson_8b.id) is None
        assert Mark.select().count() == 1
        assert all(h.cell is None or lesson_8b.id not in h.cell for h in History.select())
    with sokolov.active():
        # teaches 7А, leads no class: students without their private data, no guardians
        assert Student.select().count() == 5 and Guardian.select().count() == 0
        assert {st.phone for st in Student.select()} == {""}
        assert Mark.select().count() == 0
    # later changes respect the scope too
    with hub.active():
        set_marks(Actor.for_system(), lesson_8b.id, s.other_students[1].id, ["4"])
        Student.update(phone="+7 222").where(Student.id == s.students[1].id).execute()
    pull(hub, ivanova)
    pull(hub, sokolov)
    assert ivanova.call(lambda: Mark.select().count()) == 1
    assert ivanova.call(lambda: Student.get_by_id(s.students[1].id).phone) == "+7 222"
    assert sokolov.call(lambda: Student.get_by_id(s.students[1].id).phone) == ""


def test_a_restored_laptop_starts_a_new_epoch_and_loses_nothing(hub, laptop, tmp_path):
    a = laptop("a")
    s = hub.school
    with a.active():
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, ["4"])
    copy = tmp_path / "a-restored.db"
    with a.active():
        db.execute_sql(f"VACUUM INTO '{copy}'")
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[1].id, ["5"])
    sync(hub, a)  # both marks reach the hub, then the laptop dies
    restored = Node.create("a-restored", tmp_path)
    assert restored.call(database_epoch) == a.call(database_epoch)  # a copy: same epoch ...
    restored.call(engine.new_epoch)  # ... until the restore gives it its own
    with restored.active():
        set_marks(Actor.for_system(), s.maths_lessons[1].id, s.students[0].id, ["3"])
    sync(hub, restored)
    assert _marks(restored) == _marks(hub) and len(_marks(hub)) == 3
    restored.close()


def test_bootstrap_in_small_chunks_gives_the_same_as_in_one(hub, laptop, tmp_path):
    s = hub.school
    with hub.active():
        for student in s.students:
            set_marks(Actor.for_system(), s.maths_lessons[0].id, student.id, ["5"])
        set_marks(Actor.for_system(), s.maths_lessons[0].id, s.students[0].id, [])
    whole = laptop("whole")
    small = Node.create("small", tmp_path, engine.Scope(None))
    bootstrap(hub, small, max_rows=3)
    assert contents(small) == contents(whole) == contents(hub)
    assert small.call(engine.version_vector) == hub.call(engine.version_vector)
    small.close()


def test_no_op_sync_sends_nothing(hub, laptop):
    a = laptop("a")
    since = a.call(engine.version_vector)
    chunk = hub.call(engine.export_chunk, a.scope, since)
    assert not chunk.more and chunk.vector == since
    result = a.call(engine.apply_chunk, chunk.payload, pushed_by=None)
    assert (result.applied, result.skipped, result.conflicts) == (0, 0, 0)
    assert hub.call(engine.pending_changes, since) == 0


def test_a_laptop_a_day_behind_loses_concurrent_edits_but_catches_up(hub, laptop):
    """One node a day slow is the same as every other node a day fast."""
    behind, b = laptop("behind"), laptop("b")
    s = hub.school
    cell = (s.maths_lessons[0].id, s.students[2].id)
    _everyone_has(hub, cell, "4", behind, b)
    for node in (hub, b):
        node.call(lambda: SyncClock.update(hlc=wall_hlc(DAY_MS)).execute())
    _type(b, cell, "5")
    _type(behind, cell, "2")  # later in real time, a day early by its clock
    sync(hub, b)
    assert sync(hub, behind) == []
    assert list(_marks(hub).values()) == list(_marks(behind).values()) == ["5"]
    (conflict,) = _conflicts(hub)
    assert json.loads(conflict.loser_values)["value"] == "2"
    with behind.active():  # having seen the others, its clock has caught up
        set_marks(Actor.for_system(), *cell, ["3"])
    sync(hub, behind)
    sync(hub, b)
    assert list(_marks(hub).values()) == list(_marks(b).values()) == ["3"]


def test_a_teachers_mark_in_a_lesson_the_hub_deleted_is_an_orphan_not_a_refusal(hub, laptop):
    s = hub.school
    ivanova = laptop("ivanova", s.teacher.id)
    lesson = s.maths_lessons[3]
    with hub.active():
        Lesson.delete_by_id(lesson.id)
    me = Actor(s.teacher.id, "ivanova", frozenset({"teacher", "class_teacher"}))
    with ivanova.active():
        set_marks(me, lesson.id, s.students[0].id, ["5"])
    assert sync(hub, ivanova) == []
    assert _marks(hub) == _marks(ivanova) == {}
    assert "orphan" in {c.kind for c in _conflicts(hub)}


def test_a_pushed_text_with_control_characters_is_rejected(hub, laptop):
    """A laptop's services strip them; a tampered or old laptop's raw write does not reach
    the hub (refused, not cleaned: both sides keep agreeing on every value)."""
    s = hub.school
    ivanova = laptop("ivanova", s.teacher.id)
    lesson = s.maths_lessons[0]
    with ivanova.active():
        Lesson.update(topic="Дроби\x1b]0;pwned\x07").where(Lesson.id == lesson.id).execute()
    rejected = push(ivanova, hub)
    assert [r.change["table"] for r in rejected] == ["lesson"]
    assert "control characters" in rejected[0].reason
    with hub.active():
        assert "\x1b" not in Lesson.get_by_id(lesson.id).topic
    pull(hub, ivanova)
    with ivanova.active():
        assert "\x1b" not in Lesson.get_by_id(lesson.id).topic
