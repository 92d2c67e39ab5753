"""Home: today's lessons, the teacher's journals, and what needs attention."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from node.i18n import N_, _
from node.services.base import clock
from node.services.gradebook.teacher_home import Home, teacher_home
from node.services.messaging.mail import unread_count
from node.services.replication.conflict_view import conflict_count
from tui.backend import Outcome
from tui.bindings import show_bindings, translate_bindings
from tui.screens.journal import JournalScreen, JournalTarget
from tui.screens.plan import PlanScreen
from tui.widgets.footer import Footer


def _day(day: object) -> str:
    return day.strftime("%d.%m") if hasattr(day, "strftime") else str(day)


class HomeScreen(Screen[None]):
    """The teacher's start page; Enter on any line opens the journal it is about."""

    BINDINGS = [
        Binding("q", "app.quit", N_("Quit"), show=False, id="quit-q"),
        Binding("r", "refresh", N_("Refresh"), id="refresh"),
        Binding("k", "plan", N_("Plan"), id="plan"),
        Binding("m", "mail", N_("Mail"), id="mail"),
        Binding("y", "conflicts", N_("Sync conflicts"), show=False, id="conflicts"),
        Binding("c", "my_class", N_("My class"), id="my-class"),
        Binding("a", "admin", N_("Administration"), show=False, id="admin"),
        Binding("s", "school", N_("School"), show=False, id="school"),
        Binding("tab", "app.focus_next", N_("Next list"), show=False),
    ]
    HELP_KEYS = [(N_("Enter"), N_("Open the journal of the line"))]

    @dataclass
    class Loaded(Message):
        outcome: Outcome[Home]
        unread: int = 0  # unread conversations in the user's mail
        conflicts: int = 0  # sync conflicts the user is concerned by

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self.targets: dict[str, JournalTarget] = {}
        self.class_targets: dict[str, str] = {}  # "Needs attention" lines about a class

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-top"):
            today = OptionList(id="today")
            today.border_title = _("Today")
            yield today
            journals = OptionList(id="journals")
            journals.border_title = _("My journals")
            yield journals
        attention = OptionList(id="attention")
        attention.border_title = _("Needs attention")
        yield attention
        yield Static("", id="status", classes="status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Home")
        self._offer_role_keys()
        self.query_one("#journals", OptionList).focus()
        self.load()

    def _offer_role_keys(self) -> None:
        """The footer offers the keys the user's roles open: `a` and `s` to the director and
        the deputies (the plan and Refresh step back into F1 to leave them room at 80
        columns), My class to those who lead a class. F1 lists every key."""
        from tui.screens.admin_screen import may_administer
        from tui.screens.school import may_view_school

        actor = self.app.backend.actor
        shown = {"my-class": "class_teacher" in actor.roles}
        if may_administer(actor) or may_view_school(actor):
            shown |= {
                "admin": may_administer(actor),
                # a class teacher's «c» leaves no room: School is on the administration's footer
                "school": may_view_school(actor) and not shown["my-class"],
                "plan": False,
                "refresh": False,
            }
        show_bindings(self, shown)
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        if self.targets:  # back from a journal: what needs attention may have changed
            self.load()

    def action_refresh(self) -> None:
        self.load()

    def action_mail(self) -> None:
        """The user's internal mail: inbox, conversations, new messages."""
        from tui.screens.mail import MailScreen

        self.app.push_screen(MailScreen())

    def action_conflicts(self) -> None:
        """The sync conflicts of the user's journals (the administration: all)."""
        from tui.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen())

    def action_admin(self) -> None:
        """Reports, final marks and backups for the administration and the sysadmin."""
        from tui.screens.admin_screen import AdminScreen, may_administer

        if may_administer(self.app.backend.actor):
            self.app.push_screen(AdminScreen())
            return
        status = self.query_one("#status", Static)
        status.update(
            _(
                "The administration screen is for the director, the deputies and the system "
                "administrator; your account has none of these roles."
            )
        )
        status.add_class("error")

    def action_school(self) -> None:
        """The school's structure: periods, holidays, bells, subjects, classes, load."""
        from tui.screens.school import SchoolScreen, may_view_school

        if may_view_school(self.app.backend.actor):
            self.app.push_screen(SchoolScreen())
            return
        status = self.query_one("#status", Static)
        status.update(
            _(
                "The School section is for the director, the deputies and the system "
                "administrator; your account has none of these roles."
            )
        )
        status.add_class("error")

    def action_my_class(self) -> None:
        """The class teacher's class (deputies and the director choose one)."""
        from tui.screens.class_list import ClassScreen

        self.app.push_screen(ClassScreen())

    def action_plan(self) -> None:
        """The thematic plan of the journal highlighted in the focused list."""
        focused = self.focused
        option_list = focused if isinstance(focused, OptionList) else None
        if option_list is None or option_list.highlighted is None:
            option_list = self.query_one("#journals", OptionList)
        if option_list.highlighted is None:
            return
        option = option_list.get_option_at_index(option_list.highlighted)
        target = self.targets.get(option.id or "")
        if target is not None:
            self.app.push_screen(PlanScreen(target.assignment_id))

    @work(thread=True, exclusive=True, group="home")
    def load(self) -> None:
        backend = self.app.backend
        actor = backend.actor
        outcome = backend.attempt(lambda: teacher_home(actor, clock.today()))
        unread = backend.attempt(unread_count, actor)
        conflicts = backend.attempt(conflict_count, actor)
        self.post_message(self.Loaded(outcome, unread.value or 0, conflicts.value or 0))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        status = self.query_one("#status", Static)
        home = message.outcome.value
        if home is None:
            status.update(message.outcome.error or "")
            status.add_class("error")
            return
        status.update("")
        status.remove_class("error")
        self.targets = {}
        self.class_targets = {}
        self.title = _("Home — {day}").format(day=home.today.strftime("%d.%m.%Y"))
        period_of = {j.assignment_id: j.period_id for j in home.journals}

        today = self.query_one("#today", OptionList)
        today.clear_options()
        for i, day_lesson in enumerate(home.lessons):
            key = f"lesson-{i}"
            lesson = day_lesson.lesson
            group = f" ({day_lesson.subgroup_name})" if day_lesson.subgroup_name else ""
            text = f"{lesson.number}. {day_lesson.starts} {day_lesson.class_label}{group} "
            text += day_lesson.subject_name
            if day_lesson.room:
                text += " " + _("room {room}").format(room=day_lesson.room)
            if day_lesson.covering_for:
                text += " — " + _("substituting for {teacher}").format(
                    teacher=day_lesson.covering_for
                )
            elif day_lesson.substitute:
                text += " — " + _("substitute: {teacher}").format(teacher=day_lesson.substitute)
            if day_lesson.is_cancelled:
                text += " — " + _("cancelled")
            today.add_option(Option(text, id=key))
            self.targets[key] = JournalTarget(lesson.assignment_id, None, lesson_id=lesson.id)
        if not home.lessons:
            today.add_option(Option(_("No lessons today."), disabled=True))

        journals = self.query_one("#journals", OptionList)
        journals.clear_options()
        for i, journal in enumerate(home.journals):
            key = f"journal-{i}"
            journals.add_option(Option(journal.label, id=key))
            self.targets[key] = JournalTarget(journal.assignment_id, journal.period_id)
        if not home.journals:
            journals.add_option(Option(_("You teach no classes this year."), disabled=True))

        attention = self.query_one("#attention", OptionList)
        attention.clear_options()
        if message.unread:
            text = _("{count} unread message(s) — press m to read").format(count=message.unread)
            attention.add_option(Option(text, id="mail"))
        if message.conflicts:
            text = _("{count} sync conflict(s) — press y to see them").format(
                count=message.conflicts
            )
            attention.add_option(Option(text, id="conflicts"))
        for i, due in enumerate(home.finals):
            key = f"final-{i}"
            if due.is_open:
                text = _(
                    "{journal}: final marks for {period} — {done} of {total} set, "
                    "{days} day(s) left (until {date})"
                ).format(
                    journal=due.journal,
                    period=due.period_name,
                    done=due.set_count,
                    total=due.students,
                    days=due.days_left,
                    date=_day(due.closes),
                )
            else:
                text = _("{journal}: final marks for {period} from {opens} to {date}").format(
                    journal=due.journal,
                    period=due.period_name,
                    opens=_day(due.opens),
                    date=_day(due.closes),
                )
            attention.add_option(Option(text, id=key))
            self.targets[key] = JournalTarget(due.assignment_id, due.period_id, finals=True)
        for i, few in enumerate(home.few_marks):
            key = f"few-{i}"
            text = _("{journal}: {count} student(s) with no or one mark: {names}").format(
                journal=few.journal, count=len(few.names), names=", ".join(few.names)
            )
            attention.add_option(Option(text, id=key))
            self.targets[key] = JournalTarget(few.assignment_id, few.period_id)
        for i, entry in enumerate(home.missing):
            key = f"missing-{i}"
            if entry.no_topic and entry.no_homework:
                what = _("no topic, no homework")
            elif entry.no_topic:
                what = _("no topic")
            else:
                what = _("no homework")
            text = f"{entry.journal} {_day(entry.date)}: {what}"
            attention.add_option(Option(text, id=key))
            self.targets[key] = JournalTarget(
                entry.assignment_id, period_of.get(entry.assignment_id), lesson_id=entry.lesson_id
            )
        for i, due in enumerate(home.profiles):
            key = f"profiles-{i}"
            text = _("{label}: {count} profile(s) not verified for 30 days: {names}").format(
                label=due.label, count=len(due.names), names=", ".join(due.names)
            )
            attention.add_option(Option(text, id=key))
            self.class_targets[key] = due.class_id
        if not attention.option_count:
            attention.add_option(Option(_("Nothing needs attention."), disabled=True))
        for option_list in (today, journals, attention):
            if option_list.option_count and option_list.highlighted is None:
                option_list.highlighted = 0

    @on(OptionList.OptionSelected)
    def open_journal(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "mail":
            self.action_mail()
            return
        if event.option.id == "conflicts":
            self.action_conflicts()
            return
        class_id = self.class_targets.get(event.option.id or "")
        if class_id is not None:
            from tui.screens.class_list import ClassScreen

            self.app.push_screen(ClassScreen(class_id))
            return
        target = self.targets.get(event.option.id or "")
        if target is not None:
            self.app.push_screen(JournalScreen(target))
