"""The end of a school year: what blocks closing it, the roll-over, the closed year."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, Locked, ValidationError
from node.models import (
    AcademicYear,
    FinalMark,
    Lesson,
    Period,
    SchoolClass,
    Student,
    StudentGuardian,
    SubgroupMember,
    TeachingAssignment,
    TimetableSlot,
)
from node.services.base.actor import Actor
from node.services.gradebook import finals, journal, plan
from node.services.school import timetable
from node.services.year_end.check import check_year
from node.services.year_end.journals import class_journals, summary_tables, year_contents
from node.services.year_end.rollover import (
    a_year_later,
    confirm_year,
    next_year_defaults,
    rollover,
)
from tests.factories import SmallSchool, make_mark
from tests.helpers import nothing_written

NEXT = ("2027/2028", dt.date(2027, 9, 1), dt.date(2028, 5, 31))


def _roll(school: SmallSchool, actor: Actor, **kwargs):
    return rollover(actor, school.year.id, *NEXT, **kwargs)


def test_check_lists_missing_finals_topics_and_profiles(school: SmallSchool, director: Actor):
    make_mark(school.maths_lessons[0], school.students[0], "5", school.oral)
    student = school.students[0]
    finals_q1 = school.quarters[0]
    FinalMark.create(
        student=student,
        assignment=school.maths,
        period=finals_q1,
        value="5",
        points=5,
        set_at=dt.datetime(2026, 10, 25, 9, 0),
    )
    found = check_year(director, school.year.id)
    assert not found.is_clear
    # only the maths journal of 7А has marks: it needs finals for 4 quarters and the year
    assert {(m.class_label, m.teacher) for m in found.missing_finals} == {
        ("7А", school.teacher.display_name)
    }
    by_period = {m.period: m.students for m in found.missing_finals}
    assert by_period["1 четверть"] == len(school.students) - 1
    assert by_period["Год"] == len(school.students)
    assert found.lessons_without_topic[0].lessons > 0
    assert {p.class_label for p in found.unverified_profiles} <= {"7А", "8Б"}


def test_check_after_the_gaps_are_filled_is_clear(school: SmallSchool, director: Actor):
    for lesson in Lesson.select():
        lesson.topic = "Тема"
        lesson.save()
    Student.update(verified_at=dt.datetime(2026, 11, 24, 12, 0)).execute()
    found = check_year(director, school.year.id)
    assert not found.lessons_without_topic and not found.unverified_profiles


def test_only_the_director_and_the_sysadmin_close_a_year(school: SmallSchool):
    for user in (school.teacher, school.deputy):
        with pytest.raises(Forbidden):
            check_year(school.actor(user), school.year.id)
        with nothing_written(), pytest.raises(Forbidden):
            _roll(school, school.actor(user))
    check_year(school.actor(school.sysadmin), school.year.id)


def test_the_archive_read_model_has_every_journal_and_the_summary(
    school: SmallSchool, director: Actor
):
    contents = year_contents(director, school.year.id)
    assert [label for _id, label in contents.classes] == ["7А", "8Б"]
    assert contents.journals == TeachingAssignment.select().count()
    seven = class_journals(director, school.class_7a.id)
    maths = next(s for s in seven.sheets if s.assignment_id == school.maths.id)
    assert len(maths.lessons) == Lesson.select().where(Lesson.assignment == school.maths).count()
    assert [p.name for p in seven.periods][-1] == "Год"
    tables = summary_tables(seven)
    assert len(tables) == len(seven.periods)
    assert len(tables[0].rows) == len(seven.students)


def test_next_year_defaults_are_one_year_on(school: SmallSchool):
    assert next_year_defaults(school.year) == ("2027/2028", *NEXT[1:])
    assert a_year_later(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_rollover_promotes_classes_and_students_and_closes_the_year(
    school: SmallSchool, director: Actor
):
    left = school.students[-1]
    left.left_on = dt.date(2027, 3, 1)
    left.save()
    staying = [s for s in school.students if s.id != left.id]
    done = _roll(school, director, graduating_grades=(8,))
    assert AcademicYear.get_by_id(school.year.id).status == "closed"
    new_year = AcademicYear.get_by_id(done.new_year.id)
    assert (new_year.name, new_year.status) == ("2027/2028", "draft")
    new_classes = list(SchoolClass.select().where(SchoolClass.year == new_year))
    assert [(c.grade, c.letter, c.class_teacher_id) for c in new_classes] == [
        (8, "А", school.teacher.id)
    ]
    new_8a = new_classes[0]
    promoted = list(Student.select().where(Student.school_class == new_8a))
    assert sorted(s.last_name + s.first_name for s in promoted) == sorted(
        s.last_name + s.first_name for s in staying
    )
    assert all(s.enrolled_on == NEXT[1] and s.left_on is None for s in promoted)
    # the old rows stay in the closed year, their marks with them; the account moves on
    assert Student.select().where(Student.school_class == school.class_7a).count() == len(
        school.students
    )
    first = next(s for s in promoted if s.last_name == school.students[0].last_name)
    assert first.user_id == school.student_user.id
    assert Student.get_by_id(school.students[0].id).user_id is None
    assert StudentGuardian.select().where(StudentGuardian.student == first).count() == (
        StudentGuardian.select().where(StudentGuardian.student == school.students[0]).count()
    )
    # graduates leave on the year's last day
    for student in Student.select().where(Student.school_class == school.class_8b):
        assert student.left_on == school.year.end
    assert (done.students_promoted, done.classes_graduated) == (len(staying), 1)
    # teaching copied as a draft: assignments, subgroups with their members, timetable
    old = TeachingAssignment.select().where(TeachingAssignment.school_class == school.class_7a)
    new = list(TeachingAssignment.select().where(TeachingAssignment.school_class == new_8a))
    assert len(new) == old.count() == done.assignments
    english = next(a for a in new if a.subgroup_id is not None)
    assert english.subgroup.school_class_id == new_8a.id
    members = SubgroupMember.select().where(SubgroupMember.subgroup == english.subgroup_id)
    assert {m.student.school_class_id for m in members} == {new_8a.id}
    old_slots = (
        TimetableSlot.select()
        .join(TeachingAssignment)
        .where(TeachingAssignment.school_class == school.class_7a)
    )
    assert done.slots == old_slots.count()
    assert (
        Lesson.select()
        .join(TeachingAssignment)
        .where(TeachingAssignment.school_class == new_8a)
        .count()
        == 0
    )
    shifted = [
        (p.scheme, p.number, p.start) for p in Period.select().where(Period.year == new_year)
    ]
    assert ("quarters", 1, dt.date(2027, 9, 1)) in shifted
    assert ("year", 1, NEXT[1]) in shifted


def test_grade_11_graduates_by_default(school: SmallSchool, director: Actor):
    school.class_8b.grade = 11
    school.class_8b.save()
    done = _roll(school, director)
    assert done.classes_graduated == 1
    assert not SchoolClass.select().where(SchoolClass.grade == 12).exists()


def test_confirm_makes_the_draft_active_and_generates_lessons(school: SmallSchool, director: Actor):
    done = _roll(school, director)
    whole = Period.get(Period.year == done.new_year.id, Period.scheme == "year")
    with nothing_written(), pytest.raises(Conflict, match="draft"):
        timetable.generate_lessons(director, whole.id)
    result = confirm_year(director, done.new_year.id)
    assert result.created > 0
    assert AcademicYear.get_by_id(done.new_year.id).status == "active"
    with pytest.raises(Conflict):
        confirm_year(director, done.new_year.id)


@pytest.mark.parametrize(
    ("name", "start", "end", "error"),
    [
        ("", dt.date(2027, 9, 1), dt.date(2028, 5, 31), ValidationError),
        ("2027/2028", dt.date(2027, 5, 1), dt.date(2028, 5, 31), ValidationError),
        ("2027/2028", dt.date(2028, 5, 31), dt.date(2027, 9, 1), ValidationError),
        ("2026/2027", dt.date(2027, 9, 1), dt.date(2028, 5, 31), Conflict),
        ("2027/2028", dt.date(2027, 10, 1), dt.date(2028, 5, 31), ValidationError),  # periods
    ],
)
def test_bad_next_years_write_nothing(school, director, name, start, end, error):
    with nothing_written(), pytest.raises(error):
        rollover(director, school.year.id, name, start, end)


def test_bad_graduating_grades_write_nothing(school: SmallSchool, director: Actor):
    with nothing_written(), pytest.raises(ValidationError):
        _roll(school, director, graduating_grades=(12,))


def test_a_closed_year_refuses_every_write_and_stays_readable(school: SmallSchool, director: Actor):
    _roll(school, director)
    teacher = school.actor(school.teacher)
    lesson = school.maths_lessons[0]
    student = school.students[1]
    q2 = school.quarters[1]
    writes = [
        lambda: journal.set_marks(teacher, lesson.id, student.id, ["5"]),
        lambda: journal.set_topic(teacher, lesson.id, "Новая тема"),
        lambda: journal.set_homework(teacher, lesson.id, "№ 1"),
        lambda: journal.set_attendance(teacher, lesson.id, student.id, "absent"),
        lambda: finals.set_final_mark(teacher, school.maths.id, q2.id, student.id, "5"),
        lambda: finals.clear_final_mark(teacher, school.maths.id, q2.id, student.id),
        lambda: finals.unlock_finals(director, school.maths.id, q2.id, reason="болел"),
        lambda: plan.add_plan_item(teacher, school.maths.id, "Тема"),
        lambda: timetable.generate_lessons(director, q2.id),
        lambda: timetable.add_lesson(director, school.maths.id, dt.date(2026, 12, 1), 5),
    ]
    for write in writes:
        with nothing_written(), pytest.raises(Locked, match="closed"):
            write()
    with pytest.raises(Locked, match="closed"):
        _roll(school, director)
    seven = class_journals(director, school.class_7a.id)  # still there to read
    assert len(seven.students) == len(school.students)


def test_the_closed_year_stays_viewable_in_the_grid_and_the_diary(
    school: SmallSchool, director: Actor
):
    from node.services.gradebook import diary, grid

    make_mark(school.maths_lessons[0], school.students[0], "4", school.oral)
    _roll(school, director)
    shown = grid.load_grid(school.actor(school.teacher), school.maths.id, school.quarters[1].id)
    assert shown.cell_text(school.students[0].id, school.maths_lessons[0].id) == "4"
    parent = school.actor(school.parent)
    children = diary.my_children(parent)
    # this year's row (the new class) first, then last year's (its marks), each naming its year
    new_year = AcademicYear.get(AcademicYear.id != school.year.id).name
    assert [c.class_label for c in children] == [f"8А ({new_year})", "7А (2026/2027)"]
    old = children[1]
    report = diary.marks_by_subject(parent, old.id, school.quarters[1].id)
    assert report is not None
