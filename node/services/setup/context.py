"""What every per-kind importer shares: the actor, the rows, the year, the report, and the
records found or made so far, by their natural keys."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from node.errors import EdiaryError, ValidationError
from node.i18n import _, current_language
from node.models import AcademicYear, SchoolClass, Student, Subgroup, Subject, User
from node.services.base.actor import Actor
from node.services.setup.report import SetupReport
from node.services.setup.rows import Row, Rows
from node.services.setup.sheets import sheet_of_kind

T = TypeVar("T")
#: The column a service's refusal is shown in: one key, or one per kind of refusal.
Blame = str | None | Mapping[type[EdiaryError], str]

_CLASS = re.compile(r"^(\d{1,2})\s*[-\s]?\s*[\"«']?([^\W\d_]{1,3})[\"»']?$")
#: Latin letters typed for the Cyrillic ones they look like (7A → 7А).
_LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


def class_key(text: str) -> tuple[int, str]:
    """«7А», «7 а», «7-A» → (7, 'А'); ``ValidationError`` says how to write it."""
    match = _CLASS.match(" ".join((text or "").split()))
    if match is None:
        raise ValidationError(
            _("«{value}» is not a class: write the grade and the letter, e.g. 7А.").format(
                value=text
            )
        )
    return int(match.group(1)), match.group(2).upper().translate(_LATIN_LOOKALIKES)


def name_key(*parts: str | None) -> str:
    """A person's name as compared: case, extra spaces and «ё» do not matter."""
    return " ".join(" ".join(p or "" for p in parts).split()).casefold().replace("ё", "е")


@dataclass
class Run:
    """One check or import; the importers fill the look-ups as they go, in sheet order."""

    actor: Actor
    rows: Rows
    report: SetupReport
    year: AcademicYear | None = None
    classes: dict[tuple[int, str], SchoolClass] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    #: (class id, full-name key) → students of that name in the class
    students: dict[tuple[str, str], list[Student]] = field(default_factory=dict)
    subgroups: dict[tuple[str, str, str], Subgroup] = field(default_factory=dict)

    def attempt(
        self, row: Row, blame: Blame, call: Callable[..., T], *args: Any, **kw: Any
    ) -> T | None:
        """``call(*args, **kw)``; a refusal becomes a problem of ``row``, in the column
        ``blame`` names (or, by the kind of refusal, maps it to)."""
        try:
            return call(*args, **kw)
        except EdiaryError as exc:
            self.refused(row, blame, exc)
            return None

    def outcome(self, row: Row, blame: Blame, result: T | EdiaryError) -> T | None:
        """One result of a batch service: a refusal becomes a problem of ``row``, as in
        ``attempt``."""
        if isinstance(result, EdiaryError):
            self.refused(row, blame, result)
            return None
        return result

    def refused(self, row: Row, blame: Blame, error: EdiaryError) -> None:
        key: str | None
        if isinstance(blame, Mapping):
            key = next((k for kind, k in blame.items() if isinstance(error, kind)), None)
        else:
            key = blame
        self.rows.check(row, key, error)

    def quiet(self, kind: str) -> bool:
        """A reference to something unknown on ``kind``'s sheet is not reported while that
        sheet has a problem of its own: the fix there may well make it known, and a second,
        derived problem would only mislead. The row naming it is skipped all the same."""
        return any(row.broken for row in self.rows.of(kind))

    def unknown(self, row: Row, kind: str, key: str, message: str) -> None:
        """``row`` names something ``kind``'s sheet does not define."""
        if self.quiet(kind):
            row.broken = True
        else:
            self.rows.problem(row, key, message)

    def label_of(self, kind: str) -> str:
        """The sheet's tab or file name as given, or its name in the user's language."""
        rows = self.rows.of(kind)
        return rows[0].source.label if rows else sheet_of_kind(kind).title(current_language())

    def note(self, message: str) -> None:
        self.report.notes.append(message)

    # --- references from one sheet to another ---------------------------------------------

    def school_class(self, row: Row, key: str) -> SchoolClass | None:
        """The class a cell names; a problem if it is neither on the Classes sheet nor in
        ediary, ``None`` quietly if its own row had a problem."""
        try:
            label = class_key(row.text(key))
        except ValidationError as exc:
            self.rows.check(row, key, exc)
            return None
        found = self.classes.get(label)
        if found is None:
            self.unknown(
                row,
                "classes",
                key,
                _(
                    "there is no class {label} in the year {year}; add it to the Classes sheet "
                    "or correct the class."
                ).format(label=f"{label[0]}{label[1]}", year=self.year.name if self.year else ""),
            )
        return found

    def subject(self, row: Row, key: str) -> Subject | None:
        name = row.text(key)
        found = self.subjects.get(name_key(name))
        if found is None:
            self.unknown(
                row,
                "subjects",
                key,
                _(
                    "there is no subject «{name}»; add it to the Subjects sheet or write it "
                    "as it is written there."
                ).format(name=name),
            )
        return found

    def user(self, row: Row, key: str) -> User | None:
        login = row.text(key).strip().lower()
        found = self.users.get(login)
        if found is None:
            self.unknown(
                row,
                "staff",
                key,
                _(
                    "there is no account with the login «{login}», neither in ediary nor on "
                    "the Staff sheet; add the person to the Staff sheet or correct the login."
                ).format(login=row.text(key)),
            )
        return found
