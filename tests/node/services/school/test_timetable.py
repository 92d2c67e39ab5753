"""Timetable and lessons: slots and clashes, generation, adding/moving/cancelling lessons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from node.errors import Conflict, EdiaryError, Forbidden, Locked, NotFound, ValidationError
from node.models import (
    AcademicYear,
    Attendance,
    History,
    Holiday,
    Lesson,
    Mark,
    Period,
    SchoolClass,
    Subgroup,
    TeachingAssignment,
    TimetableSlot,
    db,
)
from node.models.changes import SyncChange
from node.services.base import history
from node.services.base.actor import Actor
from node.services.school import timetable
from node.services.school.timetable import GenerationResult
from tests.helpers import close_year, nothing_written

AT = dt.datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def teacher(school) -> Actor:
    """Иванова: teaches maths in 7А (Mon and Wed, lesson 2) and leads 7А."""
    return school.actor(school.teacher)


def days_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def lesson_keys(assignment: TeachingAssignment) -> set[tuple[dt.date, int]]:
    return {(x.date, x.number) for x in Lesson.select().where(Lesson.assignment == assignment)}


# --- slots ----------------------------------------------------------------------------------


def test_set_slot_and_history(school, director):
    slot = timetable.set_slot(director, school.maths.id, 5, 3, room=" 21 ")
    assert (slot.weekday, slot.number, slot.room) == (5, 3, "21")
    [row] = History.of("timetable_slot", slot.id)
    assert row.action == "create"


def test_set_slot_again_changes_the_room(school, director):
    first = timetable.set_slot(director, school.maths.id, 1, 2, room="12")
    assert first.id == TimetableSlot.get(assignment=school.maths, weekday=1, number=2).id
    assert [r.change_map() for r in History.of("timetable_slot", first.id)] == [
        {"room": ["", "12"]}
    ]


@pytest.mark.parametrize(
    ("weekday", "number", "message"),
    [(0, 3, "weekday"), (8, 3, "weekday"), (5, 9, "no lesson 9"), (5, "3", "no lesson 3")],
)
def test_set_slot_rejects_bad_input(school, director, weekday, number, message):
    with nothing_written(), pytest.raises(ValidationError, match=message):
        timetable.set_slot(director, school.maths.id, weekday, number)


def test_a_class_cannot_have_two_lessons_at_once(school, director):
    # PE in 7А on Monday, lesson 2, when 7А has maths
    with nothing_written(), pytest.raises(Conflict, match="7А already has a lesson then"):
        timetable.set_slot(director, school.pe.id, 1, 2)


def test_a_teacher_cannot_teach_two_slots_at_once(school, director):
    # Петров teaches English group 1 in 7А on Tuesday, lesson 3; 8Б's maths is his too
    with nothing_written(), pytest.raises(Conflict, match="Петров О. В. already has a lesson"):
        timetable.set_slot(director, school.maths_8b.id, 2, 3)


def test_different_subgroups_of_a_class_may_share_a_slot(school, director):
    group2 = Subgroup.create(
        school_class=school.class_7a, subject=school.english_subject, name="2 группа"
    )
    english_g2 = TeachingAssignment.create(
        teacher=school.pe_teacher,
        school_class=school.class_7a,
        subject=school.english_subject,
        subgroup=group2,
        hours_per_week=3,
    )
    slot = timetable.set_slot(director, english_g2.id, 2, 3)
    assert slot.assignment_id == english_g2.id
    # …but not with a lesson of the whole class
    with nothing_written(), pytest.raises(Conflict, match="7А already has a lesson"):
        timetable.set_slot(director, school.maths.id, 2, 3)


def test_slots_of_other_years_do_not_clash(school, director):
    next_year = AcademicYear.create(
        name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31)
    )
    class_8a = SchoolClass.create(year=next_year, grade=8, letter="А", class_teacher=school.teacher)
    next_maths = TeachingAssignment.create(
        teacher=school.teacher, school_class=class_8a, subject=school.maths_subject
    )
    # Иванова teaches 7А maths on Monday, lesson 2, in 2026/2027
    assert timetable.set_slot(director, next_maths.id, 1, 2).weekday == 1


def test_set_slot_permission_closed_year_and_missing(school, teacher, director):
    with nothing_written(), pytest.raises(Forbidden):
        timetable.set_slot(teacher, school.maths.id, 5, 3)
    with nothing_written(), pytest.raises(NotFound):
        timetable.set_slot(director, "0" * 32, 5, 3)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        timetable.set_slot(director, school.maths.id, 5, 3)


def test_set_slots_answers_each_request_as_set_slot_would(school, director):
    SyncChange.delete().execute()
    requests = [
        timetable.SlotRequest(school.maths.id, 5, 3, " 21 "),  # new
        timetable.SlotRequest(school.pe.id, 1, 2),  # 7А has maths then
        timetable.SlotRequest(school.maths_8b.id, 2, 3),  # Петров teaches 7А then
        timetable.SlotRequest(school.maths.id, 0, 3),  # no such weekday
        timetable.SlotRequest(school.maths.id, 5, 9),  # no such lesson
        timetable.SlotRequest("0" * 32, 5, 3),  # no such journal
        timetable.SlotRequest(school.pe.id, 5, 3, "21"),  # room 21 is taken by the first
        timetable.SlotRequest(school.maths.id, 1, 2, "12"),  # a slot it has: a new room
    ]
    results = timetable.set_slots(director, requests)
    singles = []
    for request in requests[1:7]:
        with nothing_written(), pytest.raises(EdiaryError) as refused:
            timetable.set_slot(
                director, request.assignment_id, request.weekday, request.number, request.room
            )
        singles.append(refused.value)
    assert [(type(r), str(r)) for r in results[1:7]] == [(type(e), str(e)) for e in singles]
    new, moved = results[0], results[7]
    assert isinstance(new, TimetableSlot) and isinstance(moved, TimetableSlot)
    stored = TimetableSlot.get_by_id(new.id)
    assert (stored.weekday, stored.number, stored.room) == (5, 3, "21")
    assert [r.change_map()["room"] for r in History.of("timetable_slot", new.id)] == [[None, "21"]]
    assert [r.change_map() for r in History.of("timetable_slot", moved.id)] == [
        {"room": ["", "12"]}
    ]
    captured = {c.row_id for c in SyncChange.select().where(SyncChange.tbl == "timetable_slot")}
    assert captured == {new.id, moved.id}


def test_set_slots_refuses_a_teacher_and_a_closed_year(school, teacher, director):
    with nothing_written(), pytest.raises(Forbidden):
        timetable.set_slots(teacher, [timetable.SlotRequest(school.maths.id, 5, 3)])
    close_year(school.year)
    with nothing_written():
        [refused] = timetable.set_slots(director, [timetable.SlotRequest(school.maths.id, 5, 3)])
    assert isinstance(refused, Locked)


def test_remove_slot_keeps_lessons(school, director, teacher):
    slot = TimetableSlot.get(assignment=school.maths, weekday=1, number=2)
    timetable.remove_slot(director, slot.id)
    assert not TimetableSlot.select().where(TimetableSlot.id == slot.id).exists()
    assert Lesson.select().where(Lesson.assignment == school.maths).count() == 6
    [row] = History.of("timetable_slot", slot.id)
    assert row.action == "delete" and row.change_map()["weekday"] == [1, None]
    other = TimetableSlot.get(assignment=school.maths, weekday=3, number=2)
    with nothing_written(), pytest.raises(Forbidden):
        timetable.remove_slot(teacher, other.id)
    with nothing_written(), pytest.raises(NotFound):
        timetable.remove_slot(director, slot.id)


# --- generation -----------------------------------------------------------------------------


def expected_dates(start: dt.date, end: dt.date, weekday: int) -> set[dt.date]:
    return {d for d in days_between(start, end) if d.isoweekday() == weekday}


def test_generate_quarter_for_a_class(school, director):
    q2 = school.quarters[1]  # 5 Nov (Thu) – 27 Dec (Sun)
    result = timetable.generate_lessons(director, q2.id, class_id=school.class_7a.id)
    # Mon 7 + Wed 7 (maths) + Tue 7 (English) + Thu 8 (PE) = 29; 6 maths lessons existed
    assert result == GenerationResult(created=23, skipped_existing=6, skipped_holidays=0)
    assert lesson_keys(school.maths) == {
        (d, 2) for wd in (1, 3) for d in expected_dates(q2.start, q2.end, wd)
    }
    assert lesson_keys(school.english_g1) == {(d, 3) for d in expected_dates(q2.start, q2.end, 2)}
    assert lesson_keys(school.pe) == {(d, 1) for d in expected_dates(q2.start, q2.end, 4)}
    assert {x.status for x in Lesson.select()} == {"scheduled"}


def test_generation_is_idempotent_and_records_one_history_row_per_run(school, director):
    q2 = school.quarters[1]
    timetable.generate_lessons(director, q2.id)
    count = Lesson.select().count()
    again = timetable.generate_lessons(director, q2.id)
    assert again == GenerationResult(created=0, skipped_existing=29, skipped_holidays=0)
    assert Lesson.select().count() == count
    runs = list(History.select().where(History.entity == "lesson").order_by(History.at))
    assert [r.action for r in runs] == ["import", "import"]
    assert runs[0].change_map()["created"] == [None, 23]
    assert runs[0].change_map()["period"] == [None, q2.id]
    assert runs[1].change_map()["skipped_existing"] == [None, 29]


def test_generation_skips_holidays(school, director):
    Holiday.create(
        year=school.year, name="День X", start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2)
    )
    result = timetable.generate_lessons(director, school.quarters[1].id)
    # English on Tue 1 Dec and maths on Wed 2 Dec fall on the holiday
    assert result == GenerationResult(created=21, skipped_existing=6, skipped_holidays=2)
    assert (
        not Lesson.select()
        .where(Lesson.date.between(dt.date(2026, 12, 1), dt.date(2026, 12, 2)))
        .exists()
    )


def test_year_period_covers_every_class_and_skips_the_autumn_break(school, director):
    TimetableSlot.create(assignment=school.maths_8b, weekday=5, number=1)
    year = school.year_period
    result = timetable.generate_lessons(director, year.id)
    holidays = set(days_between(school.autumn_break.start, school.autumn_break.end))
    slots = [
        (school.maths, 1),
        (school.maths, 3),
        (school.english_g1, 2),
        (school.pe, 4),
        (school.maths_8b, 5),
    ]
    total = sum(len(expected_dates(year.start, year.end, wd)) for _a, wd in slots)
    on_holidays = sum(len(expected_dates(year.start, year.end, wd) & holidays) for _a, wd in slots)
    assert result.skipped_holidays == on_holidays > 0
    assert result.skipped_existing == 6
    assert result.created == total - on_holidays - 6
    assert (
        not Lesson.select()
        .where(Lesson.date.between(school.autumn_break.start, school.autumn_break.end))
        .exists()
    )


def test_generation_follows_each_class_scheme(school, director):
    TimetableSlot.create(assignment=school.maths_8b, weekday=5, number=1)  # 8Б uses halves
    timetable.generate_lessons(director, school.quarters[1].id)
    assert lesson_keys(school.maths_8b) == set()
    half = school.halves[0]
    result = timetable.generate_lessons(director, half.id)
    fridays = expected_dates(half.start, half.end, 5)
    autumn_break = set(days_between(school.autumn_break.start, school.autumn_break.end))
    assert lesson_keys(school.maths_8b) == {(d, 1) for d in fridays - autumn_break}
    assert result.created == len(fridays - autumn_break)
    assert result.skipped_holidays == len(fridays & autumn_break) == 1  # Friday 30 Oct


def test_generation_rejects_a_class_of_another_scheme_or_year(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="8Б follows halves"):
        timetable.generate_lessons(director, school.quarters[1].id, class_id=school.class_8b.id)
    other = AcademicYear.create(
        name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31)
    )
    other_q = Period.create(
        year=other,
        scheme="quarters",
        number=1,
        name="1",
        start=other.start,
        end=dt.date(2027, 10, 31),
    )
    with nothing_written(), pytest.raises(ValidationError, match="not of the academic year"):
        timetable.generate_lessons(director, other_q.id, class_id=school.class_7a.id)


def test_generation_permission_closed_year_and_missing(school, teacher, director):
    with nothing_written(), pytest.raises(Forbidden):
        timetable.generate_lessons(teacher, school.quarters[1].id)
    with nothing_written(), pytest.raises(NotFound):
        timetable.generate_lessons(director, "0" * 32)
    with nothing_written(), pytest.raises(NotFound):
        timetable.generate_lessons(director, school.quarters[1].id, class_id="0" * 32)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        timetable.generate_lessons(director, school.quarters[1].id)


def test_generation_does_not_bring_back_a_moved_lesson(school, director, teacher):
    monday = school.maths_lessons[0]  # Mon 9 Nov, lesson 2
    timetable.move_lesson(teacher, monday.id, dt.date(2026, 11, 10), 4)
    result = timetable.generate_lessons(director, school.quarters[1].id)
    assert (dt.date(2026, 11, 9), 2) not in lesson_keys(school.maths)
    assert (dt.date(2026, 11, 10), 4) in lesson_keys(school.maths)
    assert result.skipped_existing == 6  # 5 lessons in place + the place the 6th left


def test_generation_replays_several_moves(school, director, teacher):
    lesson = school.maths_lessons[0]  # Mon 9 Nov, lesson 2
    timetable.move_lesson(teacher, lesson.id, dt.date(2026, 11, 30), 2)  # a slot date
    timetable.move_lesson(teacher, lesson.id, dt.date(2026, 11, 30), 3)
    timetable.generate_lessons(director, school.quarters[1].id)
    keys = lesson_keys(school.maths)
    assert (dt.date(2026, 11, 9), 2) not in keys
    assert (dt.date(2026, 11, 30), 2) not in keys  # it stood there once, then moved on
    assert (dt.date(2026, 11, 30), 3) in keys


def test_generation_does_not_bring_back_a_deleted_lesson(school, director):
    lesson = school.maths_lessons[1]
    with db.atomic():
        history.record_delete(Actor.for_system(), lesson)
        lesson.delete_instance()
    timetable.generate_lessons(director, school.quarters[1].id)
    assert (lesson.date, lesson.number) not in lesson_keys(school.maths)


def test_generation_for_many_classes(school, director):
    """Many classes in one run: every lesson written, and a single history row."""
    for grade in range(1, 12):
        for letter in "ВГД":
            school_class = SchoolClass.create(year=school.year, grade=grade, letter=letter)
            assignment = TeachingAssignment.create(
                teacher=school.pe_teacher if letter == "В" else school.deputy,
                school_class=school_class,
                subject=school.maths_subject,
            )
            TimetableSlot.create(assignment=assignment, weekday=5, number=grade % 4 + 1)
    # the slots above break the teacher rule on purpose: generation trusts the timetable
    result = timetable.generate_lessons(director, school.year_period.id)
    assert result.created == Lesson.select().count() - 6
    assert (
        History.select().where(History.entity == "lesson", History.action == "import").count() == 1
    )


# --- single lessons -------------------------------------------------------------------------


def test_teacher_adds_a_lesson(school, teacher):
    lesson = timetable.add_lesson(teacher, school.maths.id, dt.date(2026, 11, 27), 3)
    assert (lesson.date, lesson.number, lesson.status) == (dt.date(2026, 11, 27), 3, "scheduled")
    [row] = History.of("lesson", lesson.id)
    assert row.action == "create" and row.actor_login == "ivanova"


def test_director_may_add_a_lesson(school, director):
    assert (
        timetable.add_lesson(director, school.pe.id, dt.date(2026, 11, 27), 1).assignment_id
        == school.pe.id
    )


@pytest.mark.parametrize(
    ("date", "number", "error", "message"),
    [
        (dt.date(2026, 10, 27), 2, ValidationError, "falls in the holiday «Осенние каникулы»"),
        (dt.date(2027, 6, 10), 2, ValidationError, "outside the academic year 2026/2027"),
        (dt.date(2026, 8, 31), 2, ValidationError, "outside the academic year"),
        (dt.date(2026, 11, 27), 7, ValidationError, "no lesson 7"),
        (dt.date(2026, 11, 9), 2, Conflict, "already has lesson 2 on 09.11.2026"),
    ],
)
def test_add_lesson_rejects(school, teacher, date, number, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        timetable.add_lesson(teacher, school.maths.id, date, number)


def test_add_lesson_permission_and_closed_year(school, teacher):
    with nothing_written(), pytest.raises(Forbidden):
        timetable.add_lesson(teacher, school.english_g1.id, dt.date(2026, 11, 27), 3)
    with nothing_written(), pytest.raises(Forbidden):
        timetable.add_lesson(
            school.actor(school.sysadmin), school.maths.id, dt.date(2026, 11, 27), 3
        )
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        timetable.add_lesson(teacher, school.maths.id, dt.date(2026, 11, 27), 3)


def put_entries(school, lesson: Lesson) -> tuple[Mark, Attendance]:
    mark = Mark.create(
        lesson=lesson,
        student=school.students[1],
        value="4",
        points=4,
        work_type=school.oral,
        updated_at=AT,
    )
    absence = Attendance.create(
        lesson=lesson, student=school.students[2], code="sick", updated_at=AT
    )
    return mark, absence


def test_move_lesson_carries_marks_and_attendance(school, teacher):
    lesson = school.maths_lessons[0]
    mark, absence = put_entries(school, lesson)
    moved = timetable.move_lesson(teacher, lesson.id, dt.date(2026, 11, 10), 4)
    assert (moved.id, moved.date, moved.number) == (lesson.id, dt.date(2026, 11, 10), 4)
    assert Mark.get_by_id(mark.id).lesson_id == lesson.id
    assert Attendance.get_by_id(absence.id).lesson_id == lesson.id
    stored = Lesson.get_by_id(lesson.id)
    assert (stored.date, stored.number) == (dt.date(2026, 11, 10), 4)
    [row] = History.of("lesson", lesson.id)
    assert row.change_map() == {"date": ["2026-11-09", "2026-11-10"], "number": [2, 4]}


def test_moving_to_the_same_place_changes_nothing(school, teacher):
    lesson = school.maths_lessons[0]
    with nothing_written():
        timetable.move_lesson(teacher, lesson.id, lesson.date, lesson.number)


@pytest.mark.parametrize(
    ("date", "number", "error", "message"),
    [
        (dt.date(2026, 11, 2), 2, ValidationError, "holiday «Осенние каникулы»"),
        (dt.date(2027, 6, 1), 2, ValidationError, "outside the academic year"),
        (dt.date(2026, 11, 11), 2, Conflict, "already has lesson 2 on 11.11.2026"),
        (dt.date(2026, 11, 10), 0, ValidationError, "no lesson 0"),
    ],
)
def test_move_lesson_rejects(school, teacher, date, number, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        timetable.move_lesson(teacher, school.maths_lessons[0].id, date, number)


def test_move_lesson_permission_and_closed_year(school, teacher):
    lesson = school.maths_lessons[0]
    with nothing_written(), pytest.raises(Forbidden):
        timetable.move_lesson(
            school.actor(school.other_teacher), lesson.id, dt.date(2026, 11, 10), 2
        )
    with nothing_written(), pytest.raises(NotFound):
        timetable.move_lesson(teacher, "0" * 32, dt.date(2026, 11, 10), 2)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        timetable.move_lesson(teacher, lesson.id, dt.date(2026, 11, 10), 2)


def test_cancel_and_restore_lesson(school, teacher):
    lesson = school.maths_lessons[-1]
    cancelled = timetable.cancel_lesson(teacher, lesson.id, " карантин ")
    assert cancelled.status == "cancelled" and Lesson.get_by_id(lesson.id).is_cancelled
    restored = timetable.restore_lesson(teacher, lesson.id)
    assert restored.status == "scheduled"
    rows = list(History.of("lesson", lesson.id))
    assert [r.change_map() for r in rows] == [
        {"status": ["scheduled", "cancelled"], "reason": [None, "карантин"]},
        {"status": ["cancelled", "scheduled"]},
    ]


@pytest.mark.parametrize("entry", ["mark", "attendance"])
def test_cannot_cancel_a_lesson_with_marks_or_attendance(school, teacher, entry):
    lesson = school.maths_lessons[0]
    mark, absence = put_entries(school, lesson)
    (absence if entry == "mark" else mark).delete_instance()
    with nothing_written(), pytest.raises(ValidationError, match="clear them first"):
        timetable.cancel_lesson(teacher, lesson.id, "болезнь учителя")


def test_cancel_lesson_rejects(school, teacher):
    lesson = school.maths_lessons[0]
    with nothing_written(), pytest.raises(ValidationError, match="Say why"):
        timetable.cancel_lesson(teacher, lesson.id, "  ")
    with nothing_written(), pytest.raises(Forbidden):
        timetable.cancel_lesson(school.actor(school.parent), lesson.id, "x")
    with nothing_written(), pytest.raises(ValidationError, match="not cancelled"):
        timetable.restore_lesson(teacher, lesson.id)
    timetable.cancel_lesson(teacher, lesson.id, "x")
    with nothing_written(), pytest.raises(ValidationError, match="already cancelled"):
        timetable.cancel_lesson(teacher, lesson.id, "x")
    with nothing_written(), pytest.raises(Forbidden):
        timetable.restore_lesson(school.actor(school.pe_teacher), lesson.id)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        timetable.restore_lesson(teacher, lesson.id)


def test_restoring_onto_a_new_holiday_is_refused(school, teacher):
    lesson = school.maths_lessons[-1]
    timetable.cancel_lesson(teacher, lesson.id, "карантин")
    Holiday.create(year=school.year, name="Карантин", start=lesson.date, end=lesson.date)
    with nothing_written(), pytest.raises(ValidationError, match="holiday «Карантин»"):
        timetable.restore_lesson(teacher, lesson.id)


# --- a teacher's day ------------------------------------------------------------------------


def test_lessons_on_lists_the_teachers_own_day(school, teacher):
    timetable.add_lesson(teacher, school.maths.id, dt.date(2026, 11, 25), 1)
    TimetableSlot.update(room="21").where(TimetableSlot.assignment == school.maths).execute()
    day = timetable.lessons_on(teacher, dt.date(2026, 11, 25))
    assert [
        (x.lesson.number, x.class_label, x.subject_name, x.starts, x.ends, x.room) for x in day
    ] == [
        (1, "7А", "Математика", "08:30", "09:15", ""),
        (2, "7А", "Математика", "09:25", "10:10", "21"),
    ]
    assert all(x.lesson.assignment_id == school.maths.id for x in day)


def test_lessons_on_shows_subgroup_and_cancelled_lessons(school):
    english_teacher = school.actor(school.other_teacher)
    lesson = Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, 24), number=3)
    timetable.cancel_lesson(english_teacher, lesson.id, "олимпиада")
    [entry] = timetable.lessons_on(english_teacher, dt.date(2026, 11, 24))
    assert (entry.subgroup_name, entry.is_cancelled) == ("1 группа", True)


def test_lessons_on_is_empty_for_others(school, teacher):
    day = dt.date(2026, 11, 25)
    assert timetable.lessons_on(school.actor(school.other_teacher), day) == []
    assert timetable.lessons_on(school.actor(school.parent), day) == []
    assert timetable.lessons_on(Actor.for_system(), day) == []
    assert timetable.lessons_on(teacher, dt.date(2026, 11, 26)) == []
