"""Benchmark: backups of a school database against plain baselines measured in the same run.

- end to end ``create_backup`` (snapshot, quick_check, encrypt, hash, fsync, manifest) beside
  a plain file copy of the same database (goal: at least half its throughput), and beside a
  copy that is fsynced as a backup must be;
- beside the floor of the work issue 8 requires, each step measured alone in the same run
  (online backup in one step, quick_check, SHA-256 of plaintext and ciphertext, raw
  ChaCha20-Poly1305, writing and flushing the output): ``backup_floor_s`` is the shortest
  time that work can take on the cores this process may use (``backup_floor_cores``: its
  affinity, not a fixed number), ``backup_vs_floor_ratio`` how close the backup comes
  to it, and ``backup_copy_ratio_at_floor`` the best copy ratio the required work allows;
- the age STREAM encryption beside raw ChaCha20-Poly1305 over the same 64 KiB chunks
  (goal: at least 0.8 of its speed);
- the longest commit a concurrent writer process sees while a backup runs (< 250 ms), beside
  the longest it sees with no backup running;
- restore (decrypt, match the manifest, integrity_check, swap) (< 10 s).
"""

from __future__ import annotations

import hashlib
import io
import json
import mmap
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from backup.age import encrypt, generate
from backup.age.stream import CHUNK
from backup.create import create_backup
from backup.keys import add_recipient
from backup.restore import restore
from backup.settings import backup_settings
from backup.snapshot import check_database, copy_database
from node.config import load_config
from tests.bench.figures import ratio, usable_cores

ROOT = Path(__file__).resolve().parents[2]
STREAM_BYTES = 128 * 1024 * 1024

#: A writer like a busy node: small transactions, each timed from BEGIN to COMMIT (the
#: lock wait, BEGIN IMMEDIATE alone, is what a backup could cause; the rest is the fsync).
WRITER = """
import json, sqlite3, sys, time
from pathlib import Path
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=wal")
conn.execute("PRAGMA synchronous=full")
conn.execute("CREATE TABLE IF NOT EXISTS bench_load (n INTEGER, pad TEXT)")
stop = Path(sys.argv[2])
print("ready", flush=True)
times, waits = [], []
while not stop.exists():
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    waits.append(time.perf_counter() - start)
    conn.execute("INSERT INTO bench_load VALUES (?, ?)", (len(times), "x" * 100))
    conn.execute("COMMIT")
    times.append(time.perf_counter() - start)
    time.sleep(0.002)
times.sort()
p99 = times[int(len(times) * 0.99)] if times else 0.0
print(json.dumps({"longest_s": times[-1] if times else 0.0, "p99_s": p99,
                  "lock_wait_s": max(waits, default=0.0), "commits": len(times)}), flush=True)
"""


def _timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _drop(path: Path) -> None:
    for p in path.parent.glob(path.name + "*"):
        p.unlink()


def _durable_copy(source: Path, target: Path) -> None:
    """A copy the way a backup must end: on disk (fsync), as ours is."""
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stream_vs_raw(repeats: int = 7) -> dict[str, float]:
    data = os.urandom(STREAM_BYTES)
    recipient = generate().recipient
    aead = ChaCha20Poly1305(os.urandom(32))

    def raw() -> None:  # the same 64 KiB reads from the same in-memory file, no STREAM
        source, n = io.BytesIO(data), 0
        while chunk := source.read(CHUNK):
            aead.encrypt(n.to_bytes(12, "big"), chunk, None)
            n += 1

    def stream() -> None:
        encrypt(io.BytesIO(data), [lambda _piece: None], [recipient])

    raws, streams = [], []
    for _ in range(repeats):
        raws.append(_timed(raw))
        streams.append(_timed(stream))
    raw_s, stream_s = statistics.median(raws), statistics.median(streams)
    return {
        "backup_stream_mb_s": round(STREAM_BYTES / stream_s / 1e6, 1),
        "backup_raw_chacha_mb_s": round(STREAM_BYTES / raw_s / 1e6, 1),
        "backup_stream_ratio": round(raw_s / stream_s, 3),
    }


def _required_steps(db_path: Path, work: Path, rounds: int = 2) -> dict[str, float]:
    """Each step of the work a backup must do, measured alone on the same database (s)."""
    copy = work / "floor-copy.db"
    out = work / "floor-out.bin"
    aead = ChaCha20Poly1305(os.urandom(32))
    sealed = memoryview(bytearray(CHUNK + 16))
    steps: dict[str, float] = {}

    def online_backup() -> None:
        copy.unlink(missing_ok=True)
        copy_database(db_path, copy)

    def on_view(action: Any) -> None:
        with copy.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
            view = memoryview(m)
            try:
                action(view)
            finally:
                view.release()

    def sha256(view: memoryview) -> None:
        digest = hashlib.sha256()
        for start in range(0, len(view), 32 << 20):
            digest.update(view[start : start + (32 << 20)])

    def chacha(view: memoryview) -> None:
        for n, start in enumerate(range(0, len(view), CHUNK)):
            chunk = view[start : start + CHUNK]
            aead.encrypt_into(n.to_bytes(12, "big"), chunk, None, sealed[: len(chunk) + 16])

    def write(view: memoryview) -> None:
        out.unlink(missing_ok=True)
        with out.open("wb") as handle:
            for start in range(0, len(view), 1 << 20):
                handle.write(view[start : start + (1 << 20)])

    def flush() -> None:
        fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    runs: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, action in (
            ("online_backup", online_backup),
            ("quick_check", lambda: check_database(copy)),
            ("sha256", lambda: on_view(sha256)),
            ("chacha20poly1305", lambda: on_view(chacha)),
            ("write", lambda: on_view(write)),
            ("fsync", flush),
        ):
            runs.setdefault(name, []).append(_timed(action))
    for name, times in runs.items():
        steps[name] = statistics.median(times)
    copy.unlink()
    out.unlink()
    return steps


