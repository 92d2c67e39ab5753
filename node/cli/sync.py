"""``ediary pair``, ``join``, ``nodes`` and ``sync``: laptops working offline with the hub.

``pair`` and ``nodes`` run on the school server, as the machine's operator (like ``users``:
whoever runs them can read the database file anyway). ``join`` and ``sync`` run on the
laptop. See README "Laptops and sync".
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from node.cli.app import Context
from node.cli.translated import argument, command, group, option
from node.cli.users import opened, operator
from node.errors import Forbidden, NotFound, ValidationError
from node.i18n import N_, _
from node.identity import load_or_create_identity
from node.models import Meta, School, SyncPeer, db
from node.models.database import open_database
from node.services.access.logins import find_user
from node.services.base.history import NODE_ID_KEY
from node.services.replication import peers
from node.tls import fingerprint, read_served
from sync.client import HubAddress, fetch_fingerprint
from sync.discovery import FoundHub, discover
from sync.hosting import hub_identity
from sync.pairing import join_hub, same_fingerprint
from sync.protocol import DEFAULT_SYNC_PORT
from sync.runner import SyncReport, sync_once


def _time(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "—"  # type: ignore[attr-defined]


def _presented(obj: Context) -> tuple[str, str, int | None]:
    """(fingerprint laptops will see, which certificate it is, the sync port if running).

    The running server's record says what its sync port presents (``serve --cert``: the
    school's certificate); with no server running, the one it presented last time, read
    again from its file, is what it will present if started the same way; else the node's
    self-signed certificate."""
    served = read_served(obj.config.data_dir)
    if served is not None and served.running:
        port = int(served.address.rpartition(":")[2])
        if served.self_signed:
            what = _(
                "'ediary serve' is running; its sync port {address} presents this "
                "computer's own certificate."
            )
        else:
            what = _(
                "'ediary serve' is running; its sync port {address} presents the "
                "certificate {cert}."
            )
        return served.fingerprint, what.format(address=served.address, cert=served.cert), port
    if served is not None and not served.self_signed:
        try:
            current = fingerprint(Path(served.cert))
        except (OSError, ValueError):
            current = served.fingerprint
        what = _(
            "'ediary serve' is not running. Last time its sync port presented the certificate "
            "{cert}; started with the same --cert, it will present it again."
        ).format(cert=served.cert)
        return current, what, None
    what = _(
        "'ediary serve' is not running. Started without --cert, its sync port will present "
        "this computer's own certificate; started with --cert, run 'ediary pair' again once "
        "it runs."
    )
    return hub_identity(obj.config).fingerprint, what, None


@command(help=N_("Show a one-time code that pairs a teacher's laptop (valid 10 minutes)."))
@option("--user", "login", required=True, help=N_("Login of the laptop's user, e.g. ivanova."))
@click.pass_obj
def pair(obj: Context, login: str) -> None:
    with opened(obj):
        if peers.the_hub() is not None:
            raise ValidationError(
                _("This computer is a laptop paired with a school server; pair laptops there.")
            )
        user = find_user(login)
        seen, what, port = _presented(obj)
        issued = peers.issue_pairing_code(operator(), user.id)
    click.echo(
        _("Pairing code for {login} ({name}): {code}").format(
            login=issued.login, name=issued.full_name, code=issued.code
        )
    )
    click.echo(_("It works once, until {time}.").format(time=issued.expires_at.strftime("%H:%M")))
    click.echo(what)
    click.echo(
        _(
            "On the laptop run 'ediary join' (or 'ediary join ADDRESS:{port}'). It shows the "
            "server's certificate fingerprint; it must be exactly:"
        ).format(port=port or DEFAULT_SYNC_PORT)
    )
    click.echo(f"  {seen}")
    if port is None:
        click.echo(
            _(
                "The server must be running 'ediary serve --host ADDRESS' for the laptop to "
                "reach it."
            )
        )


def _ensure_can_join(obj: Context) -> None:
    hub = peers.the_hub()
    if hub is not None:
        raise ValidationError(
            _(
                "This computer is already paired with the school server at {address}. "
                "Use 'ediary sync'."
            ).format(address=hub.address)
        )
    if School.select().exists():
        raise ValidationError(
            _(
                "The data folder {folder} already holds a school. A laptop joins with an empty "
                "data folder: add --data-dir NEW_FOLDER."
            ).format(folder=obj.config.data_dir)
        )


def _choose(found: list[FoundHub]) -> FoundHub:
    if not found:
        raise NotFound(
            _(
                "No school server announced itself on this network. Give its address: "
                "'ediary join HOST:{port}'."
            ).format(port=DEFAULT_SYNC_PORT)
        )
    if len(found) == 1:
        return found[0]
    for number, hub in enumerate(found, 1):
        click.echo(f"{number}. {hub.name}  {hub.address}  {hub.node_id[:12]}")
    choice = click.prompt(_("Which school server?"), type=click.IntRange(1, len(found)))
    return found[choice - 1]


@command(help=N_("Pair this laptop with the school server, then fetch its data."))
@argument("address", required=False)
@option(
    "--fingerprint",
    "expected",
    help=N_("The server's certificate fingerprint, instead of confirming it (for scripts)."),
)
@click.pass_obj
def join(obj: Context, address: str | None, expected: str | None) -> None:
    database = open_database(obj.config.database_path, create=True)
    try:
        _ensure_can_join(obj)
        _key, node_id = load_or_create_identity(obj.config.identity_path)
        with db.atomic():
            if not Meta.get_value(NODE_ID_KEY):
                Meta.set_value(NODE_ID_KEY, node_id)
        announced = ""
        if address:
            target = HubAddress.parse(address)
        else:
            click.echo(_("Looking for the school server on this network…"))
            hub = _choose(discover())
            target, announced = hub.address, hub.fingerprint
        seen = fetch_fingerprint(target)
        if announced and not same_fingerprint(seen, announced):
            raise Forbidden(
                _(
                    "The server at {address} shows another certificate than it announced. "
                    "Do not pair; tell the system administrator."
                ).format(address=target)
            )
        click.echo(_("School server {address}, certificate fingerprint:").format(address=target))
        click.echo(f"  {seen}")
        if expected is not None:
            if not same_fingerprint(seen, expected):
                raise Forbidden(_("The fingerprint differs from the one given; not paired."))
        elif not click.confirm(
            _("Is it the same as the one 'ediary pair' shows on the server?"), default=False
        ):
            raise ValidationError(_("Not paired: the fingerprints must be the same."))
        code = click.prompt(_("Pairing code"))
        paired = asyncio.run(join_hub(obj.config.identity_path, target, seen, code))
        click.echo(
            _("Paired with the school server as {login} ({name}).").format(
                login=paired.hub.login, name=paired.full_name
            )
        )
        _sync_and_report(obj)
    finally:
        database.close()


class _Progress:
    """One updating line on a terminal, one line per stage elsewhere."""

    def __init__(self) -> None:
        self.interactive = sys.stderr.isatty()
        self.stage: str | None = None

    def __call__(self, stage: str, chunks: int, changes: int) -> None:
        line = _("{stage}: {chunks} parts, {changes} changes").format(
            stage=stage, chunks=chunks, changes=changes
        )
        if self.interactive:
            click.echo(f"\r{line}   ", nl=False, err=True)
        elif stage != self.stage:
            click.echo(f"{stage}…", err=True)
        self.stage = stage

    def done(self) -> None:
        if self.interactive and self.stage is not None:
            click.echo("", err=True)


def _sync_and_report(obj: Context) -> SyncReport:
    progress = _Progress()
    try:
        report = asyncio.run(sync_once(obj.config.identity_path, progress=progress))
    finally:
        progress.done()
    if report.bootstrapped:
        click.echo(
            _("Received the school's data for this laptop ({size} KB compressed).").format(
                size=max(report.pulled_bytes // 1024, 1)
            )
        )
    click.echo(
        _("Synced with the school server: {received} changes received, {sent} sent.").format(
            received=report.pulled, sent=report.pushed.applied
        )
    )
    if report.conflicts:
        click.echo(
            _(
                "Conflicting edits: {count}. The later one was kept, the other is in the "
                "conflicts log."
            ).format(count=report.conflicts)
        )
    if report.rejected:
        click.echo(
            _("The school server refused {count} of this laptop's changes:").format(
                count=len(report.rejected)
            ),
            err=True,
        )
        for item in report.rejected:
            click.echo(f"  - {item.what}: {item.reason}", err=True)
    return report


@command(name="sync", help=N_("Sync this laptop with the school server now."))
@click.pass_obj
def sync_now(obj: Context) -> None:
    with opened(obj):
        _sync_and_report(obj)


@group(help=N_("Paired laptops (on the server) or the hub (on a laptop)."))
def nodes() -> None:
    pass


def _status(peer: SyncPeer) -> str:
    if peer.revoked_at is not None:
        return _("revoked {time}").format(time=_time(peer.revoked_at))
    if peer.last_error:
        return _("error: {error}").format(error=peer.last_error)
    return _("ok")


@nodes.command(name="list", help=N_("List the paired nodes: id, user, when paired and synced."))
@click.pass_obj
def list_nodes(obj: Context) -> None:
    with opened(obj):
        rows = peers.list_peers(operator())
        if not rows:
            click.echo(_("No paired nodes. Pair a laptop with 'ediary pair --user LOGIN'."))
            return
        click.echo(
            _("node          role     user          paired            last sync         status")
        )
        for peer in rows:
            click.echo(
                f"{peer.node_id[:12]}  {peer.role:<7}  {peer.login:<12}  "
                f"{_time(peer.paired_at)}  {_time(peer.last_sync_at)}  {_status(peer)}"
            )


@nodes.command(help=N_("Revoke a paired node at once (the first digits of its id suffice)."))
@argument("node")
@click.pass_obj
def revoke(obj: Context, node: str) -> None:
    with opened(obj):
        peer = peers.revoke_peer(operator(), node)
    click.echo(
        _("Revoked {id} ({login}): it gets nothing from this server from now on.").format(
            id=peer.node_id[:12], login=peer.login
        )
    )
