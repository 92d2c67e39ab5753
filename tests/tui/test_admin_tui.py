"""Pilot tests of the administration screen on the demo school, at 80×24.

The demo's people work in Russian, so the checks look at numbers, rows and state; every
number on screen is compared with the report service that computed it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import DataTable, Input, Static, TabbedContent

from backup.age import generate
from backup.create import create_backup
from backup.keys import add_recipient
from backup.schedule import run_auto
from backup.settings import backup_settings
from node.config import load_config
from node.models import FinalMark, FinalMarkUnlock, Period, User
from node.models.database import open_database
from node.services.base.actor import Actor
from node.services.reports import export
from node.services.reports.control import by_teacher, control_report, control_table
from node.services.reports.journal_problems import journal_problems
from node.services.reports.performance import performance_report
from tests.tui.drive import press, settle
from tests.tui.test_journal_tui import PASSWORD, SIZE, status
from tui.app import EdiaryApp
from tui.screens.admin_dialogs import UnlockDialog
from tui.screens.admin_screen import AdminScreen
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.journal import JournalScreen

TODAY = dt.date(2026, 11, 25)


def actor(login: str) -> Actor:
    return Actor.from_user(User.get(User.login == login))


def table(app: EdiaryApp, table_id: str) -> DataTable:
    return app.screen.query_one(f"#{table_id}", DataTable)


def column(grid: DataTable, index: int) -> list[str]:
    return [str(grid.get_row_at(i)[index]) for i in range(grid.row_count)]


async def open_admin(pilot, app: EdiaryApp) -> None:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await press(pilot, "a")
    await settle(pilot)
    assert isinstance(app.screen, AdminScreen)


async def test_a_teacher_is_told_the_screen_is_not_theirs(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert status(app).has_class("error")
        assert str(status(app).render())


async def test_control_drills_down_from_teachers_to_a_journal(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        period = Period.get(Period.name == "2 четверть")
        report = control_report(actor("director"), period.start, period.end)
        teachers = by_teacher(report)
        assert report.active_teachers == report.teachers  # the demo's teachers at work
        info = str(app.screen.query_one("#control-info", Static).render())
        assert f"{report.teachers} of {report.teachers}" in info
        grid = table(app, "control-table")
        assert column(grid, 0) == [t.teacher for t in teachers]
        assert column(grid, 1) == [str(t.lessons) for t in teachers]
        await press(pilot, "enter")  # the first teacher's journals
        await settle(pilot)
        journals = [r for r in report.rows if r.teacher_id == teachers[0].teacher_id]
        assert grid.row_count == len(journals)
        await press(pilot, "enter")  # the first journal's gaps
        await settle(pilot)
        problems = journal_problems(
            actor("director"), journals[0].assignment_id, period.start, period.end
        )
        assert grid.row_count == max(1, len(problems.lessons) + len(problems.students))
        assert sum(g.no_homework for g in problems.lessons) == (
            journals[0].lessons - journals[0].with_homework
        )
        await press(pilot, "enter")  # opens the journal on that lesson, for reading
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        assert app.screen.target.assignment_id == journals[0].assignment_id
        await press(pilot, "escape")
        await settle(pilot)
        for _level in range(2):
            await press(pilot, "escape")
            await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert grid.row_count == len(teachers)
        await press(pilot, "v")  # by class
        await settle(pilot)
        assert column(grid, 0) == ["7А"]
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_the_other_periods_and_dates_of_control(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("deputy", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        info = app.screen.query_one("#control-info", Static)
        assert "02.11.2026 – 25.11.2026" in str(info.render())
        await press(pilot, "right_square_bracket")  # the 3rd quarter has not begun: said, not done
        await settle(pilot)
        assert "02.11.2026 – 25.11.2026" in str(info.render())
        assert "11.01.2027" in str(status(app).render())
        await press(pilot, "left_square_bracket")  # the 1st quarter
        await settle(pilot)
        first = Period.get(Period.name == "1 четверть")
        assert first.start.strftime("%d.%m.%Y") in str(info.render())
        await press(pilot, "left_square_bracket")  # nothing earlier: said, not done
        await settle(pilot)
        assert first.start.strftime("%d.%m.%Y") in str(info.render())
        assert str(status(app).render())
        await press(pilot, "d")
        await settle(pilot)
        app.screen.query_one("#range-from", Input).value = "10.11.2026"
        app.screen.query_one("#range-to", Input).value = "bad"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#dialog-status", Static).has_class("error")
        app.screen.query_one("#range-to", Input).value = "20.11.2026"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert "10.11.2026 – 20.11.2026" in str(info.render())
        await press(pilot, "left_square_bracket")  # from chosen dates: the quarter before
        await settle(pilot)
        assert "02.11.2026 – 25.11.2026" in str(info.render())
        await press(pilot, "left_square_bracket", "right_square_bracket")  # back and forth
        await settle(pilot)
        assert "02.11.2026 – 25.11.2026" in str(info.render())


async def test_the_shown_report_is_exported_as_csv_and_html(demo_db: Path, tmp_path: Path):
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        await press(pilot, "e")
        await settle(pilot)
        (csv_file,) = (tmp_path / "reports").glob("control-*.csv")
        assert str(csv_file) in str(status(app).render())
        period = Period.get(Period.name == "2 четверть")
        expected = export.to_csv(
            control_table(control_report(actor("director"), period.start, period.end))
        )
        assert csv_file.read_bytes() == expected
        await press(pilot, "3")  # performance
        await settle(pilot)
        await press(pilot, "w")
        await settle(pilot)
        (html_file,) = (tmp_path / "reports").glob("performance-*.html")
        assert html_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        await press(pilot, "5")  # backups: nothing to export
        await settle(pilot)
        await press(pilot, "e")
        await settle(pilot)
        assert len(list((tmp_path / "reports").iterdir())) == 2


async def test_activity_and_performance_tabs_show_the_services_numbers(
    demo_db: Path, tmp_path: Path
):
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        await press(pilot, "2")
        await settle(pilot)
        grid = table(app, "activity-table")
        assert grid.row_count >= 2  # the director's role and the director, signed in now
        assert "director" in column(grid, 1)
        assert grid.max_scroll_x == 0  # every column readable at 80 columns, no sideways scroll
        await press(pilot, "3")
        await settle(pilot)
        first = Period.get(Period.name == "1 четверть")
        report = performance_report(actor("director"), first.id)
        grid = table(app, "performance-table")
        assert column(grid, 1) == [r.name for r in report.rows]
        assert column(grid, 2) == [str(r.students) for r in report.rows]
        chart = str(app.screen.query_one("#performance-chart", Static).render())
        assert "1 четверть" in chart
        await press(pilot, "right_square_bracket")  # the 2nd quarter, against the 1st
        await settle(pilot)
        info = str(app.screen.query_one("#performance-info", Static).render())
        assert "2 четверть" in info and "1 четверть" in info
        assert "2 четверть" in str(app.screen.query_one("#performance-chart", Static).render())
        await press(pilot, "right_square_bracket")  # the 3rd quarter has not begun: said, not done
        await settle(pilot)
        assert "2 четверть" in str(app.screen.query_one("#performance-info", Static).render())
        assert "11.01.2027" in str(status(app).render())


async def test_a_locked_final_mark_is_unlocked_with_a_reason(demo_db: Path, tmp_path: Path):
    open_database(demo_db).close()  # this test's copy, before the app opens it
    first = Period.get(Period.name == "1 четверть")
    missing = FinalMark.select().where(FinalMark.period == first).first()
    missing.delete_instance()
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        await press(pilot, "4")
        await settle(pilot)
        grid = table(app, "finals-table")
        assert grid.row_count == 1
        pane = app.screen.query_one("#finals")
        assert pane.rows[0].assignment_id == missing.assignment_id and pane.rows[0].is_locked
        await press(pilot, "u")
        await settle(pilot)
        assert isinstance(app.screen, UnlockDialog)
        await press(pilot, "ctrl+s")  # no reason: refused, nothing written
        await settle(pilot)
        assert isinstance(app.screen, UnlockDialog)
        assert FinalMarkUnlock.select().count() == 0
        app.screen.query_one("#unlock-reason", Input).value = "Ученик болел"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        unlock = FinalMarkUnlock.get()
        assert (unlock.assignment_id, unlock.reason) == (missing.assignment_id, "Ученик болел")
        assert not pane.rows[0].is_locked and pane.rows[0].is_open
        assert unlock.until.strftime("%d.%m.%Y") in str(status(app).render())
        await press(pilot, "u")  # not locked any more: said so
        await settle(pilot)
        assert isinstance(app.screen, AdminScreen)
        assert FinalMarkUnlock.select().count() == 1


async def test_the_sysadmin_sees_only_backups_with_the_status_figure(demo_db: Path, tmp_path: Path):
    (tmp_path / "backup_state.json").write_text(
        '{"verified_created": "2020-01-01T00:00:00Z", "destinations": ["/srv/b"],'
        ' "last_error": "disk full", "last_error_at": "2020-01-02T00:00:00Z"}',
        encoding="utf-8",
    )
    app = EdiaryApp(demo_db, sign_in_as=("admin", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        tabs = app.screen.query_one(TabbedContent)
        assert tabs.active == "tab-backups" and tabs.tab_count == 1
        warning = app.screen.query_one("#backups-warning", Static)
        assert warning.has_class("error")
        body = str(app.screen.query_one("#backups-body", Static).render())
        assert "/srv/b" in body and "disk full" in body and "01.01.2020" in body
        await press(pilot, "1")  # the reports are not the sysadmin's
        await settle(pilot)
        assert tabs.active == "tab-backups"
        assert str(status(app).render())
        await press(pilot, "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = [row[0] for row in app.screen.rows]
        for key in ("1", "5", "[", "]", "e", "w", "u", "d", "v", "o"):
            assert key in keys, key


async def backups_body(demo_db: Path, data_dir: Path) -> str:
    app = EdiaryApp(demo_db, sign_in_as=("admin", PASSWORD), data_dir=data_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        return str(app.screen.query_one("#backups-body", Static).render())


async def test_the_backups_tab_tells_no_automatic_run_from_a_clean_one(
    demo_db: Path, tmp_path: Path
):
    settings = backup_settings(load_config(tmp_path))
    add_recipient(settings, str(generate().recipient), "test")
    create_backup(settings)  # made by hand: no automatic run has happened
    body = await backups_body(demo_db, tmp_path)
    assert "No automatic backup has run yet" in body and "no error" not in body
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert run_auto(settings, now=later).reason in ("made", "unchanged")  # the UI wrote
    body = await backups_body(demo_db, tmp_path)
    when = later.strftime("%d.%m.%Y %H:%M UTC")
    assert f"The last automatic run ({when}) reported no error." in body


def footer_keys(app: EdiaryApp) -> set[str]:
    """The keys the footer shows on the current screen."""
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


async def test_the_footer_offers_each_role_the_keys_it_may_use(demo_db: Path, tmp_path: Path):
    """A deputy's morning starts from the footer: `a` and `s` on home, then `c` (the day's
    changes), `t` and `s` on the administration screen; the system administrator, who keeps
    only the backups and looks at the school, is offered no more; a teacher none of them."""
    expected = {
        "deputy": ({"a", "s"}, {"c", "t", "s"}),
        "admin": ({"a", "s"}, {"s"}),
    }
    for login, (on_home, on_admin) in expected.items():
        app = EdiaryApp(demo_db, sign_in_as=(login, PASSWORD), data_dir=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert on_home <= footer_keys(app), login
            assert "k" not in footer_keys(app)  # the plan is a teacher's (still in F1)
            await open_admin(pilot, app)
            shown = footer_keys(app) & {"c", "t", "s"}
            assert shown == on_admin, login
    app = EdiaryApp(demo_db, sign_in_as=("teacher", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:  # a class teacher
        await settle(pilot)
        assert not {"a", "s"} & footer_keys(app) and {"k", "c"} <= footer_keys(app)
    app = EdiaryApp(demo_db, sign_in_as=("abdullaev.fv", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:  # leads no class: no «c Мой класс»
        await settle(pilot)
        assert "k" in footer_keys(app) and not {"a", "s", "c"} & footer_keys(app)


async def test_the_activity_tab_counts_a_substitutes_lessons(demo_db: Path, tmp_path: Path):
    """Королёва takes one of Сорокина's physics lessons this month: her line says 1 under
    «Subst.» (substitutions), as journal control counts that lesson for her."""
    from node.errors import EdiaryError
    from node.models import Lesson, Subject, TeachingAssignment
    from node.services.school import substitutions

    open_database(demo_db)
    physics = TeachingAssignment.select().join(Subject).where(Subject.name == "Физика").get()
    koroleva = User.get(User.login == "koroleva.ei")
    lessons = Lesson.select().where(
        Lesson.assignment == physics,
        Lesson.date.between(dt.date(2026, 11, 1), dt.date(2026, 11, 25)),
        Lesson.status != "cancelled",
    )
    for lesson in lessons.order_by(Lesson.date.desc()):
        try:  # the first lesson she is free for
            substitutions.set_substitute(actor("deputy"), lesson.id, koroleva.id, "болезнь")
            break
        except EdiaryError:
            continue
    app = EdiaryApp(demo_db, sign_in_as=("director", PASSWORD), data_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, app)
        await press(pilot, "2")
        await settle(pilot)
        grid = table(app, "activity-table")
        titles = [str(c.label) for c in grid.columns.values()]
        index = titles.index("Subst.")
        logins = column(grid, 1)
        assert column(grid, index)[logins.index("koroleva.ei")] == "1"
