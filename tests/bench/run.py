"""Run the benchmarks and print one JSON object of medians, ratios and goals.

    python -m tests.bench.run [--size L] [--today 2027-05-31] [--repeats N] [--out FILE]
                              [--only demo,grid,backup,reports,tui,year,sync,wire,conflicts,setup
                               | --skip backup] [--quick]
                              [--only web [--web-seconds 30]]

Every figure is measured against a baseline in the same run (absolute times drift on a
shared machine); the goals are those of docs/ARCHITECTURE.md §7 and issue 2, set for size L on a
2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.bench import bench_demo

#: goal name → (result key, limit, what it means)
GOALS: dict[str, tuple[str, float, str]] = {
    "demo_build_under_60_s": ("demo_build_s_median", 60.0, "demo --size L builds in < 60 s"),
    "demo_ratio_at_most_3": ("demo_ratio", 3.0, "within 3x of raw sqlite3 executemany"),
    "grid_under_20_ms": ("grid_load_ms_median", 20.0, "one journal grid loads in < 20 ms"),
    "grid_ratio_at_most_3": ("grid_ratio", 3.0, "within 3x of the equivalent raw SQL"),
    "backup_throughput_at_least_half_of_copy": (
        "backup_throughput_ratio",
        0.5,
        "end-to-end backup at least 0.5x the throughput of a plain file copy",
    ),
    "backup_stream_at_least_0_8_of_raw": (
        "backup_stream_ratio",
        0.8,
        "age STREAM encryption at least 0.8x raw ChaCha20-Poly1305",
    ),
    "backup_writer_stall_under_250_ms": (
        "backup_writer_longest_commit_ms",
        250.0,
        "a concurrent writer's longest commit during a backup < 250 ms",
    ),
    "backup_restore_under_10_s": (
        "backup_restore_s",
        10.0,
        "restore with integrity check < 10 s",
    ),
    "reports_control_under_1_s": (
        "reports_control_s_median",
        1.0,
        "the whole-school journal control report for a quarter < 1 s",
    ),
    "reports_control_ratio_at_most_2": (
        "reports_control_ratio",
        2.0,
        "control report within 2x of the same aggregate in raw SQL",
    ),
    "reports_performance_under_2_s": (
        "reports_performance_year_s_median",
        2.0,
        "the year's performance reports < 2 s",
    ),
    "reports_performance_ratio_at_most_2": (
        "reports_performance_ratio",
        2.0,
        "performance report within 2x of the same aggregate in raw SQL",
    ),
    "tui_open_under_200_ms": (
        "tui_open_grid_ms_median",
        200.0,
        "the TUI opens the biggest quarter journal grid in < 200 ms",
    ),
    "tui_mark_under_50_ms": (
        "tui_typed_mark_ms_median",
        50.0,
        "a mark typed in the TUI grid is in its cell in < 50 ms",
    ),
    "year_close_under_60_s": (
        "year_close_s",
        60.0,
        "closing the year (check, signed archive, roll-over) on L in < 60 s",
    ),
    "sync_bootstrap_school_at_least_20000_rows_s": (
        "sync_bootstrap_school_rows_s",
        20000.0,
        "a whole-school replica bootstraps at >= 20,000 rows/s",
    ),
    "sync_bootstrap_teacher_at_least_20000_rows_s": (
        "sync_bootstrap_teacher_rows_s",
        20000.0,
        "one teacher's replica bootstraps at >= 20,000 rows/s",
    ),
    "sync_500_changes_under_0_5_s": ("sync_500_changes_s", 0.5, "500 changes sync in < 0.5 s"),
    "sync_noop_under_0_1_s": ("sync_noop_s_median", 0.1, "a no-op sync takes < 0.1 s"),
    "wire_noop_under_0_1_s": (
        "wire_noop_s_median",
        0.1,
        "a no-op 'ediary sync' over TLS (sign-in, push check, pull) takes < 0.1 s",
    ),
    "sync_capture_ratio_at_most_2": (
        "sync_capture_ratio",
        2.0,
        "writes with change capture cost at most 2x the same writes without",
    ),
    "setup_check_ratio_at_most_3": (
        "setup_check_ratio",
        3.0,
        "checking an L-size set-up workbook within 3x of inserting its rows with raw sqlite3",
    ),
    "setup_import_ratio_at_most_3": (
        "setup_import_ratio",
        3.0,
        "importing an L-size set-up workbook within 3x of inserting its rows with raw sqlite3",
    ),
    "web_no_errors": ("web_week_errors", 1.0, "200 concurrent parents on the week page: no errors"),
    "web_p99_under_100_ms": (
        "web_week_paced_p99_ms",
        100.0,
        "the week page's 99th percentile with 200 parents asking at 1,500 requests/s < 100 ms",
    ),
    "web_paced_at_least_1500_rps": (
        "web_week_paced_rps",
        1500.0,
        "the paced run's 200 parents did ask for at least 1,500 requests/s",
    ),
    "web_paced_no_errors": (
        "web_week_paced_errors",
        1.0,
        "the paced run: no errors",
    ),
    "web_at_least_1500_rps": (
        "web_week_rps",
        1500.0,
        "the week page serves at least 1,500 requests/s to 200 concurrent parents",
    ),
}

#: Goals met by reaching at least the limit (the others must stay below it).
AT_LEAST = {
    "web_paced_at_least_1500_rps",
    "backup_throughput_at_least_half_of_copy",
    "backup_stream_at_least_0_8_of_raw",
    "web_at_least_1500_rps",
    "sync_bootstrap_school_at_least_20000_rows_s",
    "sync_bootstrap_teacher_at_least_20000_rows_s",
}
PARTS = (
    "demo",
    "grid",
    "backup",
    "reports",
    "tui",
    "year",
    "web",
    "sync",
    "wire",
    "conflicts",
    "setup",
)
#: Parts run only when named with --only: the web load test loads every core for a minute;
#: the wire test runs `ediary serve` and a laptop (as `--only wire`, beside sync's figures).
OPT_IN = {"web", "wire"}
#: Journal cells the sync part types through the service per round with ``--quick`` (each
#: one a committed transaction; 200 otherwise): enough to see that the capture part runs.
QUICK_SERVICE_CELLS = 20


def _once(quick: bool, **more: int) -> dict[str, int]:
    """A part's keyword arguments for ``--quick``: everything measured once."""
    return {"repeats": 1, **more} if quick else {}


