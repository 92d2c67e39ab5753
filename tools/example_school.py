"""The example school of ``examples/``: a small, real-looking school to start from.

    python tools/example_school.py [--out examples]

Writes ``school-example.xlsx`` (the set-up template filled in) and the same sheets as CSV
files into ``--out``. The school is made here, in plain data, deterministically: the year
2026/27 with quarters, halves and holidays (the demo's calendar rules), the bells, the
subjects and kinds of work, three classes (1А, 5А with English split into two groups, 10А
by half-years), twelve staff, about twenty students a class with their parents (some
families have children in two classes), the teaching load, and a weekly timetable in which
no class and no teacher is in two places at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from node.i18n import use_language
from node.services.demo.curriculum import WORK_TYPES
from node.services.demo.people import Households
from node.services.demo.rows import IdMaker
from node.services.demo.schoolyear import BELLS, SchoolYear, school_year
from node.services.setup import writer
from node.services.setup.export import SchoolRows

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = "school-example.xlsx"
#: Every file of the workbook carries this time, so a rebuild gives the same bytes.
_STAMP = (2026, 8, 20, 12, 0, 0)

SEED = "ediary-example-school"
YEAR_START = 2026
SCHOOL_NAME = "МБОУ «Средняя общеобразовательная школа № 3» г. Верхнеозёрска"
STUDENTS_PER_CLASS = {"1А": 20, "5А": 22, "10А": 18}
WEEKDAYS = 5  # the example school learns Monday to Friday
ENGLISH_GROUPS = ("Группа 1", "Группа 2")


@dataclass(frozen=True)
class Staff:
    login: str
    last: str
    first: str
    middle: str
    roles: tuple[str, ...]
    room: str = ""


@dataclass(frozen=True)
class SubjectLine:
    name: str
    short: str
    pass_fail: bool = False
    written_work: bool = False


@dataclass(frozen=True)
class Load:
    """One line of the teaching load (тарификация): a journal."""

    class_label: str
    subject: str
    teacher: str  # login
    hours: int
    subgroup: str = ""


@dataclass(frozen=True)
class Slot:
    class_label: str
    weekday: int
    number: int
    subject: str
    teacher: str
    subgroup: str
    room: str


@dataclass
class Person:
    last: str
    first: str
    middle: str


@dataclass
class Parent(Person):
    phone: str
    email: str
    relation: str


@dataclass
class Pupil(Person):
    class_label: str
    birth: dt.date
    gender: str
    phone: str
    address: str
    parents: list[Parent] = field(default_factory=list)


@dataclass(frozen=True)
class ClassLine:
    label: str
    grade: int
    letter: str
    teacher: str
    scheme: str


@dataclass
class ExampleSchool:
    name: str
    year: SchoolYear
    subjects: list[SubjectLine]
    staff: list[Staff]
    classes: list[ClassLine]
    pupils: list[Pupil]
    subgroups: dict[tuple[str, str, str], list[Pupil]]
    load: list[Load]
    timetable: list[Slot]


SUBJECTS = [
    SubjectLine("Русский язык", "Рус", written_work=True),
    SubjectLine("Литературное чтение", "Лит.чт"),
    SubjectLine("Литература", "Лит", written_work=True),
    SubjectLine("Математика", "Мат", written_work=True),
    SubjectLine("Алгебра", "Алг", written_work=True),
    SubjectLine("Геометрия", "Геом", written_work=True),
    SubjectLine("Окружающий мир", "Окр"),
    SubjectLine("Английский язык", "Англ"),
    SubjectLine("История", "Ист"),
    SubjectLine("Обществознание", "Общ"),
    SubjectLine("География", "Гео"),
    SubjectLine("Биология", "Био"),
    SubjectLine("Физика", "Физ", written_work=True),
    SubjectLine("Химия", "Хим", written_work=True),
    SubjectLine("Физическая культура", "Физ-ра"),
    SubjectLine("Музыка", "Муз"),
    SubjectLine("ОДНКНР", "ОДНКНР", pass_fail=True),
]

STAFF = [
    Staff("orlova", "Орлова", "Наталья", "Викторовна", ("director",), "Кабинет директора"),
    Staff("kuznetsova", "Кузнецова", "Ирина", "Павловна", ("deputy", "teacher"), "24"),
    Staff("belov", "Белов", "Андрей", "Сергеевич", ("sysadmin", "teacher"), "31"),
    Staff("sokolova", "Соколова", "Елена", "Николаевна", ("teacher", "class_teacher"), "3"),
    Staff("morozova", "Морозова", "Татьяна", "Ивановна", ("teacher", "class_teacher"), "21"),
    Staff("volkov", "Волков", "Сергей", "Петрович", ("teacher", "class_teacher"), "22"),
    Staff("lebedeva", "Лебедева", "Ольга", "Андреевна", ("teacher",), "25"),
    Staff("zaitseva", "Зайцева", "Мария", "Дмитриевна", ("teacher",), "26"),
    Staff("popova", "Попова", "Анна", "Викторовна", ("teacher",), "32"),
    Staff("novikov", "Новиков", "Игорь", "Александрович", ("teacher",), "33"),
    Staff("smirnov", "Смирнов", "Дмитрий", "Олегович", ("teacher",), "Спортзал"),
    Staff("fedorova", "Фёдорова", "Светлана", "Юрьевна", ("teacher",), "Актовый зал"),
]

CLASSES = [
    ClassLine("1А", 1, "А", "sokolova", "quarters"),
    ClassLine("5А", 5, "А", "morozova", "quarters"),
    ClassLine("10А", 10, "А", "volkov", "halves"),
]

#: The weekly load after the federal curriculum (ФОП), one line per journal.
LOAD = [
    Load("1А", "Русский язык", "sokolova", 5),
    Load("1А", "Литературное чтение", "sokolova", 4),
    Load("1А", "Математика", "sokolova", 4),
    Load("1А", "Окружающий мир", "sokolova", 2),
    Load("1А", "Физическая культура", "smirnov", 2),
    Load("1А", "Музыка", "fedorova", 1),
    Load("5А", "Русский язык", "morozova", 5),
    Load("5А", "Литература", "morozova", 3),
    Load("5А", "Математика", "volkov", 5),
    Load("5А", "Английский язык", "lebedeva", 3, ENGLISH_GROUPS[0]),
    Load("5А", "Английский язык", "zaitseva", 3, ENGLISH_GROUPS[1]),
    Load("5А", "История", "kuznetsova", 2),
    Load("5А", "География", "popova", 1),
    Load("5А", "Биология", "popova", 1),
    Load("5А", "Физическая культура", "smirnov", 2),
    Load("5А", "Музыка", "fedorova", 1),
    Load("5А", "ОДНКНР", "kuznetsova", 1),
    Load("10А", "Русский язык", "morozova", 2),
    Load("10А", "Литература", "morozova", 3),
    Load("10А", "Алгебра", "volkov", 3),
    Load("10А", "Геометрия", "volkov", 2),
    Load("10А", "Английский язык", "lebedeva", 3),
    Load("10А", "История", "kuznetsova", 2),
    Load("10А", "Обществознание", "kuznetsova", 2),
    Load("10А", "География", "popova", 1),
    Load("10А", "Биология", "popova", 1),
    Load("10А", "Химия", "popova", 1),
    Load("10А", "Физика", "novikov", 2),
    Load("10А", "Физическая культура", "smirnov", 2),
]

#: The most lessons a day, by class.
MAX_LESSONS = {"1А": 5, "5А": 6, "10А": 7}


def _pupils(rng: random.Random) -> list[Pupil]:
    """Families with their children; a few have children in two of the classes."""
    households = Households(rng, IdMaker(SEED, dt.datetime(2026, 8, 20)), YEAR_START)
    households.SIBLING_SHARE = 0.15
    pupils: list[Pupil] = []
    for index, school_class in enumerate(CLASSES):
        made = [
            households.pupil(index, school_class.grade)
            for _ in range(STUDENTS_PER_CLASS[school_class.label])
        ]
        for p in sorted(made, key=lambda p: (p.last, p.first, p.middle)):
            pupil = Pupil(
                p.last,
                p.first,
                p.middle,
                school_class.label,
                p.birth,
                p.gender,
                p.phone,
                p.address,
            )
            pupils.append(pupil)
            for g in p.family.guardians:
                pupil.parents.append(
                    Parent(g.last, g.first, g.middle, g.phone, g.email, g.relation)
                )
    return pupils


def _english_groups(pupils: list[Pupil]) -> dict[tuple[str, str, str], list[Pupil]]:
    """5А learns English in two groups: the first half of the list, and the rest."""
    fifth = [p for p in pupils if p.class_label == "5А"]
    half = (len(fifth) + 1) // 2
    return {
        ("5А", "Английский язык", ENGLISH_GROUPS[0]): fifth[:half],
        ("5А", "Английский язык", ENGLISH_GROUPS[1]): fifth[half:],
    }


# --- the timetable --------------------------------------------------------------------------


@dataclass
class _Unit:
    """One lesson of a class to place: one line of the load, or both groups of a split."""

    subject: str
    lines: list[Load]


def _units(label: str) -> list[_Unit]:
    by_subject: dict[str, list[Load]] = defaultdict(list)
    for line in LOAD:
        if line.class_label == label:
            by_subject[line.subject].append(line)
    units: list[_Unit] = []
    for subject, lines in by_subject.items():
        units += [_Unit(subject, lines) for _ in range(lines[0].hours)]
    return units


def _days_of(label: str) -> list[list[_Unit]]:
    """Spread a class's lessons over the week: each subject on as many days as it can, the
    busiest subjects first, each lesson on the least busy day without that subject yet."""
    units = sorted(_units(label), key=lambda u: (-u.lines[0].hours, u.subject))
    days: list[list[_Unit]] = [[] for _ in range(WEEKDAYS)]
    for unit in units:
        free = [d for d in days if all(u.subject != unit.subject for u in d)] or days
        min(free, key=len).append(unit)
    for day in days:
        if len(day) > MAX_LESSONS[label]:
            raise RuntimeError(f"{label}: {len(day)} lessons a day is too many")
    return days


def _timetable(rng: random.Random) -> list[Slot]:
    """Order each day's lessons so that no teacher is in two classes at once."""
    rooms = {s.login: s.room for s in STAFF}
    busy: set[tuple[int, int, str]] = set()  # weekday, number, teacher
    slots: list[Slot] = []
    for school_class in CLASSES:
        label = school_class.label
        home_room = rooms[school_class.teacher]
        for weekday, day in enumerate(_days_of(label), start=1):
            for _attempt in range(10_000):
                order = day[:]
                rng.shuffle(order)
                clash = any(
                    (weekday, number, line.teacher) in busy
                    for number, unit in enumerate(order, start=1)
                    for line in unit.lines
                )
                if not clash:
                    break
            else:
                raise RuntimeError(f"no timetable without clashes for {label}, day {weekday}")
            for number, unit in enumerate(order, start=1):
                for line in unit.lines:
                    busy.add((weekday, number, line.teacher))
                    room = home_room if school_class.grade < 5 else rooms[line.teacher]
                    if line.subject == "Физическая культура":
                        room = rooms["smirnov"]
                    slots.append(
                        Slot(
                            label, weekday, number, line.subject, line.teacher, line.subgroup, room
                        )
                    )
    return slots


