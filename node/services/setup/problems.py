"""A problem found in a setup file, named the way the user finds it in Excel."""

from __future__ import annotations

from dataclasses import dataclass, field

from node.i18n import _


@dataclass(frozen=True)
class Problem:
    """``sheet`` is the tab or file name, ``row`` the row number Excel shows, ``column`` the
    header as written in the file; the message says what is wrong and what to write."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("{sheet}, row {row}, column «{column}»: {message}").format(
                sheet=self.sheet, row=self.row, column=self.column, message=self.message
            )
        if self.row is not None:
            return _("{sheet}, row {row}: {message}").format(
                sheet=self.sheet, row=self.row, message=self.message
            )
        if self.column:
            return _("{sheet}, column «{column}»: {message}").format(
                sheet=self.sheet, column=self.column, message=self.message
            )
        return _("{sheet}: {message}").format(sheet=self.sheet, message=self.message)


@dataclass
class Problems:
    """Every problem of one run, in the order found; nothing is written while any exist."""

    items: list[Problem] = field(default_factory=list)

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(sheet, row, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)
