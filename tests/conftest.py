"""Shared fixtures: a fresh database per test, English messages, and a small school.

Building a database is the slow part of a test's set-up (migrations, then the small school's
rows), so each pytest worker builds it once, as a template file, and every test gets its own
copy of that file (``copy_database``): the same rows and ids each time, and no test sees
another's writes.

Passwords are hashed in the test process with ``TEST_PASSWORD_COST``, a cheap Argon2 cost
(``passwords.use_cost``): a production-cost hash takes ~50 ms of CPU and the suite makes and
checks thousands. A test about the production cost itself asks for
``production_password_cost``. Child processes (``ediary`` run as a command) hash at the
production cost as always.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from node.files import private_database_file, private_folder
from node.i18n import use_language
from node.models import Meta
from node.models.database import open_database
from node.services.access import passwords
from node.services.base import clock
from node.services.base.actor import Actor
from tests.factories import SmallSchool, build_small_school

#: The day the small school's tests run on: mid second quarter, a Wednesday.
SCHOOL_TODAY = dt.date(2026, 11, 25)


#: The Argon2 cost of hashes made in the test process: the smallest Argon2 allows.
TEST_PASSWORD_COST = passwords.Argon2Params(memory_kib=8, iterations=1, lanes=1)


#: Where the long tests are (a Textual app pressing keys, a browser, child processes, the
#: ``ediary`` command run as a program): they run first, so the quick ones (the services' and
#: models' tests) fill every worker at the end instead of one long test keeping the run going
#: while the other workers wait.
LONG_TESTS_FIRST = (
    "tests/tui/",
    "tests/web/",
    "tests/sync/",
    "tests/backup/",
    "tests/node/test_",
    "tests/test_",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long tests first (``LONG_TESTS_FIRST``), each test file's order kept."""

    def rank(item: pytest.Item) -> int:
        for position, folder in enumerate(LONG_TESTS_FIRST):
            if item.nodeid.startswith(folder):
                return position
        return len(LONG_TESTS_FIRST)

    items.sort(key=rank)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` starts two workers per core: some tests spend much of their time waiting
    (child processes start and stop, servers and Chromium answer, mDNS probes), and a second
    worker on each core uses that time. Measured on 2 cores: the same wall time as one worker
    per core or a little less (146 s against 146 and 156 s), for about 10% more CPU."""
    return 2 * len(os.sched_getaffinity(0))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Hashes made in the test process use ``TEST_PASSWORD_COST`` (see the module's text)."""
    production = passwords.use_cost(TEST_PASSWORD_COST)
    yield
    passwords.use_cost(production)


@pytest.fixture
def production_password_cost() -> Iterator[passwords.Argon2Params]:
    """This test hashes at the production cost, ``passwords.CURRENT``."""
    cheap = passwords.use_cost(passwords.CURRENT)
    yield passwords.CURRENT
    passwords.use_cost(cheap)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read messages in English unless they switch language themselves."""
    with use_language("en"):
        yield


def copy_database(template: Path, path: Path) -> Path:
    """A copy of the closed database ``template`` at ``path``, 0600 as a new one would be."""
    private_folder(path.parent)
    private_database_file(path)
    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="session")
def empty_database_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated node database with no school in it, closed: the template of ``database``."""
    path = tmp_path_factory.mktemp("empty-template") / "ediary.db"
    database = open_database(path, create=True)
    Meta.set_value("node_id", "test-node")
    database.close()
    return path


@pytest.fixture(scope="session")
def small_school_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SmallSchool]:
    """The small school built once into a template database (closed), with its handles."""
    path = tmp_path_factory.mktemp("school-template") / "ediary.db"
    database = open_database(path, create=True)
    Meta.set_value("node_id", "test-node")
    with clock.frozen_time(SCHOOL_TODAY):
        built = build_small_school()
    database.close()
    return path, built


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[pw.SqliteDatabase]:
    """A new, migrated node database in a temporary folder, bound to the models.

    For a test that uses ``school`` it already holds the small school (a copy of the
    template, as if ``build_small_school`` had just run in it)."""
    if "school" in request.fixturenames:
        template, _built = request.getfixturevalue("small_school_file")
    else:
        template = request.getfixturevalue("empty_database_file")
    database = open_database(copy_database(template, tmp_path / "ediary.db"))
    yield database
    database.close()


@pytest.fixture
def director(school: SmallSchool) -> Actor:
    """The school's director, acting."""
    return school.actor(school.director)


@pytest.fixture
def school(
    database: pw.SqliteDatabase, small_school_file: tuple[Path, SmallSchool]
) -> Iterator[SmallSchool]:
    """The small school of ``tests.factories``, with the clock pinned to ``SCHOOL_TODAY``.

    ``database`` holds a copy of its rows; the handles are a deep copy of those the build
    returned (a test may change them freely)."""
    _template, built = small_school_file
    with clock.frozen_time(SCHOOL_TODAY):
        yield copy.deepcopy(built)