def example_school() -> ExampleSchool:
    """The whole example school; the same every time."""
    rng = random.Random(SEED)
    pupils = _pupils(rng)
    return ExampleSchool(
        name=SCHOOL_NAME,
        year=school_year(YEAR_START),
        subjects=SUBJECTS,
        staff=STAFF,
        classes=CLASSES,
        pupils=pupils,
        subgroups=_english_groups(pupils),
        load=LOAD,
        timetable=_timetable(rng),
    )


__all__ = ["BELLS", "WORK_TYPES", "ExampleSchool", "example_school"]


# --- the sheets -----------------------------------------------------------------------------


def _full(person: Person) -> str:
    return " ".join(p for p in (person.last, person.first, person.middle) if p)


def example_rows(school: ExampleSchool) -> SchoolRows:
    """The example school as the rows of the set-up sheets."""
    year = school.year
    return {
        "year": [{"name": year.name, "start": year.start, "end": year.end}],
        "periods": [
            {"scheme": t.scheme, "number": t.number, "name": t.name, "start": t.start, "end": t.end}
            for t in year.terms
            if t.scheme != "year"
        ],
        "holidays": [{"name": n, "start": s, "end": e} for n, s, e in year.holidays],
        "bells": [{"number": n, "starts": s, "ends": e} for n, s, e in BELLS],
        "subjects": [
            {
                "name": s.name,
                "short_name": s.short,
                "pass_fail": s.pass_fail,
                "written_work": s.written_work,
            }
            for s in school.subjects
        ],
        "work_types": [
            {"name": name, "weight": int(w) if w.is_integer() else w, "kind": kind}
            for name, w, kind in WORK_TYPES.values()
        ],
        "classes": [
            {"class": c.label, "class_teacher": c.teacher, "scheme": c.scheme}
            for c in school.classes
        ],
        "staff": [{"login": s.login, "name": _full(s), "roles": s.roles} for s in school.staff],
        "students": [
            {
                "class": p.class_label,
                "last_name": p.last,
                "first_name": p.first,
                "middle_name": p.middle,
                "birth_date": p.birth,
                "enrolled_on": year.start,
            }
            for p in school.pupils
        ],
        "parents": [
            {
                "last_name": g.last,
                "first_name": g.first,
                "middle_name": g.middle,
                "phone": g.phone,
                "email": g.email,
                "relation": g.relation,
                "child": _full(p),
                "child_class": p.class_label,
                "child_birth_date": p.birth,
            }
            for p in school.pupils
            for g in p.parents
        ],
        "subgroups": [
            {"class": label, "subject": subject, "subgroup": name, "student": _full(p)}
            for (label, subject, name), members in school.subgroups.items()
            for p in members
        ],
        "load": [
            {
                "class": line.class_label,
                "subject": line.subject,
                "teacher": line.teacher,
                "subgroup": line.subgroup,
                "hours": line.hours,
            }
            for line in school.load
        ],
        "timetable": [
            {
                "class": s.class_label,
                "weekday": s.weekday,
                "number": s.number,
                "subject": s.subject,
                "subgroup": s.subgroup,
                "teacher": s.teacher,
                "room": s.room,
            }
            for s in school.timetable
        ],
    }


def _stable(data: bytes) -> bytes:
    """The workbook with fixed times inside (openpyxl writes the time of saving)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _fixed_core(content)
            info = zipfile.ZipInfo(item.filename, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def _fixed_core(xml: bytes) -> bytes:
    import re

    stamp = b"2026-08-20T12:00:00Z"
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, xml)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples")
    args = parser.parse_args(argv)
    rows = example_rows(example_school())
    args.out.mkdir(parents=True, exist_ok=True)
    with use_language("ru"):
        (args.out / WORKBOOK).write_bytes(_stable(writer.workbook_bytes(rows)))
        csv_folder = args.out / "csv"
        csv_folder.mkdir(exist_ok=True)
        for name, data in writer.csv_files(rows).items():
            (csv_folder / name).write_bytes(data)
    students, parents = len(rows["students"]), len(rows["parents"])
    print(f"{args.out / WORKBOOK}: {students} students, {parents} parent rows")


if __name__ == "__main__":
    main()
