"""A small, hand-made school for service tests, written straight into the models.

It is built without the services on purpose, so that a test of one service does not
depend on another. Everything is named so tests read like the school: ``s.maths`` is
7А's maths journal taught by ``s.teacher``; ``s.english_g1`` is taught to a subgroup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from node.models import (
    AcademicYear,
    Bell,
    Guardian,
    Holiday,
    Lesson,
    Mark,
    Period,
    School,
    SchoolClass,
    Student,
    StudentGuardian,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
    TimetableSlot,
    User,
    WorkType,
)
from node.services.base.actor import Actor

CREATED = dt.datetime(2026, 8, 25, 9, 0)


def make_user(login: str, roles: str, last: str, first: str, middle: str = "") -> User:
    return User.create(
        login=login,
        roles=roles,
        last_name=last,
        first_name=first,
        middle_name=middle,
        status="active",
        created_at=CREATED,
    )


@dataclass
class SmallSchool:
    """Handles on everything ``build_small_school`` made."""

    school: School
    year: AcademicYear
    quarters: list[Period]
    halves: list[Period]
    year_period: Period
    autumn_break: Holiday
    # people
    sysadmin: User
    director: User
    deputy: User
    teacher: User  # maths in 7А, class teacher of 7А
    other_teacher: User  # English subgroup 1 in 7А, maths in 8Б
    pe_teacher: User  # physical education (pass/fail) in 7А
    parent: User  # parent of students[0]
    other_parent: User  # parent of other_students[0] (8Б)
    student_user: User  # students[0] signs in as this user
    # classes and students
    class_7a: SchoolClass
    class_8b: SchoolClass
    students: list[Student]
    other_students: list[Student]
    # subjects and journals
    maths_subject: Subject
    english_subject: Subject
    pe_subject: Subject
    maths: TeachingAssignment
    english_g1: TeachingAssignment
    pe: TeachingAssignment
    maths_8b: TeachingAssignment
    group1: Subgroup
    # work types
    oral: WorkType
    test_work: WorkType
    # a few lessons of maths in 7А (Mondays and Wednesdays, 2nd lesson) in quarter 2
    maths_lessons: list[Lesson] = field(default_factory=list)

    def actor(self, user: User) -> Actor:
        return Actor.from_user(user)


def build_small_school() -> SmallSchool:
    school = School.create(name="Школа № 1", timezone="Europe/Moscow", locale="ru", policy="{}")
    year = AcademicYear.create(
        name="2026/2027", start=dt.date(2026, 9, 1), end=dt.date(2027, 5, 31), status="active"
    )
    q_dates = [
        (dt.date(2026, 9, 1), dt.date(2026, 10, 24)),
        (dt.date(2026, 11, 5), dt.date(2026, 12, 27)),
        (dt.date(2027, 1, 11), dt.date(2027, 3, 21)),
        (dt.date(2027, 3, 31), dt.date(2027, 5, 31)),
    ]
    quarters = [
        Period.create(
            year=year, scheme="quarters", number=i + 1, name=f"{i + 1} четверть", start=s, end=e
        )
        for i, (s, e) in enumerate(q_dates)
    ]
    halves = [
        Period.create(
            year=year,
            scheme="halves",
            number=1,
            name="1 полугодие",
            start=dt.date(2026, 9, 1),
            end=dt.date(2026, 12, 27),
        ),
        Period.create(
            year=year,
            scheme="halves",
            number=2,
            name="2 полугодие",
            start=dt.date(2027, 1, 11),
            end=dt.date(2027, 5, 31),
        ),
    ]
    year_period = Period.create(
        year=year, scheme="year", number=1, name="Год", start=year.start, end=year.end
    )
    autumn_break = Holiday.create(
        year=year, name="Осенние каникулы", start=dt.date(2026, 10, 25), end=dt.date(2026, 11, 4)
    )
    for number, (starts, ends) in enumerate(
        [("08:30", "09:15"), ("09:25", "10:10"), ("10:30", "11:15"), ("11:35", "12:20")], start=1
    ):
        Bell.create(number=number, starts=starts, ends=ends)

    sysadmin = make_user("admin", "sysadmin", "Сидоров", "Пётр", "Ильич")
    director = make_user("director", "director", "Орлова", "Анна", "Сергеевна")
    deputy = make_user("deputy", "deputy", "Козлов", "Игорь", "Павлович")
    teacher = make_user("ivanova", "teacher class_teacher", "Иванова", "Мария", "Александровна")
    other_teacher = make_user("petrov", "teacher", "Петров", "Олег", "Викторович")
    pe_teacher = make_user("sokolov", "teacher", "Соколов", "Денис", "Андреевич")
    parent = make_user("parent1", "parent", "Смирнова", "Елена", "Викторовна")
    other_parent = make_user("parent2", "parent", "Кузнецов", "Андрей", "Олегович")
    student_user = make_user("student1", "student", "Смирнов", "Артём", "Игоревич")

    class_7a = SchoolClass.create(
        year=year, grade=7, letter="А", class_teacher=teacher, period_scheme="quarters"
    )
    class_8b = SchoolClass.create(
        year=year, grade=8, letter="Б", class_teacher=other_teacher, period_scheme="halves"
    )
    names_7a = [
        ("Смирнов", "Артём"),
        ("Алексеева", "Дарья"),
        ("Белов", "Кирилл"),
        ("Волкова", "Софья"),
        ("Григорьев", "Максим"),
    ]
    students = [
        Student.create(
            school_class=class_7a,
            last_name=last,
            first_name=first,
            middle_name="",
            enrolled_on=dt.date(2026, 9, 1),
            user=student_user if i == 0 else None,
        )
        for i, (last, first) in enumerate(names_7a)
    ]
    other_students = [
        Student.create(
            school_class=class_8b, last_name=last, first_name=first, enrolled_on=dt.date(2026, 9, 1)
        )
        for last, first in [("Кузнецова", "Алина"), ("Лебедев", "Никита"), ("Морозова", "Ева")]
    ]
    g1 = Guardian.create(
        last_name="Смирнова", first_name="Елена", middle_name="Викторовна", user=parent
    )
    StudentGuardian.create(student=students[0], guardian=g1, relation="mother")
    g2 = Guardian.create(last_name="Кузнецов", first_name="Андрей", user=other_parent)
    StudentGuardian.create(student=other_students[0], guardian=g2, relation="father")

    maths_subject = Subject.create(name="Математика", short_name="Мат", needs_written_work=True)
    english_subject = Subject.create(name="Английский язык", short_name="Англ")
    pe_subject = Subject.create(name="Физическая культура", short_name="Физ-ра", pass_fail=True)

    group1 = Subgroup.create(school_class=class_7a, subject=english_subject, name="1 группа")
    for student in students[:3]:
        SubgroupMember.create(subgroup=group1, student=student)

    maths = TeachingAssignment.create(
        teacher=teacher, school_class=class_7a, subject=maths_subject, hours_per_week=2
    )
    english_g1 = TeachingAssignment.create(
        teacher=other_teacher,
        school_class=class_7a,
        subject=english_subject,
        subgroup=group1,
        hours_per_week=3,
    )
    pe = TeachingAssignment.create(
        teacher=pe_teacher, school_class=class_7a, subject=pe_subject, hours_per_week=2
    )
    maths_8b = TeachingAssignment.create(
        teacher=other_teacher, school_class=class_8b, subject=maths_subject, hours_per_week=5
    )
    TimetableSlot.create(assignment=maths, weekday=1, number=2)
    TimetableSlot.create(assignment=maths, weekday=3, number=2)
    TimetableSlot.create(assignment=english_g1, weekday=2, number=3)
    TimetableSlot.create(assignment=pe, weekday=4, number=1)

    oral = WorkType.create(name="Ответ на уроке", weight=1.0, kind="oral")
    test_work = WorkType.create(name="Контрольная работа", weight=2.0, kind="test")
    WorkType.create(name="Самостоятельная работа", weight=1.5, kind="written")

    maths_lessons = [
        Lesson.create(assignment=maths, date=day, number=2, topic="", homework="")
        for day in (
            dt.date(2026, 11, 9),
            dt.date(2026, 11, 11),
            dt.date(2026, 11, 16),
            dt.date(2026, 11, 18),
            dt.date(2026, 11, 23),
            dt.date(2026, 11, 25),
        )
    ]
    return SmallSchool(
        school=school,
        year=year,
        quarters=quarters,
        halves=halves,
        year_period=year_period,
        autumn_break=autumn_break,
        sysadmin=sysadmin,
        director=director,
        deputy=deputy,
        teacher=teacher,
        other_teacher=other_teacher,
        pe_teacher=pe_teacher,
        parent=parent,
        other_parent=other_parent,
        student_user=student_user,
        class_7a=class_7a,
        class_8b=class_8b,
        students=students,
        other_students=other_students,
        maths_subject=maths_subject,
        english_subject=english_subject,
        pe_subject=pe_subject,
        maths=maths,
        english_g1=english_g1,
        pe=pe,
        maths_8b=maths_8b,
        group1=group1,
        oral=oral,
        test_work=test_work,
        maths_lessons=maths_lessons,
    )


def make_mark(
    lesson: Lesson,
    student: Student,
    value: str,
    work_type: WorkType,
    position: int = 0,
    *,
    at: dt.datetime = dt.datetime(2026, 11, 25, 12, 0),
):
    """A mark written straight into the table (no service, no history), for set-ups."""
    return Mark.create(
        lesson=lesson,
        student=student,
        position=position,
        value=value,
        points=int(value) if value.isdigit() else None,
        work_type=work_type,
        updated_at=at,
    )
