"""``ediary serve``: the appliance's long-running process — the web page and automatic backups.

The composition root may import both ``node.web`` and ``backup``: the web app knows nothing of
backups, and the backup policy nothing of the web. SIGTERM (systemd stop) and Ctrl+C stop the
server cleanly: aiohttp's runner stops accepting, lets running requests finish (a write in a
worker thread completes its transaction), then the backup loop is cancelled between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path

import click
from aiohttp import web

from backup.keys import load_recipients
from backup.schedule import run_auto
from backup.settings import BackupSettings, backup_settings
from node.cli import web_workers
from node.cli.app import Context
from node.cli.translated import TranslatedPath, command, option
from node.config import NodeConfig
from node.errors import Conflict, EdiaryError, StorageError, ValidationError
from node.i18n import N_, _, current_language, log_language, log_text, set_log_language
from node.models.database import open_database
from node.tls import (
    CERT_FILE,
    TLS_DIR,
    CertPaths,
    ensure_self_signed,
    fingerprint,
    server_ssl_context,
)
from node.web import keys
from node.web.app import create_app, make_runner
from node.web.limits import web_limits
from sync.hosting import chunk_size, start_sync
from sync.protocol import DEFAULT_SYNC_PORT

log = logging.getLogger("ediary.serve")

#: How often the backup policy is asked; it backs up only when its interval has passed.
BACKUP_CHECK_SECONDS = 5 * 60
ACCESS_LOG = '%a "%r" %s %b %Tfs'


def _backup_settings(config: NodeConfig) -> BackupSettings | None:
    """The backup settings, or None when no backup key is registered (nothing to run)."""
    settings = backup_settings(config)
    return settings if load_recipients(settings) else None


def _backup_once(settings: BackupSettings) -> str:
    run = run_auto(settings)
    if run.reason == "made" and run.created is not None:
        return log_text(N_("backup: made {copies} copies, pruned {pruned}")).format(
            copies=len(run.created.paths), pruned=len(run.pruned)
        )
    return log_text(_SKIPPED.get(run.reason, N_("backup: {reason}"))).format(reason=run.reason)


#: Why an automatic backup was not made, as the log says it.
_SKIPPED = {
    "unchanged": N_("backup: not needed, nothing changed since the last one"),
    "too-soon": N_("backup: not due yet"),
}


async def backup_loop(settings: BackupSettings, every: float = BACKUP_CHECK_SECONDS) -> None:
    """Run the automatic policy every few minutes off the event loop; one log line per run."""
    while True:
        try:
            log.info(await asyncio.to_thread(_backup_once, settings))
        except EdiaryError as exc:
            log.warning(log_text(N_("backup failed: {error}")).format(error=exc))
        except Exception:
            log.exception(log_text(N_("backup failed")))
        await asyncio.sleep(every)


def tls_paths(
    config: NodeConfig, host: str, cert: Path | None, key: Path | None
) -> tuple[CertPaths, bool]:
    """The certificate to serve: the school's own (``--cert/--key``) or the node's
    self-signed one, made at first use; and whether it was just made."""
    if cert is not None or key is not None:
        if cert is None or key is None:
            raise ValidationError(_("Give both --cert and --key, or neither."))
        for path in (cert, key):
            if not path.is_file():
                raise ValidationError(
                    _("There is no file {path}; check the path and try again.").format(path=path)
                )
        return CertPaths(cert=cert, key=key), False
    existed = (config.data_dir / TLS_DIR / CERT_FILE).exists()
    name = socket.gethostname()
    names = [host, name, f"{name}.local"]  # .local: the name the hub announces over mDNS
    return ensure_self_signed(config.data_dir, hostnames=names), not existed


def _start_helpers(
    config: NodeConfig, host: str, runner: web.AppRunner, tls: CertPaths | None, workers: int
) -> list[subprocess.Popen[bytes]]:
    """``workers - 1`` more processes serving the page on the port the main one bound."""
    if workers <= 1:
        return []
    port = runner.addresses[0][1]
    limits = runner.app[keys.LIMITS]
    spec = web_workers.WebSpec(
        database_path=str(config.database_path),
        host=host,
        port=port,
        access_log=ACCESS_LOG,
        header_seconds=limits.header_seconds,
        body_seconds=limits.body_seconds,
        cert=str(tls.cert) if tls else None,
        key=str(tls.key) if tls else None,
        log_language=log_language(),
        busy_timeout_seconds=config.busy_timeout_seconds,
    )
    log.info(log_text(N_("web page: {count} processes")).format(count=workers))
    return web_workers.start(spec, workers - 1)


def _port_taken(host: str, port: int) -> Conflict:
    return Conflict(
        _(
            "The port {port} on {host} is already in use: is 'ediary serve' already running? "
            "Stop it first, or choose another --port."
        ).format(host=host, port=port)
    )


def _refuse_if_taken(host: str, port: int) -> None:
    """Bind the address alone for a moment: fails if anything listens there already."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            probe.bind(address)


