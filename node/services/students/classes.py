"""Classes and their teachers, students enrolling and leaving, and teaching assignments.

Every function follows the service order (look up → permission → validate → one
transaction with history), so bad input writes nothing. A closed academic year is
read-only [R 6.3]: anything that would change it raises ``Locked``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from node.errors import Conflict, EdiaryError, Forbidden, ValidationError
from node.i18n import _
from node.models import (
    AcademicYear,
    FinalMark,
    Lesson,
    Mark,
    PlanItem,
    SchoolClass,
    Student,
    Subgroup,
    Subject,
    TeachingAssignment,
    TimetableSlot,
    User,
    db,
)
from node.services.base import clock, history
from node.services.base.actor import Actor
from node.services.base.lookup import (
    by_ids,
    ensure_journal_open,
    ensure_year_open,
    get_assignment,
    get_class,
    get_student,
    get_subgroup,
    get_subject,
    get_user,
    get_year,
    required_text,
)
from node.services.base.names import FIRST, LAST, MIDDLE, person_name
from node.services.base.permissions import Action, allowed, ensure_allowed
from node.services.base.text import one_final_period
from node.services.students.profiles import check_birth_date

#: The schemes a class can follow; the 'year' period belongs to every class.
CLASS_SCHEMES = ("quarters", "halves")
#: Roles that may teach a subject or lead a class.
TEACHING_ROLES = frozenset({"teacher", "class_teacher"})
MIN_GRADE, MAX_GRADE = 1, 11
MAX_HOURS_PER_WEEK = 40


def _check_staff(user: User, roles: frozenset[str], role_message: str) -> None:
    """Teaching staff only (one of ``roles``), and not a disabled account.

    A 'pending' account (code issued, not yet redeemed) is accepted: at the start of a year
    the school is set up before every teacher has signed in once.
    """
    if user.status == "disabled":
        raise ValidationError(
            _("The account of {name} is disabled; enable it first or choose someone else.").format(
                name=user.display_name
            )
        )
    if not (user.role_set & roles):
        raise ValidationError(role_message.format(name=user.display_name))


# --- classes and students -------------------------------------------------------------------


def _class_teacher(user_id: str | None) -> User | None:
    if user_id is None:
        return None
    user = get_user(user_id)
    _check_staff(user, TEACHING_ROLES, _("{name} is not a teacher and cannot lead a class."))
    return user


def create_class(
    actor: Actor,
    year_id: str,
    grade: int,
    letter: str,
    *,
    class_teacher_id: str | None = None,
    period_scheme: str = "quarters",
) -> SchoolClass:
    """A class such as 7А; the letter is kept as typed, upper-cased."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    if not isinstance(grade, int) or not MIN_GRADE <= grade <= MAX_GRADE:
        raise ValidationError(
            _("A class's grade must be a whole number from {low} to {high}.").format(
                low=MIN_GRADE, high=MAX_GRADE
            )
        )
    clean_letter = required_text(letter, _("Enter the class's letter, e.g. А.")).upper()
    if period_scheme not in CLASS_SCHEMES:
        raise ValidationError(
            _("A class follows quarters or halves, not «{scheme}».").format(scheme=period_scheme)
        )
    teacher = _class_teacher(class_teacher_id)
    duplicate = SchoolClass.get_or_none(
        SchoolClass.year == year, SchoolClass.grade == grade, SchoolClass.letter == clean_letter
    )
    if duplicate is not None:
        raise Conflict(
            _("The class {label} already exists in {year}.").format(
                label=duplicate.label, year=year.name
            )
        )
    with db.atomic():
        school_class = SchoolClass.create(
            year=year,
            grade=grade,
            letter=clean_letter,
            class_teacher=teacher,
            period_scheme=period_scheme,
        )
        history.record_create(actor, school_class)
    return school_class


def set_class_teacher(actor: Actor, class_id: str, user_id: str | None) -> SchoolClass:
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(school_class.year)
    teacher = _class_teacher(user_id)
    history.update_row(actor, school_class, {"class_teacher": teacher})
    return school_class


def _ensure_may_enrol(actor: Actor, school_class: SchoolClass) -> None:
    # "May edit a student of this class" is the class teacher's right [R 4.1].
    prospective = Student(school_class=school_class)
    if not (
        allowed(actor, Action.SCHOOL_MANAGE) or allowed(actor, Action.STUDENT_EDIT, prospective)
    ):
        raise Forbidden(
            _("Only the administration or the class teacher of {label} can enrol students.").format(
                label=school_class.label
            )
        )


