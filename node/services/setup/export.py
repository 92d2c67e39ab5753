"""The school as it stands, in the shape of the set-up sheets, so it can be imported again.

``export_school`` reads one academic year (the active one by default) and gives, for every
sheet of ``sheets.SHEETS``, its rows as column key → value: a school keeps its master file,
edits it and brings it back in, and a re-import of an unchanged export changes nothing.
Values are stored values (``"quarters"``, ``True``, a ``date``, a tuple of roles); the
writer turns them into the words of the user's language.

Reading every student's and parent's data is the administration's and the system
administrator's right (``SCHOOL_EXPORT``), the same people who set the school up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from node.errors import NotFound
from node.i18n import _
from node.models import (
    AcademicYear,
    Bell,
    Guardian,
    Holiday,
    Period,
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
from node.models.people import STAFF_ROLES
from node.services.base.actor import Actor
from node.services.base.permissions import Action, ensure_allowed

Value = str | int | float | bool | dt.date | tuple[str, ...] | None
Row = dict[str, Value]
SchoolRows = dict[str, list[Row]]

#: Period schemes a class follows; the whole-year period is made with the year.
CLASS_SCHEMES = ("quarters", "halves")


def find_year(name: str | None = None) -> AcademicYear:
    """The year by name, or the active one."""
    if name:
        year = AcademicYear.get_or_none(AcademicYear.name == name.strip())
        if year is None:
            names = ", ".join(y.name for y in AcademicYear.select().order_by(AcademicYear.start))
            raise NotFound(
                _("There is no academic year «{name}»; the school has: {names}.").format(
                    name=name, names=names or "—"
                )
            )
        return year
    year = AcademicYear.active()
    if year is None:
        raise NotFound(_("There is no active academic year yet: import the school's year first."))
    return year


def export_school(actor: Actor, *, year_name: str | None = None) -> SchoolRows:
    """Every sheet's rows for one academic year, in the order a person would read them."""
    ensure_allowed(actor, Action.SCHOOL_EXPORT)
    year = find_year(year_name)
    classes = list(
        SchoolClass.select()
        .where(SchoolClass.year == year)
        .order_by(SchoolClass.grade, SchoolClass.letter)
    )
    labels = {c.id: c.label for c in classes}
    logins = {u.id: u.login for u in User.select(User.id, User.login)}
    subjects = {s.id: s.name for s in Subject.select(Subject.id, Subject.name)}
    students = _students(classes)
    subgroups = {
        g.id: g for g in Subgroup.select().join(SchoolClass).where(SchoolClass.year == year)
    }
    assignments = list(
        TeachingAssignment.select().join(SchoolClass).where(SchoolClass.year == year)
    )
    class_order = {c.id: n for n, c in enumerate(classes)}
    assignments.sort(
        key=lambda a: (
            class_order[a.school_class_id],
            subjects[a.subject_id],
            subgroups[a.subgroup_id].name if a.subgroup_id else "",
        )
    )
    return {
        "year": [{"name": year.name, "start": year.start, "end": year.end}],
        "periods": _periods(year),
        "holidays": [
            {"name": h.name, "start": h.start, "end": h.end}
            for h in Holiday.select().where(Holiday.year == year).order_by(Holiday.start)
        ],
        "bells": [
            {"number": b.number, "starts": b.starts, "ends": b.ends}
            for b in Bell.select().order_by(Bell.number)
        ],
        "subjects": [
            {
                "name": s.name,
                "short_name": s.short_name,
                "pass_fail": s.pass_fail,
                "written_work": s.needs_written_work,
            }
            for s in Subject.select().order_by(Subject.name)
        ],
        "work_types": [
            {"name": w.name, "weight": _number(w.weight), "kind": w.kind}
            for w in WorkType.select().order_by(WorkType.weight, WorkType.name)
        ],
        "classes": [
            {
                "class": c.label,
                "class_teacher": logins.get(c.class_teacher_id, ""),
                "scheme": c.period_scheme,
            }
            for c in classes
        ],
        "staff": _staff(),
        "students": [
            {
                "class": labels[s.school_class_id],
                "last_name": s.last_name,
                "first_name": s.first_name,
                "middle_name": s.middle_name,
                "birth_date": s.birth_date,
                "enrolled_on": s.enrolled_on,
            }
            for s in students
        ],
        "parents": _parents(students, labels),
        "subgroups": _subgroups(year, subgroups, students, labels, subjects, class_order),
        "load": [
            {
                "class": labels[a.school_class_id],
                "subject": subjects[a.subject_id],
                "teacher": logins[a.teacher_id],
                "subgroup": subgroups[a.subgroup_id].name if a.subgroup_id else "",
                "hours": _number(a.hours_per_week),
            }
            for a in assignments
        ],
        "timetable": _timetable(year, assignments, labels, logins, subjects, subgroups),
    }


def _number(value: float) -> int | float:
    """2.0 → 2: a whole number is written as one."""
    return int(value) if float(value).is_integer() else float(value)


