"""Every TUI screen speaks the user's language, Textual's own words included [issue 18].

Each journey signs in, walks through screens, dialogs, the F1 list and the Ctrl+P palette,
and reads the text drawn on the terminal, line by line. In Russian no Latin word may be
left that is not a name from the data or an allowed term (tests/language.py); in English no
Cyrillic word that is not a name from the data. The Russian journeys press their letters in
the Russian layout («е» for t, «Н» for Y), as a Russian teacher's keyboard usually is: every
letter key they use fires from there too.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from textual._compositor import LayoutUpdate
from textual.binding import Binding
from textual.command import CommandList
from textual.widgets import DataTable, Footer

from node.cli.app import cli
from node.i18n import pgettext, use_language
from tests.language import foreign_words, russian_words, words_of
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp
from tui.bindings import RUSSIAN_TO_LATIN_KEY, latin_key
from tui.palette import EdiaryCommandPalette
from tui.textual_words import TEXTUAL, TEXTUAL_CLASSES, TEXTUAL_WORDS


def screen_text(app: EdiaryApp) -> str:
    """The terminal's text as drawn, line by line: the lines the screen's compositor puts
    on the terminal (those Textual's SVG picture is made from, without making the picture)."""
    screen = app.screen
    drawn = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(drawn, LayoutUpdate)
    return "\n".join("".join(strip.text for strip in line) for line in drawn.strips)


def data_words(database: Path) -> set[str]:
    """Every word stored in the database's text columns (names, logins, subjects, topics)
    and the names of ediary's commands (a hint may wrap 'ediary serve' across lines)."""
    words: set[str] = set(cli.commands)
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, str):
                        words |= words_of(value)
    return words


@pytest.fixture(scope="session")
def names(demo_file: Path) -> set[str]:
    """The demo's words, read once from the template: every test's copy holds the same."""
    return data_words(demo_file)


