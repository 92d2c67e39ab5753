"""The timetable editor's services: cells of a week, clashes, and lessons made again from a date.

The small school: 7А has maths on Mon and Wed (lesson 2, Иванова), English group 1 on Tue
(lesson 3, Петров), PE on Thu (lesson 1); «today» is Wed 25 Nov 2026, in the 2nd quarter.
"""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, ValidationError
from node.i18n import use_language
from node.models import Attendance, History, Lesson, Mark, Substitution, TimetableSlot
from node.services.base.actor import Actor
from node.services.school import regeneration, timetable, timetable_week
from tests.helpers import nothing_written

AT = dt.datetime(2026, 11, 20, 10, 0)
TOMORROW = dt.date(2026, 11, 26)


@pytest.fixture
def generated(school, director):
    """The lessons of 7А made from its timetable for the whole year."""
    for quarter in school.quarters:
        timetable.generate_lessons(director, quarter.id, class_id=school.class_7a.id)
    return school


def keys(assignment) -> set[tuple[dt.date, int]]:
    return {(x.date, x.number) for x in Lesson.select().where(Lesson.assignment == assignment)}


def on_weekday(keys_: set[tuple[dt.date, int]], weekday: int) -> set[tuple[dt.date, int]]:
    return {(d, n) for d, n in keys_ if d.isoweekday() == weekday}


def slot(assignment, weekday: int, number: int) -> TimetableSlot:
    return TimetableSlot.get(assignment=assignment, weekday=weekday, number=number)


def lesson_on(assignment, day: dt.date) -> Lesson:
    return Lesson.get(assignment=assignment, date=day)


# --- the week -------------------------------------------------------------------------------


def test_a_class_week_and_a_teacher_week(school, director):
    week = timetable_week.week(director, "class", school.class_7a.id, dt.date(2026, 11, 25))
    assert week.title == "7А" and week.numbers == [1, 2, 3, 4]
    [maths] = week.at(1, 2)
    assert (maths.load.subject, maths.load.teacher) == ("Математика", "Иванова М. А.")
    [english] = week.at(2, 3)
    assert english.load.subgroup == "1 группа"
    assert {line.subject for line in week.load} >= {"Математика", "Английский язык"}
    teacher_week = timetable_week.week(
        director, "teacher", school.other_teacher.id, dt.date(2026, 11, 25)
    )
    assert {(c.weekday, c.number, c.load.class_label) for c in teacher_week.cells} == {(2, 3, "7А")}
    assert {line.class_label for line in teacher_week.load} == {"7А", "8Б"}
    classes, teachers = timetable_week.classes_and_teachers(director, dt.date(2026, 11, 25))
    assert [c.name for c in classes] == ["7А", "8Б"]
    assert "Петров О. В." in [t.name for t in teachers]


def test_only_the_administration_edits_the_week(school):
    teacher = Actor.from_user(school.teacher)
    with nothing_written(), pytest.raises(Forbidden):
        timetable_week.week(teacher, "class", school.class_7a.id, TOMORROW)
    with nothing_written(), pytest.raises(Forbidden):
        timetable_week.place(teacher, school.maths.id, 5, 1)
    with nothing_written(), pytest.raises(Forbidden):
        timetable_week.clear(teacher, [slot(school.maths, 1, 2).id])
    with nothing_written(), pytest.raises(Forbidden):
        regeneration.regenerate_from(teacher, TOMORROW)


# --- cells and clashes ----------------------------------------------------------------------


def test_a_lesson_put_in_a_cell_takes_the_place_of_the_class_lesson_there(school, director):
    old = slot(school.maths, 1, 2)
    new = timetable_week.place(director, school.pe.id, 1, 2, " 12 ")
    assert (new.assignment_id, new.room) == (school.pe.id, "12")
    assert not TimetableSlot.select().where(TimetableSlot.id == old.id).exists()
    assert [r.action for r in History.of("timetable_slot", old.id)] == ["delete"]
    assert [r.action for r in History.of("timetable_slot", new.id)] == ["create"]


def test_a_teacher_busy_elsewhere_is_refused_with_the_lesson_named(school, director):
    # Петров has English (group 1) in 7А on Tue, lesson 3; 8Б's maths is his too
    with nothing_written(), pytest.raises(Conflict) as refused:
        timetable_week.place(director, school.maths_8b.id, 2, 3)
    assert "Петров О. В." in str(refused.value)
    assert "Английский язык, 7А (1 группа), Tue, lesson 3" in str(refused.value)
    # the time as the editor's grid names it, not «день недели 2, урок 3»
    with use_language("ru"), nothing_written(), pytest.raises(Conflict) as refused:
        timetable_week.place(director, school.maths_8b.id, 2, 3)
    assert "(Английский язык, 7А (1 группа), Вт, 3-й урок)" in str(refused.value)


