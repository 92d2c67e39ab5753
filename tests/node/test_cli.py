"""The command line as a user meets it: one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import main
from tests.node.shell import SCHOOL_TOML


def run(*args: str, env_lang: str = "en_US.UTF-8", data_dir: Path | None = None):
    env = {"PATH": "/usr/bin:/bin", "LANG": env_lang, "HOME": str(data_dir or Path.cwd())}
    if data_dir is not None:
        env["EDIARY_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "node.cli", *args], capture_output=True, text=True, env=env
    )


def test_status_without_a_database_says_what_to_do(tmp_path: Path):
    result = run("status", data_dir=tmp_path)
    assert result.returncode == 7
    assert "No database at" in result.stderr and "ediary demo" in result.stderr
    assert "ediary init" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_messages_follow_the_language(tmp_path: Path):
    result = run("--lang", "ru", "status", data_dir=tmp_path)
    assert result.returncode == 7
    assert "Нет базы данных" in result.stderr


def test_a_broken_settings_file_is_one_line(tmp_path: Path):
    (tmp_path / "ediary.toml").write_text("language = [unclosed\n", encoding="utf-8")
    result = run("status", data_dir=tmp_path)
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_setting_is_named(tmp_path: Path):
    (tmp_path / "ediary.toml").write_text('colour = "blue"\n', encoding="utf-8")
    result = run("status", data_dir=tmp_path)
    assert result.returncode == 2
    assert "colour" in result.stderr


def test_a_bad_busy_timeout_is_named(tmp_path: Path, capsys: pytest.CaptureFixture):
    (tmp_path / "ediary.toml").write_text("database_busy_timeout_seconds = 0\n", encoding="utf-8")
    assert main(["--lang", "en", "--data-dir", str(tmp_path), "status"]) == 2
    assert "database_busy_timeout_seconds in ediary.toml must be a number of seconds" in (
        capsys.readouterr().err
    )


def test_a_bad_date_for_the_demo_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture):
    code = main(["--lang", "en", "--data-dir", str(tmp_path), "demo", "--today", "31.05.2027"])
    assert code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "ediary.db").exists()


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path):
    (tmp_path / "ediary.db").write_bytes(b"\0garbage" * 1000)
    result = run("status", data_dir=tmp_path)
    assert result.returncode == 7
    assert "is not a database ediary can read" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_command_is_a_usage_error(tmp_path: Path):
    result = run("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_click_speaks_the_users_language_too(tmp_path: Path):
    """Usage errors and help come from click: they follow the language like ediary's own."""
    russian = run("pair", env_lang="ru_RU.UTF-8", data_dir=tmp_path)
    assert russian.returncode == 2
    assert "Использование: ediary pair" in russian.stderr
    assert "Ошибка: Не указан параметр '--user'." in russian.stderr
    english = run("--lang", "en", "pair", data_dir=tmp_path)
    assert "Error: Missing option '--user'." in english.stderr
    helped = run("--lang", "ru", "--help", data_dir=tmp_path)
    assert "Показать эту справку и выйти." in helped.stdout
    assert "Показать версию и выйти." in helped.stdout


def test_the_language_of_a_settings_file_reaches_click(tmp_path: Path):
    (tmp_path / "ediary.toml").write_text('language = "ru"\n', encoding="utf-8")
    result = run("serve", "--port", "abc", data_dir=tmp_path)
    assert result.returncode == 2
    assert "'abc' не является числом" in result.stderr


def test_main_leaves_the_process_language_as_it_found_it(monkeypatch, capsys):
    monkeypatch.delenv("LANGUAGE", raising=False)
    assert main(["--lang", "ru", "pair"]) == 2
    assert "Ошибка: Не указан параметр" in capsys.readouterr().err
    assert "LANGUAGE" not in os.environ


def test_the_demo_keeps_its_own_folder_so_init_is_not_refused(tmp_path: Path):
    """Without --data-dir the demo builds beside the school's default folder, not in it."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "ru_RU.UTF-8", "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "node.cli"]
    demo = subprocess.run(
        [*command, "demo", "--build-only", "--today", "2026-11-24"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
    share = tmp_path / ".local" / "share"
    assert (share / "ediary-demo" / "ediary.db").exists()
    assert not (share / "ediary").exists()
    missing = subprocess.run([*command, "status"], capture_output=True, text=True, env=env)
    assert missing.returncode == 7
    assert "ediary init" in missing.stderr and str(share / "ediary-demo") in missing.stderr
    config = tmp_path / "school.toml"
    config.write_text(SCHOOL_TOML, encoding="utf-8")
    init = subprocess.run(
        [*command, "init", "--config", str(config)], capture_output=True, text=True, env=env
    )
    assert init.returncode == 0, init.stderr
    assert (share / "ediary" / "ediary.db").exists()


def test_init_over_the_demo_says_how_to_remove_it(tmp_path: Path):
    data = tmp_path / "demo"
    built = run("demo", "--build-only", "--today", "2026-11-24", data_dir=data)
    assert built.returncode == 0, built.stderr
    config = tmp_path / "school.toml"
    config.write_text(SCHOOL_TOML, encoding="utf-8")
    refused = run("--lang", "ru", "init", "--config", str(config), data_dir=data)
    assert refused.returncode == 6
    assert "демо-школа" in refused.stderr and f"rm -r {data}" in refused.stderr