def floor_figures(
    steps: dict[str, float], backup_s: float, copy_s: float, cores: int
) -> dict[str, float | None]:
    """The shortest time the required work can take on ``cores`` cores, and the ratios
    beside it.

    The snapshot comes first (one step; nothing else has anything to work on yet). Then the
    CPU work (quick_check, SHA-256 twice, ChaCha20, writing into the page cache) is shared by
    the cores, but no faster than its longest single-threaded part, nor than the disk's
    flush of the output (which overlaps the CPU work).
    """
    cpu = steps["quick_check"] + 2 * steps["sha256"] + steps["chacha20poly1305"] + steps["write"]
    longest = max(steps["quick_check"], steps["sha256"], steps["write"] + steps["fsync"])
    after = max(cpu / max(cores, 1), longest)
    floor = steps["online_backup"] + after
    serial = steps["online_backup"] + cpu + steps["fsync"]
    figures: dict[str, float | None] = {
        f"backup_step_{name}_s": round(value, 3) for name, value in steps.items()
    }
    return figures | {
        "backup_required_serial_s": round(serial, 3),
        "backup_floor_cores": cores,
        "backup_floor_s": round(floor, 3),
        "backup_vs_floor_ratio": ratio(floor, backup_s, 3),
        "backup_copy_ratio_at_floor": ratio(copy_s, floor, 3),
    }


def _writer(db: Path, work: Path, during: Any) -> tuple[dict[str, Any], Any]:
    stop = work / "stop-writer"
    stop.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(db), str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    child.stdout.readline()
    time.sleep(0.3)
    try:
        result = during()
    finally:
        stop.touch()
        report = json.loads(child.stdout.readline())
        child.wait()
        child.stdout.close()
    return report, result


def run(db_path: Path, work_dir: Path, repeats: int = 2, stream_repeats: int = 7) -> dict[str, Any]:
    """Back up a copy of ``db_path`` inside ``work_dir``; every figure beside its baseline
    (``repeats`` backups and steps, ``stream_repeats`` encryptions of the stream)."""
    node = work_dir / "backup-node"
    node.mkdir()
    size = db_path.stat().st_size
    copies, backups, cpus = [], [], []
    copy_target = work_dir / "plain-copy.db"
    shutil.copyfile(db_path, node / "ediary.db")  # warms the page cache for both
    settings = backup_settings(load_config(node))
    identity = generate()
    add_recipient(settings, str(identity.recipient), "bench")
    durable_copies = []
    for _ in range(repeats):
        copies.append(_timed(lambda: shutil.copyfile(db_path, copy_target)))
        copy_target.unlink()
        durable_copies.append(_timed(lambda: _durable_copy(db_path, copy_target)))
        copy_target.unlink()
        cpu = time.process_time()
        backups.append(_timed(lambda: create_backup(settings)))
        cpus.append(time.process_time() - cpu)
    copy_s, backup_s = statistics.median(copies), statistics.median(backups)
    durable_s = statistics.median(durable_copies)
    result: dict[str, Any] = {
        "backup_db_mb": round(size / 1e6, 1),
        "backup_s_median": round(backup_s, 3),
        "backup_plain_copy_s_median": round(copy_s, 3),
        "backup_mb_s": round(size / backup_s / 1e6, 1),
        "backup_copy_mb_s": round(size / copy_s / 1e6, 1),
        "backup_throughput_ratio": round(copy_s / backup_s, 3),
        "backup_plain_copy_fsync_s_median": round(durable_s, 3),
        "backup_throughput_ratio_vs_copy_fsync": round(durable_s / backup_s, 3),
        "backup_cpu_s_median": round(statistics.median(cpus), 3),
    }
    steps = _required_steps(db_path, work_dir, repeats)
    result.update(floor_figures(steps, backup_s, copy_s, usable_cores()))
    result.update(stream_vs_raw(stream_repeats))
    idle, _ = _writer(node / "ediary.db", work_dir, lambda: time.sleep(backup_s))
    busy, created = _writer(node / "ediary.db", work_dir, lambda: create_backup(settings))
    result.update(
        {
            "backup_writer_longest_commit_ms": round(busy["longest_s"] * 1000, 1),
            "backup_writer_p99_commit_ms": round(busy["p99_s"] * 1000, 1),
            "backup_writer_commits_during_backup": busy["commits"],
            "backup_writer_longest_lock_wait_ms": round(busy["lock_wait_s"] * 1000, 1),
            "backup_writer_idle_longest_commit_ms": round(idle["longest_s"] * 1000, 1),
            "backup_writer_idle_p99_commit_ms": round(idle["p99_s"] * 1000, 1),
        }
    )
    fresh = backup_settings(load_config(work_dir / "restored-node"))
    restore_s = _timed(lambda: restore(fresh, created.paths[0], [identity]))
    result["backup_restore_s"] = round(restore_s, 3)
    _drop(node / "ediary.db")
    return result


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(run(Path(sys.argv[1]), Path(work)), indent=2))
