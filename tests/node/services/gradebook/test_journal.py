"""The teacher's journal writes: topics, homework, marks, attendance, and a cell's history."""

from __future__ import annotations

import datetime as dt

import pytest

from node.errors import Forbidden, Locked, NotFound, ValidationError
from node.models import (
    Attendance,
    History,
    Lesson,
    LessonPlanItem,
    Mark,
    PlanItem,
    Student,
    WorkType,
)
from node.models.history import cell_key
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.gradebook import journal


def counts() -> dict[str, int]:
    """Row counts that a refused write must leave unchanged."""
    return {
        model.__name__: model.select().count()
        for model in (Mark, Attendance, History, LessonPlanItem, Lesson, PlanItem)
    }


def at_minute(minute: int):
    """Pin the clock to a later minute of the school's day, so history has an order (rows
    written at the same instant are ordered by their random ids)."""
    return clock.frozen_time(dt.datetime(2026, 11, 25, 12, minute))


def new_history(before: set[str]) -> list[History]:
    return [h for h in History.select().order_by(History.at) if h.id not in before]


def lesson_of(assignment, day: dt.date, number: int = 3, **extra) -> Lesson:
    return Lesson.create(assignment=assignment, date=day, number=number, **extra)


@pytest.fixture
def teacher(school) -> Actor:
    return school.actor(school.teacher)


@pytest.fixture
def lesson(school) -> Lesson:
    return school.maths_lessons[0]  # 2026-11-09, in the past


def cell_marks(lesson: Lesson, student: Student) -> list[Mark]:
    return list(
        Mark.select()
        .where(Mark.lesson == lesson.id, Mark.student == student.id)
        .order_by(Mark.position)
    )


# --- parse_cell ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5/4", ["5", "4"]),
        ("", []),
        ("   ", []),
        (" 5 / 4 ", ["5", "4"]),
        ("5", ["5"]),
        ("5//3", ["5", "3"]),
        ("5 4", ["5", "4"]),
        ("зач", ["зач"]),
        ("н/а", ["н/а"]),
    ],
)
def test_parse_cell(text, expected):
    assert journal.parse_cell(text) == expected


# --- marks --------------------------------------------------------------------------------


def test_set_marks_creates_marks_in_order_with_default_work_type(school, teacher, lesson):
    student = school.students[1]
    marks = journal.set_marks(teacher, lesson.id, student.id, ["5", " 4 "])
    assert [(m.position, m.value, m.points) for m in marks] == [(0, "5", 5), (1, "4", 4)]
    assert {m.work_type_id for m in marks} == {school.oral.id}
    stored = cell_marks(lesson, student)
    assert [m.id for m in stored] == [m.id for m in marks]
    assert stored[0].updated_by_id == school.teacher.id
    history = list(History.of_cell(lesson.id, student.id))
    assert [(h.entity, h.action) for h in history] == [("mark", "create"), ("mark", "create")]
    assert history[0].actor_login == "ivanova"
    assert history[0].cell == cell_key(lesson.id, student.id)


def test_set_marks_takes_lesson_work_type_then_argument(school, teacher, lesson):
    journal.set_lesson_work_type(teacher, lesson.id, school.test_work.id)
    marks = journal.set_marks(teacher, lesson.id, school.students[0].id, ["3"])
    assert marks[0].work_type_id == school.test_work.id
    written = WorkType.get(WorkType.name == "Самостоятельная работа")
    marks = journal.set_marks(
        teacher, lesson.id, school.students[1].id, ["4"], work_type_id=written.id
    )
    assert marks[0].work_type_id == written.id


def test_default_work_type_is_first_oral_by_name(school):
    WorkType.create(name="Беседа", weight=1.0, kind="oral")
    assert journal.default_work_type().name == "Беседа"