def _check_enrolment(
    school_class: SchoolClass,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: dt.date | None,
    enrolled_on: dt.date | None,
) -> tuple[str, str, str, dt.date]:
    """What ``enrol_student`` checks before looking for a twin: the names and the day."""
    year = school_class.year
    ensure_year_open(year)
    last = person_name(required_text(last_name, _("Enter the student's last name.")), LAST)
    first = person_name(required_text(first_name, _("Enter the student's first name.")), FIRST)
    middle = person_name(middle_name, MIDDLE)
    day = enrolled_on or clock.today()
    if day > year.end:
        raise ValidationError(
            _("The enrolment date {day} is after the end of the academic year {name}.").format(
                day=day.isoformat(), name=year.name
            )
        )
    check_birth_date(birth_date, day)
    return last, first, middle, day


def _twin(names: tuple[str, str, str], birth_date: dt.date, school_class: SchoolClass) -> Conflict:
    return Conflict(
        _("{name}, born {birth}, is already in {label}.").format(
            name=" ".join(p for p in names if p),
            birth=birth_date.isoformat(),
            label=school_class.label,
        )
    )


def enrol_student(
    actor: Actor,
    class_id: str,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    *,
    birth_date: dt.date | None = None,
    enrolled_on: dt.date | None = None,
) -> Student:
    """Add a student to a class: the administration or the class's own teacher [R 3.3, 4.1]."""
    school_class = get_class(class_id)
    _ensure_may_enrol(actor, school_class)
    last, first, middle, day = _check_enrolment(
        school_class, last_name, first_name, middle_name, birth_date, enrolled_on
    )
    if birth_date is not None:
        twin = Student.in_class(school_class).where(
            Student.last_name == last,
            Student.first_name == first,
            Student.middle_name == middle,
            Student.birth_date == birth_date,
        )
        if twin.exists():
            raise _twin((last, first, middle), birth_date, school_class)
    with db.atomic():
        student = Student.create(
            school_class=school_class,
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=birth_date,
            enrolled_on=day,
        )
        history.record_create(actor, student)
    return student


@dataclass(frozen=True)
class EnrolmentRequest:
    """One ``enrol_student`` of a batch."""

    class_id: str
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: dt.date | None = None
    enrolled_on: dt.date | None = None


def enrol_students(
    actor: Actor, requests: Sequence[EnrolmentRequest]
) -> list[Student | EdiaryError]:
    """``enrol_student`` for each request, in order, as if called one after the other: each
    gets its student or the refusal ``enrol_student`` would raise.

    The right to enrol is asked once per class, the classes and their students are read
    once, and the students written many per statement, in one transaction. The students
    accepted are written even when others are refused; a caller that wants all or nothing
    (the set-up import) rolls back its own transaction.
    """
    school_classes = _classes_with_years([r.class_id for r in requests])
    may_enrol: dict[str, EdiaryError | None] = {}
    twins: set[tuple[str, str, str, str, dt.date | None]] = set()
    ids = list(school_classes)
    for start in range(0, len(ids), 500):
        twins.update(
            Student.select(
                Student.school_class,
                Student.last_name,
                Student.first_name,
                Student.middle_name,
                Student.birth_date,
            )
            .where(Student.school_class.in_(ids[start : start + 500]))
            .tuples()
        )
    results: list[Student | EdiaryError] = []
    new: list[Student] = []
    for request in requests:
        try:
            school_class = school_classes.get(request.class_id) or get_class(request.class_id)
            if school_class.id not in may_enrol:
                try:
                    _ensure_may_enrol(actor, school_class)
                    may_enrol[school_class.id] = None
                except EdiaryError as exc:
                    may_enrol[school_class.id] = exc
            refused = may_enrol[school_class.id]
            if refused is not None:
                raise refused
            names = _check_enrolment(
                school_class,
                request.last_name,
                request.first_name,
                request.middle_name,
                request.birth_date,
                request.enrolled_on,
            )
            key = (school_class.id, *names[:3], request.birth_date)
            if request.birth_date is not None and key in twins:
                raise _twin(names[:3], request.birth_date, school_class)
        except EdiaryError as exc:
            results.append(exc)
            continue
        last, first, middle, day = names
        student = Student(
            school_class=school_class,
            last_name=last,
            first_name=first,
            middle_name=middle,
            birth_date=request.birth_date,
            enrolled_on=day,
        )
        twins.add(key)
        new.append(student)
        results.append(student)
    with history.one_transaction():
        history.create_rows(actor, new)
    return results


