"""``ediary year``: check, close (archive + roll-over), confirm the next year, verify an
archive [R 6.3]. Runs as the node operator, like ``ediary report`` and ``ediary users``:
whoever can run it can already read the database file.

``close`` writes the archive first (atomically: it appears complete or not at all) and
only then rolls over in one transaction, so a failure in between leaves the year open and
a complete archive that can simply be written again.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import click

from backup.archive.build import write_year_archive
from backup.archive.verify import extract_archive, verify_archive
from backup.keys import is_encrypted, load_recipients
from backup.settings import backup_settings
from backup.verify import decrypt_to_file
from node.cli.app import Context, parse_date, print_table, progress_printer
from node.cli.backup import _identities, passphrase_option
from node.cli.translated import TranslatedPath, argument, group, option
from node.cli.users import opened, operator
from node.errors import Conflict, ValidationError
from node.files import make_tree_private, private_folder
from node.i18n import N_, _
from node.models import AcademicYear
from node.services.year_end.check import YearCheck, check_year
from node.services.year_end.journals import year_of
from node.services.year_end.rollover import (
    check_rollover,
    confirm_year,
    next_year_defaults,
    rollover,
)

year_option = option(
    "--year", "year_name", metavar="NAME", help=N_("The academic year (default: the active one).")
)


@group(help=N_("Close the school year: check, archive, roll over."))
def year() -> None:
    pass


def show_check(found: YearCheck) -> None:
    if found.runs_until is not None:
        click.echo(
            _("The year {name} runs until {date}: its last period has not ended yet.").format(
                name=found.year_name, date=found.runs_until.strftime("%d.%m.%Y")
            )
        )
    if found.is_clear:
        click.echo(_("Nothing blocks closing {name}.").format(name=found.year_name))
        return
    if found.missing_finals:
        click.echo(_("Missing final marks (teacher, class, subject, period: students):"))
        teacher = None
        for row in sorted(found.missing_finals, key=lambda r: r.teacher):
            if row.teacher != teacher:
                teacher = row.teacher
                click.echo(f"  {teacher}")
            click.echo(f"    {row.class_label}  {row.subject}  {row.period}: {row.students}")
    if found.lessons_without_topic:
        click.echo(_("Lessons without a topic (teacher, class, subject: lessons):"))
        for gap in found.lessons_without_topic:
            click.echo(f"  {gap.teacher}  {gap.class_label}  {gap.subject}: {gap.lessons}")
    if found.unverified_profiles:
        click.echo(_("Profiles not checked by the class teacher this month (class: students):"))
        for due in found.unverified_profiles:
            click.echo(f"  {due.class_label}: {', '.join(due.students)}")


@year.command("check", help=N_("List what blocks closing the year."))
@year_option
@click.pass_obj
def check(obj: Context, year_name: str | None) -> int:
    with opened(obj):
        found = check_year(operator(), year_of(year_name).id)
    show_check(found)
    return 0 if found.is_clear else 1


def _next_year(
    current: AcademicYear, name: str | None, start: str | None, end: str | None
) -> tuple[str, dt.date, dt.date]:
    """The next year's name and dates: as given, else one year on from ``current``."""
    try:
        default_name, first, last = next_year_defaults(current)
    except ValidationError:
        if not (name and start and end):
            raise
        default_name, first, last = "", current.start, current.end
    day_one, day_last = parse_date(start) or first, parse_date(end) or last
    return name or default_name, day_one, day_last


