"""The demo school of size S for pilot tests: built once per pytest worker (a template file,
as tests/conftest.py does for the small school), copied for each test."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.models import db
from node.services.base import clock
from node.services.demo import build_demo

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template: no test opens it, each gets a copy (``demo_db``)."""
    path = tmp_path_factory.mktemp("demo") / "ediary.db"
    build_demo(path, size="S", today=TODAY, node_id="test-node")
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the demo database; the clock is pinned to the demo's day."""
    path = tmp_path / "ediary.db"
    shutil.copy(demo_file, path)
    with clock.frozen_time(TODAY):
        yield path
    if not db.is_closed():
        db.close()
