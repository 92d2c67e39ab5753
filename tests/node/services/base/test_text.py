"""Typed text never stores a control character (``node.services.base.text``): the rule itself, and
every service that stores what people type, fed an escape sequence, BEL, NUL and a
bidirectional override, leaves none of them in any text column of the database."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from node.models import db
from node.services.base.text import has_controls, one_final_period, plain_line, plain_text
from node.services.gradebook import journal, plan
from node.services.messaging import mail
from node.services.school import timetable
from node.services.students import classes, guardians, profiles
from tests.factories import SmallSchool

#: What a hostile or careless paste brings: clear the screen, set the terminal's title,
#: beep, NUL, backspace, a right-to-left override, Windows line ends, a C1 CSI.
HOSTILE = "A\x1b[2J\x1b]0;pwned\x07B\x00C\x08D\u202eE\r\nF\x9b31mG\x7f"
#: Controls inside a name (a name is letters: node.services.base.names refuses the rest).
HOSTILE_NAME = "Ива\x1bно\x07ва\x00\u202e\x9b\x7f"


def test_plain_text_keeps_lines_and_tabs_and_drops_the_rest():
    assert plain_text(HOSTILE) == "A[2J]0;pwnedBCDE\nF31mG"
    assert (
        plain_text("Задача № 12\n\tстр. 34 — «повторить»") == "Задача № 12\n\tстр. 34 — «повторить»"
    )
    assert plain_text("a\rb\u2028c") == "a\nb\nc"
    assert plain_text("emoji 👩\u200d👩\u200d👧 stays") == "emoji 👩\u200d👩\u200d👧 stays"
    assert plain_text("\ud800x") == "x"
    assert plain_text(None) == ""


def test_plain_line_is_one_line():
    assert plain_line("Иванова\nМария\tАлександровна\x1b") == "Иванова Мария Александровна"


def _text_columns() -> list[tuple[str, str]]:
    tables = [
        row[0]
        for row in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return [
        (table, column[1])
        for table in tables
        for column in db.execute_sql(f'PRAGMA table_info("{table}")')
        if column[2].upper() in ("TEXT", "VARCHAR", "")
    ]


def _stored_controls() -> list[tuple[str, str, str]]:
    found = []
    for table, column in _text_columns():
        for (value,) in db.execute_sql(f'SELECT "{column}" FROM "{table}"'):
            if isinstance(value, str) and has_controls(value):
                found.append((table, column, value))
    return found


def test_every_service_that_stores_typed_text_strips_control_characters(school: SmallSchool):
    teacher = school.actor(school.teacher)
    parent = school.actor(school.parent)
    director = school.actor(school.director)
    student = school.students[0]
    lesson = school.maths_lessons[0]
    spare = school.maths_lessons[-1]

    thread = mail.send_message(
        parent, [mail.allowed_recipients(parent)[0].recipient], HOSTILE, HOSTILE
    )
    reply = mail.reply(teacher, thread.thread_id, HOSTILE)
    assert "\x1b" not in reply.body and "\n" in reply.body  # what the TUI is handed back too
    stored = journal.set_topic(teacher, lesson.id, HOSTILE)
    assert not has_controls(stored.topic)
    journal.set_homework(teacher, lesson.id, HOSTILE)
    journal.set_marks(teacher, lesson.id, student.id, ["5"], comment=HOSTILE)
    journal.set_attendance(teacher, lesson.id, school.students[1].id, "late", reason=HOSTILE)
    plan.add_plan_item(teacher, school.maths.id, HOSTILE, section=HOSTILE)
    enrolled = classes.enrol_student(
        director,
        school.class_7a.id,
        HOSTILE_NAME,
        HOSTILE_NAME,
        HOSTILE_NAME,
        enrolled_on=dt.date(2026, 11, 2),
    )
    assert enrolled.last_name == "Иванова"
    assert not has_controls(enrolled.last_name + enrolled.first_name + enrolled.middle_name)
    profiles.update_student(
        teacher, student.id, last_name=HOSTILE_NAME, first_name="Артём", address=HOSTILE
    )
    guardians.add_guardian(
        teacher,
        student.id,
        guardians.GuardianData(
            last_name=HOSTILE_NAME, first_name=HOSTILE_NAME, middle_name=HOSTILE_NAME
        ),
        "mother",
    )
    timetable.cancel_lesson(teacher, spare.id, HOSTILE)

    assert _stored_controls() == []


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\u202e", "\x9b", "\x7f"])
def test_has_controls_sees_each_kind(char):
    assert has_controls(f"a{char}b")
    assert unicodedata.category(char) in ("Cc", "Cf")


def test_a_workbook_cell_for_the_school_setup_is_plain_text_too():
    from node.services.setup.cells import cell_text

    assert cell_text(HOSTILE) == "A[2J]0;pwnedBCDE F31mG"


def test_a_sentence_ending_with_initials_has_one_period():
    assert one_final_period("Урок снова ведёт Мельник А. А..") == "Урок снова ведёт Мельник А. А."
    assert one_final_period("Урок снова ведёт Мельник.") == "Урок снова ведёт Мельник."
    assert one_final_period("Подождите...") == "Подождите..."
