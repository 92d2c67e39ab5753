"""A sync refusal or conflict names its row in the user's words, never the schema's."""

from __future__ import annotations

from node.i18n import use_language
from node.services.replication.table_names import TABLE_NAMES, table_name
from sync.results import describe_change
from sync.tables import tables
from tests.language import foreign_words


def test_every_replicated_table_has_a_name_in_both_languages():
    assert set(tables()) <= set(TABLE_NAMES)  # a new synced table must be named here
    with use_language("ru"):
        names = [table_name(table) for table in tables()]
    assert all(not foreign_words(name) for name in names), names
    assert len(set(names)) == len(names)  # two kinds of row never read the same


def test_a_refused_change_reads_as_what_it_is():
    change = {
        "table": "mark",
        "row_id": "01a2b3c4d5e6f7",
        "fields": {"value": 5, "lesson_id": "x"},
    }
    with use_language("ru"):
        assert describe_change(change) == "отметка 01a2b3c4"
        assert table_name("new_table") == "запись"
    with use_language("en"):
        assert describe_change(change) == "mark 01a2b3c4"