def test_unchanged_marks_keep_their_rows(school, teacher, lesson):
    student = school.students[2]
    first, second = journal.set_marks(teacher, lesson.id, student.id, ["5", "4"])
    seen = {h.id for h in History.select()}

    again = journal.set_marks(teacher, lesson.id, student.id, ["5", "3"])
    assert [m.id for m in again] == [first.id, second.id]
    assert [m.value for m in cell_marks(lesson, student)] == ["5", "3"]
    (update,) = new_history(seen)
    assert update.action == "update" and update.entity_id == second.id
    assert update.change_map()["value"] == ["4", "3"]
    seen.add(update.id)

    # the same values again change nothing and record nothing
    journal.set_marks(teacher, lesson.id, student.id, ["5", "3"])
    assert new_history(seen) == []

    shorter = journal.set_marks(teacher, lesson.id, student.id, ["5"])
    assert [m.id for m in shorter] == [first.id]
    assert Mark.get_or_none(Mark.id == second.id) is None
    (delete,) = new_history(seen)
    assert delete.action == "delete" and delete.change_map()["value"] == ["3", None]

    assert journal.set_marks(teacher, lesson.id, student.id, []) == []
    assert cell_marks(lesson, student) == []


def test_comment_and_explicit_work_type_apply_to_the_whole_cell(school, teacher, lesson):
    student = school.students[0]
    journal.set_marks(teacher, lesson.id, student.id, ["5", "4"], comment="диктант")
    assert [m.comment for m in cell_marks(lesson, student)] == ["диктант", "диктант"]
    # comment=None keeps what is there
    journal.set_marks(teacher, lesson.id, student.id, ["5", "4", "3"])
    assert [m.comment for m in cell_marks(lesson, student)] == ["диктант", "диктант", ""]
    journal.set_marks(teacher, lesson.id, student.id, ["5", "4", "3"], comment="")
    assert [m.comment for m in cell_marks(lesson, student)] == ["", "", ""]
    journal.set_marks(
        teacher, lesson.id, student.id, ["5", "4", "3"], work_type_id=school.test_work.id
    )
    assert {m.work_type_id for m in cell_marks(lesson, student)} == {school.test_work.id}


def test_set_marks_pass_fail_subject(school):
    pe_lesson = lesson_of(school.pe, dt.date(2026, 11, 19), number=1)
    actor = school.actor(school.pe_teacher)
    marks = journal.set_marks(actor, pe_lesson.id, school.students[0].id, ["зач"])
    assert (marks[0].value, marks[0].points) == ("зач", None)
    before = counts()
    with pytest.raises(ValidationError, match="pass/fail"):
        journal.set_marks(actor, pe_lesson.id, school.students[1].id, ["5"])
    assert counts() == before


@pytest.mark.parametrize(
    "values",
    [["6"], ["0"], ["abc"], ["5", "7"], ["4.5"], ["зач"], ["5", "4", "3", "2"], ["н/а"]],
)
def test_bad_marks_write_nothing(school, teacher, lesson, values):
    student = school.students[0]
    journal.set_marks(teacher, lesson.id, student.id, ["4"])
    before = counts()
    with pytest.raises(ValidationError):
        journal.set_marks(teacher, lesson.id, student.id, values)
    assert counts() == before
    assert [m.value for m in cell_marks(lesson, student)] == ["4"]


def test_mark_outside_the_scale_names_the_scale(school, teacher, lesson):
    with pytest.raises(ValidationError, match="from 1 to 5"):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["6"])


def test_too_many_marks_in_a_cell(school, teacher, lesson):
    with pytest.raises(ValidationError, match="at most 3"):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["5", "5", "5", "5"])


def test_student_of_another_class_is_refused(school, teacher, lesson):
    before = counts()
    with pytest.raises(ValidationError, match="not in class 7А"):
        journal.set_marks(teacher, lesson.id, school.other_students[0].id, ["5"])
    with pytest.raises(ValidationError, match="not in class 7А"):
        journal.set_attendance(teacher, lesson.id, school.other_students[0].id, "absent")
    assert counts() == before


def test_student_outside_the_subgroup_is_refused(school):
    english = lesson_of(school.english_g1, dt.date(2026, 11, 17))
    actor = school.actor(school.other_teacher)
    journal.set_marks(actor, english.id, school.students[0].id, ["5"])  # in group 1
    before = counts()
    with pytest.raises(ValidationError, match="subgroup"):
        journal.set_marks(actor, english.id, school.students[3].id, ["5"])
    with pytest.raises(ValidationError, match="subgroup"):
        journal.set_attendance(actor, english.id, school.students[4].id, "absent")
    assert counts() == before


