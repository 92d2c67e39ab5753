"""Substitutions (замены): who sets them, what the substitute may keep, and what others see.

In the small school Иванова teaches 7А's maths (Mondays and Wednesdays, lesson 2); Петров
(English in 7А, maths in 8Б) takes one of her lessons while she is ill.
"""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, ValidationError
from node.models import History, Lesson, Subgroup, Substitution, TeachingAssignment
from node.services.base.permissions import may_write_row
from node.services.gradebook import diary, journal, journal_entry
from node.services.gradebook.grid import load_grid
from node.services.gradebook.teacher_home import journal_periods
from node.services.reports.activity_report import activity_report
from node.services.reports.control import by_class, by_teacher, control_report
from node.services.school import substitutions, timetable
from node.services.school.school_day import school_day, teachers
from tests.factories import SmallSchool
from tests.helpers import nothing_written


@pytest.fixture
def lesson(school: SmallSchool) -> Lesson:
    """Wednesday 18.11, lesson 2: 7А maths, Иванова's."""
    return school.maths_lessons[3]


@pytest.fixture
def covered(school: SmallSchool, lesson: Lesson) -> Substitution:
    deputy = school.actor(school.deputy)
    return substitutions.set_substitute(deputy, lesson.id, school.other_teacher.id, "болезнь")


def test_the_deputy_sets_a_substitute_and_history_says_who(school, lesson, covered):
    assert (covered.lesson_id, covered.teacher_id, covered.reason) == (
        lesson.id,
        school.other_teacher.id,
        "болезнь",
    )
    [row] = History.of("substitution", covered.id)
    assert (row.action, row.actor_login) == ("create", "deputy")
    director = school.actor(school.director)
    same = substitutions.set_substitute(director, lesson.id, school.other_teacher.id, "курсы")
    assert same.id == covered.id and same.reason == "курсы"
    assert [h.action for h in History.of("substitution", covered.id)] == ["create", "update"]
    # another substitute: a new row, so the first one's laptop is told theirs is gone
    other = substitutions.set_substitute(director, lesson.id, school.pe_teacher.id)
    assert other.id != covered.id and other.teacher_id == school.pe_teacher.id
    assert History.of("substitution", covered.id)[-1].action == "delete"
    assert Substitution.select().count() == 1


def test_only_the_administration_sets_or_removes_substitutes(school, lesson, covered):
    for user in (school.teacher, school.other_teacher, school.sysadmin, school.parent):
        with nothing_written(), pytest.raises(Forbidden):
            substitutions.set_substitute(school.actor(user), lesson.id, school.pe_teacher.id)
        with nothing_written(), pytest.raises(Forbidden):
            substitutions.remove_substitute(school.actor(user), lesson.id)


def test_the_substitute_keeps_exactly_that_lessons_page(school, lesson, covered):
    petrov = school.actor(school.other_teacher)
    student = school.students[1]
    journal.set_topic(petrov, lesson.id, "Дроби")
    journal.set_homework(petrov, lesson.id, "№ 12")
    journal_entry.enter_cell(petrov, lesson.id, student.id, "5")
    journal_entry.enter_cell(petrov, lesson.id, school.students[2].id, "н")
    journal.set_lesson_work_type(petrov, lesson.id, school.test_work.id)
    form = journal_entry.lesson_form(petrov, lesson.id)
    assert (form.topic, form.homework) == ("Дроби", "№ 12")
    assert journal.cell_history(petrov, lesson.id, student.id)
    # nothing else of the journal: another lesson, the whole grid, final marks, the plan
    other = school.maths_lessons[4]
    with nothing_written():
        for write in (
            lambda: journal.set_topic(petrov, other.id, "Дроби"),
            lambda: journal.set_homework(petrov, other.id, "№ 13"),
            lambda: journal_entry.enter_cell(petrov, other.id, student.id, "4"),
            lambda: journal.set_attendance(petrov, other.id, student.id, "absent"),
            lambda: journal_entry.lesson_form(petrov, other.id),
            lambda: load_grid(petrov, school.maths.id, school.quarters[1].id),
            lambda: timetable.move_lesson(petrov, lesson.id, dt.date(2026, 11, 19), 2),
            lambda: timetable.cancel_lesson(petrov, lesson.id, "ушёл"),
        ):
            with pytest.raises(Forbidden):
                write()


