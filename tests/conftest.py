"""Shared fixtures: a fresh database per test, English messages, and a small school."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from node.i18n import use_language
from node.models import Meta
from node.models.database import open_database
from node.services.base import clock
from node.services.base.actor import Actor
from tests.factories import SmallSchool, build_small_school


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read messages in English unless they switch language themselves."""
    with use_language("en"):
        yield


@pytest.fixture
def database(tmp_path: Path) -> Iterator[pw.SqliteDatabase]:
    """A new, migrated node database in a temporary folder, bound to the models."""
    database = open_database(tmp_path / "ediary.db", create=True)
    Meta.set_value("node_id", "test-node")
    yield database
    database.close()


#: The day the small school's tests run on: mid second quarter, a Wednesday.
SCHOOL_TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def director(school: SmallSchool) -> Actor:
    """The school's director, acting."""
    return school.actor(school.director)


@pytest.fixture
def school(database: pw.SqliteDatabase) -> Iterator[SmallSchool]:
    """The small school of ``tests.factories``, with the clock pinned to ``SCHOOL_TODAY``."""
    with clock.frozen_time(SCHOOL_TODAY):
        yield build_small_school()