def test_student_not_enrolled_on_the_lesson_date_is_refused(school, teacher, lesson):
    left = school.students[3]
    left.left_on = dt.date(2026, 11, 6)
    left.save()
    newcomer = school.students[4]
    newcomer.enrolled_on = dt.date(2026, 11, 10)
    newcomer.save()
    before = counts()
    with pytest.raises(ValidationError, match="had left on 06.11.2026"):
        journal.set_marks(teacher, lesson.id, left.id, ["5"])
    with pytest.raises(ValidationError, match="not yet enrolled"):
        journal.set_marks(teacher, lesson.id, newcomer.id, ["5"])
    with pytest.raises(ValidationError, match="not yet enrolled"):
        journal.set_attendance(teacher, lesson.id, newcomer.id, "absent")
    assert counts() == before
    # on a later lesson the newcomer is in the journal
    journal.set_marks(teacher, school.maths_lessons[1].id, newcomer.id, ["5"])


def test_left_on_the_lesson_day_still_counts(school, teacher, lesson):
    student = school.students[3]
    student.left_on = lesson.date
    student.save()
    assert journal.set_marks(teacher, lesson.id, student.id, ["4"])


def test_cancelled_lesson_refuses_marks_and_attendance(school, teacher, lesson):
    lesson.status = "cancelled"
    lesson.save()
    before = counts()
    with pytest.raises(ValidationError, match="cancelled"):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["5"])
    with pytest.raises(ValidationError, match="cancelled"):
        journal.set_attendance(teacher, lesson.id, school.students[0].id, "absent")
    assert counts() == before


def test_future_lesson_refuses_marks_and_attendance(school, teacher):
    future = lesson_of(school.maths, dt.date(2026, 11, 30), number=2)
    before = counts()
    with pytest.raises(ValidationError, match="has not taken place yet"):
        journal.set_marks(teacher, future.id, school.students[0].id, ["5"])
    with pytest.raises(ValidationError, match="has not taken place yet"):
        journal.set_attendance(teacher, future.id, school.students[0].id, "absent")
    assert counts() == before
    # today's lesson is fine, and homework may be set ahead
    today = school.maths_lessons[-1]
    assert today.date == dt.date(2026, 11, 25)
    journal.set_marks(teacher, today.id, school.students[0].id, ["5"])
    assert journal.set_homework(teacher, future.id, "№ 12").homework == "№ 12"


def test_closed_year_is_locked(school, teacher, lesson):
    school.year.status = "closed"
    school.year.save()
    before = counts()
    with pytest.raises(Locked, match="2026/2027"):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["5"])
    with pytest.raises(Locked):
        journal.set_attendance(teacher, lesson.id, school.students[0].id, "absent")
    with pytest.raises(Locked):
        journal.set_topic(teacher, lesson.id, "Дроби")
    with pytest.raises(Locked):
        journal.set_homework(teacher, lesson.id, "№ 1")
    with pytest.raises(Locked):
        journal.set_lesson_work_type(teacher, lesson.id, school.test_work.id)
    assert counts() == before


@pytest.mark.parametrize("who", ["other_teacher", "pe_teacher", "director", "deputy", "sysadmin"])
def test_only_the_journals_teacher_writes(school, lesson, who):
    actor = school.actor(getattr(school, who))
    student = school.students[0]
    before = counts()
    with pytest.raises(Forbidden):
        journal.set_marks(actor, lesson.id, student.id, ["5"])
    with pytest.raises(Forbidden):
        journal.set_attendance(actor, lesson.id, student.id, "absent")
    with pytest.raises(Forbidden):
        journal.set_topic(actor, lesson.id, "Дроби")
    with pytest.raises(Forbidden):
        journal.set_homework(actor, lesson.id, "№ 1")
    with pytest.raises(Forbidden):
        journal.set_lesson_work_type(actor, lesson.id, None)
    assert counts() == before


def test_parent_and_student_cannot_write(school, lesson):
    for user in (school.parent, school.student_user):
        with pytest.raises(Forbidden):
            journal.set_marks(school.actor(user), lesson.id, school.students[0].id, ["5"])


def test_missing_rows_are_not_found(school, teacher, lesson):
    missing = "0" * 32
    with pytest.raises(NotFound):
        journal.set_marks(teacher, missing, school.students[0].id, ["5"])
    with pytest.raises(NotFound):
        journal.set_marks(teacher, lesson.id, missing, ["5"])
    with pytest.raises(NotFound):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["5"], work_type_id=missing)
    with pytest.raises(NotFound):
        journal.set_lesson_work_type(teacher, lesson.id, missing)
    with pytest.raises(NotFound):
        journal.set_attendance(teacher, lesson.id, missing, "absent")
    with pytest.raises(NotFound):
        journal.cell_history(teacher, missing, school.students[0].id)


