"""What an import did (or, after ``--check``, would do), per kind and per teacher."""

from __future__ import annotations

from dataclasses import dataclass, field

from node.services.access.codes import IssuedCode
from node.services.setup.problems import Problem
from node.services.setup.sheets import SHEETS

OUTCOMES = ("created", "updated", "unchanged", "left")


@dataclass
class KindCounts:
    """Rows of one kind by outcome; ``left`` counts records not touched on purpose (a value
    the import does not change, or a record the file no longer lists)."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.left


@dataclass(frozen=True)
class TeacherLoad:
    """A teacher's journals and lessons after the import."""

    login: str
    name: str
    journals: int
    lessons: int


@dataclass
class SetupReport:
    """The result of ``check_setup`` / ``import_setup``.

    ``written`` is true only for an import without problems. ``notes`` explain what was
    left as it was and what was skipped; ``codes`` are the new staff accounts' access codes,
    which exist only here and are shown once.
    """

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, KindCounts] = field(
        default_factory=lambda: {sheet.kind: KindCounts(sheet.kind) for sheet in SHEETS}
    )
    notes: list[str] = field(default_factory=list)
    teachers: list[TeacherLoad] = field(default_factory=list)
    codes: list[IssuedCode] = field(default_factory=list)
    lessons_created: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: str, outcome: str, number: int = 1) -> None:
        counts = self.counts[kind]
        setattr(counts, outcome, getattr(counts, outcome) + number)