#: (name, login, steps): each step is the keys to press and the screen they must lead to.
JOURNEYS: list[tuple[str, str | None, list[tuple[tuple[str, ...], str]]]] = [
    ("sign-in", None, [((), "SignInScreen"), (("f1",), "HelpScreen")]),
    (
        "home",
        "teacher",
        [
            ((), "HomeScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "ctrl+p"), "EdiaryCommandPalette"),
        ],
    ),
    (
        "journal",
        "teacher",
        [
            (("enter",), "JournalScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "t"), "LessonDialog"),
            (("escape", "h"), "HistoryDialog"),
            # from the names column: on a mark's cell «з» (p's key in the Russian layout)
            # starts «зач», as «н» «б» «у» «о» start their letters
            (("escape", "home", "p"), "PeriodDialog"),
            (("escape", "ctrl+p"), "EdiaryCommandPalette"),
        ],
    ),
    (
        "plan",
        "teacher",
        [
            (("k",), "PlanScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "a"), "PlanLineDialog"),
            (("escape", "i"), "ImportDialog"),
        ],
    ),
    (
        "mail",
        "teacher",
        [
            (("m",), "MailScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "n"), "ComposeDialog"),
            (("escape", "s"), "SummariesDialog"),
        ],
    ),
    ("conflicts", "teacher", [(("y",), "ConflictsScreen"), (("f1",), "HelpScreen")]),
    (
        "class",
        "teacher",
        [
            (("c",), "ClassScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "g"), "ConfirmDialog"),
            (("n",), "ClassScreen"),
            (("w",), "AttendanceScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "escape", "s"), "SubgroupScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "escape", "enter"), "ProfileScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "ctrl+n"), "GuardianDialog"),
        ],
    ),
    (
        "admin",
        "deputy",
        [
            (("a",), "AdminScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "2"), "AdminScreen"),
            (("3",), "AdminScreen"),
            (("4",), "AdminScreen"),
            (("5",), "AdminScreen"),
            (("1", "d"), "RangeDialog"),
            (("escape", "c"), "DayChangesScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "ctrl+p"), "EdiaryCommandPalette"),
        ],
    ),
    (
        "school",
        "deputy",
        [
            (("s",), "SchoolScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "n"), "FieldsDialog"),
            *[
                step
                for tab in range(2, 8)
                for step in ((("escape", str(tab)), "SchoolScreen"), (("n",), "FieldsDialog"))
            ],
            (("escape", "y"), "FieldsDialog"),
            (("escape", "Y"), "FieldsDialog"),
            (("escape", "7", "e"), "FieldsDialog"),
            (("escape", "g"), "FieldsDialog"),
        ],
    ),
    (
        "timetable",
        "deputy",
        [
            (("a", "t"), "TimetableScreen"),
            (("f1",), "HelpScreen"),
            (("escape", "c"), "ChooseDialog"),
            (("escape", "enter"), "PlaceDialog"),
            (("escape", "g"), "ApplyDialog"),
        ],
    ),
]


#: A key of the US layout → the letter the same key types in the Russian one (y → «н»).
RUSSIAN_LAYOUT = {latin: russian for russian, latin in RUSSIAN_TO_LATIN_KEY.items()}


async def walk(
    app: EdiaryApp, steps: list[tuple[tuple[str, ...], str]], layout: dict[str, str] | None = None
) -> list[str]:
    """Press each step's keys (their letters in ``layout``), check the screen reached and
    that its footer fits 80 columns, and read what it shows."""
    texts: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        for keys, screen in steps:
            await settle(pilot)
            await press(pilot, *((layout or {}).get(key, key) for key in keys))
            assert type(app.screen).__name__ == screen, (keys, app.screen)
            assert_footer_fits(app)
            texts.append(screen_text(app))
    return texts


def assert_footer_fits(app: EdiaryApp) -> None:
    """The footer shows every key it offers: one cut at the terminal's edge scrolls
    sideways (a user at 80 columns would see «F1 Справк» or «h ▏»)."""
    for footer in app.screen.query(Footer):
        assert footer.max_scroll_x == 0, (  # the picture is drawn only to say what is cut
            type(app.screen).__name__,
            screen_text(app).splitlines()[-1],
        )


def squeezed(text: str) -> str:
    """``text`` with runs of spaces made one (a table's columns are padded)."""
    return re.sub(" +", " ", text)


@pytest.mark.parametrize("name, login, steps", JOURNEYS, ids=[j[0] for j in JOURNEYS])
async def test_every_screen_in_russian_has_no_english(demo_db: Path, names, name, login, steps):
    with use_language("ru"):
        app = EdiaryApp(demo_db, sign_in_as=(login, PASSWORD) if login else None)
        texts = await walk(app, steps, RUSSIAN_LAYOUT)
    for text in texts:
        assert foreign_words(text, names) == set(), text


@pytest.mark.parametrize("name, login, steps", JOURNEYS, ids=[j[0] for j in JOURNEYS])
async def test_every_screen_in_english_has_no_russian(demo_db: Path, names, name, login, steps):
    with use_language("en"):
        app = EdiaryApp(demo_db, sign_in_as=(login, PASSWORD) if login else None)
        texts = await walk(app, steps)
    for text in texts:
        assert russian_words(text, names) == set(), text


async def test_the_palette_speaks_russian_down_to_nothing_found(demo_db: Path):
    with use_language("ru"):
        app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+p")
            await settle(pilot)
            assert "Найти команду…" in screen_text(app)
            await press(pilot, "z", "z", "z")
            palette = app.screen
            assert isinstance(palette, EdiaryCommandPalette)
            async with asyncio.timeout(60):  # Textual shows it after a short countdown
                listed = palette.query_one(CommandList)
                while not any(option.id == "--no-matches" for option in listed.options):
                    await pilot.pause()
            await settle(pilot)
            text = screen_text(app)
    assert "Ничего не найдено" in text and foreign_words(text, {"zzz"}) == set(), text


async def test_the_theme_list_is_searched_in_russian(demo_db: Path):
    with use_language("ru"):
        app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+p", *"Оформление")
            await settle(pilot)
            await press(pilot, "enter")
            await settle(pilot)
            text = screen_text(app)
            themes = {word for theme in app.available_themes for word in words_of(theme)}
    assert "Найти оформление…" in text
    assert foreign_words(text, themes) == set(), text


async def test_the_key_list_scrolls_with_the_arrow_keys(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "f1")  # the journal's list is longer than the screen
        await settle(pilot)
        table = app.screen.query_one("#help-keys", DataTable)
        assert table.max_scroll_y > 0
        last = " ".join(app.screen.rows[-1])
        assert last not in squeezed(screen_text(app))
        await press(pilot, *["down"] * table.row_count)
        await settle(pilot)
        assert table.cursor_row == table.row_count - 1
        assert table.scroll_y == table.max_scroll_y
        assert last in squeezed(screen_text(app))


def test_a_russian_letter_is_the_key_of_the_same_place_in_the_us_layout():
    pairs = {"н": "y", "Н": "Y", "т": "n", "ё": "grave_accent", "Ё": "tilde"}
    pairs |= {"х": "left_square_bracket", "ж": "semicolon", "б": "comma", "ю": "full_stop"}
    pairs |= {"alt+н": "alt+y", "Х": "left_curly_bracket", "Э": "quotation_mark"}
    assert {key: latin_key(key) for key in pairs} == pairs
    assert [latin_key(key) for key in ("y", "5", "enter", "ctrl+q", "ї")] == [None] * 5
    assert len(RUSSIAN_LAYOUT) == 66  # 33 letters, each in two cases, on 66 distinct keys


def test_every_textual_key_description_has_a_russian_translation():
    """A Textual upgrade that adds a key to a widget ediary uses fails here first."""
    described = {
        (item if isinstance(item, Binding) else Binding(*item)).description
        for textual_class in TEXTUAL_CLASSES
        for base in textual_class.__mro__
        for item in base.__dict__.get("BINDINGS", ())
    } - {""}
    assert described <= TEXTUAL_WORDS, described - TEXTUAL_WORDS
    with use_language("ru"):
        untranslated = {word for word in TEXTUAL_WORDS if pgettext(TEXTUAL, word) == word}
    assert untranslated == set()