def test_a_room_in_two_places_is_refused_with_the_lesson_named(school, director):
    timetable_week.place(director, school.maths.id, 1, 2, "21")
    with nothing_written(), pytest.raises(Conflict) as refused:
        timetable_week.place(director, school.maths_8b.id, 1, 2, "21")
    assert "21" in str(refused.value) and "Математика, 7А" in str(refused.value)
    assert "Иванова М. А., Mon, lesson 2" in str(refused.value)
    # another room is fine
    assert timetable_week.place(director, school.maths_8b.id, 1, 2, "22").room == "22"


def test_changing_only_the_room_checks_the_room_too(school, director):
    timetable_week.place(director, school.maths_8b.id, 1, 2, "21")
    with nothing_written(), pytest.raises(Conflict, match="Room 21 is taken"):
        timetable_week.place(director, school.maths.id, 1, 2, "21")


def test_a_subgroup_over_its_class_lesson_is_refused_in_the_teachers_week(school, director):
    # in Петров's week, putting his English group on Monday 2 would overlap 7А's maths
    with nothing_written(), pytest.raises(Conflict) as refused:
        timetable_week.place(director, school.english_g1.id, 1, 2, owner="teacher")
    assert "7А" in str(refused.value) and "Математика, 7А" in str(refused.value)


def test_a_refused_cell_changes_nothing_it_would_have_replaced(school, director):
    timetable_week.place(director, school.maths_8b.id, 4, 1, "5")
    # PE's Thursday lesson 1 would be replaced by maths in 7А, but room 5 is taken: all refused
    with nothing_written(), pytest.raises(Conflict):
        timetable_week.place(director, school.maths.id, 4, 1, "5")
    assert slot(school.pe, 4, 1)


def test_clearing_a_cell(school, director):
    old = slot(school.maths, 1, 2)
    assert timetable_week.clear(director, [old.id]) == 1
    assert not TimetableSlot.select().where(TimetableSlot.id == old.id).exists()


def test_bad_cells_are_refused(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="no lesson 9"):
        timetable_week.place(director, school.pe.id, 1, 9)
    with nothing_written(), pytest.raises(ValidationError, match="weekday"):
        timetable_week.place(director, school.pe.id, 0, 1)


# --- lessons made again from a date ---------------------------------------------------------


def test_the_new_week_replaces_future_lessons_from_the_date_only(generated, director):
    school = generated
    before_monday = on_weekday(keys(school.maths), 1)
    count = Lesson.select().count()
    timetable_week.place(director, school.maths.id, 5, 4)  # maths moves from Monday to Friday
    timetable_week.clear(director, [slot(school.maths, 1, 2).id])
    result = regeneration.regenerate_from(director, TOMORROW)
    mondays_after = {(d, n) for d, n in before_monday if d >= TOMORROW}
    assert result.removed == len(mondays_after) and result.kept == []
    assert on_weekday(keys(school.maths), 1) == before_monday - mondays_after  # the past stays
    fridays = sorted(d for d, n in keys(school.maths) if d.isoweekday() == 5 and n == 4)
    assert fridays[:5] == [dt.date(2026, 11, 27) + dt.timedelta(weeks=w) for w in range(5)]
    # the next terms follow the new week too; the break between terms has no lessons
    assert fridays[5] == dt.date(2027, 1, 15) and fridays[-1] == dt.date(2027, 5, 28)
    assert result.created == len(fridays) and result.removed > 20
    assert Lesson.select().count() == count - result.removed + result.created


