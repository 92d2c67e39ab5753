"""Classes, class teachers, students and teaching assignments: every rule, every bad input,
and nothing written on failure."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, EdiaryError, Forbidden, Locked, NotFound, ValidationError
from node.models import AcademicYear, SchoolClass, Student, TeachingAssignment
from node.services.school import school_setup, subgroups
from node.services.students import classes
from tests.factories import make_user
from tests.helpers import close_year, history_of, nothing_written


@pytest.fixture
def next_year(school, director) -> AcademicYear:
    return school_setup.create_year(
        director, "2027/2028", dt.date(2027, 9, 1), dt.date(2028, 5, 31)
    )


# --- classes --------------------------------------------------------------------------------


def test_create_class_normalises_letter(school, director):
    school_class = classes.create_class(
        director, school.year.id, 9, " в ", class_teacher_id=school.pe_teacher.id
    )
    assert (school_class.label, school_class.period_scheme) == ("9В", "quarters")
    assert school_class.class_teacher_id == school.pe_teacher.id
    assert [r.action for r in history_of(school_class)] == ["create"]


def test_create_class_duplicate_names_the_class(school, director):
    with (
        nothing_written(),
        pytest.raises(Conflict, match="The class 7А already exists in 2026/2027"),
    ):
        classes.create_class(director, school.year.id, 7, "а")


def test_same_class_in_another_year_is_fine(school, director, next_year):
    assert classes.create_class(director, next_year.id, 7, "А").label == "7А"


@pytest.mark.parametrize(
    ("grade", "letter", "scheme", "message"),
    [
        (0, "А", "quarters", "grade"),
        (12, "А", "quarters", "grade"),
        ("7", "А", "quarters", "grade"),
        (9, "  ", "quarters", "letter"),
        (9, "А", "year", "quarters or halves"),
    ],
)
def test_create_class_rejects(school, director, grade, letter, scheme, message):
    with nothing_written(), pytest.raises(ValidationError, match=message):
        classes.create_class(director, school.year.id, grade, letter, period_scheme=scheme)


def test_create_class_teacher_must_be_teaching_staff(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="not a teacher"):
        classes.create_class(director, school.year.id, 9, "А", class_teacher_id=school.parent.id)
    with nothing_written(), pytest.raises(NotFound):
        classes.create_class(director, school.year.id, 9, "А", class_teacher_id="f" * 32)
    school.pe_teacher.status = "disabled"
    school.pe_teacher.save()
    with nothing_written(), pytest.raises(ValidationError, match="disabled"):
        classes.create_class(
            director, school.year.id, 9, "А", class_teacher_id=school.pe_teacher.id
        )


def test_create_class_closed_year_and_permission(school, director):
    with nothing_written(), pytest.raises(Forbidden):
        classes.create_class(school.actor(school.teacher), school.year.id, 9, "А")
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        classes.create_class(director, school.year.id, 9, "А")


def test_set_class_teacher(school, director):
    classes.set_class_teacher(director, school.class_7a.id, school.pe_teacher.id)
    assert SchoolClass.get_by_id(school.class_7a.id).class_teacher_id == school.pe_teacher.id
    classes.set_class_teacher(director, school.class_7a.id, None)
    assert SchoolClass.get_by_id(school.class_7a.id).class_teacher_id is None
    changes = [r.change_map() for r in history_of(school.class_7a)]
    assert changes == [
        {"class_teacher": [school.teacher.id, school.pe_teacher.id]},
        {"class_teacher": [school.pe_teacher.id, None]},
    ]


def test_set_class_teacher_rejects(school, director):
    with nothing_written(), pytest.raises(ValidationError, match="not a teacher"):
        classes.set_class_teacher(director, school.class_7a.id, school.student_user.id)
    with nothing_written(), pytest.raises(Forbidden):
        classes.set_class_teacher(school.actor(school.teacher), school.class_7a.id, None)
    with nothing_written(), pytest.raises(NotFound):
        classes.set_class_teacher(director, "0" * 32, None)


# --- students -------------------------------------------------------------------------------


def test_class_teacher_enrols_a_student_today_by_default(school):
    student = classes.enrol_student(
        school.actor(school.teacher),
        school.class_7a.id,
        " Новикова ",
        "Ульяна",
        "Петровна",
        birth_date=dt.date(2013, 4, 2),
    )
    assert (student.full_name, student.enrolled_on) == (
        "Новикова Ульяна Петровна",
        dt.date(2026, 11, 25),
    )
    assert [r.action for r in history_of(student)] == ["create"]


def test_director_enrols_a_student(school, director):
    student = classes.enrol_student(
        director, school.class_8b.id, "Орлов", "Глеб", enrolled_on=dt.date(2026, 8, 30)
    )
    assert student.school_class_id == school.class_8b.id


@pytest.mark.parametrize("who", ["other_teacher", "sysadmin", "parent", "pe_teacher"])
def test_only_administration_or_the_class_teacher_enrols(school, who):
    # other_teacher leads 8Б and teaches English in 7А, but is not 7А's class teacher
    with nothing_written(), pytest.raises(Forbidden, match="class teacher of 7А"):
        classes.enrol_student(
            school.actor(getattr(school, who)), school.class_7a.id, "Орлов", "Глеб"
        )


@pytest.mark.parametrize(
    ("last", "first", "kwargs", "error", "message"),
    [
        (" ", "Глеб", {}, ValidationError, "last name"),
        ("Орлов", "", {}, ValidationError, "first name"),
        ("Орлов", "Глеб", {"enrolled_on": dt.date(2027, 6, 1)}, ValidationError, "after the end"),
        ("Орлов", "Глеб", {"birth_date": dt.date(2026, 12, 1)}, ValidationError, "birth date"),
    ],
)
def test_enrol_student_rejects(school, director, last, first, kwargs, error, message):
    with nothing_written(), pytest.raises(error, match=message):
        classes.enrol_student(director, school.class_7a.id, last, first, **kwargs)


def test_enrolling_the_same_child_twice_conflicts(school, director):
    classes.enrol_student(
        director, school.class_7a.id, "Орлов", "Глеб", birth_date=dt.date(2013, 1, 1)
    )
    with nothing_written(), pytest.raises(Conflict, match="already in 7А"):
        classes.enrol_student(
            director, school.class_7a.id, "Орлов", "Глеб", birth_date=dt.date(2013, 1, 1)
        )


def test_enrol_students_answers_each_request_as_enrol_student_would(school, director):
    s = school
    born = dt.date(2013, 1, 1)
    request = classes.EnrolmentRequest
    requests = [
        request(s.class_7a.id, "Орлов", "Глеб", birth_date=born),  # new
        request(s.class_7a.id, "Орлов", "Глеб", birth_date=born),  # the same child again
        request(s.class_7a.id, " ", "Глеб"),
        request(s.class_7a.id, "Орлов", "Глеб", enrolled_on=dt.date(2027, 6, 1)),
        request(s.class_7a.id, "Орлов", "Глеб", birth_date=dt.date(2026, 12, 1)),
        request("0" * 32, "Орлов", "Глеб"),
    ]
    results = classes.enrol_students(director, requests)
    singles = []
    for r in requests[1:]:
        with nothing_written(), pytest.raises(EdiaryError) as refused:
            classes.enrol_student(
                director,
                r.class_id,
                r.last_name,
                r.first_name,
                r.middle_name,
                birth_date=r.birth_date,
                enrolled_on=r.enrolled_on,
            )
        singles.append(refused.value)
    assert [(type(r), str(r)) for r in results[1:]] == [(type(e), str(e)) for e in singles]
    assert isinstance(results[1], Conflict)
    new = results[0]
    assert isinstance(new, Student)
    stored = Student.get_by_id(new.id)
    assert (stored.school_class_id, stored.last_name, stored.birth_date) == (
        s.class_7a.id,
        "Орлов",
        born,
    )
    assert [r.action for r in history_of(stored)] == ["create"]
    with nothing_written():
        [refused] = classes.enrol_students(s.actor(s.other_teacher), requests[:1])
    assert isinstance(refused, Forbidden) and "class teacher of 7А" in str(refused)


def test_enrol_student_closed_year(school, director):
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        classes.enrol_student(director, school.class_7a.id, "Орлов", "Глеб")


def test_student_leaves(school):
    student = school.students[4]
    classes.student_leaves(school.actor(school.teacher), student.id, dt.date(2026, 12, 1))
    assert Student.get_by_id(student.id).left_on == dt.date(2026, 12, 1)
    assert [r.change_map() for r in history_of(student)] == [{"left_on": [None, "2026-12-01"]}]


def test_student_leaves_rejects(school):
    teacher = school.actor(school.teacher)
    student = school.students[4]
    with nothing_written(), pytest.raises(Forbidden):
        classes.student_leaves(school.actor(school.other_teacher), student.id, dt.date(2026, 12, 1))
    with nothing_written(), pytest.raises(ValidationError, match="before enrolling"):
        classes.student_leaves(teacher, student.id, dt.date(2026, 8, 1))
    with nothing_written(), pytest.raises(ValidationError, match="after the end"):
        classes.student_leaves(teacher, student.id, dt.date(2027, 7, 1))
    with nothing_written(), pytest.raises(NotFound):
        classes.student_leaves(teacher, "0" * 32, dt.date(2026, 12, 1))
    classes.student_leaves(teacher, student.id, dt.date(2026, 12, 1))
    with nothing_written(), pytest.raises(Conflict, match="already left"):
        classes.student_leaves(teacher, student.id, dt.date(2026, 12, 2))


# --- teaching assignments -------------------------------------------------------------------


def test_create_assignment(school, director):
    physics = school_setup.create_subject(director, "Физика")
    assignment = classes.create_assignment(
        director, school.teacher.id, school.class_8b.id, physics.id, hours_per_week=2
    )
    assert (assignment.teacher_id, assignment.hours_per_week, assignment.subgroup_id) == (
        school.teacher.id,
        2.0,
        None,
    )
    assert [r.action for r in history_of(assignment)] == ["create"]


def test_assignment_for_a_second_subgroup(school, director):
    group2 = subgroups.create_subgroup(
        director, school.class_7a.id, school.english_subject.id, "2 группа"
    )
    assignment = classes.create_assignment(
        director,
        school.pe_teacher.id,
        school.class_7a.id,
        school.english_subject.id,
        subgroup_id=group2.id,
        hours_per_week=3,
    )
    assert assignment.subgroup_id == group2.id


def test_create_assignments_answers_each_request_as_create_assignment_would(school, director):
    s = school
    physics = school_setup.create_subject(director, "Физика")
    leader = make_user("leader", "class_teacher", "Лидова", "Нина")
    request = classes.AssignmentRequest
    requests = [
        request(s.teacher.id, s.class_8b.id, physics.id, hours_per_week=2),  # new
        request(s.pe_teacher.id, s.class_8b.id, physics.id, hours_per_week=1),  # taught now
        request(leader.id, s.class_8b.id, s.pe_subject.id, hours_per_week=1),
        request(s.teacher.id, s.class_7a.id, s.pe_subject.id, s.group1.id, 1),
        request(s.teacher.id, s.class_8b.id, s.pe_subject.id, hours_per_week=41),
        request(s.teacher.id, s.class_8b.id, "0" * 32, hours_per_week=1),
        request(s.teacher.id, s.class_7a.id, s.maths_subject.id, hours_per_week=1),
    ]
    results = classes.create_assignments(director, requests)
    singles = []
    for r in requests[1:]:
        with nothing_written(), pytest.raises(EdiaryError) as refused:
            classes.create_assignment(
                director,
                r.teacher_id,
                r.class_id,
                r.subject_id,
                subgroup_id=r.subgroup_id,
                hours_per_week=r.hours_per_week,
            )
        singles.append(refused.value)
    assert [(type(r), str(r)) for r in results[1:]] == [(type(e), str(e)) for e in singles]
    assert "already taught by Иванова" in str(results[1])
    new = results[0]
    assert isinstance(new, TeachingAssignment)
    stored = TeachingAssignment.get_by_id(new.id)
    assert (stored.teacher_id, stored.hours_per_week, stored.subgroup_id) == (s.teacher.id, 2, None)
    assert [r.action for r in history_of(stored)] == ["create"]
    with nothing_written(), pytest.raises(Forbidden):
        classes.create_assignments(s.actor(s.teacher), requests[:1])


def test_create_assignment_rejects(school, director):
    s = school
    with nothing_written(), pytest.raises(ValidationError, match="does not have the teacher role"):
        classes.create_assignment(
            director, s.parent.id, s.class_8b.id, s.pe_subject.id, hours_per_week=1
        )
    leader = make_user("leader", "class_teacher", "Лидова", "Нина")
    with nothing_written(), pytest.raises(ValidationError, match="does not have the teacher role"):
        classes.create_assignment(
            director, leader.id, s.class_8b.id, s.pe_subject.id, hours_per_week=1
        )
    with nothing_written(), pytest.raises(ValidationError, match="not a subgroup of 7А for"):
        classes.create_assignment(
            director,
            s.teacher.id,
            s.class_7a.id,
            s.pe_subject.id,
            subgroup_id=s.group1.id,
            hours_per_week=1,
        )
    with nothing_written(), pytest.raises(ValidationError, match="not a subgroup of 8Б"):
        classes.create_assignment(
            director,
            s.teacher.id,
            s.class_8b.id,
            s.english_subject.id,
            subgroup_id=s.group1.id,
            hours_per_week=1,
        )
    for hours in (0, -2, "many", 41):
        with nothing_written(), pytest.raises(ValidationError, match="Hours per week"):
            classes.create_assignment(
                director, s.teacher.id, s.class_8b.id, s.pe_subject.id, hours_per_week=hours
            )
    with nothing_written(), pytest.raises(NotFound):
        classes.create_assignment(director, s.teacher.id, s.class_8b.id, "0" * 32, hours_per_week=1)
    with nothing_written(), pytest.raises(Forbidden):
        classes.create_assignment(
            s.actor(s.teacher), s.teacher.id, s.class_8b.id, s.pe_subject.id, hours_per_week=1
        )


def test_duplicate_assignment_conflicts(school, director):
    s = school
    with (
        nothing_written(),
        pytest.raises(Conflict, match="Математика in 7А is already taught by Иванова") as raised,
    ):
        classes.create_assignment(
            director, s.pe_teacher.id, s.class_7a.id, s.maths_subject.id, hours_per_week=1
        )
    assert str(raised.value).endswith(" А.") and not str(raised.value).endswith("..")
    with (
        nothing_written(),
        pytest.raises(Conflict, match=r"7А \(1 группа\) is already taught by Петров"),
    ):
        classes.create_assignment(
            director,
            s.teacher.id,
            s.class_7a.id,
            s.english_subject.id,
            subgroup_id=s.group1.id,
            hours_per_week=1,
        )


def test_set_hours_per_week(school, director):
    assignment = classes.set_hours_per_week(director, school.maths.id, "4.5")
    assert assignment.hours_per_week == 4.5
    assert [r.action for r in history_of(assignment)][-1] == "update"
    with nothing_written(), pytest.raises(ValidationError, match="at most 40"):
        classes.set_hours_per_week(director, school.maths.id, 41)
    with nothing_written(), pytest.raises(Forbidden):
        classes.set_hours_per_week(school.actor(school.teacher), school.maths.id, 3)
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        classes.set_hours_per_week(director, school.maths.id, 3)


def test_create_assignment_closed_year(school, director):
    close_year(school.year)
    with nothing_written(), pytest.raises(Locked):
        classes.create_assignment(
            director, school.teacher.id, school.class_8b.id, school.pe_subject.id, hours_per_week=1
        )


# --- removing a class or a journal ----------------------------------------------------------


def test_a_class_with_students_and_marks_is_not_removed_and_says_why(school, director):
    from tests.factories import make_mark

    make_mark(school.maths_lessons[0], school.students[0], "5", school.oral)
    with nothing_written(), pytest.raises(Conflict, match="1 marks"):
        classes.remove_class(director, school.class_7a.id)


def test_an_empty_class_is_removed_with_history(school, director):
    empty = classes.create_class(director, school.year.id, 9, "В")
    with nothing_written(), pytest.raises(Forbidden):
        classes.remove_class(school.actor(school.teacher), empty.id)
    classes.remove_class(director, empty.id)
    assert SchoolClass.get_or_none(SchoolClass.id == empty.id) is None
    assert [row.action for row in history_of(empty)] == ["create", "delete"]


def test_a_journal_with_lessons_is_kept_a_new_one_goes_with_its_timetable(school, director):
    from node.models import TeachingAssignment, TimetableSlot

    with nothing_written(), pytest.raises(Conflict, match="lessons"):
        classes.remove_assignment(director, school.maths.id)
    journal = classes.create_assignment(
        director, school.pe_teacher.id, school.class_8b.id, school.pe_subject.id, hours_per_week=2
    )
    TimetableSlot.create(assignment=journal, weekday=5, number=4)
    classes.remove_assignment(director, journal.id)
    assert TeachingAssignment.get_or_none(TeachingAssignment.id == journal.id) is None
    assert not TimetableSlot.select().where(TimetableSlot.assignment == journal.id).exists()
    assert [row.action for row in history_of(journal)] == ["create", "delete"]


def test_a_class_changes_its_scheme_until_it_has_final_marks(school, director):
    import datetime as dt

    from node.models import FinalMark

    teacher = school.other_teacher.id
    classes.change_class(
        director, school.class_8b.id, class_teacher_id=teacher, period_scheme="quarters"
    )
    assert SchoolClass.get_by_id(school.class_8b.id).period_scheme == "quarters"
    assert [row.action for row in history_of(school.class_8b)][-1] == "update"
    with nothing_written(), pytest.raises(ValidationError, match="quarters or halves"):
        classes.change_class(
            director, school.class_8b.id, class_teacher_id=teacher, period_scheme="year"
        )
    FinalMark.create(
        student=school.students[0],
        assignment=school.maths,
        period=school.quarters[0],
        value="5",
        set_at=dt.datetime(2026, 11, 1, 9, 0),
    )
    with nothing_written(), pytest.raises(Conflict, match="final marks"):
        classes.change_class(
            director, school.class_7a.id, class_teacher_id=None, period_scheme="halves"
        )
    with nothing_written(), pytest.raises(Forbidden):
        classes.change_class(
            school.actor(school.teacher),
            school.class_8b.id,
            class_teacher_id=teacher,
            period_scheme="halves",
        )
