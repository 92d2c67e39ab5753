"""A hub holding the small school, and laptops that bootstrap from it (tests/sync/nodes.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from node.models import Lesson
from node.services.base import clock
from sync import engine
from tests.conftest import SCHOOL_TODAY
from tests.factories import SmallSchool, build_small_school
from tests.sync.net_support import HubFolder
from tests.sync.nodes import Node, bootstrap


@pytest.fixture
def frozen() -> Iterator[None]:
    with clock.frozen_time(SCHOOL_TODAY):
        yield


@pytest.fixture
def hub(tmp_path: Path, frozen) -> Iterator[Node]:
    node = Node.create("hub", tmp_path)
    with node.active():
        node.school = build_small_school()  # type: ignore[attr-defined]
        s: SmallSchool = node.school  # type: ignore[attr-defined]
        node.english_lesson = Lesson.create(  # type: ignore[attr-defined]
            assignment=s.english_g1, date=dt.date(2026, 11, 24), number=3
        )
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
