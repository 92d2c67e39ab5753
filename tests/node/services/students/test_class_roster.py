"""The class list and the monthly verification reminder [R 4.1]."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, NotFound
from node.models import AcademicYear, User
from node.services.gradebook import teacher_home
from node.services.students import class_roster
from node.services.students.class_roster import VERIFY_EVERY_DAYS, is_due

TODAY = dt.date(2026, 11, 25)


def test_a_class_teacher_sees_only_their_class(school):
    s = school
    mine = class_roster.classes_for(s.actor(s.teacher))
    assert [c.label for c in mine] == ["7А"]
    assert mine[0].teacher == "Иванова М. А."
    assert [c.label for c in class_roster.classes_for(s.actor(s.deputy))] == ["7А", "8Б"]
    assert class_roster.classes_for(s.actor(s.pe_teacher)) == []
    assert class_roster.classes_for(s.actor(s.parent)) == []


def test_no_active_year_lists_no_classes(school):
    AcademicYear.update(status="closed").execute()
    assert class_roster.classes_for(school.actor(school.teacher)) == []
    assert class_roster.profiles_due(school.actor(school.teacher), TODAY) == []


def test_the_roster_lists_every_student_with_status(school):
    s = school
    s.students[4].left_on = dt.date(2026, 11, 20)
    s.students[4].save()
    s.students[1].verified_at = dt.datetime(2026, 11, 20, 10, 0)
    s.students[1].save()
    roster = class_roster.class_roster(s.actor(s.teacher), s.class_7a.id, TODAY)
    assert roster.label == "7А" and roster.teacher == "Иванова М. А."
    by_name = {row.name: row for row in roster.rows}
    assert [row.name.split()[0] for row in roster.rows] == [
        "Алексеева",
        "Белов",
        "Волкова",
        "Григорьев",
        "Смирнов",
    ]
    smirnov = by_name["Смирнов Артём"]
    assert (smirnov.account, smirnov.guardians, smirnov.guardian_accounts) == ("active", 1, 1)
    assert smirnov.due
    assert not by_name["Алексеева Дарья"].due
    left = by_name["Григорьев Максим"]
    assert left.left_on == dt.date(2026, 11, 20) and not left.due
    assert by_name["Белов Кирилл"].account == "none"
    assert {row.name for row in roster.due} == {"Смирнов Артём", "Белов Кирилл", "Волкова Софья"}


def test_a_pending_parent_account_is_not_counted_as_in_use(school):
    s = school
    User.update(status="pending").where(User.id == s.parent.id).execute()
    roster = class_roster.class_roster(s.actor(s.teacher), s.class_7a.id, TODAY)
    row = next(r for r in roster.rows if r.student_id == s.students[0].id)
    assert (row.guardians, row.guardian_accounts) == (1, 0)


def test_roster_refusals(school):
    s = school
    with pytest.raises(Forbidden):
        class_roster.class_roster(s.actor(s.teacher), s.class_8b.id, TODAY)
    with pytest.raises(Forbidden):
        class_roster.class_roster(s.actor(s.pe_teacher), s.class_7a.id, TODAY)
    with pytest.raises(Forbidden):
        class_roster.class_roster(s.actor(s.parent), s.class_7a.id, TODAY)
    with pytest.raises(NotFound):
        class_roster.class_roster(s.actor(s.teacher), "0" * 32, TODAY)
    assert class_roster.class_roster(s.actor(s.director), s.class_8b.id, TODAY).label == "8Б"


@pytest.mark.parametrize(
    ("verified", "left", "due"),
    [
        (None, None, True),
        (dt.datetime(2026, 10, 27, 9, 0), None, False),  # 29 days ago is not yet due...
        (dt.datetime(2026, 10, 26, 9, 0), None, True),  # ...30 days ago is
        (None, dt.date(2026, 11, 24), False),  # left before today
        (None, TODAY, True),  # leaves today: still in class
    ],
)
def test_a_profile_is_due_after_thirty_days(verified, left, due):
    assert VERIFY_EVERY_DAYS == 30
    assert is_due(verified, left, TODAY) is due


def test_the_home_screen_reminds_the_class_teacher(school):
    s = school
    home = teacher_home.teacher_home(s.actor(s.teacher), TODAY)
    assert [(p.label, len(p.names)) for p in home.profiles] == [("7А", 5)]
    for student in s.students:
        student.verified_at = dt.datetime(2026, 11, 1, 9, 0)
        student.save()
    assert teacher_home.teacher_home(s.actor(s.teacher), TODAY).profiles == []
    # a deputy is reminded of no class: the reminder is the class teacher's duty
    assert class_roster.profiles_due(s.actor(s.deputy), TODAY) == []
