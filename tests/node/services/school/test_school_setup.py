"""School setup services (school, policy, years, periods, holidays, bells, subjects, work
types): every rule, every bad input, and nothing written on failure."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest

from node.errors import Conflict, Forbidden, Locked, NotFound, ValidationError
from node.models import (
    AcademicYear,
    Bell,
    History,
    Period,
    School,
    SchoolClass,
    Student,
    Subject,
    WorkType,
)
from node.services.base.actor import Actor
from node.services.base.policy import load_policy
from node.services.school import school_setup
from node.services.students import classes
from tests.helpers import close_year, history_of, nothing_written

SYSTEM = Actor.for_system()


@pytest.fixture
def next_year(school, director) -> AcademicYear:
    return school_setup.create_year(
        director, "2027/2028", dt.date(2027, 9, 1), dt.date(2028, 5, 31)
    )


# --- the school and its policy ---------------------------------------------------------------


def test_create_school_stores_canonical_policy_and_history(database):
    school = school_setup.create_school(
        SYSTEM, "  Школа № 5 ", timezone="Asia/Yekaterinburg", locale="ru_RU", policy=None
    )
    assert (school.name, school.timezone, school.locale) == (
        "Школа № 5",
        "Asia/Yekaterinburg",
        "ru",
    )
    assert school.policy_values() == {}
    [row] = history_of(school)
    assert row.action == "create" and row.actor_login == "system"


def test_create_school_policy_keeps_only_given_keys_in_canonical_form(database):
    school_setup.create_school(
        SYSTEM, "Школа", policy={"rounding_threshold": "0.5", "mark_max": "10"}
    )
    assert json.loads(School.current().policy) == {"mark_max": 10, "rounding_threshold": "1/2"}
    policy = load_policy()
    assert policy.rounding_threshold == Fraction(1, 2) and policy.mark_max == 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "school's name"),
        ({"name": "Школа", "timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"name": "Школа", "locale": "de"}, "Unsupported language"),
        ({"name": "Школа", "policy": {"colour": "red"}}, "Unknown policy setting"),
        ({"name": "Школа", "policy": {"mark_max": "five"}}, "wrong value"),
        ({"name": "Школа", "policy": {"mark_min": 5, "mark_max": 2}}, "mark scale"),
    ],
)
def test_create_school_rejects_bad_input(database, kwargs, message):
    with nothing_written(), pytest.raises(ValidationError, match=message):
        school_setup.create_school(SYSTEM, **kwargs)


def test_only_one_school_per_database(school, director):
    with nothing_written(), pytest.raises(Conflict, match="already holds the school «Школа № 1»"):
        school_setup.create_school(director, "Другая школа")


def test_create_school_needs_school_manage(school):
    with nothing_written(), pytest.raises(Forbidden):
        school_setup.create_school(school.actor(school.teacher), "Другая школа")


def test_update_policy_merges_resets_and_records(school, director):
    school_setup.update_policy(director, {"mark_max": 10, "final_mark_grace_days": 7})
    assert load_policy().mark_max == 10 and load_policy().final_mark_grace_days == 7
    school_setup.update_policy(director, {"mark_max": None})
    assert load_policy().mark_max == 5 and load_policy().final_mark_grace_days == 7
    rows = history_of(school.school)
    assert [r.action for r in rows] == ["update", "update"]
    assert rows[0].change_map()["policy"] == ["{}", '{"final_mark_grace_days": 7, "mark_max": 10}']


def test_update_policy_rejects_bad_values(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="rounding threshold"):
        school_setup.update_policy(director, {"rounding_threshold": "2"})


def test_update_policy_forbidden_for_teacher_and_needs_a_school(school, database):
    with nothing_written(), pytest.raises(Forbidden):
        school_setup.update_policy(school.actor(school.teacher), {"mark_max": 10})


def test_update_policy_without_a_school(database):
    with nothing_written(), pytest.raises(NotFound, match="no school yet"):
        school_setup.update_policy(SYSTEM, {"mark_max": 10})


# --- years ----------------------------------------------------------------------------------


def test_create_year(school, director, next_year):
    assert (next_year.status, next_year.start, next_year.end) == (
        "active",
        dt.date(2027, 9, 1),
        dt.date(2028, 5, 31),
    )
    assert [r.action for r in history_of(next_year)] == ["create"]


@pytest.mark.parametrize(
    ("name", "start", "end", "error", "message"),
    [
        ("2027/2028", dt.date(2027, 9, 1), dt.date(2027, 9, 1), ValidationError, "end after"),
        ("2027/2028", dt.date(2027, 9, 1), dt.date(2027, 8, 1), ValidationError, "end after"),
        (" ", dt.date(2027, 9, 1), dt.date(2028, 5, 31), ValidationError, "year's name"),
        ("2026/2027", dt.date(2027, 9, 1), dt.date(2028, 5, 31), Conflict, "already exists"),
        ("2027/2028", dt.date(2027, 5, 1), dt.date(2028, 5, 31), Conflict, "overlap"),
        ("2025/2027", dt.date(2025, 9, 1), dt.date(2027, 9, 1), Conflict, "overlap"),
    ],
)
def test_create_year_rejects(school, director, name, start, end, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        school_setup.create_year(director, name, start, end)


def test_create_year_forbidden_for_sysadmin(school):
    with nothing_written(), pytest.raises(Forbidden):
        school_setup.create_year(
            school.actor(school.sysadmin), "2027/2028", dt.date(2027, 9, 1), dt.date(2028, 5, 31)
        )


# --- periods --------------------------------------------------------------------------------


def test_add_period_and_other_schemes_may_overlap(school, director, next_year):
    q1 = school_setup.add_period(
        director,
        next_year.id,
        "quarters",
        1,
        " 1 четверть ",
        dt.date(2027, 9, 1),
        dt.date(2027, 10, 25),
    )
    h1 = school_setup.add_period(
        director,
        next_year.id,
        "halves",
        1,
        "1 полугодие",
        dt.date(2027, 9, 1),
        dt.date(2027, 12, 28),
    )
    assert q1.name == "1 четверть" and h1.scheme == "halves"
    assert [r.action for r in history_of(q1)] == ["create"]


@pytest.mark.parametrize(
    ("scheme", "number", "name", "start", "end", "error", "message"),
    [
        ("trimesters", 5, "x", dt.date(2027, 1, 1), dt.date(2027, 1, 2), ValidationError, "scheme"),
        ("quarters", 0, "x", dt.date(2027, 1, 1), dt.date(2027, 1, 2), ValidationError, "number"),
        ("quarters", 5, " ", dt.date(2027, 1, 1), dt.date(2027, 1, 2), ValidationError, "name"),
        ("quarters", 5, "x", dt.date(2027, 1, 5), dt.date(2027, 1, 2), ValidationError, "swap"),
        ("quarters", 5, "x", dt.date(2026, 8, 1), dt.date(2026, 9, 2), ValidationError, "inside"),
        ("quarters", 5, "x", dt.date(2027, 5, 1), dt.date(2027, 6, 2), ValidationError, "inside"),
        # overlapping periods of one scheme
        (
            "quarters",
            5,
            "x",
            dt.date(2026, 10, 20),
            dt.date(2026, 11, 1),
            ValidationError,
            "overlaps 1",
        ),
        ("halves", 3, "x", dt.date(2026, 12, 27), dt.date(2027, 1, 5), ValidationError, "overlaps"),
        ("year", 2, "x", dt.date(2026, 9, 1), dt.date(2026, 9, 1), ValidationError, "overlaps"),
        # the number is unique per scheme
        ("quarters", 2, "x", dt.date(2026, 10, 25), dt.date(2026, 11, 4), Conflict, "number 2"),
    ],
)
def test_add_period_rejects(school, director, scheme, number, name, start, end, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        school_setup.add_period(director, school.year.id, scheme, number, name, start, end)


def test_add_period_in_the_gap_between_quarters_is_fine(school, director):
    period = school_setup.add_period(
        director, school.year.id, "quarters", 5, "x", dt.date(2026, 10, 25), dt.date(2026, 11, 4)
    )
    assert period.number == 5


def test_add_period_closed_year_missing_year_and_permission(school, director):
    args = ("quarters", 5, "x", dt.date(2026, 10, 25), dt.date(2026, 11, 4))
    with nothing_written(), pytest.raises(NotFound):
        school_setup.add_period(director, "0" * 32, *args)
    with nothing_written(), pytest.raises(Forbidden):
        school_setup.add_period(school.actor(school.teacher), school.year.id, *args)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked, match="2026/2027 is closed"):
        school_setup.add_period(director, school.year.id, *args)


QUARTERS = [
    (dt.date(2027, 9, 1), dt.date(2027, 10, 24)),
    (dt.date(2027, 11, 5), dt.date(2027, 12, 27)),
    (dt.date(2028, 1, 11), dt.date(2028, 3, 21)),
    (dt.date(2028, 3, 31), dt.date(2028, 5, 31)),
]
HALVES = [
    (dt.date(2027, 9, 1), dt.date(2027, 12, 27)),
    (dt.date(2028, 1, 11), dt.date(2028, 5, 31)),
]


def test_create_standard_periods(school, director, next_year):
    school.school.locale = "en"  # names are written in the school's language
    school.school.save()
    periods = school_setup.create_standard_periods(director, next_year.id, QUARTERS, HALVES)
    assert [(p.scheme, p.number, p.name) for p in periods] == [
        ("quarters", 1, "Quarter 1"),
        ("quarters", 2, "Quarter 2"),
        ("quarters", 3, "Quarter 3"),
        ("quarters", 4, "Quarter 4"),
        ("halves", 1, "Half-year 1"),
        ("halves", 2, "Half-year 2"),
        ("year", 1, "Year"),
    ]
    assert (periods[-1].start, periods[-1].end) == (next_year.start, next_year.end)
    assert History.select().where(History.entity == "period").count() == 7


def test_create_standard_periods_overlap_writes_nothing(school, director, next_year):
    bad = [QUARTERS[0], (dt.date(2027, 10, 20), dt.date(2027, 12, 27))]
    with nothing_written(), pytest.raises(ValidationError, match="must not overlap"):
        school_setup.create_standard_periods(director, next_year.id, bad, HALVES)


def test_create_standard_periods_twice_conflicts(school, director):
    with nothing_written(), pytest.raises(Conflict):
        school_setup.create_standard_periods(director, school.year.id, [], [])


# --- holidays and bells ---------------------------------------------------------------------


def test_add_holiday(school, director):
    holiday = school_setup.add_holiday(
        director, school.year.id, "Новый год", dt.date(2026, 12, 28), dt.date(2027, 1, 10)
    )
    assert holiday.year_id == school.year.id
    assert [r.action for r in history_of(holiday)] == ["create"]


@pytest.mark.parametrize(
    ("name", "start", "end", "message"),
    [
        ("", dt.date(2026, 12, 28), dt.date(2027, 1, 10), "holiday's name"),
        ("x", dt.date(2027, 1, 10), dt.date(2026, 12, 28), "swap"),
        ("x", dt.date(2027, 5, 25), dt.date(2027, 6, 10), "inside the academic year"),
    ],
)
def test_add_holiday_rejects(school, director, name, start, end, message):
    with nothing_written(), pytest.raises(ValidationError, match=message):
        school_setup.add_holiday(director, school.year.id, name, start, end)


def test_add_holiday_closed_year(school, director):
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        school_setup.add_holiday(
            director, school.year.id, "x", dt.date(2027, 1, 1), dt.date(2027, 1, 2)
        )


def test_add_bell_normalises_times(school, director):
    bell = school_setup.add_bell(director, 5, "12:30", " 13:15 ")
    zero = school_setup.add_bell(director, 0, "7:45", "8:20")
    assert (bell.starts, bell.ends, zero.starts) == ("12:30", "13:15", "07:45")
    assert [r.action for r in history_of(bell)] == ["create"]


@pytest.mark.parametrize(
    ("number", "starts", "ends", "error", "message"),
    [
        (5, "25:00", "13:15", ValidationError, "not a time"),
        (5, "12:30", "13:60", ValidationError, "not a time"),
        (5, "noon", "13:15", ValidationError, "not a time"),
        (5, "12:30", "12:30", ValidationError, "end after"),
        (5, "12:30", "11:30", ValidationError, "end after"),
        (-1, "12:30", "13:15", ValidationError, "lesson number"),
        (2, "12:30", "13:15", Conflict, "already in the bell schedule"),
    ],
)
def test_add_bell_rejects(school, director, number, starts, ends, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        school_setup.add_bell(director, number, starts, ends)


def test_change_bell(school, director):
    bell = school_setup.change_bell(director, 2, "9:30", "10:15")
    assert (bell.starts, bell.ends) == ("09:30", "10:15")
    assert [r.action for r in history_of(bell)][-1] == "update"
    with nothing_written(), pytest.raises(NotFound, match="no lesson 9"):
        school_setup.change_bell(director, 9, "9:30", "10:15")
    with nothing_written(), pytest.raises(ValidationError, match="end after"):
        school_setup.change_bell(director, 2, "10:30", "10:15")
    with nothing_written(), pytest.raises(Forbidden):
        school_setup.change_bell(school.actor(school.teacher), 2, "9:40", "10:25")


# --- subjects and work types ----------------------------------------------------------------


def test_create_subject_default_written_work_comes_from_policy(school, director):
    physics = school_setup.create_subject(director, "Физика", short_name=" Физ ")
    history_subject = school_setup.create_subject(director, "История")
    assert physics.needs_written_work and not history_subject.needs_written_work
    assert physics.short_name == "Физ"
    school_setup.update_policy(director, {"written_work_subjects": ["Биология"]})
    assert school_setup.create_subject(director, "биология").needs_written_work
    assert not school_setup.create_subject(director, "Химия").needs_written_work
    assert [r.action for r in history_of(physics)] == ["create"]


def test_create_subject_explicit_flags(school, director):
    music = school_setup.create_subject(director, "Музыка", pass_fail=True, needs_written_work=True)
    chem = school_setup.create_subject(director, "Химия", needs_written_work=False)
    assert music.pass_fail and music.needs_written_work and not chem.needs_written_work


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [(" ", ValidationError, "subject's name"), ("математика ", Conflict, "already exists")],
)
def test_create_subject_rejects(school, director, name, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        school_setup.create_subject(director, name)


def test_create_work_type(school, director):
    work = school_setup.create_work_type(director, "Лабораторная работа", 1.5, "lab")
    assert (work.weight, work.kind, work.counts_as_written) == (1.5, "lab", True)
    assert [r.action for r in history_of(work)] == ["create"]


@pytest.mark.parametrize(
    ("name", "weight", "kind", "error", "message"),
    [
        ("x", 0, "oral", ValidationError, "above 0"),
        ("x", -1, "oral", ValidationError, "above 0"),
        ("x", "heavy", "oral", ValidationError, "above 0"),
        ("x", float("nan"), "oral", ValidationError, "above 0"),
        ("x", float("inf"), "oral", ValidationError, "above 0"),
        ("x", 1, "singing", ValidationError, "Unknown kind"),
        ("", 1, "oral", ValidationError, "name"),
        ("контрольная работа", 1, "test", Conflict, "already exists"),
    ],
)
def test_create_work_type_rejects(school, director, name, weight, kind, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        school_setup.create_work_type(director, name, weight, kind)


def test_bad_input_leaves_counts_unchanged(school, director):
    """The row-count view of 'nothing written', across the setup services."""
    models = (AcademicYear, Period, Bell, Subject, WorkType, SchoolClass, Student, History)
    before = {m.__name__: m.select().count() for m in models}
    for call in (
        lambda: school_setup.create_year(director, "x", dt.date(2027, 1, 1), dt.date(2026, 1, 1)),
        lambda: school_setup.add_bell(director, 1, "08:00", "08:45"),
        lambda: school_setup.create_subject(director, "Математика"),
        lambda: classes.create_class(director, school.year.id, 8, "б"),
        lambda: classes.enrol_student(director, school.class_7a.id, "", ""),
    ):
        with pytest.raises((ValidationError, Conflict)):
            call()
    assert {m.__name__: m.select().count() for m in models} == before


def test_a_bad_bell_time_is_explained_in_russian_letters():
    from node.i18n import use_language

    with use_language("ru"), pytest.raises(ValidationError) as raised:
        school_setup._parse_time("полдень")
    assert "ЧЧ:ММ" in str(raised.value) and "HH" not in str(raised.value)
