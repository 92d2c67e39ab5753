"""Changing and removing what the school set up: rules, refusals that write nothing, history."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, Locked, ValidationError
from node.models import Bell, Holiday, Period, Subject, WorkType
from node.services.school import school_setup, setup_changes
from tests.factories import make_mark
from tests.helpers import close_year, history_of, nothing_written


def test_change_period_moves_its_dates_with_history(school, director):
    quarter = school.quarters[1]
    setup_changes.change_period(
        director, quarter.id, "Четверть 2", dt.date(2026, 11, 6), dt.date(2026, 12, 27)
    )
    quarter = Period.get_by_id(quarter.id)
    assert (quarter.start, quarter.end) == (dt.date(2026, 11, 6), dt.date(2026, 12, 27))
    assert [row.action for row in history_of(quarter)] == ["update"]


def test_change_period_refuses_an_overlap_and_dates_outside_the_year(school, director):
    quarter = school.quarters[1]
    with nothing_written(), pytest.raises(ValidationError, match="overlaps"):
        setup_changes.change_period(
            director, quarter.id, quarter.name, school.quarters[0].end, quarter.end
        )
    with nothing_written(), pytest.raises(ValidationError, match="not inside"):
        setup_changes.change_period(
            director, quarter.id, quarter.name, quarter.start, dt.date(2030, 1, 1)
        )


def test_periods_change_together_and_never_leave_marks_outside_every_period(school, director):
    first, second = school.quarters[0], school.quarters[1]
    # the boundary moves: each change alone would overlap the other quarter as it is now
    setup_changes.change_periods(
        director,
        [
            setup_changes.PeriodChange(first.id, first.name, first.start, dt.date(2026, 11, 8)),
            setup_changes.PeriodChange(second.id, second.name, dt.date(2026, 11, 9), second.end),
        ],
    )
    assert Period.get_by_id(second.id).start == dt.date(2026, 11, 9)
    make_mark(school.maths_lessons[0], school.students[0], "5", school.test_work)  # 09.11
    with nothing_written(), pytest.raises(Conflict, match="1 lessons with marks"):
        setup_changes.change_period(
            director, second.id, second.name, dt.date(2026, 11, 10), second.end
        )
    setup_changes.change_period(director, second.id, "2 четверть", dt.date(2026, 11, 9), second.end)


def test_a_teacher_changes_nothing_and_a_closed_year_is_locked(school, director):
    teacher = school.actor(school.teacher)
    quarter = school.quarters[0]
    with nothing_written(), pytest.raises(Forbidden):
        setup_changes.change_period(teacher, quarter.id, "Q", quarter.start, quarter.end)
    with nothing_written(), pytest.raises(Forbidden):
        setup_changes.remove_holiday(teacher, school.autumn_break.id)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        setup_changes.remove_holiday(director, school.autumn_break.id)


def test_a_period_with_final_marks_is_not_removed(school, director):
    from node.models import FinalMark

    FinalMark.create(
        student=school.students[0],
        assignment=school.maths,
        period=school.quarters[0],
        value="5",
        set_at=dt.datetime(2026, 11, 1, 9, 0),
    )
    with nothing_written(), pytest.raises(Conflict, match="1 final marks"):
        setup_changes.remove_period(director, school.quarters[0].id)
    setup_changes.remove_period(director, school.quarters[3].id)
    assert Period.get_or_none(Period.id == school.quarters[3].id) is None


def test_remove_holiday_records_the_deletion(school, director):
    holiday = school.autumn_break
    setup_changes.remove_holiday(director, holiday.id)
    assert Holiday.get_or_none(Holiday.id == holiday.id) is None
    assert [row.action for row in history_of(holiday)] == ["delete"]


def test_a_bell_in_use_is_not_removed_one_unused_is(school, director):
    with nothing_written(), pytest.raises(Conflict, match="Lesson 2 is in the timetable"):
        setup_changes.remove_bell(director, 2)
    school_setup.add_bell(director, 7, "14:00", "14:45")
    setup_changes.remove_bell(director, 7)
    assert not Bell.select().where(Bell.number == 7).exists()


def test_change_subject_flags_and_refuse_a_duplicate_name(school, director):
    subject = school.pe_subject
    setup_changes.change_subject(
        director,
        subject.id,
        "Физкультура",
        short_name="ФК",
        pass_fail=False,
        needs_written_work=True,
    )
    subject = Subject.get_by_id(subject.id)
    assert (subject.name, subject.short_name, subject.pass_fail) == ("Физкультура", "ФК", False)
    assert subject.needs_written_work
    with nothing_written(), pytest.raises(Conflict, match="already exists"):
        setup_changes.change_subject(
            director,
            subject.id,
            school.maths_subject.name.upper(),
            short_name="",
            pass_fail=False,
            needs_written_work=False,
        )


def test_a_subject_in_use_is_not_removed_an_unused_one_is(school, director):
    with nothing_written(), pytest.raises(Conflict, match="journals"):
        setup_changes.remove_subject(director, school.maths_subject.id)
    spare = school_setup.create_subject(director, "Астрономия")
    setup_changes.remove_subject(director, spare.id)
    assert Subject.get_or_none(Subject.id == spare.id) is None


def test_work_type_weight_changes_and_bad_weights_are_refused(school, director):
    setup_changes.set_work_type_weight(director, school.oral.id, "1,5")
    assert WorkType.get_by_id(school.oral.id).weight == 1.5
    for bad in ("0", "-1", "много", "nan"):
        with nothing_written(), pytest.raises(ValidationError, match="above 0"):
            setup_changes.set_work_type_weight(director, school.oral.id, bad)


def test_a_work_type_with_marks_is_not_removed(school, director):
    make_mark(school.maths_lessons[0], school.students[0], "5", school.test_work)
    with nothing_written(), pytest.raises(Conflict, match="1 marks"):
        setup_changes.remove_work_type(director, school.test_work.id)
    spare = school_setup.create_work_type(director, "Зачёт", 1, "oral")
    setup_changes.remove_work_type(director, spare.id)
    assert WorkType.get_or_none(WorkType.id == spare.id) is None


def test_change_holiday_checks_its_dates_inside_the_year(school, director):
    holiday = school.autumn_break
    setup_changes.change_holiday(
        director, holiday.id, "Осенние каникулы", dt.date(2026, 10, 26), dt.date(2026, 11, 3)
    )
    assert Holiday.get_by_id(holiday.id).start == dt.date(2026, 10, 26)
    with nothing_written(), pytest.raises(ValidationError, match="swap"):
        setup_changes.change_holiday(
            director, holiday.id, "Каникулы", dt.date(2026, 11, 3), dt.date(2026, 10, 26)
        )
    with nothing_written(), pytest.raises(ValidationError, match="name"):
        setup_changes.change_holiday(
            director, holiday.id, " ", dt.date(2026, 10, 26), dt.date(2026, 11, 3)
        )


def test_the_structure_is_read_by_the_administration_and_the_sysadmin_only(school, director):
    from node.services.school.setup_view import school_structure

    structure = school_structure(school.actor(school.sysadmin))
    assert structure.year is not None and structure.year.name == school.year.name
    assert [c.label for c in structure.classes] == ["7А", "8Б"]
    maths = next(x for x in structure.load if x.id == school.maths.id)
    assert (maths.class_label, maths.subgroup) == ("7А", "")
    assert any(x.subgroup for x in structure.load)  # the English subgroup
    assert school.teacher.id in {t.id for t in structure.teachers}
    assert len(structure.periods) == 4 + 2 + 1
    with pytest.raises(Forbidden):
        school_structure(school.actor(school.teacher))
