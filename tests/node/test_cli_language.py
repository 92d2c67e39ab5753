"""Every `ediary … --help` and click's own words speak the user's language [issue 18]."""

from __future__ import annotations

import click
import pytest

from node.cli import main
from node.cli.app import cli
from tests.language import foreign_words


def _command_paths(command: click.Command, path: list[str]) -> list[list[str]]:
    paths = [path]
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            paths += _command_paths(sub, [*path, name])
    return paths


PATHS = _command_paths(cli, [])
COMMAND_NAMES = {name for path in PATHS for name in path}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "ediary")
def test_help_in_russian_has_no_english(path, capsys):
    assert main(["--lang", "ru", *path, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Использование:" in out
    assert foreign_words(out, COMMAND_NAMES) == set(), out


def test_help_in_english_stays_english(capsys):
    assert main(["--lang", "en", "setup", "import", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: ediary setup import [OPTIONS] FILES...")


def test_version_follows_the_language(capsys):
    assert main(["--lang", "ru", "--version"]) == 0
    assert capsys.readouterr().out.startswith("ediary, версия ")
    assert main(["--lang", "en", "--version"]) == 0
    assert capsys.readouterr().out.startswith("ediary, version ")


def test_a_file_given_for_a_folder_is_named_in_russian(tmp_path, capsys):
    not_a_folder = tmp_path / "ediary.db"
    not_a_folder.write_text("")
    assert main(["--lang", "ru", "--data-dir", str(not_a_folder), "status"]) == 2
    err = capsys.readouterr().err
    assert "Папка" in err and "Directory" not in err
    assert foreign_words(err) == set(), err


def test_demo_sizes_are_shown_as_readme_writes_them(capsys, tmp_path):
    assert main(["--lang", "ru", "demo", "--help"]) == 0
    assert "--size [S|M|L]" in capsys.readouterr().out
    assert main(["--lang", "ru", "--data-dir", str(tmp_path), "demo", "--size", "XL"]) == 2
    assert "'XL' — не одно из: 'S', 'M', 'L'." in capsys.readouterr().err


def test_year_confirm_says_it_acts_on_the_draft(capsys):
    assert main(["--lang", "ru", "year", "confirm", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "черновик следующего года" in out and "по умолчанию — текущий" not in out


def test_help_follows_the_language_after_another_language_was_shown(capsys):
    """click keeps each command's --help option: its words must follow the current language."""
    assert main(["--lang", "en", "backup", "now", "--help"]) == 0
    assert "Show this message and exit." in capsys.readouterr().out
    assert main(["--lang", "ru", "backup", "now", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Показать эту справку и выйти." in out and "Show this" not in out


def test_a_global_option_after_the_command_says_where_it_goes(tmp_path, capsys):
    """`ediary demo --data-dir /tmp/walk` is how people type it: click refuses, and the
    next line says to put it before the command (nothing is made)."""
    assert main(["--lang", "ru", "demo", "--data-dir", str(tmp_path / "walk")]) == 2
    err = capsys.readouterr().err
    assert "Нет такого параметра '--data-dir'" in err
    assert "'ediary --data-dir … demo'" in err and "перед командой" in err
    assert not (tmp_path / "walk").exists()
    assert main(["users", "list", "--lang", "en"]) == 2
    assert "'ediary --lang … users list'" in capsys.readouterr().err
    assert main(["--lang", "ru", "demo", "--bogus"]) == 2
    assert "перед командой" not in capsys.readouterr().err
