"""Fixtures for the command-line tests: a school made by ``ediary init``, once per worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.node.shell import SCHOOL_TOML, codes, run


@pytest.fixture(scope="session")
def initialized_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder ``ediary init --config`` makes from ``SCHOOL_TOML`` (the sysadmin's
    access code kept beside, in admin.code): made once, the template ``school_dir`` copies."""
    root = tmp_path_factory.mktemp("init-template")
    (root / "school.toml").write_text(SCHOOL_TOML, encoding="utf-8")
    data = root / "data"
    result = run(data, "init", "--config", str(root / "school.toml"))
    assert result.returncode == 0, result.stderr
    assert "Школа № 7" in result.stdout
    data.joinpath("admin.code").write_text(codes(result.stdout)["admin"])
    return data


@pytest.fixture
def school_dir(tmp_path: Path, initialized_school: Path) -> Path:
    """A school just made by ``ediary init`` (a copy of ``initialized_school``, modes and
    all), with its school.toml beside the data folder as the sysadmin wrote it."""
    (tmp_path / "school.toml").write_text(SCHOOL_TOML, encoding="utf-8")
    return Path(shutil.copytree(initialized_school, tmp_path / "data"))
