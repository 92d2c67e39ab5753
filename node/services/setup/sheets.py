"""What a school-setup workbook holds: one declarative description per sheet.

The import, the check, the empty template and the export all read this one description,
so a column added here is read, checked, written and documented everywhere at once.
Sheets come in the order a school is described in (the template's tab order); the
importer writes staff before the classes that name their class teachers.

Sheet and column names exist in Russian and in English; both are accepted on import,
whatever the user's language, with case, spaces and «ё» ignored.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from node.i18n import N_, gettext


class ColumnType(enum.StrEnum):
    """How a cell is read. ``CHOICE`` cells take one of the column's spellings."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"  # a decimal: hours per week, a weight
    DATE = "date"  # a real Excel date, or dd.mm.yyyy, or yyyy-mm-dd
    BOOL = "bool"  # да/нет, yes/no, 1/0, +/-
    TIME = "time"  # HH:MM, or a real Excel time
    LIST = "list"  # several words in one cell: «teacher, class-teacher»
    CHOICE = "choice"


def fold(text: str) -> str:
    """The form names are compared in: case, spaces, «ё» and a trailing «*» do not matter."""
    folded = "".join(str(text).split()).casefold().replace("ё", "е")
    return folded.rstrip("*")


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``example`` is the value of the template's example row; when ``example_is_word`` it is a
    word of the interface (a choice, a yes/no) and is shown translated. ``choices`` maps each
    accepted spelling (folded) to the value stored.
    """

    key: str
    ru: str
    en: str
    type: ColumnType
    required: bool
    example: str
    help: str
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)
    example_is_word: bool = False

    def header(self, language: str) -> str:
        return self.ru if language == "ru" else self.en

    def names(self) -> tuple[str, ...]:
        """Every header this column is recognised by (folded)."""
        return tuple(fold(name) for name in (self.ru, self.en, self.key, *self.aliases))

    def example_text(self) -> str:
        return gettext(self.example) if self.example_is_word else self.example

    def explanation(self) -> str:
        return gettext(self.help)


@dataclass(frozen=True)
class Sheet:
    """One kind of data: its names, its columns and the columns that identify a row.

    ``key`` names the columns whose values find an existing record on a re-import (the
    natural key); two rows with the same key in one file are a mistake.
    """

    kind: str
    ru: str
    en: str
    help: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    def title(self, language: str) -> str:
        return self.ru if language == "ru" else self.en

    def names(self) -> tuple[str, ...]:
        return tuple(fold(name) for name in (self.ru, self.en, self.kind, *self.aliases))

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def column_for_header(self, header: str) -> Column | None:
        """The column a header cell names, or ``None`` for a column this sheet does not have."""
        folded = fold(header)
        return next((c for c in self.columns if folded in c.names()), None)

    def explanation(self) -> str:
        return gettext(self.help)


def _spellings(**values: tuple[str, ...]) -> dict[str, str]:
    """``quarters=("четверти", …)`` → {folded spelling: stored value}, the value included."""
    out: dict[str, str] = {}
    for value, words in values.items():
        for word in (value, *words):
            out[fold(word)] = value
    return out


#: The period schemes a class can follow, as the user's language names them.
SCHEME_WORDS = {"quarters": N_("quarters"), "halves": N_("halves")}
SCHEMES = _spellings(
    quarters=("четверти", "четверть", "quarter"),
    halves=("полугодия", "полугодие", "half", "half-year", "half-years", "halfyears"),
)
WORK_KINDS = _spellings(
    oral=("устная", "устный", "устно"),
    written=("письменная", "письменный", "письменно"),
    lab=("лабораторная", "laboratory"),
    practical=("практическая",),
    test=("контрольная", "тест", "контрольный"),
    homework=("домашняя", "домашняя работа", "дз"),
    other=("другое", "другая", "прочее"),
)
RELATIONS = _spellings(
    mother=("мать", "мама"),
    father=("отец", "папа"),
    grandmother=("бабушка",),
    grandfather=("дедушка",),
    guardian=("опекун", "законный представитель", "legal guardian"),
    other=("другое", "другой"),
)
_DAYS = (
    ("пн", "понедельник", "mon", "monday"),
    ("вт", "вторник", "tue", "tuesday"),
    ("ср", "среда", "wed", "wednesday"),
    ("чт", "четверг", "thu", "thursday"),
    ("пт", "пятница", "fri", "friday"),
    ("сб", "суббота", "sat", "saturday"),
    ("вс", "воскресенье", "sun", "sunday"),
)
WEEKDAYS = {fold(word): str(number) for number, words in enumerate(_DAYS, 1) for word in words}
WEEKDAYS.update({str(number): str(number) for number in range(1, 8)})

T = ColumnType

YEAR = Sheet(
    kind="year",
    ru="Учебный год",
    en="Year",
    help=N_("The academic year: one row with its name, first and last day."),
    key=("name",),
    aliases=("год",),
    columns=(
        Column(
            "name", "Название", "Name", T.TEXT, True, "2026/2027",
            N_("The year's name, as the school writes it."),
        ),
        Column(
            "start", "Начало", "Start", T.DATE, True, "01.09.2026",
            N_("The first day of the academic year."),
        ),
        Column(
            "end", "Конец", "End", T.DATE, True, "31.05.2027",
            N_("The last day of the academic year."),
        ),
    ),
)  # fmt: skip

PERIODS = Sheet(
    kind="periods",
    ru="Периоды",
    en="Periods",
    help=N_(
        "Quarters and half-years of the year; each class follows one scheme (sheet Classes)."
    ),
    key=("scheme", "number"),
    aliases=("четверти",),
    columns=(
        Column(
            "scheme", "Схема", "Scheme", T.CHOICE, True, N_("quarters"),
            N_("«quarters» or «halves»: which classes the period is for."),
            choices=SCHEMES, example_is_word=True,
        ),
        Column(
            "number", "Номер", "Number", T.INT, True, "1",
            N_("The period's number within its scheme: 1, 2, …"),
        ),
        Column(
            "name", "Название", "Name", T.TEXT, False, "1 четверть",
            N_("The name shown in journals; empty gives «Quarter 1», «Half-year 1»."),
        ),
        Column(
            "start", "Начало", "Start", T.DATE, True, "01.09.2026",
            N_("The first day of the period, inside the year."),
        ),
        Column(
            "end", "Конец", "End", T.DATE, True, "25.10.2026",
            N_("The last day of the period; periods of one scheme must not overlap."),
        ),
    ),
)  # fmt: skip

HOLIDAYS = Sheet(
    kind="holidays",
    ru="Каникулы",
    en="Holidays",
    help=N_("School holidays and public holidays: no lessons are generated on these days."),
    key=("name", "start"),
    aliases=("праздники",),
    columns=(
        Column(
            "name", "Название", "Name", T.TEXT, True, "Осенние каникулы",
            N_("What the days off are called."),
        ),
        Column(
            "start", "Начало", "Start", T.DATE, True, "26.10.2026",
            N_("The first day without lessons."),
        ),
        Column(
            "end", "Конец", "End", T.DATE, True, "03.11.2026",
            N_("The last day without lessons (the same as the start for one day)."),
        ),
    ),
)  # fmt: skip

BELLS = Sheet(
    kind="bells",
    ru="Звонки",
    en="Bells",
    help=N_("The bell schedule: when each lesson starts and ends."),
    key=("number",),
    aliases=("расписание звонков", "bell times"),
    columns=(
        Column(
            "number", "Урок", "Lesson", T.INT, True, "1",
            N_("The lesson's number in the day (0 for an early «zero» lesson)."),
            aliases=("номер", "number"),
        ),
        Column(
            "starts", "Начало", "Starts", T.TIME, True, "08:30",
            N_("When the lesson starts, HH:MM."),
        ),
        Column(
            "ends", "Конец", "Ends", T.TIME, True, "09:15",
            N_("When the lesson ends, HH:MM."),
        ),
    ),
)  # fmt: skip

SUBJECTS = Sheet(
    kind="subjects",
    ru="Предметы",
    en="Subjects",
    help=N_("Every subject taught; the teaching load and the timetable name them."),
    key=("name",),
    columns=(
        Column(
            "name", "Предмет", "Subject", T.TEXT, True, "Математика",
            N_("The subject's full name, written the same way on every sheet."),
            aliases=("название", "name"),
        ),
        Column(
            "short_name", "Сокращение", "Short name", T.TEXT, False, "Мат.",
            N_("A short name for narrow columns; may be empty."),
        ),
        Column(
            "pass_fail", "Зачёт", "Pass/fail", T.BOOL, False, N_("no"),
            N_("«yes» if the subject is marked pass/fail (зач/незач) instead of 1–5."),
            example_is_word=True,
        ),
        Column(
            "written_work", "Письменные работы", "Written work", T.BOOL, False, N_("yes"),
            N_(
                "«yes» if a final mark needs a written, lab or practical mark; empty follows "
                "the school's policy."
            ),
            example_is_word=True,
        ),
    ),
)  # fmt: skip

WORK_TYPES = Sheet(
    kind="work_types",
    ru="Виды работ",
    en="Work types",
    help=N_("Kinds of work a mark is given for, with their weight in the average."),
    key=("name",),
    columns=(
        Column(
            "name", "Вид работы", "Work type", T.TEXT, True, "Контрольная работа",
            N_("The name teachers choose from when giving a mark."),
            aliases=("название", "name"),
        ),
        Column(
            "weight", "Вес", "Weight", T.NUMBER, True, "2",
            N_("The weight in the weighted average, above 0 (e.g. 1, 1.5, 2)."),
        ),
        Column(
            "kind", "Тип", "Kind", T.CHOICE, True, N_("test"),
            N_("oral, written, lab, practical, test, homework or other."),
            choices=WORK_KINDS, example_is_word=True,
        ),
    ),
)  # fmt: skip

CLASSES = Sheet(
    kind="classes",
    ru="Классы",
    en="Classes",
    help=N_("The classes of the year with their class teacher and period scheme."),
    key=("class",),
    columns=(
        Column(
            "class", "Класс", "Class", T.TEXT, True, "7А",
            N_("Grade and letter, e.g. 7А (grades 1 to 11)."),
        ),
        Column(
            "class_teacher", "Классный руководитель", "Class teacher", T.TEXT, False,
            "ivanova.m",
            N_("The class teacher's login (from the Staff sheet or already in ediary)."),
        ),
        Column(
            "scheme", "Схема", "Scheme", T.CHOICE, False, N_("quarters"),
            N_("«quarters» or «halves»; empty means quarters."),
            choices=SCHEMES, example_is_word=True,
        ),
    ),
)  # fmt: skip

STAFF = Sheet(
    kind="staff",
    ru="Сотрудники",
    en="Staff",
    help=N_("Staff accounts, the same columns as «ediary users import»."),
    key=("login",),
    aliases=("учителя", "users"),
    columns=(
        Column(
            "login", "Логин", "Login", T.TEXT, True, "ivanova.m",
            N_("Latin letters, digits, dots or dashes; the person signs in with it."),
        ),
        Column(
            "name", "ФИО", "Name", T.TEXT, True, "Иванова Мария Александровна",
            N_("Last name, first name and middle name, in one cell."),
            aliases=("full name",),
        ),
        Column(
            "roles", "Роли", "Roles", T.LIST, True, "учитель, классный",
            N_("teacher, class-teacher, deputy, director or sysadmin; several with commas."),
            aliases=("роль", "role"),
        ),
    ),
)  # fmt: skip

STUDENTS = Sheet(
    kind="students",
    ru="Ученики",
    en="Students",
    help=N_(
        "Students by class; a student is recognised by name and birth date, so a file can "
        "be imported again."
    ),
    key=("last_name", "first_name", "middle_name", "birth_date"),
    aliases=("учащиеся",),
    columns=(
        Column("class", "Класс", "Class", T.TEXT, True, "7А", N_("The student's class.")),
        Column(
            "last_name", "Фамилия", "Last name", T.TEXT, True, "Смирнов",
            N_("The student's last name."),
        ),
        Column(
            "first_name", "Имя", "First name", T.TEXT, True, "Дмитрий",
            N_("The student's first name."),
        ),
        Column(
            "middle_name", "Отчество", "Middle name", T.TEXT, False, "Олегович",
            N_("The middle name (patronymic); may be empty."),
        ),
        Column(
            "birth_date", "Дата рождения", "Birth date", T.DATE, False, "14.03.2013",
            N_(
                "The birth date, e.g. 14.03.2013; empty only while it is not known (an empty "
                "cell keeps the date ediary has)."
            ),
        ),
        Column(
            "enrolled_on", "Дата зачисления", "Enrolment date", T.DATE, False, "01.09.2026",
            N_("When the student joined the class; empty means the first day of the year."),
        ),
    ),
)  # fmt: skip

PARENTS = Sheet(
    kind="parents",
    ru="Родители",
    en="Parents",
    help=N_(
        "Parents, one row per child: a parent of two children (same name and phone) is one "
        "person linked to both."
    ),
    key=(
        "last_name",
        "first_name",
        "middle_name",
        "phone",
        "child",
        "child_class",
        "child_birth_date",
    ),
    aliases=("законные представители", "guardians"),
    columns=(
        Column(
            "last_name", "Фамилия", "Last name", T.TEXT, True, "Смирнова",
            N_("The parent's last name."),
        ),
        Column(
            "first_name", "Имя", "First name", T.TEXT, True, "Елена",
            N_("The parent's first name."),
        ),
        Column(
            "middle_name", "Отчество", "Middle name", T.TEXT, False, "Викторовна",
            N_("The parent's middle name; may be empty."),
        ),
        Column(
            "phone", "Телефон", "Phone", T.TEXT, False, "+7 912 345-67-89",
            N_(
                "The parent's phone; may be empty. Together with the name it tells one parent "
                "from another; an empty cell keeps the phone ediary has."
            ),
        ),
        Column(
            "email", "Эл. почта", "E-mail", T.TEXT, False, "smirnova@example.ru",
            N_("The parent's e-mail; may be empty."),
            aliases=("email", "e-mail", "электронная почта", "почта"),
        ),
        Column(
            "relation", "Кем приходится", "Relation", T.CHOICE, False, N_("mother"),
            N_("mother, father, grandmother, grandfather, guardian or other."),
            choices=RELATIONS, example_is_word=True, aliases=("родство",),
        ),
        Column(
            "child", "Ученик", "Student", T.TEXT, True, "Смирнов Дмитрий Олегович",
            N_("The child's full name, as on the Students sheet."),
            aliases=("ребёнок", "child"),
        ),
        Column(
            "child_class", "Класс ученика", "Student's class", T.TEXT, True, "7А",
            N_("The child's class."),
            aliases=("класс", "class"),
        ),
        Column(
            "child_birth_date", "Дата рождения ученика", "Student's birth date", T.DATE, False,
            "14.03.2013",
            N_("The child's birth date; needed only for two namesakes in one class."),
        ),
    ),
)  # fmt: skip

SUBGROUPS = Sheet(
    kind="subgroups",
    ru="Подгруппы",
    en="Subgroups",
    help=N_(
        "Subgroups of a class for one subject, one row per student; a subgroup's students "
        "are exactly those listed."
    ),
    key=("class", "subject", "subgroup", "student", "student_birth_date"),
    aliases=("группы",),
    columns=(
        Column("class", "Класс", "Class", T.TEXT, True, "7А", N_("The class that is split.")),
        Column(
            "subject", "Предмет", "Subject", T.TEXT, True, "Английский язык",
            N_("The subject the class is split for."),
        ),
        Column(
            "subgroup", "Подгруппа", "Subgroup", T.TEXT, True, "1 группа",
            N_("The subgroup's name."),
        ),
        Column(
            "student", "Ученик", "Student", T.TEXT, False, "Смирнов Дмитрий Олегович",
            N_("A student of the subgroup, full name as on the Students sheet."),
        ),
        Column(
            "student_birth_date", "Дата рождения ученика", "Student's birth date", T.DATE,
            False, "14.03.2013",
            N_("The student's birth date; needed only for two namesakes in one class."),
        ),
    ),
)  # fmt: skip

LOAD = Sheet(
    kind="load",
    ru="Нагрузка",
    en="Teaching load",
    help=N_("Who teaches what to which class (тарификация): each row is one journal."),
    key=("class", "subject", "subgroup"),
    aliases=("тарификация", "учебная нагрузка", "load"),
    columns=(
        Column("class", "Класс", "Class", T.TEXT, True, "7А", N_("The class taught.")),
        Column(
            "subject", "Предмет", "Subject", T.TEXT, True, "Математика",
            N_("The subject, as on the Subjects sheet."),
        ),
        Column(
            "teacher", "Учитель", "Teacher", T.TEXT, True, "ivanova.m",
            N_("The teacher's login."),
            aliases=("логин учителя", "teacher login"),
        ),
        Column(
            "subgroup", "Подгруппа", "Subgroup", T.TEXT, False, "",
            N_("The subgroup taught; empty for the whole class."),
        ),
        Column(
            "hours", "Часов в неделю", "Hours per week", T.NUMBER, True, "5",
            N_("Lessons per week, e.g. 5 or 0.5."),
            aliases=("часы", "hours"),
        ),
    ),
)  # fmt: skip

TIMETABLE = Sheet(
    kind="timetable",
    ru="Расписание",
    en="Timetable",
    help=N_(
        "The weekly timetable: each row is one lesson of the load on a weekday; lessons of "
        "the year are generated from it."
    ),
    key=("class", "weekday", "number", "subject", "subgroup"),
    columns=(
        Column("class", "Класс", "Class", T.TEXT, True, "7А", N_("The class.")),
        Column(
            "weekday", "День", "Weekday", T.CHOICE, True, N_("Mon"),
            N_("Mon … Sat (or 1 … 7)."),
            choices=WEEKDAYS, example_is_word=True, aliases=("день недели", "day"),
        ),
        Column(
            "number", "Урок", "Lesson", T.INT, True, "1",
            N_("The lesson's number, as on the Bells sheet."),
            aliases=("номер урока", "lesson number"),
        ),
        Column(
            "subject", "Предмет", "Subject", T.TEXT, True, "Математика",
            N_("The subject, as in the teaching load."),
        ),
        Column(
            "subgroup", "Подгруппа", "Subgroup", T.TEXT, False, "",
            N_("The subgroup, if the load gives the subject to subgroups."),
        ),
        Column(
            "teacher", "Учитель", "Teacher", T.TEXT, False, "ivanova.m",
            N_("The teacher's login; may be empty, it must match the load when given."),
        ),
        Column(
            "room", "Кабинет", "Room", T.TEXT, False, "21",
            N_("The room; may be empty."),
            aliases=("аудитория",),
        ),
    ),
)  # fmt: skip

#: Every sheet, in the order it is imported.
SHEETS: tuple[Sheet, ...] = (
    YEAR,
    PERIODS,
    HOLIDAYS,
    BELLS,
    SUBJECTS,
    WORK_TYPES,
    CLASSES,
    STAFF,
    STUDENTS,
    PARENTS,
    SUBGROUPS,
    LOAD,
    TIMETABLE,
)


def sheet_named(name: str) -> Sheet | None:
    """The sheet a workbook tab or a file name (without extension) stands for."""
    folded = fold(name)
    return next((sheet for sheet in SHEETS if folded in sheet.names()), None)


def sheet_of_kind(kind: str) -> Sheet:
    for sheet in SHEETS:
        if sheet.kind == kind:
            return sheet
    raise KeyError(kind)