def _grades(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise ValidationError(
            _("«{value}» is not a list of grades: write e.g. 11 or 9,11.").format(value=text)
        ) from None


@year.command(
    "close",
    help=N_(
        "Write the signed archive of the year, then close it and roll over into the next "
        "year (classes promoted, graduates leave; timetable copied as a draft)."
    ),
)
@year_option
@option(
    "--out",
    required=True,
    type=TranslatedPath(file_okay=False, path_type=Path),
    help=N_("The folder to write the archive to (a records-office drive, not the backups)."),
)
@option("--encrypt", is_flag=True, help=N_("Encrypt the archive to the backup recipients (age)."))
@option("--force", is_flag=True, help=N_("Close even though 'year check' lists gaps."))
@option(
    "--yes",
    is_flag=True,
    help=N_("Do not ask before closing a year whose last period has not ended (for scripts)."),
)
@option("--next-name", metavar="NAME", help=N_("The next year's name (default: one more)."))
@option("--next-start", metavar="DATE", help=N_("Its first day (default: a year later)."))
@option("--next-end", metavar="DATE", help=N_("Its last day (default: a year later)."))
@option(
    "--graduating",
    default="11",
    show_default=True,
    metavar="GRADES",
    help=N_("Grades that leave the school, e.g. 11 or 9,11."),
)
@click.pass_obj
def close(
    obj: Context,
    year_name: str | None,
    out: Path,
    encrypt: bool,
    force: bool,
    yes: bool,
    next_name: str | None,
    next_start: str | None,
    next_end: str | None,
    graduating: str,
) -> None:
    if not out.is_dir():
        raise ValidationError(
            _("The folder {folder} does not exist; choose where to write the archive.").format(
                folder=out
            )
        )
    settings = backup_settings(obj.config)
    recipients = load_recipients(settings) if encrypt else []
    if encrypt and not recipients:
        raise ValidationError(
            _("No backup recipient is registered to encrypt to: run 'ediary backup keys init'.")
        )
    grades = _grades(graduating)
    actor = operator()
    with opened(obj):
        current = year_of(year_name)
        found = check_year(actor, current.id)
        if not found.is_clear and not force:
            show_check(found)
            raise Conflict(
                _(
                    "The year {name} is not ready to close (see above). Fill in the gaps, or "
                    "close anyway with --force."
                ).format(name=current.name)
            )
        name, start, end = _next_year(current, next_name, next_start, next_end)
        check_rollover(actor, current.id, name, start, end, graduating_grades=grades)
        if found.runs_until is not None and not yes:  # asked last: the input is checked
            _confirm_early(found.year_name, found.runs_until)
        written = write_year_archive(
            actor,
            current.id,
            out,
            database_path=obj.config.database_path,
            identity_path=obj.config.identity_path,
            recipients=recipients,
            progress=progress_printer(),
        )
        click.echo(
            _("Archive written: {path} ({size} MB, {journals} journals).").format(
                path=written.path, size=round(written.size / 1e6, 1), journals=written.journals
            )
        )
        click.echo(f"SHA-256 {written.sha256}")
        done = rollover(actor, current.id, name, start, end, graduating_grades=grades)
    print_table(
        [
            (_("closed"), done.closed_year.name),
            (_("next year (draft)"), f"{done.new_year.name} {start} – {end}"),
            (_("classes promoted"), done.classes_promoted),
            (_("classes graduated"), done.classes_graduated),
            (_("students promoted"), done.students_promoted),
            (_("students graduated"), done.students_graduated),
            (_("journals copied"), done.assignments),
            (_("timetable slots copied"), done.slots),
        ]
    )
    click.echo(
        _(
            "Review the next year's classes, teachers and timetable, then run "
            "'ediary year confirm' to make it active and generate its lessons."
        )
    )


def _confirm_early(name: str, until: dt.date) -> None:
    """Closing a running year cannot be undone: a person says yes, a script says --yes."""
    day = until.strftime("%d.%m.%Y")
    if not sys.stdin.isatty():
        raise ValidationError(
            _(
                "The year {name} runs until {date}: its last period has not ended, and closing "
                "it cannot be undone. Run 'ediary year close' on a terminal to confirm, or add "
                "--yes if you really mean to close it now."
            ).format(name=name, date=day)
        )
    question = _(
        "The year {name} runs until {date}: its last period has not ended. Close it now "
        "anyway? This cannot be undone"
    ).format(name=name, date=day)
    if not click.confirm(question, default=False, err=True):
        raise click.Abort()


@year.command("confirm", help=N_("Make the draft next year active and generate its lessons."))
@option(
    "--year",
    "year_name",
    metavar="NAME",
    help=N_("The draft year to confirm (default: the draft next year made by 'year close')."),
)
@click.pass_obj
def confirm(obj: Context, year_name: str | None) -> None:
    with opened(obj):
        if year_name:
            target = year_of(year_name)
        else:
            target = (
                AcademicYear.select()
                .where(AcademicYear.status == "draft")
                .order_by(AcademicYear.start)
                .first()
            )
            if target is None:
                raise ValidationError(_("There is no draft year to confirm."))
        result = confirm_year(operator(), target.id)
        click.echo(
            _("The year {name} is active; {count} lessons generated.").format(
                name=target.name, count=result.created
            )
        )


@year.command("verify", help=N_("Check a year archive's signature and every hash (no database)."))
@argument("archive", type=TranslatedPath(exists=True, dir_okay=False, path_type=Path))
@option(
    "--identity",
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("Identity file to decrypt an encrypted (.age) archive."),
)
@passphrase_option
@option(
    "--extract",
    type=TranslatedPath(file_okay=False, path_type=Path),
    help=N_("After checking, unpack the archive into this folder."),
)
def verify(
    archive: Path, identity: Path | None, passphrase_file: Path | None, extract: Path | None
) -> None:
    with tempfile.TemporaryDirectory(prefix="ediary-year-verify-") as scratch:
        tar = archive
        if is_encrypted(archive):
            if identity is None:
                raise ValidationError(
                    _("The archive is encrypted: give the identity file with --identity.")
                )
            tar = Path(scratch) / "archive.tar"
            decrypt_to_file(archive, _identities(identity, passphrase_file), tar)
        found = verify_archive(tar)
        click.echo(
            _(
                "The archive {name} is intact: {files} files, {size} MB, all SHA-256 and "
                "SHA-512 hashes match, signed by the node {node}."
            ).format(
                name=found.bag,
                files=found.payload_files,
                size=round(found.payload_bytes / 1e6, 1),
                node=found.node_id,
            )
        )
        if extract is not None:
            private_folder(extract)
            unpacked = extract_archive(tar, extract)
            make_tree_private(unpacked)  # the journals name children: 0600, like every export
            click.echo(_("Unpacked to {path}.").format(path=unpacked))
