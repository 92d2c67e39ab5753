"""The ediary terminal UI: sign in, see the day, keep the journal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import ThemeProvider

from node.i18n import N_, _, set_language
from node.services.access import auth
from node.services.base.permissions import Action, allowed
from tui.backend import Backend
from tui.bindings import key_display, latin_key, translate_bindings
from tui.palette import EdiaryCommandPalette
from tui.screens.help import HelpScreen
from tui.screens.signin import SignInScreen

#: How often the background job (a laptop's sync, given by ``ediary tui``) runs.
BACKGROUND_SECONDS = 60


class EdiaryApp(App[None]):
    """One teacher's session. ``sign_in_as`` (login, password) fills and submits the
    sign-in form at start — the demo uses it; it still goes through ``auth.sign_in``."""

    CSS_PATH = "app.tcss"
    TITLE = "ediary"
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="help", tooltip=N_("Every key of this screen")),
        Binding("question_mark", "help", N_("Help"), show=False),
        Binding("ctrl+q", "quit", N_("Quit"), id="quit", priority=True),
        # Textual's own palette key would say «palette»: this one is in the catalog.
        Binding(
            App.COMMAND_PALETTE_BINDING,
            "command_palette",
            N_("Commands"),
            show=False,
            priority=True,
            tooltip=N_("Every command of the program, found by typing"),
        ),
    ]

    def __init__(
        self,
        database_path: Path | str,
        *,
        sign_in_as: tuple[str, str] | None = None,
        data_dir: Path | str | None = None,
        background: Callable[[], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.background = background
        self.background_status = ""
        self.background_started = False
        translate_bindings(self)
        self.backend = Backend(database_path, data_dir)
        self.sign_in_as = sign_in_as

    def on_mount(self) -> None:
        self.push_screen(SignInScreen(prefill=self.sign_in_as))

    def signed_in(self, session: auth.SignedIn) -> None:
        """Switch to the user's language and go home (called by the sign-in screen)."""
        from tui.screens.home import HomeScreen

        self.backend.session = session
        self.backend.language = session.actor.language
        set_language(session.actor.language)
        self._show_background(self.background_status)
        if self.background is not None and not self.background_started:
            self.background_started = True  # the database is open from here on
            self.set_interval(BACKGROUND_SECONDS, self._run_background)
            self._run_background()
        self.switch_screen(HomeScreen())

    @work(thread=True, exclusive=True, group="background")
    def _run_background(self) -> None:
        """Run the background job off the UI; its status line goes into the header."""
        if self.background is None:
            return
        outcome = self.backend.attempt(self.background)
        self.call_from_thread(self._show_background, outcome.value or outcome.error or "")

    def _show_background(self, status: str) -> None:
        self.background_status = status
        session = self.backend.session
        login = session.actor.login if session is not None else ""
        self.sub_title = " · ".join(part for part in (login, status) if part)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        set_language(self.backend.language)  # the app's own task still has the old one
        self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        self._sign_out_and_exit()

    @work(thread=True, exclusive=True, group="session")
    def _sign_out_and_exit(self) -> None:
        session, self.backend.session = self.backend.session, None
        if session is not None:
            self.backend.attempt(auth.sign_out, session.token)
        self.call_from_thread(self.exit)

    async def on_key(self, event: events.Key) -> None:
        """A key no widget took (an Input, a search, the journal's marks keep their letters):
        a letter of the Russian layout fires the binding of the same key in the US one, so
        «н» does what ``y`` does. A binding of the Cyrillic letter itself would win."""
        latin = latin_key(event.key)
        if latin is None:
            return
        bindings = self.screen.active_bindings
        active = bindings.get(latin)
        if event.key in bindings or active is None or not active.enabled:
            return  # Textual's own lookup (after this handler) takes it as it came
        event.prevent_default()
        await self.run_action(active.binding.action, active.node)

    def get_key_display(self, binding: Binding) -> str:
        return key_display(binding)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            set_language(self.backend.language)
            self.push_screen(EdiaryCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        set_language(self.backend.language)
        self.push_screen(
            EdiaryCommandPalette(providers=[ThemeProvider], placeholder=_("Search for a theme…"))
        )

    def save_picture(self) -> None:
        """Save the screen as an SVG picture in the current folder and say where."""
        try:
            path = self.save_screenshot()
        except OSError as error:
            self.notify(
                _("The picture of the screen was not saved: {error}").format(error=error),
                severity="error",
            )
        else:
            self.notify(_("The picture of the screen is saved: {path}").format(path=path))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands in the user's words (its «Keys» panel is left out: F1 lists
        the keys in the user's language), then ediary's."""
        yield SystemCommand(_("Theme"), _("Change the program's colours"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Sign out and close the program"), self.action_quit)
        if screen.maximized is not None:
            yield SystemCommand(
                _("Restore"), _("Return the widened part to its place"), screen.action_minimize
            )
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(
                _("Widen"), _("Widen the part in focus to the whole screen"), screen.action_maximize
            )
        yield SystemCommand(
            _("Picture of the screen"),
            _("Save this screen as an SVG picture in the current folder"),
            lambda: self.set_timer(0.1, self.save_picture),
        )
        yield SystemCommand(_("Help"), _("Every key of this screen"), self.action_help)
        if self.backend.session is not None:
            yield SystemCommand(_("Home"), _("Today's lessons and journals"), self.go_home)
            if allowed(self.backend.actor, Action.SUBSTITUTION_MANAGE):
                yield SystemCommand(
                    _("The day's changes"),
                    _("Substitutes, moved and cancelled lessons of a day"),
                    self.day_changes,
                )
            if allowed(self.backend.actor, Action.SCHOOL_VIEW):
                yield SystemCommand(
                    _("School"),
                    _("Periods, holidays, bells, subjects, classes and the teaching load"),
                    self.school,
                )
            if allowed(self.backend.actor, Action.SCHOOL_MANAGE):
                yield SystemCommand(
                    _("Academic year"),
                    _("The year's name and dates; a new year when there is none"),
                    self.academic_year,
                )
                yield SystemCommand(
                    _("Timetable"),
                    _("A class's or a teacher's week; lessons follow it from a date"),
                    self.timetable,
                )

    def school(self) -> None:
        from tui.screens.school import SchoolScreen

        set_language(self.backend.language)
        if not isinstance(self.screen, SchoolScreen):
            self.push_screen(SchoolScreen())

    def academic_year(self) -> None:
        """The School section with the academic year's form open."""
        from tui.screens.school import SchoolScreen

        set_language(self.backend.language)
        if isinstance(self.screen, SchoolScreen):
            self.screen.action_year()
        else:
            self.push_screen(SchoolScreen(year_form=True))

    def day_changes(self) -> None:
        from tui.screens.day_changes import DayChangesScreen

        set_language(self.backend.language)
        if not isinstance(self.screen, DayChangesScreen):
            self.push_screen(DayChangesScreen())

    def timetable(self) -> None:
        from tui.screens.timetable import TimetableScreen

        set_language(self.backend.language)
        if not isinstance(self.screen, TimetableScreen):
            self.push_screen(TimetableScreen())

    def go_home(self) -> None:
        from tui.screens.home import HomeScreen

        set_language(self.backend.language)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.switch_screen(HomeScreen())