def test_lessons_with_data_are_kept_and_reported(generated, director):
    school = generated
    marked = lesson_on(school.maths, dt.date(2026, 11, 30))
    Mark.create(
        lesson=marked, student=school.students[1], value="5", work_type=school.oral, updated_at=AT
    )
    attended = lesson_on(school.maths, dt.date(2026, 12, 7))
    Attendance.create(lesson=attended, student=school.students[2], code="sick", updated_at=AT)
    with_topic = lesson_on(school.maths, dt.date(2026, 12, 14))
    with_topic.topic = "Дроби"
    with_topic.save()
    covered = lesson_on(school.maths, dt.date(2026, 12, 21))
    Substitution.create(lesson=covered, teacher=school.deputy, reason="болезнь")
    timetable_week.clear(director, [slot(school.maths, 1, 2).id])
    result = regeneration.regenerate_from(director, TOMORROW)
    kept = {k.lesson_id: k for k in result.kept}
    assert set(kept) == {marked.id, attended.id, with_topic.id, covered.id}
    assert kept[marked.id].holds == ("marks",)
    assert kept[attended.id].holds == ("attendance",)
    assert kept[with_topic.id].holds == ("a topic",)
    assert kept[covered.id].holds == ("a substitute",)
    report = kept[marked.id]
    assert (report.date, report.number, report.class_label, report.subject) == (
        dt.date(2026, 11, 30),
        2,
        "7А",
        "Математика",
    )
    for lesson_id in kept:
        assert Lesson.get_by_id(lesson_id).status == "scheduled"
    mondays = on_weekday(keys(school.maths), 1)
    future = {d for d, _n in mondays if d >= TOMORROW}
    assert future == {k.date for k in result.kept}
    [run] = (
        History.select()
        .where(History.entity == "lesson", History.action == "import", History.entity_id.is_null())
        .order_by(History.at.desc(), History.id.desc())
        .limit(1)
    )
    assert sorted(run.change_map()["kept"][1]) == sorted(kept)


def test_kept_lessons_are_then_moved_or_cancelled_with_the_usual_services(generated, director):
    school = generated
    with_topic = lesson_on(school.maths, dt.date(2026, 11, 30))
    with_topic.homework = "№ 12"
    with_topic.save()
    timetable_week.clear(director, [slot(school.maths, 1, 2).id])
    [kept] = regeneration.regenerate_from(director, TOMORROW).kept
    timetable.cancel_lesson(director, kept.lesson_id, "расписание изменилось")
    assert Lesson.get_by_id(kept.lesson_id).status == "cancelled"
    again = regeneration.regenerate_from(director, TOMORROW)
    assert [k.lesson_id for k in again.kept] == [kept.lesson_id]  # still holds the homework


def test_a_lesson_moved_by_hand_is_kept(generated, director):
    school = generated
    lesson = lesson_on(school.maths, dt.date(2026, 12, 2))  # a Wednesday
    timetable.move_lesson(director, lesson.id, dt.date(2026, 12, 4), 3)
    result = regeneration.regenerate_from(director, TOMORROW)
    assert [(k.lesson_id, k.holds) for k in result.kept] == [(lesson.id, ("placed by hand",))]
    assert result.created == 0  # the place it left stays empty
    assert (dt.date(2026, 12, 2), 2) not in keys(school.maths)


def test_regenerating_again_changes_nothing_and_a_slot_put_back_comes_back(generated, director):
    school = generated
    monday = slot(school.maths, 1, 2)
    count = Lesson.select().count()
    assert regeneration.regenerate_from(director, TOMORROW).created == 0
    assert Lesson.select().count() == count
    timetable_week.clear(director, [monday.id])
    removed = regeneration.regenerate_from(director, TOMORROW).removed
    timetable_week.place(director, school.maths.id, 1, 2)
    back = regeneration.regenerate_from(director, TOMORROW)
    assert back.created == removed and Lesson.select().count() == count


def test_one_class_only_and_the_removed_lessons_are_in_history(generated, director):
    school = generated
    eight_b_slot = timetable_week.place(director, school.maths_8b.id, 5, 1)
    timetable.generate_lessons(director, school.halves[1].id, class_id=school.class_8b.id)
    timetable_week.clear(director, [eight_b_slot.id])  # 8Б's lessons now stray, yet untouched
    lesson = lesson_on(school.maths, dt.date(2026, 11, 30))
    timetable_week.clear(director, [slot(school.maths, 1, 2).id])
    mondays = {d for d, _n in on_weekday(keys(school.maths), 1) if d >= TOMORROW}
    eight_b = keys(school.maths_8b)
    result = regeneration.regenerate_from(director, TOMORROW, class_id=school.class_7a.id)
    assert result.removed == len(mondays) and len(keys(school.maths_8b)) == len(eight_b) > 10
    [row] = History.of("lesson", lesson.id)
    assert row.action == "delete" and row.change_map()["date"] == ["2026-11-30", None]


def test_regeneration_refuses_a_day_outside_any_year(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="no academic year"):
        regeneration.regenerate_from(director, dt.date(2030, 1, 1))