def test_no_oral_work_type_asks_to_create_one(school, teacher, lesson):
    school.oral.delete_instance()
    before = counts()
    with pytest.raises(ValidationError, match="create one"):
        journal.set_marks(teacher, lesson.id, school.students[0].id, ["5"])
    assert counts() == before
    # naming a work type still works
    journal.set_marks(
        teacher, lesson.id, school.students[0].id, ["5"], work_type_id=school.test_work.id
    )


def test_changing_the_column_work_type_moves_marks_that_followed_it(school, teacher, lesson):
    a, b = school.students[0], school.students[1]
    written = WorkType.get(WorkType.name == "Самостоятельная работа")
    journal.set_marks(teacher, lesson.id, a.id, ["5"])  # school default (oral)
    journal.set_marks(teacher, lesson.id, b.id, ["4"], work_type_id=written.id)
    updated = journal.set_lesson_work_type(teacher, lesson.id, school.test_work.id)
    assert updated.work_type_id == school.test_work.id
    assert cell_marks(lesson, a)[0].work_type_id == school.test_work.id
    assert cell_marks(lesson, b)[0].work_type_id == written.id
    (update,) = [h for h in History.of_cell(lesson.id, a.id) if h.action == "update"]
    assert update.change_map()["work_type"] == [school.oral.id, school.test_work.id]
    journal.set_lesson_work_type(teacher, lesson.id, None)
    assert Lesson.get_by_id(lesson.id).work_type_id is None
    assert cell_marks(lesson, a)[0].work_type_id == school.oral.id


# --- topic and homework -------------------------------------------------------------------


def plan_item(assignment, topic: str, position: int = 0) -> PlanItem:
    return PlanItem.create(assignment=assignment, position=position, topic=topic)


def test_set_topic_links_plan_items_and_replaces_links(school, teacher, lesson):
    first = plan_item(school.maths, "Обыкновенные дроби", 0)
    second = plan_item(school.maths, "Сложение дробей", 1)
    updated = journal.set_topic(teacher, lesson.id, "  Дроби  ", plan_item_ids=[first.id])
    assert updated.topic == "Дроби"
    links = LessonPlanItem.select().where(LessonPlanItem.lesson == lesson.id)
    assert {link.plan_item_id for link in links} == {first.id}
    journal.set_topic(teacher, lesson.id, "", plan_item_ids=[second.id, first.id])
    assert Lesson.get_by_id(lesson.id).topic == "Сложение дробей; Обыкновенные дроби"
    journal.set_topic(teacher, lesson.id, "Дроби", plan_item_ids=[second.id])
    links = LessonPlanItem.select().where(LessonPlanItem.lesson == lesson.id)
    assert {link.plan_item_id for link in links} == {second.id}
    # None keeps the links; [] removes them
    journal.set_topic(teacher, lesson.id, "Дроби, повторение")
    assert LessonPlanItem.select().where(LessonPlanItem.lesson == lesson.id).count() == 1
    journal.set_topic(teacher, lesson.id, "Дроби", plan_item_ids=[])
    assert LessonPlanItem.select().where(LessonPlanItem.lesson == lesson.id).count() == 0
    entities = {h.entity for h in History.select()}
    assert {"lesson", "lesson_plan_item"} <= entities
    topic_changes = [h.change_map()["topic"] for h in History.of("lesson", lesson.id)]
    assert topic_changes[0] == ["", "Дроби"]


def test_plan_item_of_another_journal_is_refused(school, teacher, lesson):
    foreign = plan_item(school.maths_8b, "Квадратные уравнения")
    before = counts()
    with pytest.raises(ValidationError, match="another journal"):
        journal.set_topic(teacher, lesson.id, "Дроби", plan_item_ids=[foreign.id])
    with pytest.raises(NotFound):
        journal.set_topic(teacher, lesson.id, "Дроби", plan_item_ids=["f" * 32])
    assert counts() == before
    assert Lesson.get_by_id(lesson.id).topic == ""


