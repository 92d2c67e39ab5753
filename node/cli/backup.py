"""``ediary backup``: keys, backups now and automatically, listing, checks, prune, restore."""

from __future__ import annotations

from pathlib import Path

import click

from backup.age import Identity
from backup.create import create_backup
from backup.keys import (
    add_recipient,
    create_identity_file,
    is_encrypted,
    load_identities,
    load_recipients,
    refuse_existing_identity,
)
from backup.restore import NodeFiles, check_before_restore
from backup.restore import restore as restore_backup
from backup.retention import prune as prune_backups
from backup.schedule import run_auto
from backup.settings import BackupSettings, backup_settings
from backup.store import Entry, list_backups, read_entry
from backup.verify import Contents, chain_problems, verify_entry
from node.cli.app import Context, print_table
from node.cli.translated import TranslatedGroup, TranslatedPath, argument, group, option
from node.errors import EdiaryError, StorageError, ValidationError
from node.i18n import N_, _, os_reason
from node.services.health.backup_status import read_backup_status, stale_warning


def _settings(obj: Context) -> BackupSettings:
    return backup_settings(obj.config)


def _passphrase(passphrase_file: Path | None, *, confirm: bool) -> str:
    """From ``--passphrase-file`` (first line), else asked on the terminal without echo."""
    if passphrase_file is not None:
        try:
            lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ValidationError(
                _("Cannot read the passphrase file {path}: {error}").format(
                    path=passphrase_file, error=os_reason(exc)
                )
            ) from exc
        if not lines or not lines[0]:
            raise ValidationError(
                _("The passphrase file {path} is empty.").format(path=passphrase_file)
            )
        return lines[0]
    return str(
        click.prompt(
            _("Passphrase of the identity file"),
            hide_input=True,
            confirmation_prompt=_("Repeat the passphrase") if confirm else False,
            err=True,
        )
    )


def _identities(identity: Path, passphrase_file: Path | None) -> list[Identity]:
    """The identities of ``identity``; its passphrase is asked for last, once everything
    else the command needs was found."""
    if not identity.is_file():
        raise ValidationError(_("There is no identity file at {path}.").format(path=identity))
    if is_encrypted(identity):
        return load_identities(identity, _passphrase(passphrase_file, confirm=False))
    return load_identities(identity, None)


passphrase_option = option(
    "--passphrase-file",
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("Read the passphrase from the first line of this file instead of asking."),
)


def warn_if_stale(settings: BackupSettings) -> None:
    """The warning of ``ediary status`` and ``backup list``, from the core's one reading."""
    status = read_backup_status(settings.data_dir)
    if status.stale:
        click.echo(stale_warning(status), err=True)


@group(help=N_("Encrypted backups of the database (age format)."))
def backup() -> None:
    pass


@backup.group(cls=TranslatedGroup, help=N_("The keys backups are encrypted to."))
def keys() -> None:
    pass


@keys.command("init", help=N_("Create the sysadmin's identity file and register its key."))
@option(
    "--identity",
    "identity",
    required=True,
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("Where to write the new identity file (keep it off this machine)."),
)
@passphrase_option
@click.pass_obj
def keys_init(obj: Context, identity: Path, passphrase_file: Path | None) -> None:
    settings = _settings(obj)
    refuse_existing_identity(identity)  # before the passphrase is asked twice
    passphrase = _passphrase(passphrase_file, confirm=True)
    created = create_identity_file(identity, passphrase)
    recipient = add_recipient(settings, str(created.recipient), f"identity {identity.name}")
    click.echo(_("Identity written to {path}.").format(path=identity))
    click.echo(_("Recipient registered on this node: {recipient}").format(recipient=recipient))
    click.echo(
        _(
            "Copy {path} to two safe places off this machine, remember the passphrase, then "
            "delete it here. Without both, backups cannot be restored."
        ).format(path=identity)
    )


@keys.command("add", help=N_("Register one more recipient (e.g. an offline break-glass key)."))
@argument("recipient")
@option("--label", default="", help=N_("A note kept beside the key."))
@click.pass_obj
def keys_add(obj: Context, recipient: str, label: str) -> None:
    added = add_recipient(_settings(obj), recipient, label)
    click.echo(_("Recipient registered on this node: {recipient}").format(recipient=added))