def _grid(db_path: Path, repeats: int) -> dict[str, Any]:
    from tests.bench import bench_grid

    try:
        return dict(bench_grid.run(db_path, repeats=repeats))
    except Exception as exc:  # report it in the JSON rather than lose the demo figures
        return {"grid_error": f"{type(exc).__name__}: {exc}"}


def _tui(db_path: Path, today: dt.date, quick: bool) -> dict[str, Any]:
    from tests.bench import bench_tui

    try:
        return dict(bench_tui.run(db_path, today=today, **_once(quick)))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"tui_error": f"{type(exc).__name__}: {exc}"}


def _backup(db_path: Path, work: Path, quick: bool) -> dict[str, Any]:
    from tests.bench import bench_backup

    try:
        return dict(bench_backup.run(db_path, work, **_once(quick, stream_repeats=1)))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"backup_error": f"{type(exc).__name__}: {exc}"}


def _reports(db_path: Path, repeats: int) -> dict[str, Any]:
    from tests.bench import bench_reports

    try:
        return dict(bench_reports.run(db_path, repeats=repeats))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"reports_error": f"{type(exc).__name__}: {exc}"}


def _sync(db_path: Path, work: Path, quick: bool) -> dict[str, Any]:
    from tests.bench import bench_sync

    try:
        return dict(
            bench_sync.run(db_path, work, **_once(quick, service_cells=QUICK_SERVICE_CELLS))
        )
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"sync_error": f"{type(exc).__name__}: {exc}"}


def _conflicts(db_path: Path, work: Path, quick: bool) -> dict[str, Any]:
    from tests.bench import bench_conflicts

    try:
        return dict(bench_conflicts.run(db_path, work, **_once(quick)))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"conflicts_error": f"{type(exc).__name__}: {exc}"}


def _wire(db_path: Path, work: Path) -> dict[str, Any]:
    from tests.bench import bench_wire

    try:
        return dict(bench_wire.run(db_path, work))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"wire_error": f"{type(exc).__name__}: {exc}"}


def _year(db_path: Path, work: Path) -> dict[str, Any]:
    from tests.bench import bench_year

    try:
        return dict(bench_year.run(db_path, work))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"year_error": f"{type(exc).__name__}: {exc}"}


def _setup(db_path: Path, work: Path, repeats: int) -> dict[str, Any]:
    from tests.bench import bench_setup

    try:
        return dict(bench_setup.run(db_path, work, repeats=repeats))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"setup_error": f"{type(exc).__name__}: {exc}"}


