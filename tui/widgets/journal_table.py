"""The journal grid: students down, lesson dates across, then the final mark and averages.

The table only shows a ``JournalGrid``; typing into it posts messages that the journal
screen turns into service calls ("messages up, attributes down").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from node.i18n import N_, _
from node.services.grid import GridLesson, GridStudent, JournalGrid
from node.services.journal_entry import ATTENDANCE_LETTERS
from tui.bindings import translate_bindings

STUDENT = "student"
FINAL = "final"
AVERAGE = "average"
SUGGESTED = "suggested"
#: A lesson column fits "5/4/5" or "5/4 н" even when it is empty now (widths are fixed).
LESSON_WIDTH = 5
#: Keys that start typing into a cell (marks, "/", attendance and pass/fail letters).
TYPING = set("0123456789/+-нНnNбБуУоОзЗ")
#: Keys that move the cursor: they commit what was being typed into the cell first.
MOVES = {"up", "down", "left", "right", "tab", "shift+tab", "pageup", "pagedown"}


def mark_style(points: list[int | None]) -> str:
    """Red when a 2 (or worse) is among the marks, green when all of them are 5s."""
    numbers = [p for p in points if p is not None]
    if any(p <= 2 for p in numbers):
        return "bold red"
    if numbers and all(p >= 5 for p in numbers):
        return "bold green"
    return ""


def lesson_label(lesson: GridLesson) -> str:
    label = lesson.date.strftime("%d.%m")
    if lesson.is_cancelled:
        return label + "✕"
    if lesson.work_type_weight is not None and lesson.work_type_weight != 1:
        return f"{label}×{lesson.work_type_weight:g}"
    return label


def final_label(grid: JournalGrid) -> str:
    return _("Final") + (" 🔒" if grid.window.is_locked else "")


def lesson_cell(grid: JournalGrid, student: GridStudent, lesson: GridLesson) -> Text:
    if not student.enrolled_on_day(lesson.date):
        return Text("·", style="dim")
    if lesson.is_cancelled:
        return Text("—", style="dim")
    marks = grid.marks.get((student.id, lesson.id), ())
    text = "/".join(m.value for m in marks)
    code = grid.attendance.get((student.id, lesson.id))
    if code:
        letter = ATTENDANCE_LETTERS.get(code, code)
        if not text:
            return Text(letter, style="yellow")
        text = f"{text} {letter}"
    return Text(text, style=mark_style([m.points for m in marks]))


def row_cells(grid: JournalGrid, student: GridStudent) -> list[Text]:
    """The whole row of ``student``, in column order."""
    name = Text(student.name, style="dim" if student.has_left else "")
    cells = [name] + [lesson_cell(grid, student, lesson) for lesson in grid.lessons]
    final = grid.finals.get(student.id)
    if final is None:
        cells.append(Text(""))
    else:
        cells.append(Text(final.value, style=mark_style([final.points]) or "bold"))
    average = grid.averages.get(student.id)
    cells.append(Text("" if average is None else f"{float(average):.2f}", style="italic"))
    suggested = grid.suggested.get(student.id)
    cells.append(Text("" if suggested is None else str(suggested), style="italic"))
    return cells


class JournalTable(DataTable[Text]):
    """A ``DataTable`` over a ``JournalGrid`` that is typed into like a paper journal.

    Typing keeps an edit buffer in the table itself (not in a separate input), so keys
    typed quickly are never lost between widgets: "5", "Enter", "4", "Enter" always
    land in two cells. Enter or an arrow key commits the buffer, Escape drops it.
    """

    BINDINGS = [
        Binding("enter", "edit", N_("Edit/save cell"), id="edit"),
        Binding("delete", "clear", N_("Clear cell"), id="clear"),
    ]

    @dataclass
    class Editing(Message):
        """The edit buffer changed (``text`` None: editing ended)."""

        row: str
        column: str
        text: str | None

    @dataclass
    class Commit(Message):
        """Write ``text`` into the cell (row = student id, column = lesson id or FINAL)."""

        row: str
        column: str
        text: str

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="cell", fixed_columns=1, zebra_stripes=True, **kwargs)
        translate_bindings(self)
        self.grid: JournalGrid | None = None
        self.buffer: str | None = None
        self.editing: tuple[str, str] | None = None
        self._span_key: tuple[int, ...] = ()
        self._visible: set[int] = set()

    # --- rendering only what is on screen ------------------------------------------------
    # Textual 8's DataTable renders every cell of a row through Rich and crops the line
    # afterwards; a quarter's journal is 60+ columns of which about 10 fit at 80×24, so a
    # repaint (after each cursor move or write) cost ~9 ms per row. Off-screen cells are
    # blanks of their width instead. The row cache is not keyed on the scroll position, so
    # it is dropped when that or the size changes. (Private API: textual is pinned <9.)

    def _column_visible(self, index: int) -> bool:
        scroll_x = round(self.scroll_x)
        # column widths grow on idle after rows are added; the virtual width follows them
        key = (
            self._update_count,
            len(self.columns),
            self.virtual_size.width,
            scroll_x,
            self.size.width,
        )
        if key != self._span_key:
            widths = [column.get_render_width(self) for column in self.ordered_columns]
            starts = [0, *accumulate(widths)]
            left = scroll_x + sum(widths[: self.fixed_columns])
            right = scroll_x + self.size.width
            self._visible = {
                i
                for i, width in enumerate(widths)
                if starts[i] < right and starts[i] + width > left
            }
            self._span_key = key
        return index in self._visible

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        if column_index >= self.fixed_columns and not self._column_visible(column_index):
            # every row of the journal is one line high (add_row's default)
            height = self.header_height if row_index < 0 else 1
            return [[Segment(" " * width)] for _ in range(height)]
        return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

    def watch_scroll_x(self, old_value: float, new_value: float) -> None:
        if round(old_value) != round(new_value):
            self._row_render_cache.clear()
        super().watch_scroll_x(old_value, new_value)

    def on_resize(self) -> None:
        self._row_render_cache.clear()

    def show(self, grid: JournalGrid) -> None:
        """Draw ``grid`` from scratch (a new journal or period)."""
        self.grid = grid
        self.clear(columns=True)
        rows = [row_cells(grid, student) for student in grid.students]
        columns = [
            (_("Student"), STUDENT, 0),
            *((lesson_label(lesson), lesson.id, LESSON_WIDTH) for lesson in grid.lessons),
            (final_label(grid), FINAL, 0),
            (_("Avg"), AVERAGE, 0),
            (_("Sugg"), SUGGESTED, 0),
        ]
        # Widths are given, not measured: DataTable measures them on idle, and lines drawn
        # before that stayed cached at the header's width (names cut to "Анисимо").
        for index, (label, key, least) in enumerate(columns):
            width = max([least, cell_len(label), *(row[index].cell_len for row in rows)])
            self.add_column(label, key=key, width=width)
        for student, cells in zip(grid.students, rows, strict=True):
            self.add_row(*cells, key=student.id)

    def update_student(self, grid: JournalGrid, student_id: str) -> None:
        """Redraw one student's row from a fresh ``grid`` (after a write)."""
        self.grid = grid
        student = next((s for s in grid.students if s.id == student_id), None)
        if student is None:
            return
        keys = [STUDENT, *(lesson.id for lesson in grid.lessons), FINAL, AVERAGE, SUGGESTED]
        for key, cell in zip(keys, row_cells(grid, student), strict=True):
            self.update_cell(student_id, key, cell)

    def cursor_keys(self) -> tuple[str, str] | None:
        """(student id, column key) under the cursor."""
        if not self.row_count:
            return None
        cell_key = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(cell_key.row_key.value), str(cell_key.column_key.value)

    def column_index(self, key: str) -> int:
        return self.get_column_index(key)

    def current_text(self, student_id: str, column: str) -> str:
        """The cell as it would be typed: marks, else the attendance letter."""
        if self.grid is None:
            return ""
        if column == FINAL:
            final = self.grid.finals.get(student_id)
            return final.value if final else ""
        text = self.grid.cell_text(student_id, column)
        code = self.grid.attendance.get((student_id, column))
        if not text and code:
            return ATTENDANCE_LETTERS.get(code, "")
        return text

    # --- the edit buffer ---------------------------------------------------------------

    def _editable(self) -> tuple[str, str] | None:
        keys = self.cursor_keys()
        if keys is None or keys[1] in (STUDENT, AVERAGE, SUGGESTED):
            return None
        return keys

    def _set_buffer(self, text: str | None) -> None:
        self.buffer = text
        if text is None:
            editing, self.editing = self.editing, None
            if editing is not None:
                self.post_message(self.Editing(editing[0], editing[1], None))
            return
        if self.editing is not None:
            self.post_message(self.Editing(self.editing[0], self.editing[1], text))

    def _start(self, text: str) -> bool:
        keys = self._editable()
        if keys is None:
            return False
        self.editing = keys
        self._set_buffer(text)
        return True

    def commit(self, *, move_down: bool) -> None:
        """Send the buffer to be written and leave editing mode."""
        if self.editing is None or self.buffer is None:
            return
        row, column = self.editing
        text = self.buffer
        self._set_buffer(None)
        self.post_message(self.Commit(row, column, text))
        if move_down and self.cursor_row < self.row_count - 1:
            self.move_cursor(row=self.cursor_row + 1)

    def cancel(self) -> bool:
        """Drop the buffer; False when there was nothing being typed."""
        if self.editing is None:
            return False
        self._set_buffer(None)
        return True

    def action_edit(self) -> None:
        if self.editing is not None:
            self.commit(move_down=True)
            return
        keys = self._editable()
        if keys is not None:
            self._start(self.current_text(*keys))

    def action_clear(self) -> None:
        self.cancel()
        keys = self._editable()
        if keys is not None:
            self.post_message(self.Commit(keys[0], keys[1], ""))

    def on_key(self, event: events.Key) -> None:
        if self.editing is not None:
            if event.key == "escape":
                event.stop()
                event.prevent_default()
                self.cancel()
            elif event.key == "backspace":
                event.stop()
                event.prevent_default()
                self._set_buffer((self.buffer or "")[:-1])
            elif event.key in MOVES:
                self.commit(move_down=False)  # the move itself goes on as usual
            elif event.is_printable and event.character:
                event.stop()
                event.prevent_default()
                self._set_buffer((self.buffer or "") + event.character)
            return
        if event.key == "backspace":
            event.stop()
            event.prevent_default()
            self.action_clear()
        elif event.character and event.character in TYPING and event.is_printable:
            if self._start(event.character):
                event.stop()
                event.prevent_default()