def _classes_with_years(class_ids: Sequence[str]) -> dict[str, SchoolClass]:
    """The classes that exist of those asked, each with its year, read at once."""
    school_classes = by_ids(SchoolClass, class_ids)
    years = by_ids(AcademicYear, [c.year_id for c in school_classes.values()])
    for school_class in school_classes.values():
        school_class.year = years[school_class.year_id]
    return school_classes


def student_leaves(actor: Actor, student_id: str, left_on: dt.date) -> Student:
    """Record that a student left; the row stays so marks and history remain."""
    student = get_student(student_id)
    ensure_allowed(actor, Action.STUDENT_EDIT, student)
    year = student.school_class.year
    ensure_year_open(year)
    if student.left_on is not None:
        raise Conflict(
            _("{name} already left on {day}.").format(
                name=student.full_name, day=student.left_on.isoformat()
            )
        )
    if left_on < student.enrolled_on:
        raise ValidationError(
            _("{name} cannot leave on {day}, before enrolling on {enrolled}.").format(
                name=student.full_name,
                day=left_on.isoformat(),
                enrolled=student.enrolled_on.isoformat(),
            )
        )
    if left_on > year.end:
        raise ValidationError(
            _("The leaving date {day} is after the end of the academic year {name}.").format(
                day=left_on.isoformat(), name=year.name
            )
        )
    history.update_row(actor, student, {"left_on": left_on})
    return student


# --- teaching assignments -------------------------------------------------------------------


def check_hours_per_week(hours_per_week: float | str) -> float:
    """Hours per week as a number above 0 and at most ``MAX_HOURS_PER_WEEK``."""
    try:
        hours = float(hours_per_week)
    except (TypeError, ValueError):
        hours = math.nan
    if not (math.isfinite(hours) and 0 < hours <= MAX_HOURS_PER_WEEK):
        raise ValidationError(
            _("Hours per week must be above 0 and at most {high}, not «{hours}».").format(
                high=MAX_HOURS_PER_WEEK, hours=hours_per_week
            )
        )
    return hours


def set_hours_per_week(
    actor: Actor, assignment_id: str, hours_per_week: float | str
) -> TeachingAssignment:
    """A journal's hours per week, corrected (the teaching load, тарификация, changed)."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(assignment)
    hours = check_hours_per_week(hours_per_week)
    before = history.snapshot(assignment, ("hours_per_week",))
    with db.atomic():
        assignment.hours_per_week = hours
        assignment.save(only=[TeachingAssignment.hours_per_week])
        history.record_update(actor, assignment, before)
    return assignment


def _check_new_assignment(
    teacher: User,
    school_class: SchoolClass,
    subject: Subject,
    subgroup: Subgroup | None,
    hours_per_week: float,
) -> float:
    """What ``create_assignment`` checks before looking for a duplicate; the hours."""
    ensure_year_open(school_class.year)
    check_journal_teacher(teacher)
    check_journal_subgroup(school_class, subject, subgroup)
    return check_hours_per_week(hours_per_week)


def check_journal_teacher(teacher: User) -> None:
    """A journal's teacher: an account with the teacher role, not disabled."""
    _check_staff(
        teacher,
        frozenset({"teacher"}),
        _("{name} does not have the teacher role; ask the administrator to add it."),
    )


def check_journal_subgroup(
    school_class: SchoolClass, subject: Subject, subgroup: Subgroup | None
) -> None:
    """A journal is for the whole class or for one of its subgroups for that subject."""
    if subgroup is not None and (
        subgroup.school_class_id != school_class.id or subgroup.subject_id != subject.id
    ):
        raise ValidationError(
            _("The subgroup «{name}» is not a subgroup of {label} for {subject}.").format(
                name=subgroup.name, label=school_class.label, subject=subject.name
            )
        )