def test_the_right_ends_when_the_substitution_is_removed(school, lesson, covered):
    petrov = school.actor(school.other_teacher)
    journal_entry.enter_cell(petrov, lesson.id, school.students[1].id, "4")
    substitutions.remove_substitute(school.actor(school.deputy), lesson.id)
    assert not Substitution.select().exists()
    assert History.of("substitution", covered.id)[-1].action == "delete"
    with nothing_written(), pytest.raises(Forbidden):
        journal_entry.enter_cell(petrov, lesson.id, school.students[1].id, "5")
    with pytest.raises(ValidationError, match="has no substitute"):
        substitutions.remove_substitute(school.actor(school.deputy), lesson.id)


def test_the_usual_teacher_still_sees_and_keeps_the_lesson(school, lesson, covered):
    petrov = school.actor(school.other_teacher)
    journal_entry.enter_cell(petrov, lesson.id, school.students[1].id, "5")
    ivanova = school.actor(school.teacher)
    grid = load_grid(ivanova, school.maths.id, school.quarters[1].id)
    assert grid.cell_text(school.students[1].id, lesson.id) == "5"
    journal_entry.enter_cell(ivanova, lesson.id, school.students[1].id, "4")


def test_a_parent_sees_who_substitutes_and_why_a_lesson_is_cancelled(school, lesson, covered):
    cancelled = school.maths_lessons[2]  # Monday 16.11
    timetable.cancel_lesson(school.actor(school.deputy), cancelled.id, "Учитель на курсах")
    week = diary.week_diary(school.actor(school.parent), school.students[0].id, lesson.date)
    lessons = {(d.date, x.number): x for d in week.days for x in d.lessons}
    shown = lessons[(lesson.date, 2)]
    assert shown.substitute == "Петров О. В." and not shown.cancelled
    gone = lessons[(cancelled.date, 2)]
    assert gone.cancelled and gone.cancel_reason == "Учитель на курсах"
    assert gone.substitute == ""


def test_a_substitute_is_refused_where_they_teach_then_or_cannot_teach(school, lesson):
    deputy = school.actor(school.deputy)
    # Петров has 8Б maths at that very time
    Lesson.create(assignment=school.maths_8b, date=lesson.date, number=lesson.number)
    with nothing_written(), pytest.raises(Conflict, match="8Б"):
        substitutions.set_substitute(deputy, lesson.id, school.other_teacher.id)
    for user in (school.teacher, school.sysadmin, school.parent):  # her own, no teachers
        with nothing_written(), pytest.raises(ValidationError):
            substitutions.set_substitute(deputy, lesson.id, user.id)
    timetable.cancel_lesson(deputy, school.maths_lessons[0].id, "Карантин")
    with nothing_written(), pytest.raises(ValidationError, match="cancelled"):
        substitutions.set_substitute(deputy, school.maths_lessons[0].id, school.pe_teacher.id)


def test_a_substitute_is_busy_with_a_lesson_they_already_substitute(school, lesson):
    deputy = school.actor(school.deputy)
    substitutions.set_substitute(deputy, lesson.id, school.pe_teacher.id)
    english = Lesson.create(assignment=school.english_g1, date=lesson.date, number=lesson.number)
    with nothing_written(), pytest.raises(Conflict, match="Математика"):
        substitutions.set_substitute(deputy, english.id, school.pe_teacher.id)


