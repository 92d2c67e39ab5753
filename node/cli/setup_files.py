"""``ediary setup template | export | slips``: the set-up files going out, and the codes.

``template`` writes the empty workbook to fill in, ``export`` the school as it stands in
the same shape (the school's master file), ``slips`` the access codes of a class's students
and parents, or of the staff. Like ``ediary users`` they act as the node itself, for the
person at the server's shell (see ``node.cli.users``).

The files hold people's personal data (and the slips working codes), so they are written
readable by their owner only, in one step: never a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import click

from node import files
from node.cli.app import Context
from node.cli.translated import TranslatedPath, command, option
from node.cli.users import opened, operator
from node.errors import StorageError, ValidationError
from node.i18n import N_, _, ngettext, os_reason
from node.render.slips import slips_writer
from node.services.setup import codes, writer
from node.services.setup.export import SchoolRows, export_school

OUT_HELP = N_("An .xlsx file for one workbook, or a folder for one CSV file per sheet (CSV UTF-8).")


def write_private(path: Path, data: bytes) -> None:
    """Atomically and 0600 (``node.files``): the school's people are in it."""
    try:
        files.write_private(path, data)
    except OSError as exc:
        raise StorageError(
            _("Cannot write {path}: {reason}").format(path=path, reason=os_reason(exc))
        ) from None


def write_rows(out: Path, rows: SchoolRows, *, example: bool = False) -> list[Path]:
    """One workbook for ``*.xlsx``, else one CSV file per sheet in the folder ``out``."""
    if out.suffix.lower() == ".xlsx":
        if not out.parent.is_dir() and str(out.parent):
            raise ValidationError(
                _("The folder {folder} does not exist; choose where to write the file.").format(
                    folder=out.parent
                )
            )
        write_private(out, writer.workbook_bytes(rows, example=example))
        return [out]
    if out.suffix:
        raise ValidationError(
            _("Write to an .xlsx file or to a folder, not to «{name}».").format(name=out.name)
        )
    try:
        files.private_folder(out)
    except OSError as exc:
        raise StorageError(
            _("Cannot write {path}: {reason}").format(path=out, reason=os_reason(exc))
        ) from None
    written = []
    for name, data in writer.csv_files(rows).items():
        write_private(out / name, data)
        written.append(out / name)
    return written


def _where(paths: list[Path]) -> str:
    """What to give ``ediary setup import``: the workbook, or every CSV file of the folder."""
    return str(paths[0]) if len(paths) == 1 else str(paths[0].parent / "*.csv")


@command(help=N_("Write the empty set-up workbook: every sheet, its columns, an example."))
@option("--out", required=True, type=TranslatedPath(path_type=Path), help=OUT_HELP)
def template(out: Path) -> None:
    written = write_rows(out, writer.template_rows(), example=True)
    click.echo(
        _(
            "The template is in {path}. Fill in its sheets (the first one explains them), "
            "then check it: ediary setup import {path} --check"
        ).format(path=_where(written))
    )


@command(
    name="export",
    help=N_("Write the school as it is now, in the set-up format, to import again later."),
)
@option("--out", required=True, type=TranslatedPath(path_type=Path), help=OUT_HELP)
@option(
    "--year", "year_name", help=N_("The academic year, e.g. 2026/2027 (default: the active one).")
)
@click.pass_obj
def export_(obj: Context, out: Path, year_name: str | None) -> None:
    with opened(obj):
        rows = export_school(operator(), year_name=year_name)
    written = write_rows(out, rows)
    click.echo(
        _(
            "The year {year} is in {path}: {classes} classes, {students} students, "
            "{parents} parent rows, {staff} staff, {load} journals, {slots} lessons a week."
        ).format(
            year=rows["year"][0]["name"],
            path=_where(written),
            classes=len(rows["classes"]),
            students=len(rows["students"]),
            parents=len(rows["parents"]),
            staff=len(rows["staff"]),
            load=len(rows["load"]),
            slots=len(rows["timetable"]),
        )
    )


@command(help=N_("Access codes on printable slips: a class's students and parents, or the staff."))
@option("--class", "label", help=N_("The class, e.g. 5А: codes for its students and parents."))
@option("--staff", is_flag=True, help=N_("Codes for every staff account not yet in use."))
@option(
    "--out",
    required=True,
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("The HTML file of slips to print on A4."),
)
@option("--no-students", is_flag=True, help=N_("Only the parents of the class."))
@option("--no-parents", is_flag=True, help=N_("Only the students of the class."))
@option("--year", "year_name", help=N_("The academic year of the class (default: the active one)."))
@click.pass_obj
def slips(
    obj: Context,
    label: str | None,
    staff: bool,
    out: Path,
    no_students: bool,
    no_parents: bool,
    year_name: str | None,
) -> None:
    if bool(label) == staff:
        raise ValidationError(_("Say whose codes to print: --class 5А, or --staff."))
    if no_students and no_parents:
        raise ValidationError(_("--no-students and --no-parents together leave nobody."))
    write = slips_writer(out)
    with opened(obj):
        if staff:
            issued = codes.staff_slips(operator(), write)
        else:
            issued = codes.class_slips(
                operator(),
                label or "",
                write,
                year_name=year_name,
                with_students=not no_students,
                with_parents=not no_parents,
            )
    click.echo(
        ngettext(
            "A slip for {count} person is in {path}: print it on A4 and hand it over in person.",
            "Slips for {count} people are in {path}: print them on A4, cut along the dashed "
            "lines and hand each to its owner in person.",
            len(issued),
        ).format(count=len(issued), path=out)
    )
    click.echo(_("The file holds working codes: delete it once the slips are handed out."))
