"""A person's names: letters joined by a hyphen, an apostrophe or a space [issue 18]."""

from __future__ import annotations

import pytest

from node.errors import ValidationError
from node.i18n import use_language
from node.services.base.names import FIRST, LAST, MIDDLE, person_name


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Иванова", "Иванова"),
        ("  Мамин - Сибиряк ", "Мамин-Сибиряк"),
        ("Салтыков–Щедрин", "Салтыков-Щедрин"),
        ("Д'Артаньян", "Д'Артаньян"),
        ("Оглы   Мамед", "Оглы Мамед"),
        ("Ёлкина", "Ёлкина"),
        ("Müller", "Müller"),
        ("Иии\u0306", "Иий"),  # a decomposed «й» is one letter
        ("", ""),
    ],
)
def test_names_are_kept_tidied(typed, kept):
    assert person_name(typed, LAST) == kept


@pytest.mark.parametrize(
    "typed", ["14.03.2013", "Иванова2", "Иван_", "-Иван", "Иван-", "И. А.", "Иван--Петров", "@"]
)
def test_what_is_not_a_name_is_refused(typed):
    with pytest.raises(ValidationError):
        person_name(typed, MIDDLE)


def test_the_message_names_the_part_in_russian():
    with use_language("ru"), pytest.raises(ValidationError) as raised:
        person_name("14.03.2013", MIDDLE)
    assert "«14.03.2013» — не отчество" in str(raised.value)
    with use_language("ru"), pytest.raises(ValidationError) as raised:
        person_name("Иван1", FIRST)
    assert "не имя" in str(raised.value)


def test_a_very_long_name_is_refused():
    with pytest.raises(ValidationError, match="too long"):
        person_name("А" * 61, LAST)