def test_a_whole_absence_is_covered_at_once_or_not_at_all(school):
    deputy = school.actor(school.deputy)
    start, end = dt.date(2026, 11, 16), dt.date(2026, 11, 20)
    busy = Lesson.create(assignment=school.maths_8b, date=dt.date(2026, 11, 18), number=2)
    with nothing_written(), pytest.raises(Conflict, match="18.11"):
        substitutions.substitute_absence(
            deputy, school.teacher.id, start, end, school.other_teacher.id
        )
    busy.delete_instance()
    covered = substitutions.substitute_absence(
        deputy, school.teacher.id, start, end, school.other_teacher.id, "болезнь"
    )
    assert covered.lessons == 2
    taken = {row.lesson_id for row in Substitution.select()}
    assert taken == {school.maths_lessons[2].id, school.maths_lessons[3].id}
    assert substitutions.end_absence(deputy, school.teacher.id, start, end).lessons == 2
    assert not Substitution.select().exists()
    with pytest.raises(ValidationError, match="swap"):
        substitutions.substitute_absence(
            deputy, school.teacher.id, end, start, school.other_teacher.id
        )
    with pytest.raises(ValidationError, match="no lessons"):
        substitutions.substitute_absence(
            deputy,
            school.teacher.id,
            dt.date(2026, 11, 21),
            dt.date(2026, 11, 22),
            school.pe_teacher.id,
        )


def test_cancelling_a_lesson_ends_its_substitution(school, lesson, covered):
    timetable.cancel_lesson(school.actor(school.deputy), lesson.id, "Экскурсия")
    assert not Substitution.select().exists()
    assert History.of("substitution", covered.id)[-1].action == "delete"


def test_the_day_lists_every_lesson_with_teacher_substitute_and_status(school, lesson, covered):
    deputy = school.actor(school.deputy)
    Lesson.create(assignment=school.english_g1, date=lesson.date, number=3)
    day = school_day(deputy, lesson.date)
    assert [(x.class_label, x.number, x.subject) for x in day] == [
        ("7А", 2, "Математика"),
        ("7А", 3, "Английский язык"),
    ]
    maths = day[0]
    assert (maths.teacher, maths.substitute, maths.cancelled) == (
        "Иванова М. А.",
        "Петров О. В.",
        False,
    )
    assert day[1].subgroup == "1 группа" and day[1].substitute == ""
    names = [t.name for t in teachers(deputy)]
    assert "Петров О. В." in names and "Сидоров П. И." not in names  # not the sysadmin
    with pytest.raises(Forbidden):
        school_day(school.actor(school.teacher), lesson.date)


def test_a_substitutes_laptop_may_push_that_lessons_page_only(school, lesson, covered):
    petrov = school.actor(school.other_teacher)
    mark = {"id": "m1", "lesson_id": lesson.id, "student_id": school.students[1].id}
    assert may_write_row(petrov, "mark", mark)
    assert may_write_row(petrov, "attendance", mark)
    assert not may_write_row(petrov, "mark", {**mark, "lesson_id": school.maths_lessons[4].id})
    row = {"id": lesson.id, "assignment_id": school.maths.id}
    assert may_write_row(petrov, "lesson", row, changed=("topic", "homework"))
    assert not may_write_row(petrov, "lesson", row, changed=("date", "number"))
    assert not may_write_row(petrov, "lesson", row)  # no insert or delete
    assert not may_write_row(petrov, "substitution", {"id": covered.id})
    assert may_write_row(school.actor(school.deputy), "substitution", {"id": covered.id})


def test_the_substitutes_journal_page_is_that_one_lesson(school, lesson, covered):
    petrov = school.actor(school.other_teacher)
    ivanova = school.actor(school.teacher)
    journal_entry.enter_cell(ivanova, school.maths_lessons[4].id, school.students[0].id, "2")
    journal_entry.enter_cell(petrov, lesson.id, school.students[0].id, "5")
    [period] = journal_periods(petrov, school.maths.id, lesson_id=lesson.id)
    assert period.start <= lesson.date <= period.end
    page = load_grid(petrov, school.maths.id, period.id, lesson_id=lesson.id)
    assert page.one_lesson and [x.id for x in page.lessons] == [lesson.id]
    assert page.cell_text(school.students[0].id, lesson.id) == "5"
    assert set(page.averages.values()) == {None} and not page.finals
    whole = load_grid(ivanova, school.maths.id, period.id, lesson_id=lesson.id)
    assert not whole.one_lesson and len(whole.lessons) == len(school.maths_lessons)
    with pytest.raises(Forbidden):  # another lesson of the journal is not their page
        load_grid(petrov, school.maths.id, period.id, lesson_id=school.maths_lessons[4].id)


