"""``ediary serve``: the appliance's long-running process — the web page and automatic backups.

The composition root may import both ``node.web`` and ``backup``: the web app knows nothing of
backups, and the backup policy nothing of the web. SIGTERM (systemd stop) and Ctrl+C stop the
server cleanly: aiohttp's runner stops accepting, lets running requests finish (a write in a
worker thread completes its transaction), then the backup loop is cancelled between runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import click
from aiohttp import web

from backup.keys import load_recipients
from backup.schedule import run_auto
from backup.settings import BackupSettings, backup_settings
from node.cli.app import Context, cli
from node.cli.translated import option
from node.config import NodeConfig
from node.errors import EdiaryError
from node.i18n import N_, _
from node.models.database import open_database
from node.web.app import create_app

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
        return f"backup: made {len(run.created.paths)} copies, pruned {len(run.pruned)}"
    return f"backup: {run.reason}"


async def backup_loop(settings: BackupSettings, every: float = BACKUP_CHECK_SECONDS) -> None:
    """Run the automatic policy every few minutes off the event loop; one log line per run."""
    while True:
        try:
            log.info(await asyncio.to_thread(_backup_once, settings))
        except EdiaryError as exc:
            log.warning("backup failed: %s", exc)
        except Exception:
            log.exception("backup failed")
        await asyncio.sleep(every)


async def run_server(config: NodeConfig, host: str, port: int) -> None:
    app = create_app(config.database_path)
    runner = web.AppRunner(app, access_log_format=ACCESS_LOG)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("serving on http://%s:%d/", host, port)
    settings = _backup_settings(config)
    if settings is None:
        log.info("automatic backups: off (no backup key; see 'ediary backup keys init')")
        backups = None
    else:
        backups = asyncio.create_task(backup_loop(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        if backups is not None:
            backups.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await backups
        await runner.cleanup()


@cli.command(help=N_("Run the parent and student web page (and automatic backups)."))
@option("--host", default="127.0.0.1", show_default=True, help=N_("Address to listen on."))
@option("--port", default=8080, show_default=True, type=int, help=N_("Port to listen on."))
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    open_database(obj.config.database_path).close()  # a clear error before listening
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(
        _("Serving the web page on http://{host}:{port}/ (Ctrl+C stops).").format(
            host=host, port=port
        )
    )
    asyncio.run(run_server(obj.config, host, port))
