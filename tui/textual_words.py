"""Textual's own words that people meet in ediary, marked for the catalog.

Textual's widgets come with English key descriptions (the F1 list shows them: «Up»,
«Scroll Left», «Copy selected text»…). They are translated under the context
``TEXTUAL`` so that Textual's «Home» (the first column) never takes ediary's «Home»
(the home screen). ``TEXTUAL_CLASSES`` are the Textual classes ediary uses;
tests/tui/test_textual_words.py fails when one of them gains a description not listed here.
"""

from __future__ import annotations

from textual.app import App
from textual.command import CommandInput, CommandList, CommandPalette
from textual.containers import ScrollableContainer, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.widgets import (
    Button,
    DataTable,
    Input,
    OptionList,
    Select,
    SelectionList,
    TabbedContent,
    Tabs,
    TextArea,
)
from textual.widgets._select import SelectCurrent, SelectOverlay

from node.i18n import NP_

#: The context of Textual's words in the catalog (each NP_ spells it out: extraction reads
#: literals only).
TEXTUAL = "textual"

#: Textual classes ediary's screens are made of (their bindings reach the F1 list).
TEXTUAL_CLASSES: tuple[type, ...] = (
    App,
    Screen,
    ModalScreen,
    ScrollableContainer,
    VerticalScroll,
    ScrollView,
    DataTable,
    OptionList,
    Input,
    Button,
    Select,
    SelectCurrent,
    SelectOverlay,
    SelectionList,
    TabbedContent,
    Tabs,
    TextArea,
    CommandPalette,
    CommandInput,
    CommandList,
)

#: Every description of those classes' bindings (English, as Textual has them).
TEXTUAL_WORDS = frozenset(
    {
        NP_("textual", "Bottom"),
        NP_("textual", "Copy"),
        NP_("textual", "Copy selected text"),
        NP_("textual", "Cursor down"),
        NP_("textual", "Cursor down select"),
        NP_("textual", "Cursor left"),
        NP_("textual", "Cursor left select"),
        NP_("textual", "Cursor left word select"),
        NP_("textual", "Cursor line end"),
        NP_("textual", "Cursor line end select"),
        NP_("textual", "Cursor line start"),
        NP_("textual", "Cursor line start select"),
        NP_("textual", "Cursor page down"),
        NP_("textual", "Cursor page up"),
        NP_("textual", "Cursor right"),
        NP_("textual", "Cursor right select"),
        NP_("textual", "Cursor right word select"),
        NP_("textual", "Cursor up"),
        NP_("textual", "Cursor up select"),
        NP_("textual", "Cursor word left"),
        NP_("textual", "Cursor word right"),
        NP_("textual", "Cut"),
        NP_("textual", "Cut selected text"),
        NP_("textual", "Delete all to the left"),
        NP_("textual", "Delete all to the right"),
        NP_("textual", "Delete character left"),
        NP_("textual", "Delete character right"),
        NP_("textual", "Delete left to start of word"),
        NP_("textual", "Delete line"),
        NP_("textual", "Delete right to start of word"),
        NP_("textual", "Delete to line end"),
        NP_("textual", "Delete to line start"),
        NP_("textual", "Dismiss menu"),
        NP_("textual", "Down"),
        NP_("textual", "End"),
        NP_("textual", "Exit the command palette"),
        NP_("textual", "First"),
        NP_("textual", "Focus Next"),
        NP_("textual", "Focus Previous"),
        NP_("textual", "Go to bottom"),
        NP_("textual", "Go to end"),
        NP_("textual", "Go to start"),
        NP_("textual", "Go to top"),
        NP_("textual", "Home"),
        NP_("textual", "Last"),
        NP_("textual", "Move cursor left"),
        NP_("textual", "Move cursor left a word"),
        NP_("textual", "Move cursor left a word and select"),
        NP_("textual", "Move cursor left and select"),
        NP_("textual", "Move cursor right a word"),
        NP_("textual", "Move cursor right a word and select"),
        NP_("textual", "Move cursor right and select"),
        NP_("textual", "Move cursor right or accept the completion suggestion"),
        NP_("textual", "Next command"),
        NP_("textual", "Next page"),
        NP_("textual", "Next tab"),
        NP_("textual", "Page Down"),
        NP_("textual", "Page Left"),
        NP_("textual", "Page Right"),
        NP_("textual", "Page Up"),
        NP_("textual", "Page down"),
        NP_("textual", "Page up"),
        NP_("textual", "Paste"),
        NP_("textual", "Paste text from the clipboard"),
        NP_("textual", "Press button"),
        NP_("textual", "Previous command"),
        NP_("textual", "Previous page"),
        NP_("textual", "Previous tab"),
        NP_("textual", "Quit"),
        NP_("textual", "Redo"),
        NP_("textual", "Scroll Down"),
        NP_("textual", "Scroll End"),
        NP_("textual", "Scroll Home"),
        NP_("textual", "Scroll Left"),
        NP_("textual", "Scroll Right"),
        NP_("textual", "Scroll Up"),
        NP_("textual", "Select"),
        NP_("textual", "Select all"),
        NP_("textual", "Select line"),
        NP_("textual", "Select line end"),
        NP_("textual", "Select line start"),
        NP_("textual", "Show menu"),
        NP_("textual", "Submit"),
        NP_("textual", "Toggle option"),
        NP_("textual", "Top"),
        NP_("textual", "Undo"),
        NP_("textual", "Up"),
    }
)
