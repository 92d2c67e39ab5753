"""``ediary setup``: a real school set up from its own files (year, classes, people, load,
timetable), checked first, imported in one transaction, and importable again.

Like ``ediary users``, these commands act as the node itself for the person at the server's
shell (see ``node.cli.users``): import is the sysadmin's start of the year, and it goes
through the same services, and the same rules, as every screen.
"""

from __future__ import annotations

from pathlib import Path

import click

from node.cli.app import Context, progress_printer
from node.cli.lazy import LazyGroup, Subcommand
from node.cli.translated import TranslatedPath, argument, command, group, option
from node.cli.users import opened, operator, show_codes
from node.errors import ValidationError
from node.i18n import N_, _, current_language, ngettext
from node.services.setup.report import SetupReport
from node.services.setup.run import check_setup, import_setup
from node.services.setup.sheets import sheet_of_kind

IMPORT_HELP = N_(
    "Bring in the school's .xlsx workbook or .csv files (one per sheet), then generate "
    "the year's lessons. Any problem stops it before anything is written; importing a "
    "corrected file again updates what changed."
)
#: ``ediary setup``'s commands, as ``node.cli.app.COMMANDS`` (``import`` needs neither
#: openpyxl nor Jinja2, which the files going out, in setup_files.py, do).
SETUP_COMMANDS = {
    "import": Subcommand("node.cli.setup:import_", IMPORT_HELP),
    "template": Subcommand(
        "node.cli.setup_files:template",
        N_("Write the empty set-up workbook: every sheet, its columns, an example."),
    ),
    "export": Subcommand(
        "node.cli.setup_files:export_",
        N_("Write the school as it is now, in the set-up format, to import again later."),
    ),
    "slips": Subcommand(
        "node.cli.setup_files:slips",
        N_("Access codes on printable slips: a class's students and parents, or the staff."),
    ),
}


@group(
    cls=LazyGroup,
    subcommands=SETUP_COMMANDS,
    help=N_(
        "Set the school up from its own files: year, periods, holidays, bells, subjects, "
        "classes, staff, students and parents, subgroups, teaching load and timetable."
    ),
)
def setup() -> None:
    pass


def _outcomes(report: SetupReport) -> None:
    for kind, counts in report.counts.items():
        if not counts.total:
            continue
        click.echo(
            _(
                "{sheet}: {created} new, {updated} updated, {unchanged} unchanged, "
                "{left} left as they were"
            ).format(
                sheet=sheet_of_kind(kind).title(current_language()),
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                left=counts.left,
            )
        )


def _teachers(report: SetupReport) -> None:
    for load in report.teachers:
        journals = ngettext("{count} journal", "{count} journals", load.journals).format(
            count=load.journals
        )
        lessons = ngettext("{count} lesson", "{count} lessons", load.lessons).format(
            count=load.lessons
        )
        click.echo(
            _("{login}  {name}: {journals}, {lessons}").format(
                login=load.login, name=load.name, journals=journals, lessons=lessons
            )
        )


@command(name="import", help=IMPORT_HELP)
@argument("files", nargs=-1, required=True, type=TranslatedPath(dir_okay=False, path_type=Path))
@option("--check", is_flag=True, help=N_("Only check the files and list every problem."))
@click.pass_obj
def import_(obj: Context, files: tuple[Path, ...], check: bool) -> None:
    with opened(obj):
        report = (check_setup if check else import_setup)(
            operator(), list(files), progress=progress_printer()
        )
    for note in report.notes:
        click.echo(note)
    if report.problems:
        for problem in report.problems:
            click.echo(str(problem))
        raise ValidationError(
            ngettext(
                "{count} problem found; nothing was written. Correct the files and run the "
                "command again.",
                "{count} problems found; nothing was written. Correct the files and run the "
                "command again.",
                len(report.problems),
            ).format(count=len(report.problems))
        )
    if check:
        click.echo(_("The files have no problems. Nothing was written; importing them would:"))
    _outcomes(report)
    if report.lessons_created:
        click.echo(
            ngettext(
                "{count} lesson generated from the timetable.",
                "{count} lessons generated from the timetable.",
                report.lessons_created,
            ).format(count=report.lessons_created)
        )
    _teachers(report)
    if report.codes:
        show_codes(report.codes, None)