async def run_server(
    config: NodeConfig,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
    sync_port: int = 0,
    sync_cert: CertPaths | None = None,
    workers: int = 1,
    serving: Callable[[int], None] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT. ``port`` 0: the kernel picks a free one as it binds;
    ``serving`` is told the port once the page listens (the demo's page reports it so)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # first: a stop during start-up is clean too
        loop.add_signal_handler(sig, stop.set)
    limits = web_limits(config)
    app = create_app(config.database_path, secure_cookies=ssl_context is not None, limits=limits)
    runner = make_runner(app, access_log_format=ACCESS_LOG)
    await runner.setup()
    # several processes share the port only when asked to (SO_REUSEPORT, node/cli/web_workers)
    share = workers > 1 or None
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context, reuse_port=share)
    try:
        if share:
            _refuse_if_taken(host, port)  # SO_REUSEPORT would share it with a running serve
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise _port_taken(host, port) from exc
        raise StorageError(
            _("Cannot listen on {host}:{port}: {error}").format(host=host, port=port, error=exc)
        ) from exc
    port = runner.addresses[0][1]  # the real port, also when asked for port 0
    scheme = "https" if ssl_context is not None else "http"
    log.info(log_text(N_("serving on {address}")).format(address=f"{scheme}://{host}:{port}/"))
    if serving is not None:
        serving(port)
    settings = _backup_settings(config)
    if settings is None:
        log.info(
            log_text(N_("automatic backups: off (no backup key; see 'ediary backup keys init')"))
        )
        backups = None
    else:
        backups = asyncio.create_task(backup_loop(settings))
    sync = await start_sync(config, host, sync_port, port, sync_cert)  # hub, or laptop's sync
    helpers = _start_helpers(config, host, runner, sync_cert if ssl_context else None, workers)
    try:
        await stop.wait()
    finally:
        log.info(log_text(N_("stopping")))
        web_workers.terminate(helpers)  # they finish their running requests meanwhile
        if backups is not None:
            backups.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await backups
        await sync.stop()
        await runner.cleanup()
        await asyncio.to_thread(web_workers.wait, helpers)


@command(help=N_("Run the parent and student web page (and automatic backups)."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option("--port", default=8080, show_default=True, type=int, help=N_("Port to listen on."))
@option(
    "--tls",
    is_flag=True,
    help=N_("Serve HTTPS with the node's self-signed certificate (made at first use)."),
)
@option(
    "--cert",
    type=TranslatedPath(path_type=Path),
    help=N_("The school's own certificate file (PEM); implies --tls."),
)
@option(
    "--key", type=TranslatedPath(path_type=Path), help=N_("The private key file of --cert (PEM).")
)
@option(
    "--sync-port",
    default=DEFAULT_SYNC_PORT,
    show_default=True,
    type=int,
    help=N_("Port for laptops to sync over TLS, on the same address; 0 turns it off."),
)
@option(
    "--workers",
    type=click.IntRange(1, 64),
    default=web_workers.default_workers,
    help=N_("Processes serving the web page on the same port; one per core by default."),
)
@click.pass_obj
def serve(
    obj: Context,
    host: str,
    port: int,
    tls: bool,
    cert: Path | None,
    key: Path | None,
    sync_port: int,
    workers: int,
) -> None:
    open_database(obj.config.database_path).close()  # a clear error before listening
    chunk_size(obj.config)  # and for a wrong sync setting
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    set_log_language(current_language())
    context = None
    paths = None  # sync uses the web page's certificate when there is one
    if tls or cert is not None or key is not None:
        paths, made = tls_paths(obj.config, host, cert, key)
        try:
            context = server_ssl_context(paths.cert, paths.key)
        except (OSError, ssl.SSLError) as exc:
            raise ValidationError(
                _("Cannot use the certificate {cert} with the key {key}: {error}").format(
                    cert=paths.cert, key=paths.key, error=exc
                )
            ) from exc
        if made:
            click.echo(_("Made a self-signed certificate: {path}").format(path=paths.cert))
        click.echo(
            _(
                "Certificate fingerprint (SHA-256): {fingerprint}. People can compare it with "
                "the one their browser shows."
            ).format(fingerprint=fingerprint(paths.cert))
        )
    scheme = "https" if context is not None else "http"
    click.echo(
        _("Serving the web page on {scheme}://{host}:{port}/ (Ctrl+C stops).").format(
            scheme=scheme, host=host, port=port
        )
    )
    asyncio.run(run_server(obj.config, host, port, context, sync_port, paths, workers))
