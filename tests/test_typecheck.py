"""tools/typecheck.py: mypy's errors fail CI in enrolled modules and are only reported in the
others (new or just moved), and a clean module is offered for enrolment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import typecheck  # noqa: E402

ENROLLED = "node/services/gradebook/grid.py"
NEW = "node/services/brand_new.py"


@pytest.fixture
def enforced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    listed = tmp_path / "mypy_enforced.txt"
    listed.write_text(f"# a comment\n{ENROLLED}\n", encoding="utf-8")
    monkeypatch.setattr(typecheck, "ENFORCED", listed)
    monkeypatch.setattr(typecheck, "checked_modules", lambda: [ENROLLED, NEW, "node/x.py"])
    return listed


def _mypy_says(monkeypatch: pytest.MonkeyPatch, code: int, *lines: str) -> None:
    by_file: dict[str, list[str]] = {}
    for line in lines:
        by_file.setdefault(line.split(":", 1)[0], []).append(line)
    monkeypatch.setattr(typecheck, "run_mypy", lambda: (code, by_file, []))


def test_an_error_in_an_enrolled_module_fails(enforced, monkeypatch, capsys):
    _mypy_says(monkeypatch, 1, f"{ENROLLED}:3: error: Name 'x' is not defined  [name-defined]")
    assert typecheck.main([]) == 1
    assert f"{ENROLLED}:3: error" in capsys.readouterr().out


def test_an_error_in_a_module_not_enrolled_is_reported_and_passes(enforced, monkeypatch, capsys):
    _mypy_says(monkeypatch, 1, f"{NEW}:7: error: Missing type arguments  [type-arg]")
    assert typecheck.main([]) == 0
    out = capsys.readouterr().out
    assert f"not enrolled yet (reported, not failing): {NEW}" in out
    assert f"{NEW}:7: error" in out


def test_clean_modules_are_offered_and_enrolled_on_request(enforced, monkeypatch, capsys):
    _mypy_says(monkeypatch, 1, f"{NEW}:7: error: Missing type arguments  [type-arg]")
    assert typecheck.main([]) == 0
    assert "clean, not enrolled yet (python tools/typecheck.py --enroll): node/x.py" in (
        capsys.readouterr().out
    )
    assert typecheck.main(["--enroll"]) == 0
    assert typecheck.enrolled() == [ENROLLED, "node/x.py"]


def test_a_mypy_that_could_not_run_fails(enforced, monkeypatch):
    monkeypatch.setattr(typecheck, "run_mypy", lambda: (2, {}, ["setup.cfg: error: bad option"]))
    assert typecheck.main([]) == 2


def test_mypys_real_output_is_read_file_by_file():
    code, by_file, other = typecheck.run_mypy()
    assert code in (0, 1), other
    assert not [line for line in other if " error: " in line], other
    for path, lines in by_file.items():
        assert (ROOT / path).is_file(), path
        assert all(line.startswith(f"{path}:") for line in lines)
