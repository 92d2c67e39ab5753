"""Roles as people type and read them on the command line, in their language [issue 18]."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from node.cli import main
from node.i18n import use_language
from node.services.access.logins import parse_role, role_words
from tests.backup.conftest import make_node
from tests.language import foreign_words


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_node(tmp_path_factory.mktemp("roles") / "node").data_dir


def ediary(data_dir: Path, language: str, *args: str) -> tuple[int, str]:
    with CliRunner().isolation() as (out, err, _output):
        code = main(["--lang", language, "--data-dir", str(data_dir), *args])
    return code, out.getvalue().decode() + err.getvalue().decode()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_role_word_shown_is_accepted(language):
    with use_language(language):
        for staff_only in (True, False):
            for word in role_words(staff_only=staff_only):
                assert parse_role(word, staff_only=staff_only)


def test_an_unknown_role_lists_the_russian_words(school):
    code, out = ediary(school, "ru", "users", "list", "--role", "повар")
    assert code == 2
    assert "сисадмин, директор, завуч, учитель, классный-руководитель, родитель, ученик" in out
    assert foreign_words(out, {"users", "list"}) == set(), out


def test_an_unknown_role_in_english_lists_the_english_words(school):
    code, out = ediary(
        school, "en", "users", "add", "--login", "x1", "--name", "A B", "--role", "boss"
    )
    assert code == 2 and "sysadmin, director, deputy, teacher, class-teacher." in out


def test_the_role_choices_are_shown_in_help(school):
    code, out = ediary(school, "ru", "users", "list", "--help")
    assert code == 0
    assert "[сисадмин|директор|завуч|учитель|классный-руководитель|родитель|ученик]" in out
    code, out = ediary(school, "en", "users", "add", "--help")
    assert "[sysadmin|director|deputy|teacher|class-teacher]" in out


def test_a_russian_role_word_adds_and_lists(school):
    code, out = ediary(
        school,
        "ru",
        "users",
        "add",
        "--login",
        "petrova",
        "--name",
        "Петрова Анна Ивановна",
        "--role",
        "завуч",
    )
    assert code == 0, out
    code, out = ediary(school, "ru", "users", "list", "--role", "завуч")
    assert code == 0 and "petrova" in out and "заместитель директора" in out, out
    code, out = ediary(school, "ru", "users", "list", "--role", "ученик")
    assert code == 0 and "ученик" in out and "petrova" not in out
