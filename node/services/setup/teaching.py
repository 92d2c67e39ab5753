"""Subgroups, the teaching load and the weekly timetable, written through ``subgroups``,
``classes`` and ``timetable``; then the year's lessons are generated from the timetable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import peewee as pw

from node.errors import Conflict, EdiaryError, ValidationError
from node.i18n import _
from node.models import (
    Bell,
    Lesson,
    Period,
    SchoolClass,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    TimetableSlot,
    User,
)
from node.services.school import subgroups, timetable
from node.services.setup.context import Run, name_key
from node.services.setup.report import TeacherLoad
from node.services.setup.rows import Row
from node.services.students import classes, handover

AssignmentKey = tuple[str, str, str | None]  # class id, subject id, subgroup id
K = TypeVar("K")
R = TypeVar("R")


# --- subgroups -------------------------------------------------------------------------------


def _member(run: Run, row: Row, school_class: SchoolClass) -> str | None:
    """The id of the student a subgroup row names, or ``None`` (with a problem if needed)."""
    full = name_key(row["student"])
    found = run.students.get((school_class.id, full), [])
    if row["student_birth_date"] is not None:
        found = [s for s in found if s.birth_date == row["student_birth_date"]]
    if len(found) == 1:
        return found[0].id
    if not found:
        run.unknown(
            row,
            "students",
            "student",
            _(
                "there is no student «{name}» in {label}; write the name as on the Students "
                "sheet (last name, first name, middle name)."
            ).format(name=row["student"], label=school_class.label),
        )
    else:
        run.rows.problem(
            row,
            "student_birth_date",
            _("{label} has {count} students named «{name}»; add the student's birth date.").format(
                label=school_class.label, count=len(found), name=row["student"]
            ),
        )
    return None


def import_subgroups(run: Run) -> None:
    """Each subgroup gets exactly the students listed for it (none listed: left as it is).

    Members leave their old subgroups first, so a student moved from one subgroup to
    another in the file is not refused as being in two at once.
    """
    assert run.year is not None
    run.subgroups.update(
        {
            (g.school_class_id, g.subject_id, name_key(g.name)): g
            for g in Subgroup.select().join(SchoolClass).where(SchoolClass.year == run.year)
        }
    )
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in run.rows.of("subgroups"):
        school_class = run.school_class(row, "class")
        subject = run.subject(row, "subject")
        if school_class is None or subject is None or row.broken:
            continue
        groups[(school_class.id, subject.id, name_key(row["subgroup"]))].append(row)
    classes_by_id: dict[str, SchoolClass] = {c.id: c for c in run.classes.values()}
    members: dict[tuple[str, str, str], set[str]] = {}
    new: list[tuple[str, str, str]] = []
    for key, rows in groups.items():
        school_class = classes_by_id[key[0]]
        members[key] = {
            m for row in rows if row["student"] and (m := _member(run, row, school_class))
        }
        if key not in run.subgroups:
            new.append(key)
    requests = [subgroups.SubgroupRequest(k[0], k[1], groups[k][0]["subgroup"]) for k in new]
    for key, result in zip(new, subgroups.create_subgroups(run.actor, requests), strict=True):
        group = run.outcome(groups[key][0], "subgroup", result)
        if group is not None:
            run.subgroups[key] = group
            run.report.count("subgroups", "created")
    wanted: dict[Subgroup, tuple[Row, set[str], bool]] = {}
    is_new = set(new)
    for key, rows in groups.items():
        group = run.subgroups.get(key)
        if group is None:
            continue
        if not any(row["student"] for row in rows):
            if key not in is_new:
                run.report.count("subgroups", "unchanged")
        elif not any(row.broken for row in rows):
            wanted[group] = (rows[0], members[key], key in is_new)
    _set_members(run, wanted)


def _set_members(run: Run, wanted: dict[Subgroup, tuple[Row, set[str], bool]]) -> None:
    """First only take students out (so one moved between two subgroups is not in both at
    once), then give each subgroup its members: one batch call, in that order."""
    current: dict[str, set[str]] = defaultdict(set)
    ids = [group.id for group in wanted]
    for start in range(0, len(ids), 500):
        query = SubgroupMember.select().where(SubgroupMember.subgroup.in_(ids[start : start + 500]))
        for member in query:
            current[member.subgroup_id].add(member.student_id)
    changes: list[tuple[Row, subgroups.MembersRequest, bool]] = []
    for group, (row, members, _new) in wanted.items():
        keep = current[group.id] & members
        if keep != current[group.id]:
            changes.append((row, subgroups.MembersRequest(group.id, tuple(keep)), False))
    for group, (row, members, is_new) in wanted.items():
        if members == current[group.id]:
            if not is_new:
                run.report.count("subgroups", "unchanged")
            continue
        changes.append((row, subgroups.MembersRequest(group.id, tuple(members)), not is_new))
    results = subgroups.set_members_of_subgroups(run.actor, [c[1] for c in changes])
    for (row, _request, counts), result in zip(changes, results, strict=True):
        if run.outcome(row, "student", result) is not None and counts:
            run.report.count("subgroups", "updated")


# --- the teaching load -----------------------------------------------------------------------


def _subgroup(run: Run, row: Row, class_id: str, subject_id: str) -> tuple[bool, Subgroup | None]:
    """(known, the subgroup a row names): ``None`` for the whole class; not known when the
    row names a subgroup that does not exist (the row then has a problem)."""
    if not row["subgroup"]:
        return True, None
    key = (class_id, subject_id, name_key(row["subgroup"]))
    group = run.subgroups.get(key)
    if group is not None:
        return True, group
    run.unknown(
        row,
        "subgroups",
        "subgroup",
        _(
            "there is no subgroup «{name}» of this class for this subject; add it to the "
            "Subgroups sheet or leave the cell empty for the whole class."
        ).format(name=row["subgroup"]),
    )
    row.broken = True
    return False, None


def _assignments(run: Run) -> dict[AssignmentKey, TeachingAssignment]:
    return {
        (a.school_class_id, a.subject_id, a.subgroup_id): a
        for a in TeachingAssignment.select().join(SchoolClass).where(SchoolClass.year == run.year)
    }


class _Pending(Generic[K, R]):
    """Rows whose writes wait to go to a batch service together, by the key they write.

    A row that reads what a waiting row writes (the same key twice in the files) first
    sends what waits, so every row sees what the rows before it did, as one service call
    per row would."""

    def __init__(self, send: Callable[[list[R]], list[Any]]) -> None:
        self.send = send
        self.rows: list[tuple[Row, K, R]] = []
        self.keys: set[K] = set()

    def add(self, row: Row, key: K, request: R) -> None:
        self.rows.append((row, key, request))
        self.keys.add(key)

    def __contains__(self, key: K) -> bool:
        return key in self.keys

    def flush(self) -> list[tuple[Row, K, Any]]:
        """Send what waits; each row, its key and its result (or refusal), in order."""
        waiting, self.rows, self.keys = self.rows, [], set()
        if not waiting:
            return []
        results = self.send([request for _row, _key, request in waiting])
        return [(row, key, result) for (row, key, _r), result in zip(waiting, results, strict=True)]


def import_load(run: Run) -> dict[AssignmentKey, TeachingAssignment]:
    assert run.year is not None
    existing = _assignments(run)
    pending: _Pending[AssignmentKey, classes.AssignmentRequest] = _Pending(
        lambda requests: classes.create_assignments(run.actor, requests)
    )

    def created() -> None:
        for row, key, result in pending.flush():
            assignment = run.outcome(row, {ValidationError: "teacher", Conflict: "subject"}, result)
            if assignment is not None:
                existing[key] = assignment
                run.report.count("load", "created")

    for row in run.rows.of("load"):
        school_class = run.school_class(row, "class")
        subject = run.subject(row, "subject")
        teacher = run.user(row, "teacher")
        hours = run.attempt(row, "hours", classes.check_hours_per_week, row["hours"] or 0)
        if school_class is None or subject is None:
            continue
        known, group = _subgroup(run, row, school_class.id, subject.id)
        if row.broken or teacher is None or hours is None or not known:
            continue
        key = (school_class.id, subject.id, group.id if group else None)
        if key in pending:
            created()
        assignment = existing.get(key)
        if assignment is not None and assignment.teacher_id == teacher.id:
            if assignment.hours_per_week == hours:
                run.report.count("load", "unchanged")
            elif run.attempt(
                row, "hours", classes.set_hours_per_week, run.actor, assignment.id, hours
            ) is not None:  # fmt: skip
                run.report.count("load", "updated")
            continue
        if assignment is not None:  # another teacher now: the journal is handed over
            if run.attempt(
                row, "teacher", handover.change_journal, run.actor, assignment.id,
                teacher_id=teacher.id, subgroup_id=assignment.subgroup_id, hours_per_week=hours,
            ) is not None:  # fmt: skip
                run.report.count("load", "updated")
            continue
        pending.add(
            row,
            key,
            classes.AssignmentRequest(
                teacher.id, school_class.id, subject.id, key[2], hours_per_week=hours
            ),
        )
    created()
    return existing


# --- the timetable ---------------------------------------------------------------------------

SlotKey = tuple[str, int, int]  # assignment id, weekday, lesson number


def import_timetable(run: Run, assignments: dict[AssignmentKey, TeachingAssignment]) -> None:
    rows = run.rows.of("timetable")
    slots = {
        (s.assignment_id, s.weekday, s.number): s
        for s in TimetableSlot.select().where(
            TimetableSlot.assignment.in_([a.id for a in assignments.values()])
        )
    }
    bells = {number for (number,) in Bell.select(Bell.number).tuples()}
    seen: set[str] = set()
    pending: _Pending[SlotKey, timetable.SlotRequest] = _Pending(
        lambda requests: timetable.set_slots(run.actor, requests)
    )
    was_there: dict[SlotKey, bool] = {}
    teachers = _users_by_id(run)

    def set_() -> None:
        for row, key, result in pending.flush():
            done = run.outcome(row, "number", result)
            if done is not None:
                seen.add(done.id)
                slots[key] = done
                run.report.count("timetable", "updated" if was_there[key] else "created")

    for row in rows:
        school_class = run.school_class(row, "class")
        subject = run.subject(row, "subject")
        if school_class is None or subject is None:
            continue
        known, group = _subgroup(run, row, school_class.id, subject.id)
        if row.broken or not known:
            continue
        assignment = assignments.get((school_class.id, subject.id, group.id if group else None))
        if assignment is None:
            run.unknown(
                row,
                "load",
                "subject",
                _(
                    "the teaching load has no {subject} for {label}{group}; add it to the "
                    "Teaching load sheet or correct the subject."
                ).format(
                    subject=subject.name,
                    label=school_class.label,
                    group=f" ({group.name})" if group else "",
                ),
            )
            continue
        teacher = teachers.get(assignment.teacher_id)
        login = teacher.login if teacher is not None else assignment.teacher.login
        if row["teacher"] and row.text("teacher").strip().lower() != login:
            run.rows.problem(
                row,
                "teacher",
                _(
                    "the teaching load gives this lesson to {login}; write {login} or leave "
                    "the cell empty."
                ).format(login=login),
            )
            continue
        weekday, number, room = int(row["weekday"]), row["number"], row.text("room")
        if number not in bells and run.quiet("bells"):
            row.broken = True
            continue
        key = (assignment.id, weekday, number)
        if key in pending:
            set_()
        slot = slots.get(key)
        if slot is not None:
            seen.add(slot.id)
            if slot.room == room.strip():
                run.report.count("timetable", "unchanged")
                continue
        was_there[key] = slot is not None
        pending.add(row, key, timetable.SlotRequest(assignment.id, weekday, number, room))
    set_()
    unlisted = [s for s in slots.values() if s.id not in seen]
    if rows and unlisted:
        run.report.count("timetable", "left", len(unlisted))
        run.note(
            _(
                "{count} lessons of the weekly timetable in ediary are not in the file; they "
                "were left as they were."
            ).format(count=len(unlisted))
        )


def _users_by_id(run: Run) -> dict[str, User]:
    """The accounts the run knows, by id (a journal's teacher without a query each)."""
    return {user.id: user for user in run.users.values()}


# --- lessons ---------------------------------------------------------------------------------


def generate(run: Run) -> None:
    """Lessons for the whole year from the timetable (existing ones are kept)."""
    assert run.year is not None
    if run.year.status == "draft":
        run.note(
            _(
                "The year {name} is a draft made by the roll-over: its lessons are generated "
                "when it is confirmed (ediary year confirm)."
            ).format(name=run.year.name)
        )
        return
    period = Period.get_or_none(Period.year == run.year, Period.scheme == "year")
    if period is None:
        return
    try:
        result = timetable.generate_lessons(run.actor, period.id)
    except EdiaryError as exc:
        run.rows.problems.add(run.label_of("timetable"), None, None, str(exc))
        return
    run.report.lessons_created = result.created


def teacher_loads(run: Run) -> list[TeacherLoad]:
    """Each teacher of the year with their journals and lessons, by name."""
    assert run.year is not None
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    query = (
        TeachingAssignment.select(
            TeachingAssignment.teacher, pw.fn.COUNT(pw.fn.DISTINCT(TeachingAssignment.id))
        )
        .join(SchoolClass)
        .where(SchoolClass.year == run.year)
        .group_by(TeachingAssignment.teacher)
        .tuples()
    )
    for teacher_id, journals in query:
        counts[teacher_id][0] = journals
    lesson_counts = (
        Lesson.select(TeachingAssignment.teacher, pw.fn.COUNT(Lesson.id))
        .join(TeachingAssignment)
        .join(SchoolClass)
        .where(SchoolClass.year == run.year)
        .group_by(TeachingAssignment.teacher)
        .tuples()
    )
    for teacher_id, number in lesson_counts:
        counts[teacher_id][1] = number
    users = User.select().where(User.id.in_(list(counts)))
    loads = [TeacherLoad(u.login, u.full_name, counts[u.id][0], counts[u.id][1]) for u in users]
    return sorted(loads, key=lambda load: (load.name, load.login))
