"""The command line's error paths speak the user's language, in Russian and in English [issue 18].

Each case is a mistake people make (a wrong option value, a missing file, a folder given for
a file, a broken settings file, a file that is not a database, an unknown role or login, a bad
date, a wrong file to import, a backup restored with the wrong key…). Every case must fail
(non-zero exit), and what it prints must hold no English run of words in Russian and no
Russian in English, except names and the allowed terms of tests/language.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from backup.age import generate
from node.cli import main
from tests.backup.conftest import make_node
from tests.language import foreign_words, russian_words, words_of


@dataclass(frozen=True)
class Folders:
    """A node with a small school and a backup, and the files the mistakes are made with."""

    node: Path
    empty: Path
    garbage: Path
    files: Path
    wrong_key: Path
    backup: Path


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Folders:
    root = tmp_path_factory.mktemp("errors")
    node = make_node(root / "node").data_dir
    files = root / "files"
    files.mkdir()
    (files / "broken.toml").write_text("[school\nname = 'x'\n", encoding="utf-8")
    (files / "notes.txt").write_text("просто заметки\n", encoding="utf-8")
    (files / "staff.csv").write_text(
        "login;name;roles\npetrov;Петров Пётр Петрович;boss\n", encoding="utf-8"
    )
    (files / "staff-bad-name.csv").write_text("login;name;roles\npetrov;Петров\n", encoding="utf-8")
    (files / "folder").mkdir()
    key = generate()
    assert _run(node, "en", "backup", "keys", "add", str(key.recipient))[0] == 0
    assert _run(node, "en", "backup", "now")[0] == 0
    [backup] = (node / "backups").glob("*.age")
    wrong_key = files / "other.key"
    wrong_key.write_text(str(generate()) + "\n", encoding="utf-8")
    empty = root / "empty"
    empty.mkdir()
    garbage = root / "garbage"
    garbage.mkdir()
    (garbage / "ediary.db").write_bytes(b"this is not a database, only text\n" * 200)
    return Folders(
        node=node, empty=empty, garbage=garbage, files=files, wrong_key=wrong_key, backup=backup
    )


def _run(data_dir: Path, language: str, *args: str, stdin: str = "") -> tuple[int, str]:
    """``ediary --lang LANGUAGE --data-dir DATA_DIR ARGS``: its exit code and all it printed."""
    runner = CliRunner()
    with runner.isolation(input=stdin) as (out, err, _output):
        code = main(["--lang", language, "--data-dir", str(data_dir), *args])
    return code, out.getvalue().decode() + err.getvalue().decode()


#: (name, where it runs, arguments) — ``{files}``, ``{backup}``, ``{key}`` filled in.
Case = tuple[str, Callable[[Folders], Path], tuple[str, ...]]
CASES: list[Case] = [
    ("wrong option value", lambda f: f.empty, ("demo", "--size", "XXL")),
    ("not a number", lambda f: f.node, ("users", "code", "ivanova", "--days", "many")),
    ("no such command", lambda f: f.empty, ("statuss",)),
    ("no such option", lambda f: f.empty, ("status", "--verbose")),
    ("missing option", lambda f: f.node, ("users", "add", "--name", "Петров Пётр")),
    ("missing argument", lambda f: f.node, ("users", "code")),
    ("missing file", lambda f: f.empty, ("init", "--config", "{files}/nowhere.toml")),
    ("folder for a file", lambda f: f.empty, ("init", "--config", "{files}/folder")),
    ("broken TOML config", lambda f: f.empty, ("init", "--config", "{files}/broken.toml")),
    ("no database", lambda f: f.empty, ("users", "list")),
    ("not a database", lambda f: f.garbage, ("users", "list")),
    (
        "unknown role option",
        lambda f: f.node,
        ("users", "add", "--login", "petrov", "--name", "Петров Пётр", "--role", "boss"),
    ),
    ("unknown role in a file", lambda f: f.node, ("users", "import", "{files}/staff.csv")),
    ("short name in a file", lambda f: f.node, ("users", "import", "{files}/staff-bad-name.csv")),
    ("users import of a folder", lambda f: f.node, ("users", "import", "{files}/folder")),
    ("unknown user", lambda f: f.node, ("users", "code", "nobody")),
    ("unknown user disabled", lambda f: f.node, ("users", "disable", "nobody")),
    (
        "bad login",
        lambda f: f.node,
        ("users", "add", "--login", "Пётр", "--name", "Петров Пётр", "--role", "teacher"),
    ),
    ("bad date", lambda f: f.empty, ("demo", "--today", "31.05.2027")),
    (
        "bad report month",
        lambda f: f.node,
        ("report", "activity", "--month", "ноябрь", "--out", "{files}/out.csv"),
    ),
    (
        "bad report period",
        lambda f: f.node,
        ("report", "performance", "--period", "лето", "--out", "{files}/out.csv"),
    ),
    ("setup import of a text file", lambda f: f.node, ("setup", "import", "{files}/notes.txt")),
    ("setup import of a missing file", lambda f: f.node, ("setup", "import", "{files}/no.xlsx")),
    (
        "restore with the wrong key",
        lambda f: f.empty,
        ("backup", "restore", "{backup}", "--identity", "{key}"),
    ),
    (
        "restore without an identity file",
        lambda f: f.empty,
        ("backup", "restore", "{backup}", "--identity", "{files}/none.key"),
    ),
    (
        "restore of a text file",
        lambda f: f.empty,
        ("backup", "restore", "{files}/notes.txt", "--identity", "{key}"),
    ),
    ("verify without backups", lambda f: f.empty, ("backup", "verify")),
    ("year verify of a text file", lambda f: f.empty, ("year", "verify", "{files}/notes.txt")),
    ("nodes revoke unknown", lambda f: f.node, ("nodes", "revoke", "abcdef")),
    ("sync without a hub", lambda f: f.node, ("sync",)),
    ("year confirm without a draft", lambda f: f.node, ("year", "confirm")),
    ("year close to a missing folder", lambda f: f.node, ("year", "close", "--out", "{files}/no")),
    ("report without --out", lambda f: f.node, ("report", "control")),
    ("report of an unknown kind", lambda f: f.node, ("report", "summary", "--out", "{files}/r")),
    ("a code valid for no days", lambda f: f.node, ("users", "code", "ivanova", "--days", "0")),
    ("pair without a school", lambda f: f.empty, ("pair",)),
    (
        "keys init over a file",
        lambda f: f.node,
        ("backup", "keys", "init", "--identity", "{files}/notes.txt"),
    ),
    (
        "a template into a missing folder",
        lambda f: f.empty,
        ("setup", "template", "--out", "{files}/no/such/template.xlsx"),
    ),
    ("activate without a code", lambda f: f.node, ("activate", "--login", "ivanova")),
]


def _filled(args: tuple[str, ...], folders: Folders) -> list[str]:
    return [
        arg.format(files=folders.files, backup=folders.backup, key=folders.wrong_key)
        for arg in args
    ]


def _names(folders: Folders) -> set[str]:
    """Words people wrote themselves (folder and file names, typed values) may be shown."""
    typed = " ".join(arg for _name, _where, args in CASES for arg in args)
    return words_of(f"{folders.files} {folders.node} {folders.backup.name} {typed}")


@pytest.mark.parametrize(("name", "where", "args"), CASES, ids=[c[0] for c in CASES])
def test_an_error_in_russian_has_no_english(folders, tmp_path, name, where, args):
    data_dir = _private_copy(where(folders), tmp_path)
    code, out = _run(data_dir, "ru", *_filled(args, folders))
    assert code != 0, out
    assert "Traceback" not in out
    assert foreign_words(out, _names(folders) | words_of(str(tmp_path))) == set(), out


@pytest.mark.parametrize(("name", "where", "args"), CASES, ids=[c[0] for c in CASES])
def test_an_error_in_english_has_no_russian(folders, tmp_path, name, where, args):
    data_dir = _private_copy(where(folders), tmp_path)
    code, out = _run(data_dir, "en", *_filled(args, folders))
    assert code != 0, out
    assert "Traceback" not in out
    assert russian_words(out, _names(folders)) == set(), out


def _private_copy(folder: Path, tmp_path: Path) -> Path:
    """A case may write in its data folder (a log, a restored database): give it its own."""
    copy = tmp_path / "data"
    shutil.copytree(folder, copy)
    return copy