def test_the_day_of_both_teachers_names_the_substitution(school, lesson, covered):
    [taken] = timetable.lessons_on(school.actor(school.other_teacher), lesson.date)
    assert (taken.lesson.id, taken.covering_for, taken.substitute) == (
        lesson.id,
        "Иванова М. А.",
        "",
    )
    [own] = timetable.lessons_on(school.actor(school.teacher), lesson.date)
    assert (own.substitute, own.covering_for) == ("Петров О. В.", "")


def test_the_reports_count_a_substituted_lesson_for_the_teacher_who_taught_it(
    school, lesson, covered
):
    petrov = school.actor(school.other_teacher)
    journal.set_topic(petrov, lesson.id, "Дроби")
    journal_entry.enter_cell(petrov, lesson.id, school.students[0].id, "5")
    deputy = school.actor(school.deputy)
    report = control_report(deputy, dt.date(2026, 11, 9), dt.date(2026, 11, 25))
    teachers = {row.teacher: row for row in by_teacher(report)}
    held = len(school.maths_lessons)
    assert (teachers["Петров О. В."].lessons, teachers["Петров О. В."].with_topic) == (1, 1)
    assert teachers["Петров О. В."].teacher_active
    assert teachers["Иванова М. А."].lessons == held - 1
    [whole] = [row for row in by_class(report) if row.class_label == "7А"]
    assert whole.lessons == held  # the class's lessons, counted once
    [extra] = [r for r in report.rows if r.assignment_id == school.maths.id and r.lessons == 1]
    assert extra.teacher == "Петров О. В." and extra.subject == "Математика (substitute)"
    assert extra.students == 0 and extra.planned_hours == 0  # the class stays Иванова's
    # the activity report: the entries are the substitute's own
    activity = activity_report(deputy, 2026, 11)
    [line] = [row for row in activity.users if row.login == "petrov"]
    assert line.entries == 2
    # and its «substitutions» are the lessons control counts for him
    assert line.substituted == teachers["Петров О. В."].lessons == 1


def test_a_substituted_lesson_moves_only_where_its_substitute_is_free(school, lesson, covered):
    deputy = school.actor(school.deputy)
    Lesson.create(assignment=school.maths_8b, date=dt.date(2026, 11, 19), number=2)
    with nothing_written(), pytest.raises(Conflict, match="Петров О. В."):
        timetable.move_lesson(deputy, lesson.id, dt.date(2026, 11, 19), 2)
    moved = timetable.move_lesson(deputy, lesson.id, dt.date(2026, 11, 19), 3)
    assert Substitution.get(Substitution.lesson == moved.id).teacher_id == school.other_teacher.id


def test_a_group_teacher_busy_with_the_other_group_is_told_which_group(school, lesson):
    """English in two groups at one time: the group-2 teacher cannot take group 1, and the
    refusal names group 2, so it does not read as the very lesson being covered."""
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
    day, number = lesson.date, 5
    group1_lesson = Lesson.create(assignment=school.english_g1, date=day, number=number)
    Lesson.create(assignment=english_g2, date=day, number=number)
    deputy = school.actor(school.deputy)
    with nothing_written(), pytest.raises(Conflict) as refused:
        substitutions.set_substitute(deputy, group1_lesson.id, school.pe_teacher.id)
    assert f"7А (2 группа), Английский язык, {day:%d.%m}, lesson 5" in str(refused.value)