@keys.command("list", help=N_("Show the recipients backups are encrypted to."))
@click.pass_obj
def keys_list(obj: Context) -> None:
    found = load_recipients(_settings(obj))
    if not found:
        click.echo(_("No recipient yet: run 'ediary backup keys init --identity FILE'."))
    for recipient in found:
        click.echo(str(recipient))


def _report_created(paths: tuple[Path, ...], missing: tuple[Path, ...]) -> None:
    for path in paths:
        click.echo(_("Backup written: {path}").format(path=path))
    for folder in missing:
        click.echo(
            _("Warning: the destination {path} is not there (drive not mounted?).").format(
                path=folder
            ),
            err=True,
        )


@backup.command(help=N_("Back up the database now to every destination."))
@click.pass_obj
def now(obj: Context) -> None:
    created = create_backup(_settings(obj))
    _report_created(created.paths, created.missing)


@backup.command(help=N_("One run of the automatic policy (for a systemd timer or cron)."))
@click.pass_obj
def auto(obj: Context) -> None:
    run = run_auto(_settings(obj))
    if run.reason == "too-soon":
        click.echo(_("The last backup is recent enough; nothing to do."))
    elif run.reason == "unchanged":
        click.echo(_("The database has not changed since the last backup; nothing to do."))
    else:
        assert run.created is not None
        _report_created(run.created.paths, run.created.missing)
        for path in run.pruned:
            click.echo(_("Pruned: {path}").format(path=path))


def _row(entry: Entry) -> str:
    m = entry.manifest
    if m is None:
        return _("{name}  DAMAGED: {problem}").format(name=entry.path.name, problem=entry.problem)
    size = _("{size:.1f} MB").format(size=m.ciphertext_size / 1e6)
    return f"{m.sequence:>6}  {m.created}  {size:>10}  {m.kind:<8}  {entry.path}"


@backup.command("list", help=N_("List the backups in every destination (no secret needed)."))
@click.pass_obj
def list_(obj: Context) -> None:
    settings = _settings(obj)
    for folder in settings.destinations:
        entries = list_backups(folder)
        click.echo(
            _("{folder}: {n} backup(s)").format(folder=folder, n=len(entries))
            if folder.is_dir()
            else _("{folder}: not reachable").format(folder=folder)
        )
        for entry in entries:
            click.echo("  " + _row(entry))
    warn_if_stale(settings)


@backup.command(help=N_("Check backups: signature, hash chain, file hash; with --read-data, all."))
@argument("files", nargs=-1, type=TranslatedPath(dir_okay=False, path_type=Path))
@option("--all", "all_", is_flag=True, help=N_("Check every backup, not only the newest."))
@option("--read-data", is_flag=True, help=N_("Decrypt and check the database too (needs the key)."))
@option(
    "--identity",
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("Identity file, needed for --read-data."),
)
@passphrase_option
@click.pass_obj
def verify(
    obj: Context,
    files: tuple[Path, ...],
    all_: bool,
    read_data: bool,
    identity: Path | None,
    passphrase_file: Path | None,
) -> None:
    settings = _settings(obj)
    if read_data and identity is None:
        raise ValidationError(_("--read-data needs --identity FILE to decrypt the backups."))
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise ValidationError(
            _("There is no backup file at {path}.").format(path=", ".join(map(str, missing)))
        )
    identities = _identities(identity, passphrase_file) if read_data and identity else None
    problems: list[str] = []
    checked = 0
    groups = [[read_entry(f) for f in files]] if files else []
    if not files:
        for folder in settings.destinations:
            entries = list_backups(folder)
            problems += chain_problems(entries)
            groups.append(entries if all_ else entries[-1:])
    for entry in (e for listed in groups for e in listed):
        try:
            verified = verify_entry(settings, entry, identities)
        except EdiaryError as exc:
            problems.append(str(exc))
            click.echo(_("FAILED  {path}: {error}").format(path=entry.path, error=exc))
        else:
            checked += 1
            click.echo(_("ok      {path}").format(path=entry.path))
            if verified.contents is not None:
                click.echo("        " + _contents_line(verified.contents))
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise StorageError(
            _("{n} problem(s) found; {ok} backup(s) are fine.").format(n=len(problems), ok=checked)
        )
    if not checked:
        raise ValidationError(_("There is no backup to check yet: run 'ediary backup now'."))
    click.echo(_("{n} backup(s) verified.").format(n=checked))
    click.echo(_what_was_checked(read_data))


