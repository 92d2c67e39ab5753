"""The academic year kept in the School section: a new year with its whole-year period, the
current year's name and dates, and no change of a year or a period that would leave a lesson
with marks outside every period its class follows."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, Locked, ValidationError
from node.models import AcademicYear, Period
from node.services.school import setup_changes, years
from tests.factories import make_mark
from tests.helpers import close_year, history_of, nothing_written

D = dt.date


def test_a_new_year_comes_with_its_whole_year_period(school, director):
    year = years.create_year(director, " 2027/2028 ", D(2027, 9, 1), D(2028, 5, 31))
    [period] = Period.select().where(Period.year == year)
    assert (year.name, period.scheme, period.start, period.end) == (
        "2027/2028",
        "year",
        D(2027, 9, 1),
        D(2028, 5, 31),
    )
    assert [h.action for h in history_of(year)] == ["create"]
    assert [h.action for h in history_of(period)] == ["create"]


@pytest.mark.parametrize(
    ("name", "start", "end", "error", "message"),
    [
        ("2027/2028", D(2027, 9, 1), D(2027, 8, 1), ValidationError, "end after"),
        ("", D(2027, 9, 1), D(2028, 5, 31), ValidationError, "year's name"),
        ("2026/2027", D(2027, 9, 1), D(2028, 5, 31), Conflict, "already exists"),
        ("2027/2028", D(2027, 5, 1), D(2028, 5, 31), Conflict, "overlap"),
    ],
)
def test_a_new_year_is_checked_as_the_import_checks_it(
    school, director, name, start, end, error, message
):
    with nothing_written(), pytest.raises(error, match=message):
        years.create_year(director, name, start, end)


def test_the_year_is_renamed_and_moved_and_its_whole_year_period_follows(school, director):
    years.change_year(director, school.year.id, "2026–2027", D(2026, 8, 31), D(2027, 6, 4))
    year = AcademicYear.get_by_id(school.year.id)
    period = Period.get_by_id(school.year_period.id)
    assert (year.name, year.start, year.end) == ("2026–2027", D(2026, 8, 31), D(2027, 6, 4))
    assert (period.start, period.end) == (D(2026, 8, 31), D(2027, 6, 4))
    assert [h.action for h in history_of(year)] == ["update"]
    assert history_of(year)[0].actor_login == "director"
    assert [h.action for h in history_of(period)] == ["update"]


def test_a_year_change_that_leaves_a_period_or_holiday_outside_is_refused(school, director):
    year = school.year
    with nothing_written(), pytest.raises(ValidationError, match="«1 четверть».*outside"):
        years.change_year(director, year.id, year.name, D(2026, 9, 2), year.end)
    with nothing_written(), pytest.raises(ValidationError, match="«4 четверть».*outside"):
        years.change_year(director, year.id, year.name, year.start, D(2027, 5, 30))
    with nothing_written(), pytest.raises(ValidationError, match="end after"):
        years.change_year(director, year.id, year.name, year.end, year.start)


def test_a_year_change_is_the_administrations_and_a_closed_year_is_locked(school, director):
    year = school.year
    with nothing_written(), pytest.raises(Forbidden):
        years.change_year(school.actor(school.sysadmin), year.id, "x", year.start, year.end)
    close_year(year)
    with nothing_written(), pytest.raises(Locked):
        years.change_year(director, year.id, "x", year.start, year.end)


def test_a_period_change_leaving_marks_outside_every_period_is_refused(school, director):
    lesson = school.maths_lessons[0]  # 09.11.2026, quarter 2 of 7А (quarters)
    make_mark(lesson, school.students[0], "5", school.oral)
    q2 = school.quarters[1]
    with nothing_written(), pytest.raises(Conflict, match=r"1 lessons with marks.*09\.11\.2026"):
        setup_changes.change_period(director, q2.id, q2.name, D(2026, 11, 10), q2.end)
    with nothing_written(), pytest.raises(Conflict, match="1 lessons with marks"):
        setup_changes.remove_period(director, q2.id)
    # the halves are 8Б's: 7А's marks do not hold them
    h1 = school.halves[0]
    setup_changes.change_period(director, h1.id, h1.name, h1.start, D(2026, 11, 1))
    # dates still around the marked lesson are fine
    setup_changes.change_period(director, q2.id, q2.name, D(2026, 11, 9), q2.end)
    assert Period.get_by_id(q2.id).start == D(2026, 11, 9)


def test_the_whole_year_period_is_not_removed(school, director):
    with nothing_written(), pytest.raises(Conflict, match="whole-year period"):
        setup_changes.remove_period(director, school.year_period.id)


def test_a_grade_follows_quarters_or_halves_all_at_once(school, director):
    from node.models import FinalMark, SchoolClass
    from node.services.students import classes

    assert classes.set_grade_scheme(director, school.year.id, 8, "quarters") == 1
    assert SchoolClass.get_by_id(school.class_8b.id).period_scheme == "quarters"
    assert [h.action for h in history_of(school.class_8b)] == ["update"]
    with nothing_written(), pytest.raises(ValidationError, match="no class of grade 9"):
        classes.set_grade_scheme(director, school.year.id, 9, "halves")
    with nothing_written(), pytest.raises(ValidationError, match="quarters or halves"):
        classes.set_grade_scheme(director, school.year.id, 7, "trimesters")
    FinalMark.create(
        student=school.students[0],
        assignment=school.maths,
        period=school.quarters[0],
        value="5",
        set_at=dt.datetime(2026, 11, 1, 9, 0),
    )
    with nothing_written(), pytest.raises(Conflict, match="final marks"):
        classes.set_grade_scheme(director, school.year.id, 7, "halves")
    with nothing_written(), pytest.raises(Forbidden):
        classes.set_grade_scheme(school.actor(school.sysadmin), school.year.id, 8, "halves")