def ensure_no_other_journal(
    school_class: SchoolClass,
    subject: Subject,
    subgroup: Subgroup | None,
    *,
    other_than: TeachingAssignment | None = None,
) -> None:
    """No journal (but ``other_than``, the one being changed) teaches the same subject to
    the same class or subgroup."""
    same = TeachingAssignment.select().where(
        TeachingAssignment.school_class == school_class,
        TeachingAssignment.subject == subject,
        (
            TeachingAssignment.subgroup.is_null()
            if subgroup is None
            else TeachingAssignment.subgroup == subgroup
        ),
    )
    if other_than is not None:
        same = same.where(TeachingAssignment.id != other_than.id)
    existing = same.first()
    if existing is not None:
        raise _already_taught(existing, school_class, subject, subgroup)


def _already_taught(
    existing: TeachingAssignment,
    school_class: SchoolClass,
    subject: Subject,
    subgroup: Subgroup | None,
) -> Conflict:
    target = school_class.label if subgroup is None else f"{school_class.label} ({subgroup.name})"
    return Conflict(
        one_final_period(
            _("{subject} in {target} is already taught by {teacher}.").format(
                subject=subject.name, target=target, teacher=existing.teacher.display_name
            )
        )
    )


def create_assignment(
    actor: Actor,
    teacher_id: str,
    class_id: str,
    subject_id: str,
    *,
    subgroup_id: str | None = None,
    hours_per_week: float,
) -> TeachingAssignment:
    """A teacher teaches a subject to a class or to one of its subgroups: one journal."""
    teacher = get_user(teacher_id)
    school_class = get_class(class_id)
    subject = get_subject(subject_id)
    subgroup = get_subgroup(subgroup_id) if subgroup_id is not None else None
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    hours = _check_new_assignment(teacher, school_class, subject, subgroup, hours_per_week)
    ensure_no_other_journal(school_class, subject, subgroup)
    with db.atomic():
        assignment = TeachingAssignment.create(
            teacher=teacher,
            school_class=school_class,
            subject=subject,
            subgroup=subgroup,
            hours_per_week=hours,
        )
        history.record_create(actor, assignment)
    return assignment


@dataclass(frozen=True)
class AssignmentRequest:
    """One ``create_assignment`` of a batch."""

    teacher_id: str
    class_id: str
    subject_id: str
    subgroup_id: str | None = None
    hours_per_week: float = 1.0


def create_assignments(
    actor: Actor, requests: Sequence[AssignmentRequest]
) -> list[TeachingAssignment | EdiaryError]:
    """``create_assignment`` for each request, in order, as if called one after the other:
    each gets its journal or the refusal ``create_assignment`` would raise.

    What the checks need is read once and the journals written many per statement, in one
    transaction. The journals accepted are written even when others are refused; a caller
    that wants all or nothing (the set-up import) rolls back its own transaction.
    """
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    users = by_ids(User, [r.teacher_id for r in requests])
    school_classes = _classes_with_years([r.class_id for r in requests])
    subjects = by_ids(Subject, [r.subject_id for r in requests])
    subgroups = by_ids(Subgroup, [r.subgroup_id for r in requests if r.subgroup_id])
    taught: dict[tuple[str, str, str | None], TeachingAssignment] = {}
    for start in range(0, len(school_classes), 500):
        chunk = list(school_classes)[start : start + 500]
        for row in TeachingAssignment.select().where(TeachingAssignment.school_class.in_(chunk)):
            taught.setdefault((row.school_class_id, row.subject_id, row.subgroup_id), row)
    results: list[TeachingAssignment | EdiaryError] = []
    new: list[TeachingAssignment] = []
    for request in requests:
        try:
            teacher = users.get(request.teacher_id) or get_user(request.teacher_id)
            school_class = school_classes.get(request.class_id) or get_class(request.class_id)
            subject = subjects.get(request.subject_id) or get_subject(request.subject_id)
            subgroup = None
            if request.subgroup_id is not None:
                subgroup = subgroups.get(request.subgroup_id) or get_subgroup(request.subgroup_id)
            hours = _check_new_assignment(
                teacher, school_class, subject, subgroup, request.hours_per_week
            )
            key = (school_class.id, subject.id, subgroup.id if subgroup else None)
            existing = taught.get(key)
            if existing is not None:
                raise _already_taught(existing, school_class, subject, subgroup)
        except EdiaryError as exc:
            results.append(exc)
            continue
        assignment = TeachingAssignment(
            teacher=teacher,
            school_class=school_class,
            subject=subject,
            subgroup=subgroup,
            hours_per_week=hours,
        )
        taught[key] = assignment
        new.append(assignment)
        results.append(assignment)
    with history.one_transaction():
        history.create_rows(actor, new)
    return results


