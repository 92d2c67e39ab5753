"""``ediary demo`` serves the parent web page on 127.0.0.1 beside the UI, and stops it after."""

from __future__ import annotations

import contextlib
import re
import socket
import urllib.request
from pathlib import Path

import pytest

from node.cli import demo as demo_command
from node.cli import main
from node.cli.demo_web import HOST, START_SECONDS, DemoWeb


def _answers(port: int) -> bool:
    """Whether anything listens on the loopback ``port``."""
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=5):
        return True
    return False


def _port(text: str) -> int:
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", text)
    assert found, text
    return int(found.group(1))


def test_the_parent_page_answers_on_loopback_while_the_ui_runs_and_stops_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    seen: dict[str, object] = {}

    def ui(database_path: Path, *, sign_in_as: tuple[str, str] | None = None) -> None:
        out = capsys.readouterr().out
        port = _port(out)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as page:  # → the sign-in
            seen.update(port=port, status=page.status, body=page.read().decode(), out=out)
        seen["login"] = sign_in_as

    monkeypatch.setattr(demo_command, "run_tui", ui)
    assert main(["--lang", "en", "--data-dir", str(tmp_path), "demo", "--today", "2026-11-25"]) == 0
    assert seen["status"] == 200 and "<form" in str(seen["body"])
    assert "«parent»" in str(seen["out"]) and "«ediary-demo»" in str(seen["out"])
    assert seen["login"] == ("teacher", "ediary-demo")
    assert not _answers(int(str(seen["port"])))  # stopped with the UI
    log = (tmp_path / demo_command.WEB_LOG).read_text()
    assert f"serving on http://127.0.0.1:{seen['port']}/" in log  # the port it bound itself
    assert "stopping" in log  # cleanly


def test_the_page_stops_when_the_ui_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ports: list[int] = []
    started = DemoWeb.wait_until_answering

    def remember(self: DemoWeb, timeout: float = START_SECONDS) -> bool:
        assert self.port is None  # no port chosen before the page binds one (a race)
        answering = started(self, timeout)
        assert answering and self.port is not None
        ports.append(self.port)
        return answering

    def ui(database_path: Path, *, sign_in_as: tuple[str, str] | None = None) -> None:
        assert _answers(ports[0])
        raise RuntimeError("the terminal went away")

    monkeypatch.setattr(DemoWeb, "wait_until_answering", remember)
    monkeypatch.setattr(demo_command, "run_tui", ui)
    assert (
        main(["--lang", "en", "--data-dir", str(tmp_path), "demo", "--today", "2026-11-25"]) == 70
    )
    assert ports and not _answers(ports[0])


def test_build_only_serves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def no_web(*args: object) -> None:
        raise AssertionError("--build-only started the web page")

    monkeypatch.setattr(demo_command, "DemoWeb", no_web)
    assert main(["--lang", "en", "--data-dir", str(tmp_path), "demo", "--build-only"]) == 0


def test_a_page_that_does_not_start_is_reported_and_the_ui_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    opened: list[bool] = []
    monkeypatch.setattr(DemoWeb, "wait_until_answering", lambda self, timeout=0: False)
    monkeypatch.setattr(demo_command, "run_tui", lambda *args, **kwargs: opened.append(True))
    assert main(["--lang", "en", "--data-dir", str(tmp_path), "demo", "--today", "2026-11-25"]) == 0
    assert opened == [True]
    assert "did not start" in capsys.readouterr().err
