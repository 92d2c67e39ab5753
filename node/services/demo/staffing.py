"""Who teaches whom in the demo: classes, subgroups, teachers and teaching assignments.

Each primary class (grades 1–4) has its own teacher for most subjects and is its class
teacher; specialists teach English, PE and music there. From grade 5 subject teachers teach
bundles of related subjects (a Russian teacher takes Russian and literature in a class).
Teachers per specialty follow the hours to teach; subgroups taught at the same time always
get two different teachers, so the timetable can run them side by side.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from node.services.demo.curriculum import PRIMARY, CourseLine, curriculum, school_days
from node.services.demo.people import Pupil, StaffMember, staff_member
from node.services.demo.rows import IdMaker

LETTERS = "АБВГДЕЖИКЛ"
#: Teachers are given work up to about this many hours before a new one is hired.
TARGET_LOAD = 22


@dataclass(slots=True)
class DemoSubgroup:
    id: str
    subject: str
    name: str
    members: list[Pupil]


@dataclass(slots=True)
class DemoClass:
    id: str
    index: int
    grade: int
    letter: str
    size: int
    lines: tuple[CourseLine, ...]
    pupils: list[Pupil] = field(default_factory=list)
    class_teacher: StaffMember | None = None
    subgroups: dict[str, tuple[DemoSubgroup, DemoSubgroup]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.grade}{self.letter}"

    @property
    def scheme(self) -> str:
        return "halves" if self.grade >= 10 else "quarters"

    @property
    def days(self) -> int:
        return school_days(self.grade)

    @property
    def weekly_hours(self) -> int:
        return sum(line.hours for line in self.lines)


@dataclass(slots=True)
class Assignment:
    """A journal: a teacher, a class (or one subgroup of it), a subject."""

    id: str
    index: int
    teacher: StaffMember
    school_class: DemoClass
    subject: str
    hours: int
    subgroup: DemoSubgroup | None
    pupils: list[Pupil]
    slots: list[tuple[int, int]] = field(default_factory=list)  # (weekday, number)


@dataclass(frozen=True)
class _Bundle:
    school_class: DemoClass
    specialty: str
    group: int  # 0 = the whole class, 1 or 2 = a subgroup
    lines: tuple[CourseLine, ...]

    @property
    def hours(self) -> int:
        return sum(line.hours for line in self.lines)


def make_classes(ids: IdMaker, per_grade: dict[int, int], students: int) -> list[DemoClass]:
    """Classes of the given sizes: ``students`` shared out as evenly as possible."""
    count = sum(per_grade.values())
    sizes = [students // count + (1 if i < students % count else 0) for i in range(count)]
    classes: list[DemoClass] = []
    for grade in sorted(per_grade):
        for n in range(per_grade[grade]):
            index = len(classes)
            size = sizes[index]
            classes.append(
                DemoClass(ids.new(), index, grade, LETTERS[n], size, curriculum(grade, size))
            )
    return classes


def split_class(ids: IdMaker, school_class: DemoClass) -> None:
    """Two subgroups for each split subject: alphabetical halves; technology by gender."""
    pupils = school_class.pupils
    for line in school_class.lines:
        if not line.split:
            continue
        if line.subject == "Труд (технология)":
            first = [p for p in pupils if p.gender == "f"]
            second = [p for p in pupils if p.gender != "f"]
            if not first or not second:
                first, second = pupils[: len(pupils) // 2], pupils[len(pupils) // 2 :]
        else:
            half = (len(pupils) + 1) // 2
            first, second = pupils[:half], pupils[half:]
        school_class.subgroups[line.subject] = (
            DemoSubgroup(ids.new(), line.subject, "1 группа", first),
            DemoSubgroup(ids.new(), line.subject, "2 группа", second),
        )


def _bundles(classes: list[DemoClass]) -> list[_Bundle]:
    bundles: list[_Bundle] = []
    for school_class in classes:
        keys: dict[tuple[str, bool], list[CourseLine]] = {}
        for line in school_class.lines:
            keys.setdefault((line.specialty, line.split), []).append(line)
        for (specialty, split), lines in keys.items():
            for group in (1, 2) if split else (0,):
                bundles.append(_Bundle(school_class, specialty, group, tuple(lines)))
    return bundles


def _teacher_counts(bundles: list[_Bundle], total: int | None) -> dict[str, int]:
    """Teachers per specialty: in proportion to its hours, at least two where subgroups
    are taught side by side, and ``total`` in all when a total is asked for."""
    hours: dict[str, int] = {}
    minimum: dict[str, int] = {}
    for bundle in bundles:
        if bundle.specialty == PRIMARY:
            continue
        hours[bundle.specialty] = hours.get(bundle.specialty, 0) + bundle.hours
        minimum[bundle.specialty] = max(minimum.get(bundle.specialty, 1), 2 if bundle.group else 1)
    if total is None:
        return {s: max(minimum[s], math.ceil(h / TARGET_LOAD)) for s, h in hours.items()}
    all_hours = sum(hours.values())
    counts = {s: max(minimum[s], int(h * total / all_hours)) for s, h in hours.items()}
    while sum(counts.values()) < total:
        busiest = max(counts, key=lambda s: hours[s] / counts[s])
        counts[busiest] += 1
    while sum(counts.values()) > total:
        spare = [s for s in counts if counts[s] > minimum[s]]
        if not spare:
            break
        idlest = min(spare, key=lambda s: hours[s] / (counts[s] - 1))
        counts[idlest] -= 1
    return counts


def _room(specialty: str, n: int, school_class: DemoClass | None) -> str:
    if specialty == "pe":
        return f"Спортзал {n % 2 + 1}"
    if school_class is not None:
        return f"{100 + school_class.index + 1}"
    return f"{201 + n}"


def staff_school(
    rng: random.Random, ids: IdMaker, classes: list[DemoClass], teacher_total: int | None
) -> tuple[list[StaffMember], list[Assignment]]:
    """Hire teachers, give every bundle of lessons to one, and name the class teachers."""
    bundles = _bundles(classes)
    primary_classes = [c for c in classes if c.grade <= 4]
    teachers: list[StaffMember] = []
    own_teacher: dict[int, StaffMember] = {}
    for school_class in primary_classes:
        teacher = staff_member(rng, ids, PRIMARY)
        teacher.room = _room(PRIMARY, len(teachers), school_class)
        own_teacher[school_class.index] = teacher
        teachers.append(teacher)
    rest = None if teacher_total is None else max(0, teacher_total - len(teachers))
    pools: dict[str, list[StaffMember]] = {}
    for specialty, count in _teacher_counts(bundles, rest).items():
        pools[specialty] = []
        for n in range(count):
            teacher = staff_member(rng, ids, specialty)
            teacher.room = _room(specialty, n if specialty == "pe" else len(teachers), None)
            pools[specialty].append(teacher)
            teachers.append(teacher)
    load: dict[str, int] = {t.id: 0 for t in teachers}
    hours_in: dict[tuple[int, str], int] = {}
    chosen: dict[tuple[int, str, int], StaffMember] = {}
    order = sorted(
        range(len(bundles)),
        key=lambda i: (-bundles[i].hours, bundles[i].school_class.index, bundles[i].group),
    )
    for i in order:
        bundle = bundles[i]
        key = (bundle.school_class.index, bundle.specialty, bundle.group)
        if bundle.specialty == PRIMARY:
            teacher = own_teacher[bundle.school_class.index]
        else:
            sibling = chosen.get((key[0], key[1], 3 - bundle.group)) if bundle.group else None
            pool = [t for t in pools[bundle.specialty] if t is not sibling]
            teacher = min(pool, key=lambda t: load[t.id])
        chosen[key] = teacher
        load[teacher.id] += bundle.hours
        class_key = (bundle.school_class.index, teacher.id)
        hours_in[class_key] = hours_in.get(class_key, 0) + bundle.hours

    assignments: list[Assignment] = []
    for bundle in bundles:
        school_class = bundle.school_class
        teacher = chosen[(school_class.index, bundle.specialty, bundle.group)]
        for line in bundle.lines:
            subgroup = (
                school_class.subgroups[line.subject][bundle.group - 1] if bundle.group else None
            )
            pupils = subgroup.members if subgroup else school_class.pupils
            assignments.append(
                Assignment(
                    ids.new(),
                    len(assignments),
                    teacher,
                    school_class,
                    line.subject,
                    line.hours,
                    subgroup,
                    pupils,
                )
            )
    class_teachers = _choose_class_teachers(classes, own_teacher, assignments, hours_in)
    for teacher in teachers:
        teacher.roles = (
            ["teacher", "class_teacher"] if teacher.id in class_teachers else ["teacher"]
        )
    return teachers, assignments


def _choose_class_teachers(
    classes: list[DemoClass],
    own_teacher: dict[int, StaffMember],
    assignments: list[Assignment],
    hours_in: dict[tuple[int, str], int],
) -> set[str]:
    """Primary classes keep their own teacher; older classes get the free teacher who
    spends the most hours with them. Returns the class teachers' ids."""
    taken: set[str] = set()
    for school_class in classes:
        teacher = own_teacher.get(school_class.index)
        if teacher is None:
            candidates = [
                a.teacher
                for a in assignments
                if a.school_class is school_class and a.teacher.id not in taken
            ]
            if not candidates:
                candidates = [a.teacher for a in assignments if a.teacher.id not in taken]
            teacher = min(
                candidates,
                key=lambda t: (-hours_in.get((school_class.index, t.id), 0), t.id),
            )
        school_class.class_teacher = teacher
        taken.add(teacher.id)
    return taken
