"""Performance and quality against a hand-computed small school (see the module docstring)."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound
from node.models import FinalMark, History
from node.services.reports.performance import find_period, performance_report, performance_table

NOON = dt.datetime(2027, 5, 25, 9, 0)


def final(student, assignment, period, value):
    FinalMark.create(
        student=student,
        assignment=assignment,
        period=period,
        value=value,
        points=int(value) if value.isdigit() else None,
        set_at=NOON,
    )


@pytest.fixture
def year_finals(school):
    s, o, p = school.students, school.other_students, school.year_period
    for student, maths, english, pe in [
        (s[0], "5", "5", "зач"),  # all 5s
        (s[1], "4", "5", "зач"),  # 4s and 5s
        (s[2], "3", "4", "незач"),  # fails PE: not succeeding
        (s[3], "3", None, "осв"),  # one 3; exempt from PE (not counted there)
        (s[4], "2", None, "зач"),  # left mid-year: counted nowhere
    ]:
        final(student, school.maths, p, maths)
        if english:
            final(student, school.english_g1, p, english)
        final(student, school.pe, p, pe)
    s[4].left_on = dt.date(2027, 3, 1)
    s[4].save()
    final(o[0], school.maths_8b, p, "н/а")
    final(o[1], school.maths_8b, p, "5")
    final(o[2], school.maths_8b, p, "осв")  # exempt: not counted
    return school


def summary(row):
    return (
        row.name,
        row.students,
        row.success_share,
        row.quality_share,
        row.sou,
        row.average,
        row.all_fives,
        row.fours_and_fives,
        row.one_three,
        row.failing,
    )


def test_hand_computed_year(year_finals):
    school = year_finals
    history_before = History.select().count()
    report = performance_report(school.actor(school.deputy), school.year_period.id)
    assert [summary(r) for r in report.rows] == [
        # 7А: N=4 (Григорьев left); СОУ over 7 graded marks: (3·100+2·64+2·36)/7
        ("7А", 4, 75.0, 50.0, 71.4, 4.14, 1, 1, 1, 1),
        # 8Б: н/а fails and counts 7 in СОУ; Морозова (осв) is not counted
        ("8Б", 2, 50.0, 50.0, 53.5, 5.0, 1, 0, 0, 1),
        ("Английский язык", 3, 100.0, 100.0, 88.0, 4.67, 2, 1, 0, 0),
        # (2·100+64+2·36+7)/6
        ("Математика", 6, 83.3, 50.0, 57.2, 4.0, 2, 1, 2, 1),
        # pass/fail: succeeding only; no quality, no СОУ
        ("Физическая культура", 3, 66.7, None, None, None, 0, 0, 0, 1),
        # maths in 7А: 5, 4, 3, 3 — (100+64+2·36)/4
        ("Иванова М. А.", 4, 100.0, 50.0, 59.0, 3.75, 1, 1, 2, 0),
        # English in 7А (5, 5, 4) and maths in 8Б (н/а, 5): (3·100+64+7)/5
        ("Петров О. В.", 5, 80.0, 80.0, 74.2, 4.75, 3, 1, 0, 1),
        ("Соколов Д. А.", 3, 66.7, None, None, None, 0, 0, 0, 1),
        # (4·100+2·64+2·36+7)/9
        ("Whole school", 6, 66.7, 50.0, 67.4, 4.25, 2, 1, 1, 2),
    ]
    assert [r.scope for r in report.rows] == (
        ["class"] * 2 + ["subject"] * 3 + ["teacher"] * 3 + ["school"]
    )
    assert History.select().count() == history_before  # read-only


def test_a_student_who_left_after_the_period_is_counted(year_finals):
    school = year_finals
    school.students[4].left_on = dt.date(2027, 6, 10)
    school.students[4].save()
    row = performance_report(school.actor(school.director), school.year_period.id).rows[0]
    assert (row.name, row.students, row.failing) == ("7А", 5, 2)


def test_only_the_administration_sees_it_and_periods_are_found(year_finals):
    school = year_finals
    with pytest.raises(Forbidden):
        performance_report(school.actor(school.teacher), school.year_period.id)
    with pytest.raises(NotFound):
        performance_report(school.actor(school.director), "0" * 32)
    assert find_period("Q2").id == school.quarters[1].id
    assert find_period("2 ЧЕТВЕРТЬ").id == school.quarters[1].id
    assert find_period("h2").id == school.halves[1].id
    assert find_period("year").id == school.year_period.id
    with pytest.raises(NotFound, match="q1–q4"):
        find_period("q9")


def test_an_empty_period_has_one_school_row_of_zeros(school):
    report = performance_report(school.actor(school.director), school.quarters[0].id)
    table = performance_table(report)
    assert table.rows == (("School", "Whole school", 0, None, None, None, None, 0, 0, 0, 0),)
