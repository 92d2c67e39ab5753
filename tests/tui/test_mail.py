"""Pilot tests of the mail screen: unread on home, inbox, a conversation, writing, replying,
asking for help, progress summaries, and a refused message that keeps its draft.

The demo teacher works in Russian, so the checks look at the database and the widgets'
state, not at words.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static, TextArea

from node.models import MailMessage, MailThread, User
from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.messaging import mail
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE
from tui.app import EdiaryApp
from tui.screens.home import HomeScreen
from tui.screens.mail import MailScreen, ThreadScreen
from tui.screens.mail_dialogs import ComposeDialog, ReplyDialog, SummariesDialog


def _parent_writes(demo_db: Path, subject: str) -> str:
    """The demo parent writes to their child's class teacher (the demo teacher)."""
    database = open_database(demo_db)
    try:
        parent = Actor.from_user(User.get(User.login == "parent"))
        teacher = User.get(User.login == "teacher")
        view = mail.send_message(parent, [mail.Recipient(mail.USER, teacher.id)], subject, "?")
        return view.thread_id
    finally:
        database.close()


async def _open_mail(pilot, app: EdiaryApp) -> OptionList:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "m")
    await settle(pilot)
    assert isinstance(app.screen, MailScreen)
    return app.screen.query_one("#inbox", OptionList)


async def test_home_shows_unread_messages_and_the_thread_opens_and_is_read(demo_db: Path):
    thread_id = _parent_writes(demo_db, "Домашнее задание")
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        first = attention.get_option_at_index(0)
        assert first.id == "mail" and "1" in str(first.prompt)
        attention.focus()
        attention.highlighted = 0
        await press(pilot, "enter")  # the unread line opens the mail too
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        inbox = app.screen.query_one("#inbox", OptionList)
        assert inbox.get_option_at_index(0).id == thread_id
        assert str(inbox.get_option_at_index(0).prompt).startswith("●")
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ThreadScreen)
        assert len(app.screen.query(".mail-message")) == 1
        await press(pilot, "r")
        await settle(pilot)
        assert isinstance(app.screen, ReplyDialog)
        app.screen.query_one("#body", TextArea).text = "Задача 5 на с. 40."
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ThreadScreen)
        assert len(app.screen.query(".mail-message")) == 2
        assert MailMessage.select().where(MailMessage.thread == thread_id).count() == 2
        await press(pilot, "escape")
        await settle(pilot)
        inbox = app.screen.query_one("#inbox", OptionList)
        assert not str(inbox.get_option_at_index(0).prompt).startswith("●")
        await press(pilot, "escape")
        await settle(pilot)
        attention = app.screen.query_one("#attention", OptionList)
        assert attention.get_option_at_index(0).id != "mail"


async def test_a_new_message_is_written_to_a_picked_recipient(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await _open_mail(pilot, app)
        await press(pilot, "n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ComposeDialog)
        assert dialog.choices
        group = dialog.choices[0]  # all parents of the teacher's class
        await press(pilot, "enter", "space")  # from the filter to the list; tick the first
        dialog.query_one("#subject", Input).value = "Собрание"
        dialog.query_one("#body", TextArea).text = "В пятницу в 18:00."
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        thread = MailThread.get(MailThread.subject == "Собрание")
        assert group.recipient.id in thread.groups
        assert thread.participants.count() > 1
        assert app.screen.query_one("#inbox", OptionList).get_option_at_index(0).id == thread.id


async def test_a_refused_message_reopens_with_its_draft_and_writes_nothing(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await _open_mail(pilot, app)
        await press(pilot, "n")
        await settle(pilot)
        app.screen.query_one("#subject", Input).value = "Без получателя"
        app.screen.query_one("#body", TextArea).text = "Текст"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ComposeDialog)
        assert dialog.error
        assert dialog.query_one("#subject", Input).value == "Без получателя"
        assert str(dialog.query_one(".status", Static).render()) == dialog.error
        assert MailThread.select().count() == 0
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)


async def test_asking_for_help_writes_to_the_system_administrators(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await _open_mail(pilot, app)
        await press(pilot, "h")
        await settle(pilot)
        assert isinstance(app.screen, ComposeDialog)
        assert not app.screen.query("#recipients")
        app.screen.query_one("#subject", Input).value = "Не печатается журнал"
        app.screen.query_one("#body", TextArea).text = "Принтер в 201 не отвечает."
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        thread = MailThread.get(MailThread.subject == "Не печатается журнал")
        assert thread.kind == "help"
        admin = User.get(User.login == "admin")
        assert admin.id in [p.user_id for p in thread.participants]


async def test_the_class_teacher_sends_progress_summaries(demo_db: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await _open_mail(pilot, app)
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, SummariesDialog)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        sent = MailThread.select().where(MailThread.kind == "summary").count()
        assert sent > 0
        assert str(sent) in str(app.screen.query_one("#status", Static).render())


async def test_a_teacher_who_leads_no_class_is_told_so(demo_db: Path):
    database = open_database(demo_db)
    try:
        subject_teacher = (
            User.select()
            .where(User.roles == "teacher", User.status == "active")
            .order_by(User.login)
            .first()
        )
    finally:
        database.close()
    app = EdiaryApp(demo_db, sign_in_as=(subject_teacher.login, PASSWORD))
    async with app.run_test(size=SIZE) as pilot:
        await _open_mail(pilot, app)
        await press(pilot, "s")
        await settle(pilot)
        assert isinstance(app.screen, MailScreen)
        assert app.screen.query_one("#status", Static).has_class("error")