def _periods(year: AcademicYear) -> list[Row]:
    rows = Period.select().where(Period.year == year, Period.scheme.in_(CLASS_SCHEMES))
    ordered = sorted(rows, key=lambda p: (CLASS_SCHEMES.index(p.scheme), p.number))
    return [
        {"scheme": p.scheme, "number": p.number, "name": p.name, "start": p.start, "end": p.end}
        for p in ordered
    ]


def _staff() -> list[Row]:
    """Staff accounts that may sign in (a disabled account has left the school)."""
    rows: list[Row] = []
    users = User.select().where(User.status != "disabled").order_by(User.last_name, User.login)
    for user in users:
        roles = tuple(r for r in STAFF_ROLES if r in user.role_set)
        if roles:
            rows.append({"login": user.login, "name": user.full_name, "roles": roles})
    return rows


def _students(classes: Iterable[SchoolClass]) -> list[Student]:
    """Students still in the classes, class by class in journal order."""
    found: list[Student] = []
    for school_class in classes:
        found.extend(Student.in_class(school_class.id).where(Student.left_on.is_null()))
    return found


def _parents(students: list[Student], labels: dict[str, str]) -> list[Row]:
    """One row per parent and child, child by child: a parent of two is on two rows."""
    links: dict[str, list[StudentGuardian]] = defaultdict(list)
    ids = [s.id for s in students]
    for start in range(0, len(ids), 500):
        query = (
            StudentGuardian.select(StudentGuardian, Guardian)
            .join(Guardian)
            .where(StudentGuardian.student.in_(ids[start : start + 500]))
            .order_by(Guardian.last_name, Guardian.first_name, Guardian.middle_name)
        )
        for link in query:
            links[link.student_id].append(link)
    rows: list[Row] = []
    for student in students:
        for link in links[student.id]:
            guardian = link.guardian
            rows.append(
                {
                    "last_name": guardian.last_name,
                    "first_name": guardian.first_name,
                    "middle_name": guardian.middle_name,
                    "phone": guardian.phone,
                    "email": guardian.email,
                    "relation": link.relation or None,
                    "child": student.full_name,
                    "child_class": labels[student.school_class_id],
                    "child_birth_date": student.birth_date,
                }
            )
    return rows


def _subgroups(
    year: AcademicYear,
    subgroups: dict[str, Subgroup],
    students: list[Student],
    labels: dict[str, str],
    subjects: dict[str, str],
    class_order: dict[str, int],
) -> list[Row]:
    """One row per member; a subgroup nobody is in yet is one row without a student."""
    position = {s.id: n for n, s in enumerate(students)}
    by_id = {s.id: s for s in students}
    members: dict[str, list[Student]] = defaultdict(list)
    query = (
        SubgroupMember.select(SubgroupMember.subgroup, SubgroupMember.student)
        .join(Subgroup)
        .join(SchoolClass)
        .where(SchoolClass.year == year)
    )
    for member in query:
        if member.student_id in by_id:
            members[member.subgroup_id].append(by_id[member.student_id])
    rows: list[Row] = []
    ordered = sorted(
        subgroups.values(),
        key=lambda g: (class_order[g.school_class_id], subjects[g.subject_id], g.name),
    )
    for group in ordered:
        base: Row = {
            "class": labels[group.school_class_id],
            "subject": subjects[group.subject_id],
            "subgroup": group.name,
        }
        people = sorted(members[group.id], key=lambda s: position[s.id])
        if not people:
            rows.append({**base, "student": ""})
        rows += [
            {**base, "student": s.full_name, "student_birth_date": s.birth_date} for s in people
        ]
    return rows


def _timetable(
    year: AcademicYear,
    assignments: list[TeachingAssignment],
    labels: dict[str, str],
    logins: dict[str, str],
    subjects: dict[str, str],
    subgroups: dict[str, Subgroup],
) -> list[Row]:
    by_id = {a.id: a for a in assignments}
    slots = (
        TimetableSlot.select(
            TimetableSlot.assignment,
            TimetableSlot.weekday,
            TimetableSlot.number,
            TimetableSlot.room,
        )
        .join(TeachingAssignment)
        .join(SchoolClass)
        .where(SchoolClass.year == year)
    )
    class_order = {label: n for n, label in enumerate(dict.fromkeys(labels.values()))}
    rows: list[Row] = []
    for slot in slots:
        a = by_id[slot.assignment_id]
        rows.append(
            {
                "class": labels[a.school_class_id],
                "weekday": slot.weekday,
                "number": slot.number,
                "subject": subjects[a.subject_id],
                "subgroup": subgroups[a.subgroup_id].name if a.subgroup_id else "",
                "teacher": logins[a.teacher_id],
                "room": slot.room,
            }
        )
    rows.sort(
        key=lambda r: (
            class_order[str(r["class"])],
            r["weekday"],
            r["number"],
            str(r["subject"]),
            str(r["subgroup"]),
        )
    )
    return rows