# --- removing what nothing depends on -------------------------------------------------------


def remove_class(actor: Actor, class_id: str) -> None:
    """Remove a class without students and journals (a class with marks has both)."""
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(school_class.year)
    students = Student.select().where(Student.school_class == school_class).count()
    journals = (
        TeachingAssignment.select().where(TeachingAssignment.school_class == school_class).count()
    )
    if students or journals:
        marks = (
            Mark.select()
            .join(Lesson)
            .join(TeachingAssignment)
            .where(TeachingAssignment.school_class == school_class)
            .count()
        )
        raise Conflict(
            _(
                "{label} has {students} students, {journals} journals and {marks} marks; "
                "a class is removed only when it has none."
            ).format(label=school_class.label, students=students, journals=journals, marks=marks)
        )
    with db.atomic():
        history.record_delete(actor, school_class)
        school_class.delete_instance()


def remove_assignment(actor: Actor, assignment_id: str) -> None:
    """Remove a journal from the teaching load, with its timetable places, when it holds
    no lessons, plan and final marks (its data is never thrown away)."""
    assignment = get_assignment(assignment_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_journal_open(assignment)
    lessons = Lesson.select().where(Lesson.assignment == assignment).count()
    plan = PlanItem.select().where(PlanItem.assignment == assignment).count()
    finals = FinalMark.select().where(FinalMark.assignment == assignment).count()
    if lessons or plan or finals:
        raise Conflict(
            _(
                "The journal has {lessons} lessons, {plan} plan topics and {finals} final marks; "
                "a journal with data is not removed."
            ).format(lessons=lessons, plan=plan, finals=finals)
        )
    slots = list(TimetableSlot.select().where(TimetableSlot.assignment == assignment))
    with db.atomic():
        for slot in slots:
            history.record_delete(actor, slot)
            slot.delete_instance()
        history.record_delete(actor, assignment)
        assignment.delete_instance()


def _check_scheme_change(school_class: SchoolClass, period_scheme: str) -> None:
    """Quarters or halves; changed only while the class has no final marks (they belong to
    the periods of the scheme it followed)."""
    if period_scheme not in CLASS_SCHEMES:
        raise ValidationError(
            _("A class follows quarters or halves, not «{scheme}».").format(scheme=period_scheme)
        )
    if period_scheme == school_class.period_scheme:
        return
    finals = (
        FinalMark.select()
        .join(TeachingAssignment)
        .where(TeachingAssignment.school_class == school_class)
        .count()
    )
    if finals:
        raise Conflict(
            _(
                "{label} already has final marks ({count}) for its periods; "
                "its scheme is not changed in the middle of the year."
            ).format(label=school_class.label, count=finals)
        )


def change_class(
    actor: Actor, class_id: str, *, class_teacher_id: str | None, period_scheme: str
) -> SchoolClass:
    """A class's teacher and period scheme, both checked before either is written."""
    school_class = get_class(class_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(school_class.year)
    teacher = _class_teacher(class_teacher_id)
    _check_scheme_change(school_class, period_scheme)
    history.update_row(
        actor, school_class, {"class_teacher": teacher, "period_scheme": period_scheme}
    )
    return school_class


def set_grade_scheme(actor: Actor, year_id: str, grade: int, period_scheme: str) -> int:
    """Every class of ``grade`` follows quarters or halves (a school often has the upper
    grades on halves); each class is checked as ``change_class`` checks it, all before any
    is written. Returns how many classes changed."""
    year = get_year(year_id)
    ensure_allowed(actor, Action.SCHOOL_MANAGE)
    ensure_year_open(year)
    found = list(
        SchoolClass.select()
        .where(SchoolClass.year == year, SchoolClass.grade == grade)
        .order_by(SchoolClass.letter)
    )
    if not found:
        raise ValidationError(
            _("The year {name} has no class of grade {grade}.").format(name=year.name, grade=grade)
        )
    for school_class in found:
        _check_scheme_change(school_class, period_scheme)
    changed = 0
    with db.atomic():
        for school_class in found:
            changed += history.update_row(actor, school_class, {"period_scheme": period_scheme})
    return changed
