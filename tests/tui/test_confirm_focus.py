"""Which button Enter presses in a confirmation: the asked-for action, unless it destroys
data [issue 18]."""

from __future__ import annotations

import pytest
from textual.app import App

from node.i18n import _, use_language
from tests.tui.drive import press, settle
from tui.dialogs.confirm import ConfirmDialog


class _Host(App[None]):
    def __init__(self, dialog: ConfirmDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


@pytest.mark.parametrize(("destructive", "answer"), [(False, True), (True, None)])
async def test_enter_takes_the_asked_for_action_unless_it_destroys(destructive, answer):
    app = _Host(ConfirmDialog("?", "OK", destructive=destructive))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.focused is not None
        assert app.focused.id == ("cancel" if destructive else "save")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.answers == [answer]


@pytest.mark.parametrize(
    ("key", "answer"), [("д", True), ("н", None), ("y", True), ("n", None), ("escape", None)]
)
async def test_russian_letters_answer_as_they_read(key, answer):
    """In the Russian layout the y key types «н», which a Russian reader means as «нет»:
    «н» cancels even a harmless question, «д» («да») confirms."""
    app = _Host(ConfirmDialog("?", "OK", destructive=False))
    async with app.run_test() as pilot:
        await settle(pilot)
        await press(pilot, key)
        await settle(pilot)
        assert app.answers == [answer]


def test_the_russian_hint_names_the_russian_letters():
    with use_language("ru"):
        hint = _("y — {yes}, Esc — cancel")
    assert hint.startswith("д или y") and "н или Esc" in hint
