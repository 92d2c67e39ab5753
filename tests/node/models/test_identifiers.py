"""SQL identifiers go into SQL text through one helper, which takes only names of ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from node.models import SYNC_MODELS
from node.models.identifiers import ident, idents

ROOT = Path(__file__).resolve().parents[3]


def test_names_of_our_tables_and_columns_are_quoted():
    assert ident("user") == '"user"'
    assert idents(["id", "school_class_id"]) == '"id", "school_class_id"'
    for model in SYNC_MODELS:
        ident(model._meta.table_name)
        idents(model._meta.columns)


@pytest.mark.parametrize(
    "name", ["", "1st", 'a"b', "x; DROP TABLE mark", "mark--", "оценка", "a b", "a.b"]
)
def test_anything_else_is_refused(name):
    with pytest.raises(ValueError, match="not a table or column name"):
        ident(name)


#: A name put between double quotes by an f-string: "{table}" or \"{column}\".
_HAND_QUOTED = re.compile(r'\\?"\{[^{}]+\}\\?"')
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|FROM|JOIN|TRIGGER)\b")


def test_no_sql_quotes_a_name_by_hand():
    offenders = []
    for package in ("node", "sync", "backup"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "identifiers.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _SQL.search(line) and _HAND_QUOTED.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], "use node.models.identifiers.ident: " + ", ".join(offenders)
