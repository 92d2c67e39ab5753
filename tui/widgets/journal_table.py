"""The journal grid: students down, lesson dates across, then the final mark and averages.

The table only shows a ``JournalGrid``; typing into it posts messages that the journal
screen turns into service calls ("messages up, attributes down").

It is a ``ScrollView`` drawn line by line (Textual's Line API), not a ``DataTable``: a
quarter's journal is 35 rows of 60+ columns of which about ten fit at 80×24, and the
``DataTable`` rendered every cell of every visible row through Rich after each write or
cursor move. Here a line is joined from cached cell segments of the columns on screen,
and a change redraws only the lines it touches (one row for a mark, two for a move).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from node.i18n import N_, _
from node.services.gradebook.grid import GridLesson, GridStudent, JournalGrid
from node.services.gradebook.journal_entry import ATTENDANCE_LETTERS
from tui.bindings import translate_bindings

STUDENT = "student"
FINAL = "final"
AVERAGE = "average"
SUGGESTED = "suggested"
#: A lesson column fits "5/4/5" or "5/4 н" even when it is empty now (widths are fixed).
LESSON_WIDTH = 5
#: Spaces on each side of a cell's text.
PADDING = 1
#: Keys that start typing into a cell (marks, "/", attendance and pass/fail letters).
TYPING = set("0123456789/+-нНnNбБуУоОзЗ")
#: Keys that move the cursor: they commit what was being typed into the cell first.
MOVES = {
    "up",
    "down",
    "left",
    "right",
    "tab",
    "shift+tab",
    "pageup",
    "pagedown",
    "home",
    "end",
    "ctrl+home",
    "ctrl+end",
}

#: A cell as drawn: its text and a Rich style string ("" for the row's own style).
Cell = tuple[str, str]
EMPTY: Cell = ("", "")


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


def lesson_cell(grid: JournalGrid, student: GridStudent, lesson: GridLesson) -> Cell:
    if not student.enrolled_on_day(lesson.date):
        return "·", "dim"
    if lesson.is_cancelled:
        return "—", "dim"
    marks = grid.marks.get((student.id, lesson.id), ())
    text = "/".join(m.value for m in marks)
    code = grid.attendance.get((student.id, lesson.id))
    if code:
        letter = ATTENDANCE_LETTERS.get(code, code)
        if not text:
            return letter, "yellow"
        text = f"{text} {letter}"
    return text, mark_style([m.points for m in marks])


def row_cells(grid: JournalGrid, student: GridStudent) -> list[Cell]:
    """The whole row of ``student``, in column order."""
    cells = [(student.name, "dim" if student.has_left else "")]
    marks, attendance, sid = grid.marks, grid.attendance, student.id
    for lesson in grid.lessons:
        key = (sid, lesson.id)
        if key in marks or key in attendance or lesson.is_cancelled:
            cells.append(lesson_cell(grid, student, lesson))
        elif student.enrolled_on_day(lesson.date):
            cells.append(EMPTY)  # most cells: nothing to look up or style
        else:
            cells.append(("·", "dim"))
    final = grid.finals.get(student.id)
    if final is None:
        cells.append(EMPTY)
    else:
        cells.append((final.value, mark_style([final.points]) or "bold"))
    average = grid.averages.get(student.id)
    cells.append(("" if average is None else f"{float(average):.2f}", "italic"))
    suggested = grid.suggested.get(student.id)
    cells.append(("" if suggested is None else str(suggested), "italic"))
    return cells


@lru_cache(maxsize=64)
def _style(text: str) -> Style:
    return Style.parse(text) if text else Style.null()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # of the text; the column takes PADDING more on each side

    @property
    def render_width(self) -> int:
        return self.width + 2 * PADDING


class JournalTable(ScrollView, can_focus=True):
    """The journal over a ``JournalGrid``, typed into like a paper journal.

    Typing keeps an edit buffer in the table itself (not in a separate input), so keys
    typed quickly are never lost between widgets: "5", "Enter", "4", "Enter" always
    land in two cells. Enter or an arrow key commits the buffer, Escape drops it.
    The header row and the students' column stay in place while the rest scrolls.
    """

    BINDINGS = [
        # F1 lists them; at 80 columns the footer keeps the journal screen's own keys
        Binding("enter", "edit", N_("Edit/save cell"), show=False, id="edit"),
        Binding("delete", "clear", N_("Clear cell"), show=False, id="clear"),
        Binding("up", "cursor(-1, 0)", show=False),
        Binding("down", "cursor(1, 0)", show=False),
        Binding("left", "cursor(0, -1)", show=False),
        Binding("right", "cursor(0, 1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(None, 0)", show=False),
        Binding("end", "jump(None, -1)", show=False),
        Binding("ctrl+home", "jump(0, None)", show=False),
        Binding("ctrl+end", "jump(-1, None)", show=False),
    ]
    COMPONENT_CLASSES = {
        "journal-table--header",
        "journal-table--fixed",
        "journal-table--odd-row",
        "journal-table--even-row",
        "journal-table--cursor",
        "journal-table--fixed-cursor",
    }

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
        super().__init__(**kwargs)
        translate_bindings(self)
        self.grid: JournalGrid | None = None
        self.buffer: str | None = None
        self.editing: tuple[str, str] | None = None
        self.ordered_columns: list[Column] = []
        self._row_keys: list[str] = []
        self._row_index: dict[str, int] = {}
        self._column_index: dict[str, int] = {}
        self._starts: list[int] = [0]  # x of each column in the whole (unscrolled) line
        self._cells: list[list[Cell]] = []
        self._header: list[Cell] = []
        self._cursor = Coordinate(0, 0)
        # drawn cells, (row, column) → segment; row -1 is the header. The cursor's cell
        # is drawn apart; the cache is dropped when the styles change (focus, theme).
        self._segments: dict[tuple[int, int], Segment] = {}
        self._styles: dict[str, Style] = {}

    # --- the data ----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._row_keys)

    @property
    def cursor_coordinate(self) -> Coordinate:
        return self._cursor

    @property
    def cursor_row(self) -> int:
        return self._cursor.row

    @property
    def cursor_column(self) -> int:
        return self._cursor.column

    def show(self, grid: JournalGrid) -> None:
        """Draw ``grid`` from scratch (a new journal or period)."""
        self.grid = grid
        self._cells = [row_cells(grid, student) for student in grid.students]
        self._row_keys = [student.id for student in grid.students]
        self._row_index = {key: i for i, key in enumerate(self._row_keys)}
        labels = [
            (_("Student"), STUDENT, 0),
            *((lesson_label(lesson), lesson.id, LESSON_WIDTH) for lesson in grid.lessons),
            (final_label(grid), FINAL, 0),
            (_("Avg"), AVERAGE, 0),
            (_("Sugg"), SUGGESTED, 0),
        ]
        self.ordered_columns = [
            Column(
                key,
                label,
                max([least, cell_len(label), *(cell_len(row[i][0]) for row in self._cells)]),
            )
            for i, (label, key, least) in enumerate(labels)
        ]
        self._header = [(column.label, "") for column in self.ordered_columns]
        self._column_index = {column.key: i for i, column in enumerate(self.ordered_columns)}
        self._starts = [0, *accumulate(c.render_width for c in self.ordered_columns)]
        self._segments.clear()
        self._cursor = self._clamp(self._cursor.row, self._cursor.column)
        self.virtual_size = Size(self._starts[-1], len(self._cells) + 1)
        self.refresh()

    def update_student(self, grid: JournalGrid, student_id: str) -> None:
        """Redraw one student's row from a fresh ``grid`` (after a write)."""
        self.grid = grid
        student = next((s for s in grid.students if s.id == student_id), None)
        row = self._row_index.get(student_id)
        if student is None or row is None:
            return
        cells = row_cells(grid, student)
        if len(cells) != len(self.ordered_columns):  # the lessons changed: draw anew
            self.show(grid)
            return
        self._set_row(row, cells)

    def set_cell(self, student_id: str, column: str, cell: Cell) -> Cell | None:
        """Show ``cell`` at once (before it is saved); returns what was there."""
        row, index = self._row_index.get(student_id), self._column_index.get(column)
        if row is None or index is None:
            return None
        cells = list(self._cells[row])
        before, cells[index] = cells[index], cell
        self._set_row(row, cells)
        return before

    def _set_row(self, row: int, cells: list[Cell]) -> None:
        widths = [cell_len(text) for text, _style in cells]
        if any(w > c.width for w, c in zip(widths, self.ordered_columns, strict=True)):
            self.ordered_columns = [
                Column(c.key, c.label, max(c.width, w))
                for c, w in zip(self.ordered_columns, widths, strict=True)
            ]
            self._starts = [0, *accumulate(c.render_width for c in self.ordered_columns)]
            self._segments.clear()
            self._cells[row] = cells
            self.virtual_size = Size(self._starts[-1], len(self._cells) + 1)
            self.refresh()
            return
        self._cells[row] = cells
        for index in range(len(cells)):
            self._segments.pop((row, index), None)
        self.refresh_line(row + 1)

    def get_cell(self, row_key: str, column_key: str) -> Text:
        """The cell as shown (its text and style)."""
        text, style = self._cells[self._row_index[row_key]][self._column_index[column_key]]
        return Text(text, style=style)

    def column_label(self, key: str) -> str:
        return self.ordered_columns[self._column_index[key]].label

    def cursor_keys(self) -> tuple[str, str] | None:
        """(student id, column key) under the cursor."""
        if not self.row_count:
            return None
        row, column = self._cursor
        return self._row_keys[row], self.ordered_columns[column].key

    def column_index(self, key: str) -> int:
        return self._column_index[key]

    def row_index(self, key: str) -> int | None:
        """The row of a student; None: not in this journal (left, or another subgroup)."""
        return self._row_index.get(key)

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

    # --- the cursor ----------------------------------------------------------------------

    def _clamp(self, row: int, column: int) -> Coordinate:
        rows, columns = self.row_count, len(self.ordered_columns)
        return Coordinate(max(0, min(row, rows - 1)), max(0, min(column, columns - 1)))

    def move_cursor(
        self, *, row: int | None = None, column: int | None = None, scroll: bool = True
    ) -> None:
        old = self._cursor
        new = self._clamp(old.row if row is None else row, old.column if column is None else column)
        self._cursor = new
        if new != old:
            self.refresh_line(old.row + 1)
            self.refresh_line(new.row + 1)
        if scroll:
            self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        """Scroll so that the cursor's cell is in view beside the fixed row and column."""
        if not self.row_count:
            return
        row, column = self._cursor
        # what shows between the scrollbars: ``size`` counts them, and the last row or
        # column stayed hidden under the horizontal or vertical one
        width, height = self.scrollable_content_region.size
        x, y = self.scroll_offset
        rows_shown = max(1, height - 1)
        y = min(max(y, row - rows_shown + 1), row)
        if column:
            fixed = self._starts[1]
            start, end = self._starts[column], self._starts[column + 1]
            x = min(max(x, end - width), start - fixed)
        else:  # the students' column: back to the first lessons
            x = 0
        self.scroll_to(x=x, y=y, animate=False)

    def on_resize(self) -> None:
        """Keep the cursor's cell in view when the grid gets smaller: the journal's Footer
        is mounted under it once it is filled, and terminals are resized."""
        self.scroll_to_cursor()

    def action_cursor(self, rows: int, columns: int) -> None:
        self.move_cursor(row=self.cursor_row + rows, column=self.cursor_column + columns)

    def action_page(self, direction: int) -> None:
        page = max(1, self.size.height - 2)
        self.move_cursor(row=self.cursor_row + direction * page)

    def action_jump(self, row: int | None, column: int | None) -> None:
        if row is not None and row < 0:
            row = self.row_count - 1
        if column is not None and column < 0:
            column = len(self.ordered_columns) - 1
        self.move_cursor(row=row, column=column)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.row_count or offset.y < 1:
            return
        row = self.scroll_offset.y + offset.y - 1
        if row >= self.row_count:
            return
        x = offset.x if offset.x < self._starts[1] else offset.x + self.scroll_offset.x
        column = bisect_right(self._starts, x) - 1
        if column < len(self.ordered_columns):
            self.commit(move_down=False)
            self.move_cursor(row=row, column=column)

    # --- drawing -------------------------------------------------------------------------

    def _component(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def _restyle(self) -> None:
        self._styles.clear()
        self._segments.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def _draw(self, row: int, column: int, cursor: bool) -> Segment:
        """One cell, padded to its column's width, in its row's (or the cursor's) style."""
        text, own = self._header[column] if row < 0 else self._cells[row][column]
        if row < 0:
            base = self._component("journal-table--header")
        elif column == 0:
            base = self._component("journal-table--fixed")
        else:
            parity = "odd" if row % 2 else "even"
            base = self._component(f"journal-table--{parity}-row")
        style = self.rich_style + base
        if cursor:
            cursor_style = self._component("journal-table--cursor")
            if column == 0:
                cursor_style += self._component("journal-table--fixed-cursor")
            style += cursor_style + _style(own)
            style += Style.from_color(cursor_style.color, cursor_style.bgcolor)
        else:
            style += _style(own)
        pad = " " * PADDING
        width = self.ordered_columns[column].width
        return Segment(pad + set_cell_size(text, width) + pad, style)

    def _segment(self, row: int, column: int) -> Segment:
        if row >= 0 and (row, column) == self._cursor:
            return self._draw(row, column, cursor=True)
        segment = self._segments.get((row, column))
        if segment is None:
            segment = self._segments[(row, column)] = self._draw(row, column, cursor=False)
        return segment

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        row = -1 if y == 0 else scroll_y + y - 1
        if not self.ordered_columns or row >= self.row_count:
            return Strip.blank(width, self.rich_style)
        fixed = self._starts[1]
        left, right = fixed + scroll_x, scroll_x + width
        first = max(1, bisect_right(self._starts, left) - 1)
        last = min(len(self.ordered_columns), bisect_right(self._starts, right))
        scrolled = Strip([self._segment(row, c) for c in range(first, last)])
        origin = self._starts[first]
        scrolled = scrolled.crop(left - origin, right - origin)
        line = Strip.join([Strip([self._segment(row, 0)]), scrolled])
        return line.crop(0, width).extend_cell_length(width, self.rich_style)

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