def test_set_homework_records_history(school, teacher, lesson):
    journal.set_homework(teacher, lesson.id, " № 5, 7 ")
    assert Lesson.get_by_id(lesson.id).homework == "№ 5, 7"
    (entry,) = History.of("lesson", lesson.id)
    assert entry.change_map() == {"homework": ["", "№ 5, 7"]}


# --- attendance ---------------------------------------------------------------------------


def test_set_attendance_create_update_clear(school, teacher, lesson):
    student = school.students[1]
    with at_minute(1):
        row = journal.set_attendance(teacher, lesson.id, student.id, "absent")
    assert (row.code, row.reason) == ("absent", "")
    with at_minute(2):
        same = journal.set_attendance(teacher, lesson.id, student.id, "sick", reason="справка")
    assert same.id == row.id and (same.code, same.reason) == ("sick", "справка")
    with at_minute(3):
        assert journal.set_attendance(teacher, lesson.id, student.id, None) is None
    assert Attendance.select().count() == 0
    actions = [h.action for h in History.of_cell(lesson.id, student.id)]
    assert actions == ["create", "update", "delete"]
    # clearing an empty cell writes nothing
    before = counts()
    journal.set_attendance(teacher, lesson.id, student.id, None)
    assert counts() == before


@pytest.mark.parametrize("code", ["gone", "", "н"])
def test_bad_attendance_code_writes_nothing(school, teacher, lesson, code):
    before = counts()
    with pytest.raises(ValidationError, match="not an attendance code"):
        journal.set_attendance(teacher, lesson.id, school.students[0].id, code)
    assert counts() == before


def test_class_teacher_corrects_attendance_of_any_subject(school):
    english = lesson_of(school.english_g1, dt.date(2026, 11, 17))
    student = school.students[0]
    row = journal.set_attendance(
        school.actor(school.other_teacher), english.id, student.id, "absent"
    )
    with at_minute(1):
        corrected = journal.correct_attendance(
            school.actor(school.teacher), row.id, "sick", "справка от врача"
        )
    assert (corrected.code, corrected.reason) == ("sick", "справка от врача")
    last = list(History.of_cell(english.id, student.id))[-1]
    assert last.actor_login == "ivanova"
    assert last.change_map()["code"] == ["absent", "sick"]
    journal.correct_attendance(school.actor(school.director), row.id, "excused", "заявление")
    assert journal.correct_attendance(school.actor(school.teacher), row.id, None, "") is None
    assert Attendance.get_or_none(Attendance.id == row.id) is None


def test_correct_attendance_refusals(school, teacher, lesson):
    row = journal.set_attendance(teacher, lesson.id, school.students[0].id, "absent")
    before = counts()
    for user in (school.other_teacher, school.pe_teacher, school.parent, school.sysadmin):
        with pytest.raises(Forbidden):
            journal.correct_attendance(school.actor(user), row.id, "sick", "")
    with pytest.raises(ValidationError, match="not an attendance code"):
        journal.correct_attendance(teacher, row.id, "ill", "")
    with pytest.raises(NotFound):
        journal.correct_attendance(teacher, "0" * 32, "sick", "")
    school.year.status = "closed"
    school.year.save()
    with pytest.raises(Locked):
        journal.correct_attendance(teacher, row.id, "sick", "")
    assert counts() == before


def test_week_attendance_lists_the_class_absences(school, teacher):
    english = lesson_of(school.english_g1, dt.date(2026, 11, 17))
    cancelled = lesson_of(school.pe, dt.date(2026, 11, 19), number=1)
    maths_mon, maths_wed = school.maths_lessons[2], school.maths_lessons[3]  # 16th, 18th
    other_week = school.maths_lessons[0]  # 9th
    journal.set_attendance(teacher, maths_wed.id, school.students[2].id, "late")
    journal.set_attendance(teacher, maths_mon.id, school.students[1].id, "absent")
    journal.set_attendance(teacher, other_week.id, school.students[1].id, "absent")
    journal.set_attendance(
        school.actor(school.other_teacher), english.id, school.students[0].id, "sick"
    )
    journal.set_attendance(
        school.actor(school.pe_teacher), cancelled.id, school.students[0].id, "absent"
    )
    cancelled.status = "cancelled"
    cancelled.save()
    # an absence in another class the same week is not listed
    journal.set_attendance(
        Actor.for_system(),
        lesson_of(school.maths_8b, dt.date(2026, 11, 16)).id,
        school.other_students[0].id,
        "absent",
    )

    rows = journal.week_attendance(teacher, school.class_7a.id, dt.date(2026, 11, 18))
    assert [(r.date, r.subject, r.student_name, r.code) for r in rows] == [
        (dt.date(2026, 11, 16), "Математика", "Алексеева Д.", "absent"),
        (dt.date(2026, 11, 17), "Английский язык", "Смирнов А.", "sick"),
        (dt.date(2026, 11, 18), "Математика", "Белов К.", "late"),
    ]
    assert (
        journal.week_attendance(
            school.actor(school.deputy), school.class_7a.id, dt.date(2026, 11, 16)
        )
        == rows
    )


