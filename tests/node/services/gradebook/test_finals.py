"""Final marks [R 5.1–5.4]: the window, the justification rules, writing and unlocking."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from node.errors import Forbidden, Locked, NotFound, ValidationError
from node.models import (
    FinalMark,
    FinalMarkUnlock,
    History,
    Lesson,
    Period,
    Student,
    WorkType,
)
from node.services.base import clock
from node.services.gradebook.finals import (
    clear_final_mark,
    final_cell,
    final_window,
    justification_reasons,
    set_final_mark,
    suggested_final,
    unlock_finals,
)
from tests.factories import make_mark as add_mark

NOON = dt.datetime(2026, 11, 25, 12, 0)
REASON = "Болел две недели, контрольную написал на отлично."


def give_good_marks(school, student=None):
    """Five marks (the minimum at 2 hours a week) including a test: average 25/6 → 4."""
    student = student or school.students[0]
    lessons = school.maths_lessons
    for lesson, value in zip(lessons[:4], ["4", "4", "5", "4"], strict=True):
        add_mark(lesson, student, value, school.oral)
    add_mark(lessons[4], student, "4", school.test_work)
    return student


def counts() -> tuple[int, int, int]:
    return (FinalMark.select().count(), FinalMarkUnlock.select().count(), History.select().count())


@pytest.fixture
def unchanged():
    """Assert that the block wrote nothing: no final mark, unlock or history row."""

    class Check:
        def __enter__(self):
            self.before = counts()

        def __exit__(self, *exc):
            assert counts() == self.before
            return False

    return Check()


# --- the window ----------------------------------------------------------------------------


def test_window_opens_on_the_last_lesson_and_closes_four_days_after_the_end(school):
    window = final_window(school.maths, school.quarters[1])
    assert window.opens == dt.date(2026, 11, 25)
    assert window.closes == dt.date(2026, 12, 31)
    assert window.unlocked_until is None
    assert window.is_open and not window.is_locked


def test_window_ignores_cancelled_lessons_and_lessons_of_other_periods(school):
    school.maths_lessons[-1].status = "cancelled"
    school.maths_lessons[-1].save()
    Lesson.create(assignment=school.maths, date=dt.date(2027, 1, 13), number=2)
    assert final_window(school.maths, school.quarters[1]).opens == dt.date(2026, 11, 23)


def test_window_without_lessons_opens_at_the_period_end(school):
    window = final_window(school.pe, school.quarters[1])
    assert window.opens == dt.date(2026, 12, 27)
    assert not window.is_open and not window.is_locked


def test_window_boundaries_are_inclusive(school):
    quarter = school.quarters[1]
    assert final_window(school.maths, quarter, today=dt.date(2026, 11, 24)).is_open is False
    assert final_window(school.maths, quarter, today=dt.date(2026, 12, 31)).is_open is True
    after = final_window(school.maths, quarter, today=dt.date(2027, 1, 1))
    assert not after.is_open and after.is_locked
    with clock.frozen_time(dt.date(2027, 1, 1)):
        assert final_window(school.maths, quarter).is_locked


def test_window_of_an_ended_period_is_locked(school):
    window = final_window(school.maths, school.quarters[0])
    assert window.closes == dt.date(2026, 10, 28)
    assert window.is_locked and not window.is_open


def test_window_grace_days_follow_the_policy(school):
    school.school.policy = json.dumps({"final_mark_grace_days": 2})
    school.school.save()
    assert final_window(school.maths, school.quarters[1]).closes == dt.date(2026, 12, 29)


def test_window_reopened_by_an_unlock_until_its_date(school):
    quarter = school.quarters[0]
    FinalMarkUnlock.create(
        assignment=school.maths,
        period=quarter,
        unlocked_at=NOON,
        until=dt.date(2026, 11, 27),
        reason="x",
    )
    window = final_window(school.maths, quarter)
    assert window.unlocked_until == dt.date(2026, 11, 27)
    assert window.is_open and not window.is_locked
    assert final_window(school.maths, quarter, today=dt.date(2026, 11, 27)).is_open
    expired = final_window(school.maths, quarter, today=dt.date(2026, 11, 28))
    assert expired.unlocked_until is None and expired.is_locked
    # an unlock of another journal changes nothing
    assert final_window(school.maths_8b, school.halves[0]).unlocked_until is None


# --- suggestion ----------------------------------------------------------------------------


def test_suggestion_is_the_weighted_average_rounded(school):
    student = school.students[0]
    add_mark(school.maths_lessons[0], student, "5", school.oral)
    add_mark(school.maths_lessons[1], student, "4", school.test_work)
    # (5 + 2·4) / 3 = 4.33 → 4
    assert suggested_final(school.maths, school.quarters[1], student.id) == "4"
    add_mark(school.maths_lessons[2], student, "5", school.test_work)
    # (5 + 8 + 10) / 5 = 4.6 → 5 at the .6 threshold
    assert suggested_final(school.maths, school.quarters[1], student.id) == "5"


def test_suggestion_skips_cancelled_lessons_and_other_periods(school):
    student = school.students[0]
    add_mark(school.maths_lessons[0], student, "3", school.oral)
    cancelled = school.maths_lessons[1]
    cancelled.status = "cancelled"
    cancelled.save()
    add_mark(cancelled, student, "5", school.test_work)
    q1_lesson = Lesson.create(assignment=school.maths, date=dt.date(2026, 10, 12), number=2)
    add_mark(q1_lesson, student, "5", school.test_work)
    assert suggested_final(school.maths, school.quarters[1], student.id) == "3"
    assert suggested_final(school.maths, school.quarters[0], student.id) == "5"


def test_no_suggestion_without_numeric_marks(school):
    student = school.students[0]
    assert suggested_final(school.maths, school.quarters[1], student.id) is None
    lesson = Lesson.create(assignment=school.pe, date=dt.date(2026, 11, 26), number=1)
    add_mark(lesson, student, "зач", school.oral)
    assert suggested_final(school.pe, school.quarters[1], student.id) is None


def set_quarter_finals(school, values, student=None, assignment=None):
    student = student or school.students[0]
    assignment = assignment or school.maths
    for quarter, value in zip(school.quarters, values, strict=False):
        FinalMark.create(
            student=student,
            assignment=assignment,
            period=quarter,
            value=value,
            points=int(value) if value.isdigit() else None,
            set_at=NOON,
        )


def test_year_suggestion_comes_from_the_quarter_finals(school):
    student = school.students[0]
    set_quarter_finals(school, ["4", "5"])
    # lesson marks do not count for the year: only the quarter finals (4.5 → 4)
    add_mark(school.maths_lessons[0], student, "2", school.test_work)
    assert suggested_final(school.maths, school.year_period, student.id) == "4"
    FinalMark.create(
        student=student,
        assignment=school.maths,
        period=school.quarters[2],
        value="5",
        points=5,
        set_at=NOON,
    )
    assert suggested_final(school.maths, school.year_period, student.id) == "5"  # 4.67


def test_year_suggestion_of_a_halves_class_uses_the_halves(school):
    student = school.other_students[0]
    for half, value in zip(school.halves, ["3", "4"], strict=True):
        FinalMark.create(
            student=student,
            assignment=school.maths_8b,
            period=half,
            value=value,
            points=int(value),
            set_at=NOON,
        )
    assert suggested_final(school.maths_8b, school.year_period, student.id) == "3"  # 3.5


def test_year_suggestion_skips_not_certified(school):
    set_quarter_finals(school, ["н/а", "5"])
    assert suggested_final(school.maths, school.year_period, school.students[0].id) == "5"


# --- justification rules -------------------------------------------------------------------


def test_no_reasons_when_the_journal_supports_the_mark(school):
    student = give_good_marks(school)
    assert justification_reasons(school.maths, school.quarters[1], student.id, "4", 4, "4") == []


def test_too_few_marks_need_a_reason(school):
    student = school.students[0]
    for lesson in school.maths_lessons[:3]:
        add_mark(lesson, student, "4", school.oral)
    add_mark(school.maths_lessons[3], student, "4", school.test_work)
    reasons = justification_reasons(school.maths, school.quarters[1], student.id, "4", 4, "4")
    assert len(reasons) == 1
    assert "4 mark(s)" in reasons[0] and "at least 5" in reasons[0]


def test_marks_of_cancelled_lessons_do_not_count(school):
    student = give_good_marks(school)
    school.maths_lessons[0].status = "cancelled"
    school.maths_lessons[0].save()
    reasons = justification_reasons(school.maths, school.quarters[1], student.id, "4", 4, "4")
    assert len(reasons) == 1 and "4 mark(s)" in reasons[0]


def test_the_minimum_count_follows_hours_per_week(school):
    student = school.students[0]
    lessons = [
        Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, d), number=3)
        for d in (10, 17, 24)
    ]
    for lesson in lessons:
        for position in range(2):
            add_mark(lesson, student, "5", school.oral, position=position)
    # 6 marks at 3 hours a week: 7 are needed; English needs no written work
    reasons = justification_reasons(school.english_g1, school.quarters[1], student.id, "5", 5, "5")
    assert len(reasons) == 1 and "at least 7" in reasons[0]
    add_mark(lessons[0], student, "5", school.oral, position=2)
    assert (
        justification_reasons(school.english_g1, school.quarters[1], student.id, "5", 5, "5") == []
    )


def test_a_written_work_subject_needs_a_written_mark(school):
    student = school.students[0]
    for lesson in school.maths_lessons[:5]:
        add_mark(lesson, student, "4", school.oral)
    reasons = justification_reasons(school.maths, school.quarters[1], student.id, "4", 4, "4")
    assert len(reasons) == 1 and "Математика" in reasons[0] and "written" in reasons[0]
    # any kind that counts as written will do (here a "written" self-study work)
    written = WorkType.get(WorkType.kind == "written")
    add_mark(school.maths_lessons[5], student, "4", written)
    assert justification_reasons(school.maths, school.quarters[1], student.id, "4", 4, "4") == []


def test_a_mark_away_from_the_suggestion_needs_a_reason(school):
    student = give_good_marks(school)
    for value in ("5", "3", "2"):
        reasons = justification_reasons(
            school.maths, school.quarters[1], student.id, value, int(value), "4"
        )
        assert len(reasons) == 1 and "suggested 4" in reasons[0]


def test_not_certified_always_needs_a_reason(school):
    student = give_good_marks(school)
    reasons = justification_reasons(school.maths, school.quarters[1], student.id, "н/а", None, "4")
    assert len(reasons) == 1 and "н/а" in reasons[0]


def test_pass_fail_subjects_check_only_the_count(school):
    school.pe_subject.needs_written_work = True  # even so, no written rule for pass/fail
    school.pe_subject.save()
    student = school.students[0]
    lessons = [
        Lesson.create(assignment=school.pe, date=dt.date(2026, 11, d), number=1)
        for d in (5, 12, 19, 26)
    ]
    for lesson in lessons:
        add_mark(lesson, student, "зач", school.oral)
    reasons = justification_reasons(school.pe, school.quarters[1], student.id, "зач", None, None)
    assert len(reasons) == 1 and "4 mark(s)" in reasons[0]
    add_mark(lessons[0], student, "незач", school.oral, position=1)
    assert justification_reasons(school.pe, school.quarters[1], student.id, "зач", None, None) == []


def test_year_mark_ignores_count_and_written_rules(school):
    student = school.students[0]
    set_quarter_finals(school, ["4", "4"])
    year = school.year_period
    assert justification_reasons(school.maths, year, student.id, "4", 4, "4") == []
    reasons = justification_reasons(school.maths, year, student.id, "5", 5, "4")
    assert len(reasons) == 1 and "suggested 4" in reasons[0]
    assert len(justification_reasons(school.maths, year, student.id, "н/а", None, "4")) == 1


# --- setting final marks -------------------------------------------------------------------


def test_teacher_sets_a_final_mark(school):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    row = set_final_mark(teacher, school.maths.id, school.quarters[1].id, student.id, " 4 ")
    stored = FinalMark.get_by_id(row.id)
    assert (stored.value, stored.points, stored.suggested, stored.justification) == (
        "4",
        4,
        "4",
        "",
    )
    assert stored.set_by_id == school.teacher.id
    assert stored.set_at == NOON
    [entry] = History.of("final_mark", row.id)
    assert entry.action == "create"
    assert entry.actor_id == school.teacher.id
    assert entry.cell == final_cell(school.maths.id, school.quarters[1].id, student.id)
    assert entry.change_map()["value"] == [None, "4"]


def test_changing_a_final_mark_records_old_and_new(school):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    first = set_final_mark(teacher, *args, "4")
    with clock.frozen_time(dt.datetime(2026, 11, 26, 9, 30)):
        second = set_final_mark(teacher, *args, "5", justification=REASON)
    assert second.id == first.id
    assert FinalMark.select().count() == 1
    stored = FinalMark.get_by_id(first.id)
    assert (stored.value, stored.points, stored.justification) == ("5", 5, REASON)
    assert stored.set_at == dt.datetime(2026, 11, 26, 9, 30)
    create, update = History.of("final_mark", first.id)
    assert (create.action, update.action) == ("create", "update")
    changes = update.change_map()
    assert changes["value"] == ["4", "5"]
    assert changes["points"] == [4, 5]
    assert changes["justification"] == ["", REASON]


def test_setting_the_same_mark_again_writes_nothing(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    set_final_mark(teacher, *args, "4")
    with unchanged:
        set_final_mark(teacher, *args, "4")


def test_a_final_after_the_deadline_is_locked(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    with unchanged, pytest.raises(Locked) as caught:
        set_final_mark(teacher, school.maths.id, school.quarters[0].id, student.id, "4")
    message = str(caught.value)
    assert "28.10.2026" in message and "deputy" in message and "director" in message


def test_a_final_on_the_last_grace_day_is_accepted_and_the_next_day_locked(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    with clock.frozen_time(dt.date(2026, 12, 31)):
        set_final_mark(teacher, *args, "4")
    with clock.frozen_time(dt.date(2027, 1, 1)), unchanged, pytest.raises(Locked):
        set_final_mark(teacher, *args, "5", justification=REASON)


def test_too_early_says_from_which_date(school, unchanged):
    Lesson.create(assignment=school.maths, date=dt.date(2026, 12, 21), number=2)
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, school.maths.id, school.quarters[1].id, student.id, "4")
    assert "21.12.2026" in str(caught.value)
    with clock.frozen_time(dt.date(2026, 12, 21)):
        set_final_mark(teacher, school.maths.id, school.quarters[1].id, student.id, "4")


def test_deputy_unlocks_then_the_teacher_can_set(school):
    student = give_good_marks(school)
    q1_lessons = [
        Lesson.create(assignment=school.maths, date=dt.date(2026, 10, d), number=2)
        for d in (5, 7, 12, 14, 19)
    ]
    for lesson in q1_lessons[:4]:
        add_mark(lesson, student, "5", school.oral)
    add_mark(q1_lessons[4], student, "5", school.test_work)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[0].id, student.id)
    with pytest.raises(Locked):
        set_final_mark(teacher, *args, "5")
    unlock_finals(
        school.actor(school.deputy), school.maths.id, school.quarters[0].id, reason=REASON
    )
    row = set_final_mark(teacher, *args, "5")
    assert (row.value, row.suggested) == ("5", "5")
    # the unlock lasts three days (policy), then the marks lock again
    with clock.frozen_time(dt.date(2026, 11, 28)):
        set_final_mark(teacher, *args, "4", justification=REASON)
    with clock.frozen_time(dt.date(2026, 11, 29)), pytest.raises(Locked):
        set_final_mark(teacher, *args, "5")


def test_missing_justification_lists_the_reasons(school, unchanged):
    student = school.students[0]
    for lesson in school.maths_lessons[:2]:
        add_mark(lesson, student, "3", school.oral)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, *args, "5")
    message = str(caught.value)
    assert "at least 10 characters" in message
    assert "2 mark(s)" in message and "written" in message and "suggested 3" in message
    with unchanged, pytest.raises(ValidationError):
        set_final_mark(teacher, *args, "5", justification="   коротко ")
    row = set_final_mark(teacher, *args, "5", justification=f"  {REASON}  ")
    assert row.justification == REASON


def test_justification_is_kept_even_when_not_needed(school):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    row = set_final_mark(
        teacher, school.maths.id, school.quarters[1].id, student.id, "4", justification="ок"
    )
    assert row.justification == "ок"


def test_not_certified_needs_a_reason(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, *args, "н/а")
    assert "н/а" in str(caught.value)
    row = set_final_mark(teacher, *args, "Н/А", justification=REASON)
    assert (row.value, row.points) == ("н/а", None)


def test_a_value_that_is_not_a_mark_is_refused(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    for bad in ("6", "", "зач", "4+"):
        with unchanged, pytest.raises(ValidationError):
            set_final_mark(
                teacher,
                school.maths.id,
                school.quarters[1].id,
                student.id,
                bad,
                justification=REASON,
            )


def test_pass_fail_subject_takes_pass_or_fail(school, unchanged):
    student = school.students[0]
    lessons = [
        Lesson.create(
            assignment=school.pe, date=dt.date(2026, 11, 5) + dt.timedelta(weeks=i), number=1
        )
        for i in range(5)
    ]
    for lesson in lessons:
        add_mark(lesson, student, "зач", school.oral)
    actor = school.actor(school.pe_teacher)
    args = (school.pe.id, school.quarters[1].id, student.id)
    with clock.frozen_time(dt.date(2026, 12, 3)):
        with unchanged, pytest.raises(ValidationError):
            set_final_mark(actor, *args, "5")
        row = set_final_mark(actor, *args, "зач")
    assert (row.value, row.points, row.suggested) == ("зач", None, None)


def test_wrong_period_scheme_is_refused(school, unchanged):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, school.maths.id, school.halves[0].id, student.id, "4")
    assert "7А" in str(caught.value) and "quarters" in str(caught.value)
    other = school.actor(school.other_teacher)
    with unchanged, pytest.raises(ValidationError):
        set_final_mark(
            other, school.maths_8b.id, school.quarters[1].id, school.other_students[0].id, "4"
        )


def test_period_of_another_year_is_refused(school, unchanged):
    from node.models import AcademicYear

    next_year = AcademicYear.create(
        name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31), status="active"
    )
    quarter = Period.create(
        year=next_year,
        scheme="quarters",
        number=2,
        name="2 четверть",
        start=dt.date(2027, 11, 5),
        end=dt.date(2027, 12, 27),
    )
    student = give_good_marks(school)
    with unchanged, pytest.raises(ValidationError):
        set_final_mark(school.actor(school.teacher), school.maths.id, quarter.id, student.id, "4")


def test_student_of_another_class_or_group_is_refused(school, unchanged):
    teacher = school.actor(school.teacher)
    stranger = school.other_students[0]
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, school.maths.id, school.quarters[1].id, stranger.id, "4")
    assert stranger.display_name in str(caught.value)
    Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, 24), number=3)
    not_in_group = school.students[3]
    with unchanged, pytest.raises(ValidationError):
        set_final_mark(
            school.actor(school.other_teacher),
            school.english_g1.id,
            school.quarters[1].id,
            not_in_group.id,
            "5",
            justification=REASON,
        )


def test_student_not_enrolled_during_the_period_is_refused(school, unchanged):
    teacher = school.actor(school.teacher)
    late = Student.create(
        school_class=school.class_7a,
        last_name="Новиков",
        first_name="Лев",
        enrolled_on=dt.date(2027, 1, 12),
    )
    gone = school.students[4]
    gone.left_on = dt.date(2026, 11, 1)
    gone.save()
    for student in (late, gone):
        with unchanged, pytest.raises(ValidationError) as caught:
            set_final_mark(
                teacher,
                school.maths.id,
                school.quarters[1].id,
                student.id,
                "4",
                justification=REASON,
            )
        assert "not enrolled" in str(caught.value)


def test_only_the_journal_teacher_sets_final_marks(school, unchanged):
    student = give_good_marks(school)
    for user in (school.other_teacher, school.deputy, school.director, school.parent):
        with unchanged, pytest.raises(Forbidden):
            set_final_mark(
                school.actor(user), school.maths.id, school.quarters[1].id, student.id, "4"
            )


def test_missing_rows_are_not_found(school, unchanged):
    teacher = school.actor(school.teacher)
    good = (school.maths.id, school.quarters[1].id, school.students[0].id)
    for index in range(3):
        args = list(good)
        args[index] = "0" * 32
        with unchanged, pytest.raises(NotFound):
            set_final_mark(teacher, *args, "4")
        with unchanged, pytest.raises(NotFound):
            clear_final_mark(teacher, *args)


def test_year_mark_from_quarter_finals(school, unchanged):
    student = school.students[0]
    set_quarter_finals(school, ["4", "5"])
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.year_period.id, student.id)
    # no lesson marks at all, yet the year mark needs no reason when it follows the quarters
    row = set_final_mark(teacher, *args, "4")
    assert row.suggested == "4"
    with unchanged, pytest.raises(ValidationError) as caught:
        set_final_mark(teacher, *args, "5")
    assert "suggested 4" in str(caught.value)


# --- clearing ------------------------------------------------------------------------------


def test_clearing_a_final_mark_records_a_delete(school):
    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    row = set_final_mark(teacher, *args, "4")
    removed = clear_final_mark(teacher, *args)
    assert removed is not None and removed.id == row.id
    assert FinalMark.select().count() == 0
    create, delete = History.of("final_mark", row.id)
    assert delete.action == "delete"
    assert delete.change_map()["value"] == ["4", None]
    assert delete.cell == create.cell
    # set again: a new row, and the cell keeps the whole story
    set_final_mark(teacher, *args, "4")
    cell = final_cell(*args)
    assert [h.action for h in History.select().where(History.cell == cell)] == [
        "create",
        "delete",
        "create",
    ]


def test_clearing_nothing_writes_nothing(school, unchanged):
    teacher = school.actor(school.teacher)
    with unchanged:
        assert (
            clear_final_mark(teacher, school.maths.id, school.quarters[1].id, school.students[0].id)
            is None
        )


def test_clearing_a_locked_final_is_refused(school, unchanged):
    student = school.students[0]
    set_quarter_finals(school, ["4"])
    teacher = school.actor(school.teacher)
    with unchanged, pytest.raises(Locked):
        clear_final_mark(teacher, school.maths.id, school.quarters[0].id, student.id)


def test_clearing_needs_the_journal_teacher(school, unchanged):
    student = give_good_marks(school)
    args = (school.maths.id, school.quarters[1].id, student.id)
    set_final_mark(school.actor(school.teacher), *args, "4")
    with unchanged, pytest.raises(Forbidden):
        clear_final_mark(school.actor(school.deputy), *args)


# --- unlocking -----------------------------------------------------------------------------


def test_deputy_unlock_is_recorded(school):
    deputy = school.actor(school.deputy)
    row = unlock_finals(deputy, school.maths.id, school.quarters[0].id, reason=f" {REASON} ")
    stored = FinalMarkUnlock.get_by_id(row.id)
    assert stored.until == dt.date(2026, 11, 28)
    assert stored.reason == REASON
    assert stored.unlocked_by_id == school.deputy.id
    assert stored.unlocked_at == NOON
    [entry] = History.of("final_mark_unlock", row.id)
    assert entry.action == "unlock"
    assert entry.actor_id == school.deputy.id
    assert entry.change_map()["reason"] == [None, REASON]
    assert entry.change_map()["until"] == [None, "2026-11-28"]


def test_director_unlocks_until_a_chosen_day(school):
    director = school.actor(school.director)
    row = unlock_finals(
        director,
        school.maths_8b.id,
        school.halves[0].id,
        reason=REASON,
        until=dt.date(2027, 1, 20),
    )
    assert row.until == dt.date(2027, 1, 20)
    window = final_window(school.maths_8b, school.halves[0], today=dt.date(2027, 1, 15))
    assert window.is_open and window.unlocked_until == dt.date(2027, 1, 20)


def test_unlock_by_a_teacher_is_refused(school, unchanged):
    for user in (school.teacher, school.other_teacher, school.sysadmin):
        with unchanged, pytest.raises(Forbidden):
            unlock_finals(school.actor(user), school.maths.id, school.quarters[0].id, reason=REASON)


def test_unlock_needs_a_reason(school, unchanged):
    deputy = school.actor(school.deputy)
    for reason in ("", "   "):
        with unchanged, pytest.raises(ValidationError):
            unlock_finals(deputy, school.maths.id, school.quarters[0].id, reason=reason)


def test_unlock_cannot_end_in_the_past(school, unchanged):
    deputy = school.actor(school.deputy)
    with unchanged, pytest.raises(ValidationError) as caught:
        unlock_finals(
            deputy,
            school.maths.id,
            school.quarters[0].id,
            reason=REASON,
            until=dt.date(2026, 11, 24),
        )
    assert "24.11.2026" in str(caught.value)
    row = unlock_finals(
        deputy, school.maths.id, school.quarters[0].id, reason=REASON, until=dt.date(2026, 11, 25)
    )
    assert final_window(school.maths, school.quarters[0]).is_open
    assert row.until == clock.today()


def test_unlock_of_a_period_the_class_does_not_use_is_refused(school, unchanged):
    deputy = school.actor(school.deputy)
    with unchanged, pytest.raises(ValidationError):
        unlock_finals(deputy, school.maths.id, school.halves[0].id, reason=REASON)


def test_unlock_of_missing_rows_is_not_found(school, unchanged):
    deputy = school.actor(school.deputy)
    with unchanged, pytest.raises(NotFound):
        unlock_finals(deputy, "0" * 32, school.quarters[0].id, reason=REASON)
    with unchanged, pytest.raises(NotFound):
        unlock_finals(deputy, school.maths.id, "0" * 32, reason=REASON)


def test_two_saves_of_one_final_mark_at_once_make_one_row_with_its_history(school):
    """Two sessions of the same teacher (server and laptop over SSH) press Enter together."""
    import contextvars
    import threading

    student = give_good_marks(school)
    teacher = school.actor(school.teacher)
    args = (school.maths.id, school.quarters[1].id, student.id)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def save(value: str) -> None:
        try:
            start.wait()
            set_final_mark(teacher, *args, value, justification=REASON)
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [
        threading.Thread(target=contextvars.copy_context().run, args=(save, v))
        for v in ("4", "5", "4", "5")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [row] = FinalMark.select().where(FinalMark.student == student.id)
    entries = list(History.select().where(History.cell == final_cell(*args)))
    assert entries[0].action == "create"
    assert all(e.action == "update" for e in entries[1:])
    assert entries[-1].change_map().get("value", [None, row.value])[1] == row.value
