"""The thematic plan (КТП): lines, CSV import, and coverage to date."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Conflict, Forbidden, Locked, NotFound, ValidationError
from node.models import History, Lesson, LessonPlanItem, PlanItem
from node.services.gradebook import journal, plan


def counts() -> tuple[int, int, int]:
    return PlanItem.select().count(), History.select().count(), LessonPlanItem.select().count()


@pytest.fixture
def teacher(school):
    return school.actor(school.teacher)


def test_week_number_counts_from_the_year_start():
    start = dt.date(2026, 9, 1)  # a Tuesday
    assert plan.week_number(start, dt.date(2026, 8, 31)) == 1
    assert plan.week_number(start, dt.date(2026, 9, 6)) == 1
    assert plan.week_number(start, dt.date(2026, 9, 7)) == 2
    assert plan.week_number(start, dt.date(2026, 8, 30)) == 0


def test_add_update_delete_plan_item(school, teacher):
    first = plan.add_plan_item(teacher, school.maths.id, " Дроби ", section="Числа", hours=2)
    second = plan.add_plan_item(teacher, school.maths.id, "Проценты", planned_week=3)
    assert (first.position, first.topic, first.section, first.hours) == (0, "Дроби", "Числа", 2.0)
    assert (second.position, second.planned_week) == (1, 3)
    assert [i.id for i in plan.plan_items(teacher, school.maths.id)] == [first.id, second.id]

    updated = plan.update_plan_item(teacher, second.id, hours=1.5, section="Проценты")
    assert (updated.hours, updated.section, updated.planned_week) == (1.5, "Проценты", 3)
    cleared = plan.update_plan_item(teacher, second.id, planned_week=None)
    assert cleared.planned_week is None
    (change,) = [h for h in History.of("plan_item", second.id) if h.action == "update"][-1:]
    assert change.change_map() == {"planned_week": [3, None]}

    plan.delete_plan_item(teacher, second.id)
    assert PlanItem.get_or_none(PlanItem.id == second.id) is None
    assert [h.action for h in History.of("plan_item", second.id)][-1] == "delete"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"topic": "  "}, "topic is empty"),
        ({"topic": "Дроби", "hours": 0}, "more than 0"),
        ({"topic": "Дроби", "hours": -1}, "more than 0"),
        ({"topic": "Дроби", "hours": 500}, "at most 100"),
        ({"topic": "Дроби", "planned_week": 0}, "week must be"),
        ({"topic": "Дроби", "planned_week": 60}, "week must be"),
    ],
)
def test_bad_plan_items_write_nothing(school, teacher, kwargs, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        plan.add_plan_item(teacher, school.maths.id, **kwargs)
    assert counts() == before


def test_bad_update_writes_nothing(school, teacher):
    item = plan.add_plan_item(teacher, school.maths.id, "Дроби")
    before = counts()
    with pytest.raises(ValidationError):
        plan.update_plan_item(teacher, item.id, hours=0)
    with pytest.raises(ValidationError):
        plan.update_plan_item(teacher, item.id, topic="")
    assert counts() == before
    assert PlanItem.get_by_id(item.id).hours == 1.0


def test_plan_item_linked_to_a_lesson_cannot_be_deleted(school, teacher):
    item = plan.add_plan_item(teacher, school.maths.id, "Дроби")
    journal.set_topic(teacher, school.maths_lessons[0].id, "", plan_item_ids=[item.id])
    before = counts()
    with pytest.raises(Conflict, match="linked to 1 lesson"):
        plan.delete_plan_item(teacher, item.id)
    assert counts() == before


def test_plan_permissions(school):
    item = plan.add_plan_item(school.actor(school.teacher), school.maths.id, "Дроби")
    before = counts()
    for user in (school.other_teacher, school.director, school.sysadmin, school.parent):
        actor = school.actor(user)
        with pytest.raises(Forbidden):
            plan.add_plan_item(actor, school.maths.id, "Проценты")
        with pytest.raises(Forbidden):
            plan.update_plan_item(actor, item.id, topic="Проценты")
        with pytest.raises(Forbidden):
            plan.delete_plan_item(actor, item.id)
        with pytest.raises(Forbidden):
            plan.import_plan_csv(actor, school.maths.id, "Числа;Проценты;1;3")
    assert counts() == before
    # the administration reads the plan and its coverage; a parent does not
    assert plan.plan_items(school.actor(school.deputy), school.maths.id)
    plan.plan_coverage(school.actor(school.director), school.maths.id, dt.date(2026, 11, 25))
    with pytest.raises(Forbidden):
        plan.plan_coverage(school.actor(school.parent), school.maths.id, dt.date(2026, 11, 25))


def test_missing_rows_and_closed_year(school, teacher):
    with pytest.raises(NotFound):
        plan.add_plan_item(teacher, "0" * 32, "Дроби")
    with pytest.raises(NotFound):
        plan.update_plan_item(teacher, "0" * 32, topic="Дроби")
    with pytest.raises(NotFound):
        plan.delete_plan_item(teacher, "0" * 32)
    item = plan.add_plan_item(teacher, school.maths.id, "Дроби")
    school.year.status = "closed"
    school.year.save()
    before = counts()
    with pytest.raises(Locked):
        plan.add_plan_item(teacher, school.maths.id, "Проценты")
    with pytest.raises(Locked):
        plan.update_plan_item(teacher, item.id, topic="Проценты")
    with pytest.raises(Locked):
        plan.delete_plan_item(teacher, item.id)
    with pytest.raises(Locked):
        plan.import_plan_csv(teacher, school.maths.id, "Числа;Проценты;1;3")
    assert counts() == before


# --- CSV import ---------------------------------------------------------------------------

EXCEL_CSV = (
    "\ufeffРаздел;Тема;Часы;Неделя\r\n"
    "Числа;Обыкновенные дроби;2;1\r\n"
    ";Сложение дробей;1,5;2\r\n"
    "\r\n"
    "Проценты;Понятие процента;;\r\n"
)


def test_import_excel_csv_with_bom_header_and_decimal_comma(school, teacher):
    plan.add_plan_item(teacher, school.maths.id, "Повторение")
    items = plan.import_plan_csv(teacher, school.maths.id, EXCEL_CSV)
    got = [(i.position, i.section, i.topic, i.hours, i.planned_week) for i in items]
    assert got == [
        (1, "Числа", "Обыкновенные дроби", 2.0, 1),
        (2, "Числа", "Сложение дробей", 1.5, 2),
        (3, "Проценты", "Понятие процента", 1.0, None),
    ]
    imported = History.select().where(History.action == "import")
    assert {h.entity_id for h in imported} == {i.id for i in items}


def test_import_comma_separated_bytes_without_header(school, teacher):
    text = 'Числа,"Дроби, повторение",1,1\nЧисла,Проценты,2,2\n'.encode()
    items = plan.import_plan_csv(teacher, school.maths.id, text)
    assert [(i.topic, i.hours) for i in items] == [("Дроби, повторение", 1.0), ("Проценты", 2.0)]
    bom = "\ufeffЧисла;Дроби;1;1\n".encode()
    assert plan.import_plan_csv(teacher, school.maths.id, bom)[0].section == "Числа"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("section;topic;hours;week\nЧисла;Дроби;1;1\nЧисла;;1;2\n", 3, "topic is empty"),
        ("Числа;Дроби;1;1\nЧисла;Проценты;много;2\n", 2, "not a number of hours"),
        ("Числа;Дроби;1;1\n\nЧисла;Проценты;1;вторая\n", 3, "not a week number"),
        ("Числа;Дроби;1;99\n", 1, "week must be"),
        ("Числа;Дроби;0;1\n", 1, "more than 0"),
        ("Числа;Дроби;1;1;лишнее\n", 1, "5 columns"),
    ],
)
def test_bad_row_names_its_line_and_imports_nothing(school, teacher, text, line, problem):
    before = counts()
    with pytest.raises(ValidationError, match=f"Line {line} of the plan: .*{problem}"):
        plan.import_plan_csv(teacher, school.maths.id, text)
    assert counts() == before


@pytest.mark.parametrize("text", ["", "\ufeff\n\n", "Раздел;Тема;Часы;Неделя\n"])
def test_empty_plan_file_is_refused(school, teacher, text):
    with pytest.raises(ValidationError):
        plan.import_plan_csv(teacher, school.maths.id, text)
    assert PlanItem.select().count() == 0


def test_non_utf8_file_is_refused(school, teacher):
    with pytest.raises(ValidationError, match="UTF-8"):
        plan.import_plan_csv(teacher, school.maths.id, "Числа;Дроби;1;1".encode("cp1251"))


def test_trailing_empty_columns_are_ignored(school, teacher):
    items = plan.import_plan_csv(teacher, school.maths.id, "Числа;Дроби;1;1;;\n")
    assert len(items) == 1


# --- coverage -----------------------------------------------------------------------------


def test_plan_coverage_to_date(school, teacher):
    # school weeks: 1 = 31.08–06.09; 25.11.2026 is in week 13
    plan.add_plan_item(teacher, school.maths.id, "Дроби", hours=2, planned_week=12)
    plan.add_plan_item(teacher, school.maths.id, "Проценты", hours=1.5, planned_week=13)
    plan.add_plan_item(teacher, school.maths.id, "Уравнения", hours=3, planned_week=14)
    linked = plan.add_plan_item(teacher, school.maths.id, "Повторение", hours=1)
    lessons = school.maths_lessons
    journal.set_topic(teacher, lessons[0].id, "Дроби")
    journal.set_topic(teacher, lessons[1].id, "", plan_item_ids=[linked.id])
    journal.set_topic(teacher, lessons[2].id, "Сокращение дробей")
    # a cancelled lesson with a topic does not count, nor a future one
    Lesson.update(status="cancelled").where(Lesson.id == lessons[2].id).execute()
    future = Lesson.create(assignment=school.maths, date=dt.date(2026, 11, 30), number=2)
    journal.set_topic(teacher, future.id, "Уравнения")

    coverage = plan.plan_coverage(teacher, school.maths.id, dt.date(2026, 11, 25))
    assert coverage == (3.5, 2.0)
    assert coverage.planned_hours == 3.5 and coverage.taught_hours == 2.0
    assert plan.plan_coverage(teacher, school.maths.id, dt.date(2026, 11, 10)) == (0.0, 1.0)
    assert plan.plan_coverage(teacher, school.maths.id, dt.date(2026, 11, 17)) == (2.0, 2.0)
    assert plan.plan_coverage(teacher, school.maths.id, dt.date(2026, 12, 31)) == (6.5, 3.0)