def _web(db_path: Path, today: dt.date, seconds: int, work: Path) -> dict[str, Any]:
    from tests.bench import bench_web

    start = today - dt.timedelta(days=today.weekday() + 7)  # the last full week of lessons
    try:
        return dict(bench_web.run(db_path, start=start, seconds=seconds, work_dir=work))
    except Exception as exc:  # report it in the JSON rather than lose the other figures
        return {"web_error": f"{type(exc).__name__}: {exc}"}


def _goals(result: dict[str, Any], size: str, parts: set[str]) -> dict[str, Any]:
    goals: dict[str, Any] = {}
    for name, (key, limit, meaning) in GOALS.items():
        if name.split("_", 1)[0] not in parts:
            continue
        value = result.get(key)
        if name in AT_LEAST:
            target, passed = f">= {limit:g}", None if value is None else value >= limit
        elif "ratio" in name:
            target, passed = f"<= {limit:g}", None if value is None else value <= limit
        else:
            target, passed = f"< {limit:g}", None if value is None else value < limit
        goals[name] = {
            "key": key,
            "target": target,
            "value": value,
            "pass": passed,
            "meaning": meaning,
        }
    if size != "L":
        goals["note"] = "the targets are set for size L; this run used size " + size
    return goals


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--size", default="L", choices=["S", "M", "L"])
    parser.add_argument("--today", default="2027-05-31", type=dt.date.fromisoformat)
    parser.add_argument("--repeats", default=3, type=int, help="builds of the demo school")
    parser.add_argument("--grid-repeats", default=30, type=int, help="grid loads")
    parser.add_argument("--reports-repeats", default=5, type=int, help="report runs")
    parser.add_argument("--web-seconds", default=30, type=int, help="each web load run")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    parser.add_argument("--work-dir", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--only", help="comma-separated parts to run: " + ",".join(PARTS))
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="measure everything once (checks that every part runs; the figures mean little)",
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.quick:
        args.repeats = args.grid_repeats = args.reports_repeats = 1
    only = set(args.only.split(",")) if args.only else set(PARTS) - OPT_IN
    skip = set(filter(None, args.skip.split(",")))
    if (only | skip) - set(PARTS):
        parser.error("parts are: " + ", ".join(PARTS))
    parts = only - skip

    result: dict[str, Any] = {
        "size": args.size,
        "today": args.today.isoformat(),
        "repeats": args.repeats,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "quick": args.quick,
    }
    with tempfile.TemporaryDirectory(prefix="ediary-bench-", dir=args.work_dir) as work:
        # the demo database is what the other parts measure on, so it is always built
        demo, db_path = bench_demo.run(args.size, args.today, args.repeats, Path(work))
        if "demo" in parts:
            result.update(demo)
        if "grid" in parts:
            result.update(_grid(db_path, args.grid_repeats))
        if "backup" in parts:
            backup_work = Path(work) / "backup"
            backup_work.mkdir()
            result.update(_backup(db_path, backup_work, args.quick))
        if "reports" in parts:
            result.update(_reports(db_path, args.reports_repeats))
        if "tui" in parts:
            result.update(_tui(db_path, args.today, args.quick))
        if "sync" in parts:  # works on its own copies of the demo database
            sync_work = Path(work) / "sync"
            sync_work.mkdir()
            result.update(_sync(db_path, sync_work, args.quick))
        if "conflicts" in parts:  # home's count of sync conflicts, on its own copy
            result.update(_conflicts(db_path, Path(work), args.quick))
        if "wire" in parts:  # sync over TLS between `ediary serve` and a laptop
            wire_work = Path(work) / "wire"
            wire_work.mkdir()
            result.update(_wire(db_path, wire_work))
        if "setup" in parts:  # the demo's set-up, exported and imported into new nodes
            setup_work = Path(work) / "setup"
            setup_work.mkdir()
            result.update(_setup(db_path, setup_work, args.repeats))
        if "year" in parts:  # last: it works on its own copy, but takes the longest
            year_work = Path(work) / "year"
            year_work.mkdir()
            result.update(_year(db_path, year_work))
        if "web" in parts:
            result.update(_web(db_path, args.today, args.web_seconds, Path(work)))
    result["parts"] = sorted(parts)
    result["goals"] = _goals(result, args.size, parts)
    verdicts = [g["pass"] for g in result["goals"].values() if isinstance(g, dict)]
    # a part that failed (its ``*_error``) fails the run, whatever the goals say
    result["errors"] = sorted(key for key in result if key.endswith("_error"))
    result["pass"] = all(v is True for v in verdicts) and not result["errors"]
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