def _contents_line(contents: Contents) -> str:
    return _(
        "decrypted: {size}; the database opened and passed integrity_check; tables: {tables}, "
        "rows: {rows} (students: {students}, lessons: {lessons}, marks: {marks})."
    ).format(
        size=_("{size:.1f} MB").format(size=contents.size / 1e6),
        tables=contents.tables,
        rows=contents.rows,
        students=contents.students,
        lessons=contents.lessons,
        marks=contents.marks,
    )


def _what_was_checked(read_data: bool) -> str:
    """The two checks differ a lot: say which one ran."""
    if read_data:
        return _(
            "Checked: each backup's manifest signature and hash chain, each file read in full "
            "and decrypted with the key, its hash compared with the manifest, and the database "
            "inside opened and checked with SQLite's integrity_check (every page and index)."
        )
    return _(
        "Checked without the key: each backup's manifest signature, the hash chain and the "
        "file's hash. The contents were not decrypted: add --read-data --identity FILE to "
        "decrypt them and check the database inside too."
    )


@backup.command(help=N_("Delete old backups as the retention settings say."))
@click.pass_obj
def prune(obj: Context) -> None:
    removed = prune_backups(_settings(obj))
    for path in removed:
        click.echo(_("Pruned: {path}").format(path=path))
    click.echo(_("{n} backup(s) removed.").format(n=len(removed)))


@backup.command(help=N_("Restore the database from a backup file (verified first)."))
@argument("file", type=TranslatedPath(dir_okay=False, path_type=Path))
@option(
    "--identity",
    required=True,
    type=TranslatedPath(dir_okay=False, path_type=Path),
    help=N_("The identity file made by 'backup keys init' (or any age identity)."),
)
@option("--allow-older", is_flag=True, help=N_("Allow a backup older than the newest one seen."))
@passphrase_option
@click.pass_obj
def restore(
    obj: Context, file: Path, identity: Path, allow_older: bool, passphrase_file: Path | None
) -> None:
    settings = _settings(obj)
    check_before_restore(settings, file, allow_older=allow_older)  # before the passphrase
    identities = _identities(identity, passphrase_file)
    done = restore_backup(settings, file, identities, allow_older=allow_older)
    if not done.had_manifest:
        click.echo(
            _("Note: no manifest beside the file; the backup was checked by decryption alone."),
            err=True,
        )
    print_table(
        [
            (_("restored"), done.database),
            (_("backup number"), done.sequence),
            (_("made at"), done.created or "?"),
            (_("made on node"), done.node_id or "?"),
            (_("safety copy"), done.safety_copy or _("(none: there was no database)")),
        ]
    )
    click.echo(_("The database was restored and checked; run 'ediary status'."))
    _report_node_files(done.node_files, identities)


def _report_node_files(files: NodeFiles, identities: list[Identity]) -> None:
    """What the restore put back beside the database, and loudly what is still missing."""
    if files.put_back:
        click.echo(_("Put back from the backup: {files}.").format(files=", ".join(files.put_back)))
    if files.set_aside is not None:
        click.echo(
            _(
                "This node has its own settings; the backup's are in {path}: compare them and "
                "keep what the school needs."
            ).format(path=files.set_aside),
            err=True,
        )
    if files.no_recipient:
        command = f"ediary backup keys add {identities[0].recipient}"
        click.echo(
            _(
                "WARNING: no backup recipient is registered on this node, so no backup can be "
                "made (automatic backups fail). Register the key that opened this backup: {command}"
            ).format(command=command),
            err=True,
        )
