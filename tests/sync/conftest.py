"""A hub holding the small school, and laptops that bootstrap from it (tests/sync/nodes.py)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from node.models import Lesson
from node.services.base import clock
from sync import engine
from tests.conftest import SCHOOL_TODAY, copy_database
from tests.factories import SmallSchool, build_small_school
from tests.sync.net_support import HubFolder
from tests.sync.nodes import Node, bootstrap


@pytest.fixture
def frozen() -> Iterator[None]:
    with clock.frozen_time(SCHOOL_TODAY):
        yield


@pytest.fixture(scope="session")
def hub_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SmallSchool, Lesson]:
    """The hub's database with the small school and an English lesson of 7А, built once per
    worker and closed (``hub`` copies it); its handles."""
    node = Node.create("hub", tmp_path_factory.mktemp("sync-hub-template"))
    with clock.frozen_time(SCHOOL_TODAY), node.active():
        school = build_small_school()
        english = Lesson.create(assignment=school.english_g1, date=dt.date(2026, 11, 24), number=3)
    node.close()
    return node.path, school, english


@pytest.fixture
def hub(tmp_path: Path, frozen, hub_template: tuple[Path, SmallSchool, Lesson]) -> Iterator[Node]:
    """A hub holding the small school: a copy of ``hub_template``, with its handles copied."""
    template, school, english = hub_template
    copy_database(template, tmp_path / template.name)
    node = Node.create("hub", tmp_path)
    node.school = copy.deepcopy(school)  # type: ignore[attr-defined]
    node.english_lesson = copy.deepcopy(english)  # type: ignore[attr-defined]
    yield node
    node.close()


@pytest.fixture
def laptop(tmp_path: Path, hub: Node) -> Iterator[Callable[..., Node]]:
    """Make a laptop paired for a user (or the whole school), filled by a bootstrap."""
    made: list[Node] = []

    def make(name: str, user_id: str | None = None) -> Node:
        node = Node.create(name, tmp_path, engine.Scope(user_id))
        bootstrap(hub, node)
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


@pytest.fixture(scope="session")
def hub_folder_template(tmp_path_factory: pytest.TempPathFactory) -> HubFolder:
    """A hub's data folder, built once per pytest worker: the template of ``hub_folder``.

    Its copies share its node id (and so the name it announces over mDNS). A worker runs one
    test at a time and every test stops its hub, so no two of them ever run at once; each
    worker builds its own template, with its own node id."""
    return HubFolder.build(tmp_path_factory.mktemp("hub-template") / "hub")


@pytest.fixture
def hub_folder(tmp_path: Path, hub_folder_template: HubFolder) -> HubFolder:
    """A hub's data folder at ``tmp_path/hub``: a copy of ``hub_folder_template``."""
    return hub_folder_template.copy_to(tmp_path / "hub")
