"""Benchmark: closing the school year on a demo school (goal for size L: < 60 s).

On a copy of the demo database (closing changes it): ``check_year``, the archive (every
journal's page and CSV, the summary sheets, the year's reports, a database snapshot, the
signed bag packed in one tar) and the roll-over, each timed once. The baseline, measured
in the same run, is what any archive must at least do: copy the database file and hash
the copy with SHA-256 and SHA-512.

The clock is pinned to the day after the year ends, as when a director closes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from backup.archive.build import write_year_archive
from node.identity import load_or_create_identity
from node.models import AcademicYear
from node.models.database import open_database
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.year_end.check import check_year
from node.services.year_end.rollover import next_year_defaults, rollover


def _baseline(db_path: Path, work: Path) -> float:
    started = time.perf_counter()
    copy = work / "baseline.db"
    shutil.copyfile(db_path, copy)
    digests = [hashlib.sha256(), hashlib.sha512()]
    with copy.open("rb") as handle:
        while block := handle.read(1 << 20):
            for digest in digests:
                digest.update(block)
    elapsed = time.perf_counter() - started
    copy.unlink()
    return elapsed


def run(db_path: Path, work: Path) -> dict[str, Any]:
    database_path = work / "year.db"
    shutil.copyfile(db_path, database_path)
    out = work / "archives"
    out.mkdir()
    key_path = work / "node_key.pem"
    load_or_create_identity(key_path)
    baseline = _baseline(db_path, work)
    database = open_database(database_path)
    actor = Actor.for_system()
    stages: list[tuple[str, float]] = []
    try:
        year = AcademicYear.active()
        assert year is not None
        with clock.frozen_time(year.end + dt.timedelta(days=1)):
            started = time.perf_counter()
            found = check_year(actor, year.id)
            checked = time.perf_counter()
            written = write_year_archive(
                actor,
                year.id,
                out,
                database_path=database_path,
                identity_path=key_path,
                progress=lambda stage, done, total: stages.append((stage, time.perf_counter())),
            )
            archived = time.perf_counter()
            name, start, end = next_year_defaults(year)
            done = rollover(actor, year.id, name, start, end)
            rolled = time.perf_counter()
    finally:
        database.close()
    first_at: dict[str, float] = {}
    for stage, at in stages:
        first_at.setdefault(stage, at)
    stage_s = {}
    names = list(first_at)
    for i, stage in enumerate(names):
        end_at = first_at[names[i + 1]] if i + 1 < len(names) else archived
        stage_s[stage] = round(end_at - first_at[stage], 2)
    total = rolled - started
    return {
        "year_journals": written.journals,
        "year_check_gaps": len(found.missing_finals) + len(found.lessons_without_topic),
        "year_check_s": round(checked - started, 2),
        "year_archive_s": round(archived - checked, 2),
        "year_archive_stages_s": stage_s,
        "year_archive_mb": round(written.size / 1e6, 1),
        "year_rollover_s": round(rolled - archived, 2),
        "year_students_promoted": done.students_promoted,
        "year_close_s": round(total, 2),
        "year_baseline_copy_hash_s": round(baseline, 2),
        "year_ratio": round(total / baseline, 1) if baseline else None,
    }


if __name__ == "__main__":  # python -m tests.bench.bench_year DB
    with tempfile.TemporaryDirectory(prefix="ediary-bench-year-") as scratch:
        print(json.dumps(run(Path(sys.argv[1]), Path(scratch)), indent=2, ensure_ascii=False))
