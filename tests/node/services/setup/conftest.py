"""A database with a school and nothing else, as after ``ediary init``."""

from __future__ import annotations

import peewee as pw
import pytest

from node.services.base.actor import Actor
from node.services.school.school_setup import create_school


@pytest.fixture
def node(database: pw.SqliteDatabase) -> Actor:
    """The node acting for the sysadmin at the shell, in a freshly initialised school."""
    actor = Actor.for_system()
    create_school(actor, "МБОУ СОШ № 3", timezone="Europe/Moscow", locale="ru")
    return actor
