"""The access procedure from the shell, as README tells a new school to do it:
``ediary init`` → ``ediary users add`` → ``ediary activate`` → ``ediary signin``."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.language import foreign_words
from tests.node.shell import SCHOOL_TOML, codes, run


def test_init_users_add_activate_sign_in_end_to_end(school_dir: Path):
    added = run(
        school_dir,
        "users",
        "add",
        "--role",
        "teacher",
        "--role",
        "class-teacher",
        "--login",
        "ivanova",
        "--name",
        "Иванова Мария Александровна",
    )
    assert added.returncode == 0, added.stderr
    code = codes(added.stdout)["ivanova"]

    listed = run(school_dir, "users", "list")
    assert re.search(r"ivanova\s+awaiting activation\s+teacher, class teacher", listed.stdout)
    in_russian = run(school_dir, "--lang", "ru", "users", "list")
    assert re.search(
        r"ivanova\s+ждёт активации\s+учитель, классный руководитель", in_russian.stdout
    )
    assert foreign_words(in_russian.stdout, {"admin", "ivanova"}) == set(), in_russian.stdout

    password = "Kapusta-na-okne-7"
    activated = run(school_dir, "activate", stdin=f"ivanova\n{code}\n{password}\n{password}\n")
    assert activated.returncode == 0, activated.stderr
    assert "ediary tui" in activated.stdout  # a teacher goes on to the journal

    signed = run(school_dir, "signin", "--login", "ivanova", stdin=f"{password}\n")
    assert signed.returncode == 0, signed.stderr
    assert "Signed in as ivanova (teacher, class teacher)" in signed.stdout
    signed = run(school_dir, "--lang", "ru", "signin", "--login", "ivanova", stdin=f"{password}\n")
    assert "ivanova (учитель, классный руководитель)" in signed.stdout

    wrong = run(school_dir, "signin", "--login", "ivanova", stdin="nope\n")
    assert wrong.returncode == 4 and "Wrong login or password" in wrong.stderr

    again = run(school_dir, "activate", stdin=f"ivanova\n{code}\n{password}x\n{password}x\n")
    assert again.returncode == 2 and "already been used" in again.stderr

    new = "Novyi-parol-2026"
    changed = run(school_dir, "passwd", "--login", "ivanova", stdin=f"{password}\n{new}\n{new}\n")
    assert changed.returncode == 0, changed.stderr
    assert run(school_dir, "signin", "--login", "ivanova", stdin=f"{new}\n").returncode == 0

    # the first sysadmin activates their own code the same way
    admin_code = school_dir.joinpath("admin.code").read_text()
    admin = run(school_dir, "activate", stdin=f"admin\n{admin_code}\n{new}A\n{new}A\n")
    assert admin.returncode == 0, admin.stderr

    disabled = run(school_dir, "users", "disable", "ivanova")
    assert disabled.returncode == 0
    refused = run(school_dir, "signin", "--login", "ivanova", stdin=f"{new}\n")
    assert refused.returncode == 4 and "disabled" in refused.stderr
    assert run(school_dir, "users", "enable", "ivanova").returncode == 0

    for result in (added, listed, activated, signed, wrong, again, changed, refused):
        assert "Traceback" not in result.stdout + result.stderr


def test_init_refuses_to_overwrite_a_school(school_dir: Path, tmp_path: Path):
    before = school_dir.joinpath("ediary.db").stat().st_size
    result = run(school_dir, "init", "--config", str(tmp_path / "school.toml"))
    assert result.returncode == 6
    assert "never overwrites" in result.stderr
    with sqlite3.connect(school_dir / "ediary.db") as conn:
        assert conn.execute("SELECT count(*) FROM user").fetchone()[0] == 1
    assert school_dir.joinpath("ediary.db").stat().st_size >= before


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (("Europe/Moscow", "Mars/Olympus"), "Unknown time zone"),
        (('login = "admin"', 'login = "a b"'), "cannot be a login"),
        (('name = "Сидоров Пётр Ильич"', 'name = "Сидоров"'), "full name"),
        (("mark_max = 5", "mark_max = 0"), "mark scale"),
        (("[policy]", "[colours]"), "Unknown section"),
        (('locale = "ru"', 'locale = "fr"'), "Unsupported language"),
    ],
)
def test_a_bad_init_leaves_nothing_behind(tmp_path: Path, change: tuple[str, str], text: str):
    config = tmp_path / "bad.toml"
    config.write_text(SCHOOL_TOML.replace(*change), encoding="utf-8")
    data = tmp_path / "data"
    result = run(data, "init", "--config", str(config))
    assert result.returncode == 2, result.stdout + result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not data.exists()


def test_init_interactively(tmp_path: Path):
    answers = "\n".join(
        [
            "Школа № 9",  # name
            "",  # time zone: Europe/Moscow
            "en",  # language
            "",  # highest mark: 5
            "0.5",  # rounding
            "http://school9.lan/",  # web address
            "Сидоров Пётр Ильич",
            "",  # login: admin
        ]
    )
    result = run(tmp_path / "data", "init", stdin=answers + "\n")
    assert result.returncode == 0, result.stderr
    assert "admin" in codes(result.stdout)


def test_users_import_with_slips_and_bad_rows(school_dir: Path, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        "\ufefflogin;name;roles\npetrov;Петров Олег;teacher\nx y;A B;teacher\n".encode()
    )
    result = run(school_dir, "users", "import", str(bad))
    assert result.returncode == 2 and "Line 3" in result.stderr
    good = tmp_path / "staff.csv"
    good.write_text(
        "login,name,roles\npetrov,Петров Олег,teacher\nzueva,Зуева Анна,deputy\n",
        encoding="utf-8-sig",
    )
    slips = tmp_path / "slips.html"
    result = run(school_dir, "users", "import", str(good), "--slips", str(slips))
    assert result.returncode == 0, result.stderr
    assert codes(result.stdout) == {}  # shown once: only on the slips
    page = slips.read_text(encoding="utf-8")
    assert page.count('class="slip"') == 2 and "Петров Олег" in page
    assert slips.stat().st_mode & 0o077 == 0
    code = run(school_dir, "users", "code", "petrov", "--slips", str(tmp_path / "no" / "s.html"))
    assert code.returncode == 2 and "does not exist" in code.stderr
    missing = run(school_dir, "users", "code", "ghost")
    assert missing.returncode == 3 and "ghost" in missing.stderr


def test_activation_names_the_next_step_of_the_role():
    """Staff go on to the journal in the terminal; parents and students to the web page."""
    from node.cli.account import activated_message
    from node.i18n import use_language

    teacher = activated_message("Иванова Мария", "ivanova", {"teacher", "class_teacher"})
    deputy = activated_message("Рябов Дмитрий", "ryabov", frozenset({"deputy"}))
    parent = activated_message("Орлова Анна", "orlova", {"parent"})
    assert "'ediary tui'" in teacher and "'ediary tui'" in deputy
    assert "'ediary" not in parent and "slip" in parent
    with use_language("ru"):
        assert "'ediary tui'" in activated_message("Иванова Мария", "ivanova", {"teacher"})
        student = activated_message("Орлов Пётр", "orlov", {"student"})
    assert "'ediary" not in student and "листке" in student, student
