"""Small checks shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from node.models import AcademicYear, History, db


@contextmanager
def nothing_written() -> Iterator[None]:
    """The whole database (every table, History included) is the same after the block."""
    before = list(db.connection().iterdump())
    yield
    assert list(db.connection().iterdump()) == before


def history_of(row) -> list[History]:
    return list(History.of(row._meta.table_name, row.id))


def close_year(year: AcademicYear) -> None:
    """Close the academic year behind the services' back (as the year-end roll-over will)."""
    year.status = "closed"
    year.save()