def test_week_attendance_refusals(school):
    for user in (school.other_teacher, school.parent, school.student_user, school.sysadmin):
        with pytest.raises(Forbidden):
            journal.week_attendance(school.actor(user), school.class_7a.id, dt.date(2026, 11, 16))
    with pytest.raises(NotFound):
        journal.week_attendance(school.actor(school.teacher), "0" * 32, dt.date(2026, 11, 16))


# --- a cell's history ---------------------------------------------------------------------


def test_cell_history_across_edits(school, teacher, lesson):
    student = school.students[1]
    with at_minute(1):
        journal.set_marks(teacher, lesson.id, student.id, ["5"])
    with at_minute(2):
        journal.set_marks(
            teacher, lesson.id, student.id, ["4", "3"], work_type_id=school.test_work.id
        )
    with at_minute(3):
        journal.set_attendance(teacher, lesson.id, student.id, "late")
    with at_minute(4):
        journal.set_marks(teacher, lesson.id, student.id, ["4"])
        # another cell does not show up
        journal.set_marks(teacher, lesson.id, school.students[2].id, ["2"])

    entries = journal.cell_history(school.actor(school.director), lesson.id, student.id)
    by_minute: dict[int, set[tuple]] = {}
    for e in entries:
        by_minute.setdefault(e.at.minute, set()).add((e.action, e.entity, e.field, e.old, e.new))
    assert [e.at.minute for e in entries] == sorted(e.at.minute for e in entries)
    assert by_minute == {
        1: {
            ("create", "mark", "position", None, 0),
            ("create", "mark", "value", None, "5"),
            ("create", "mark", "work_type", None, "Ответ на уроке"),
        },
        2: {
            ("update", "mark", "value", "5", "4"),
            ("update", "mark", "work_type", "Ответ на уроке", "Контрольная работа"),
            ("create", "mark", "position", None, 1),
            ("create", "mark", "value", None, "3"),
            ("create", "mark", "work_type", None, "Контрольная работа"),
        },
        3: {("create", "attendance", "code", None, "late")},
        4: {
            ("delete", "mark", "position", 1, None),
            ("delete", "mark", "value", "3", None),
            ("delete", "mark", "work_type", "Контрольная работа", None),
        },
    }
    assert {e.actor_login for e in entries} == {"ivanova"}
    assert all(isinstance(e.at, dt.datetime) for e in entries)


def test_cell_history_permission(school, teacher, lesson):
    journal.set_marks(teacher, lesson.id, school.students[0].id, ["5"])
    for user in (school.pe_teacher, school.parent, school.student_user, school.sysadmin):
        with pytest.raises(Forbidden):
            journal.cell_history(school.actor(user), lesson.id, school.students[0].id)
    assert journal.cell_history(teacher, lesson.id, school.students[0].id)


def test_two_sessions_typing_into_one_cell_at_once_leave_one_consistent_cell(school):
    """The teacher on the server over SSH and on a laptop session press Enter together."""
    import contextvars
    import threading

    from node.models import Mark

    teacher = school.actor(school.teacher)
    lesson, student = school.maths_lessons[0], school.students[1]
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def type_into_cell(values: list[str]) -> None:
        try:
            start.wait()
            journal.set_marks(teacher, lesson.id, student.id, values)
            journal.set_attendance(teacher, lesson.id, student.id, "late")
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [
        threading.Thread(target=contextvars.copy_context().run, args=(type_into_cell, v))
        for v in (["5"], ["4", "3"], ["2"], ["5", "5"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    positions = [
        m.position
        for m in Mark.select().where(Mark.lesson == lesson.id, Mark.student == student.id)
    ]
    assert sorted(positions) == list(range(len(positions))) and 1 <= len(positions) <= 2
