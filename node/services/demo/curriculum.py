"""What the demo school teaches: subjects, weekly hours per grade, work types, thematic
plans and homework, after the Russian federal curriculum (ФОП, 2023).

Grades 1–4 learn five days a week and most subjects from their class teacher; grades 5–11
learn six days a week from subject teachers. English (from grade 2), informatics (from
grade 7) and technology (grades 5–8) are taught to two subgroups at once. Grade 1 is taught
without marks (безотметочное обучение) and without homework; ОРКСЭ and ОДНКНР are pass/fail.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Work types: key → (name, weight, kind). Weights are multiples of 0.5 so the demo can
#: keep weighted sums in whole numbers (see ``journal.py``).
WORK_TYPES: dict[str, tuple[str, float, str]] = {
    "oral": ("Ответ на уроке", 1.0, "oral"),
    "homework": ("Домашняя работа", 1.0, "homework"),
    "independent": ("Самостоятельная работа", 1.5, "written"),
    "dictation": ("Диктант", 1.5, "written"),
    "lab": ("Лабораторная работа", 1.5, "lab"),
    "practical": ("Практическая работа", 1.5, "practical"),
    "control": ("Контрольная работа", 2.0, "test"),
}

#: Work kinds a whole class writes (everyone present gets a mark).
CLASS_WORKS = frozenset({"independent", "dictation", "lab", "practical", "control"})

PRIMARY = "primary"  # the specialty of a primary-school class teacher


@dataclass(frozen=True)
class SubjectInfo:
    """A subject as the demo uses it: who teaches it, which works it has, what is asked."""

    name: str
    short: str
    specialty: str
    works: tuple[str, ...] = ()
    homework: tuple[str, ...] = ()
    pass_fail: bool = False
    #: how likely a present student is to be asked (and marked) in an ordinary lesson
    oral_rate: float = 0.36
    #: a shift of the marks for this subject (PE marks are kinder than physics marks)
    mark_shift: float = 0.0


_TEXTBOOK = ("§ {p}, вопросы на стр. {pg}", "§ {p}, упр. {n}", "§ {p}, № {n}, {n2}")
_READING = (
    "Прочитать стр. {pg}–{pg2}",
    "Выучить наизусть отрывок, стр. {pg}",
    "Вопросы 1–5 на стр. {pg}",
)

SUBJECTS: dict[str, SubjectInfo] = {
    s.name: s
    for s in (
        SubjectInfo(
            "Русский язык",
            "Рус",
            "rus",
            ("dictation", "control", "independent"),
            ("Упр. {n}", "§ {p}, упр. {n}", "Упр. {n}, {n2}, правило на стр. {pg}"),
            oral_rate=0.40,
            mark_shift=-0.2,
        ),
        SubjectInfo("Литературное чтение", "Лит.чт", PRIMARY, ("independent",), _READING),
        SubjectInfo("Литература", "Лит", "rus", ("independent", "control"), _READING),
        SubjectInfo(
            "Математика",
            "Мат",
            "math",
            ("control", "independent"),
            ("№ {n}, {n2}", "§ {p}, № {n}–{n2}", "Стр. {pg}, № {n}"),
            oral_rate=0.40,
            mark_shift=-0.1,
        ),
        SubjectInfo(
            "Алгебра",
            "Алг",
            "math",
            ("control", "independent"),
            ("§ {p}, № {n}, {n2}", "№ {n}–{n2}"),
            oral_rate=0.38,
            mark_shift=-0.25,
        ),
        SubjectInfo(
            "Геометрия",
            "Геом",
            "math",
            ("control", "independent"),
            ("§ {p}, задачи № {n}, {n2}", "П. {p}, доказать теорему, № {n}"),
            mark_shift=-0.3,
        ),
        SubjectInfo(
            "Вероятность и статистика",
            "ВиС",
            "math",
            ("control",),
            ("§ {p}, № {n}",),
            oral_rate=0.3,
        ),
        SubjectInfo("Окружающий мир", "Окр", PRIMARY, ("practical",), _TEXTBOOK),
        SubjectInfo(
            "Английский язык",
            "Англ",
            "eng",
            ("control", "independent"),
            ("Выучить слова, стр. {pg}", "Упр. {n}, стр. {pg}", "Текст на стр. {pg}: пересказ"),
            oral_rate=0.45,
        ),
        SubjectInfo(
            "Информатика",
            "Инф",
            "inf",
            ("practical", "control"),
            ("§ {p}, вопросы 1–5", "§ {p}"),
            oral_rate=0.35,
            mark_shift=0.2,
        ),
        SubjectInfo(
            "История",
            "Ист",
            "hist",
            ("independent", "control"),
            ("§ {p}, вопросы на стр. {pg}", "§ {p}, даты выучить", "§ {p}, задания 1–3"),
        ),
        SubjectInfo(
            "Обществознание",
            "Общ",
            "hist",
            ("independent",),
            ("§ {p}, вопросы на стр. {pg}", "§ {p}, эссе"),
            oral_rate=0.32,
        ),
        SubjectInfo("ОДНКНР", "ОДНКНР", "hist", (), (), pass_fail=True, oral_rate=0.12),
        SubjectInfo("ОРКСЭ", "ОРКСЭ", PRIMARY, (), (), pass_fail=True, oral_rate=0.12),
        SubjectInfo(
            "География",
            "Гео",
            "geo",
            ("practical",),
            ("§ {p}, работа с картой", "§ {p}, вопросы на стр. {pg}"),
            oral_rate=0.3,
        ),
        SubjectInfo(
            "Биология",
            "Био",
            "bio",
            ("lab", "independent"),
            ("§ {p}, вопросы на стр. {pg}", "§ {p}, рисунок в тетради"),
            oral_rate=0.32,
        ),
        SubjectInfo(
            "Физика",
            "Физ",
            "phys",
            ("lab", "control"),
            ("§ {p}, упр. {n}", "§ {p}, задачи № {n}, {n2}"),
            mark_shift=-0.3,
        ),
        SubjectInfo(
            "Химия",
            "Хим",
            "chem",
            ("lab", "control"),
            ("§ {p}, упр. {n}", "§ {p}, уравнения реакций"),
            mark_shift=-0.25,
        ),
        SubjectInfo(
            "Музыка", "Муз", "music", (), ("Выучить песню",), oral_rate=0.25, mark_shift=0.5
        ),
        SubjectInfo(
            "Изобразительное искусство",
            "ИЗО",
            "art",
            ("practical",),
            (),
            oral_rate=0.3,
            mark_shift=0.5,
        ),
        SubjectInfo(
            "Труд (технология)",
            "Труд",
            "tech",
            ("practical",),
            (),
            oral_rate=0.35,
            mark_shift=0.5,
        ),
        SubjectInfo(
            "ОБЗР", "ОБЗР", "obzr", ("practical",), ("§ {p}",), oral_rate=0.3, mark_shift=0.3
        ),
        SubjectInfo(
            "Физическая культура",
            "Физ-ра",
            "pe",
            ("practical",),
            (),
            oral_rate=0.42,
            mark_shift=0.6,
        ),
    )
}

#: Subjects taught to two subgroups at once, and the grades where they are split.
SPLIT: dict[str, range] = {
    "Английский язык": range(2, 12),
    "Информатика": range(7, 12),
    "Труд (технология)": range(5, 9),
}
#: A class smaller than this is not split.
SPLIT_MIN_STUDENTS = 20

_PRIMARY_SPECIALISTS = {"Английский язык", "Физическая культура", "Музыка"}

#: Weekly hours per grade (ФОП 2023; five-day week in 1–4, six-day week in 5–11).
_HOURS: dict[int, tuple[tuple[str, int], ...]] = {
    1: (
        ("Русский язык", 5),
        ("Литературное чтение", 4),
        ("Математика", 4),
        ("Окружающий мир", 2),
        ("Изобразительное искусство", 1),
        ("Музыка", 1),
        ("Труд (технология)", 1),
        ("Физическая культура", 3),
    ),
    2: (
        ("Русский язык", 5),
        ("Литературное чтение", 4),
        ("Английский язык", 2),
        ("Математика", 4),
        ("Окружающий мир", 2),
        ("Изобразительное искусство", 1),
        ("Музыка", 1),
        ("Труд (технология)", 1),
        ("Физическая культура", 3),
    ),
    4: (
        ("Русский язык", 5),
        ("Литературное чтение", 3),
        ("Английский язык", 2),
        ("Математика", 4),
        ("Окружающий мир", 2),
        ("ОРКСЭ", 1),
        ("Изобразительное искусство", 1),
        ("Музыка", 1),
        ("Труд (технология)", 1),
        ("Физическая культура", 3),
    ),
    5: (
        ("Русский язык", 6),
        ("Литература", 3),
        ("Английский язык", 3),
        ("Математика", 6),
        ("Информатика", 1),
        ("История", 2),
        ("География", 1),
        ("Биология", 1),
        ("ОДНКНР", 1),
        ("Музыка", 1),
        ("Изобразительное искусство", 1),
        ("Труд (технология)", 2),
        ("Физическая культура", 3),
    ),
    6: (
        ("Русский язык", 6),
        ("Литература", 3),
        ("Английский язык", 3),
        ("Математика", 6),
        ("Информатика", 1),
        ("История", 2),
        ("Обществознание", 1),
        ("География", 1),
        ("Биология", 1),
        ("ОДНКНР", 1),
        ("Музыка", 1),
        ("Изобразительное искусство", 1),
        ("Труд (технология)", 2),
        ("Физическая культура", 3),
    ),
    7: (
        ("Русский язык", 5),
        ("Литература", 2),
        ("Английский язык", 3),
        ("Алгебра", 4),
        ("Геометрия", 2),
        ("Вероятность и статистика", 1),
        ("Информатика", 1),
        ("История", 2),
        ("Обществознание", 1),
        ("География", 2),
        ("Биология", 2),
        ("Физика", 2),
        ("Музыка", 1),
        ("Изобразительное искусство", 1),
        ("Труд (технология)", 2),
        ("Физическая культура", 3),
    ),
    8: (
        ("Русский язык", 4),
        ("Литература", 2),
        ("Английский язык", 3),
        ("Алгебра", 4),
        ("Геометрия", 2),
        ("Вероятность и статистика", 1),
        ("Информатика", 1),
        ("История", 2),
        ("Обществознание", 1),
        ("География", 2),
        ("Биология", 2),
        ("Физика", 2),
        ("Химия", 3),
        ("Музыка", 1),
        ("Труд (технология)", 1),
        ("ОБЗР", 1),
        ("Физическая культура", 3),
    ),
    9: (
        ("Русский язык", 4),
        ("Литература", 3),
        ("Английский язык", 3),
        ("Алгебра", 4),
        ("Геометрия", 2),
        ("Вероятность и статистика", 1),
        ("Информатика", 1),
        ("История", 3),
        ("Обществознание", 1),
        ("География", 2),
        ("Биология", 2),
        ("Физика", 3),
        ("Химия", 2),
        ("Труд (технология)", 1),
        ("ОБЗР", 1),
        ("Физическая культура", 3),
    ),
    10: (
        ("Русский язык", 3),
        ("Литература", 3),
        ("Английский язык", 3),
        ("Алгебра", 4),
        ("Геометрия", 3),
        ("Вероятность и статистика", 1),
        ("Информатика", 2),
        ("История", 2),
        ("Обществознание", 2),
        ("География", 1),
        ("Биология", 2),
        ("Физика", 3),
        ("Химия", 2),
        ("ОБЗР", 1),
        ("Физическая культура", 3),
    ),
}
_HOURS[3] = _HOURS[2]
_HOURS[11] = _HOURS[10]


@dataclass(frozen=True)
class CourseLine:
    """One subject of a grade's curriculum."""

    subject: str
    hours: int
    specialty: str
    split: bool


def curriculum(grade: int, class_size: int) -> tuple[CourseLine, ...]:
    """The subjects a class of ``grade`` learns, with weekly hours and who teaches them."""
    lines = []
    for name, hours in _HOURS[grade]:
        info = SUBJECTS[name]
        specialty = info.specialty
        if grade <= 4 and name not in _PRIMARY_SPECIALISTS:
            specialty = PRIMARY
        split = grade in SPLIT.get(name, ()) and class_size >= SPLIT_MIN_STUDENTS
        lines.append(CourseLine(name, hours, specialty, split))
    return tuple(lines)


def school_days(grade: int) -> int:
    """Primary grades learn five days a week, the others six."""
    return 5 if grade <= 4 else 6


def study_weeks(grade: int) -> int:
    """Weeks in the plan: 33 in grade 1, 34 elsewhere (ФОП)."""
    return 33 if grade == 1 else 34


def is_marked(grade: int) -> bool:
    """Grade 1 gets no marks (безотметочное обучение)."""
    return grade >= 2


def has_homework(grade: int) -> bool:
    """No homework in grade 1 (СанПиН)."""
    return grade >= 2
