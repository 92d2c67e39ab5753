"""SQL identifiers (table, column and trigger names) put into SQL text: quoted in one place.

The rule is a whitelist. Only a name the code itself knows may be interpolated into SQL:
a model's table or column name (``Model._meta``), a name derived from the models (``sync``'s
table registry, a trigger named after its table), or one read back from this database's own
``sqlite_master`` / ``PRAGMA table_info``. A value that comes from a person, a request, a
file or a peer never is: it goes in as a ``?`` parameter. ``ident`` also insists on the
shape such names have (ASCII letters, digits and ``_``, not starting with a digit), so a
name that breaks the rule raises instead of becoming SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=4096)
def ident(name: str) -> str:
    """``name`` double-quoted for SQLite, after checking it is one of ours (see above)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a table or column name of this database: {name!r}")
    return f'"{name}"'


def idents(names: Iterable[str]) -> str:
    """Several names, quoted and comma-separated: a column list."""
    return ", ".join(ident(name) for name in names)
