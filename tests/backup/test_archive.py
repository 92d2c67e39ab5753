"""The year archive: a BagIt bag in one tar, checked by standard tools and by ediary."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import bagit
import pytest

from backup.archive.build import ArchiveWritten, write_year_archive
from backup.archive.verify import extract_archive, verify_archive
from backup.create import create_backup
from backup.errors import BackupDamaged
from backup.retention import prune
from backup.settings import BackupSettings, Retention
from backup.store import cleanup_orphans
from node.config import NodeConfig, load_config
from node.models import AcademicYear
from node.models.database import open_database
from node.services.base import clock
from node.services.base.actor import Actor
from node.services.demo import build_demo

HERE = Path(__file__).parent
NOW = dt.datetime(2027, 6, 5, 10, 0, tzinfo=dt.UTC)


def write_archive(config: NodeConfig, out: Path, **kwargs) -> ArchiveWritten:
    database = open_database(config.database_path)
    try:
        with clock.frozen_time(dt.date(2027, 6, 5)):
            year = AcademicYear.active()
            assert year is not None
            return write_year_archive(
                Actor.for_system(),
                year.id,
                out,
                database_path=config.database_path,
                identity_path=config.identity_path,
                now=NOW,
                **kwargs,
            )
    finally:
        database.close()


@pytest.fixture
def archive(node: NodeConfig, tmp_path: Path) -> Path:
    out = tmp_path / "records"
    out.mkdir()
    return write_archive(node, out).path


@pytest.fixture
def unpacked(archive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "unpacked"
    target.mkdir()
    return extract_archive(archive, target)


def test_the_bag_validates_with_the_bagit_package(unpacked: Path):
    bag = bagit.Bag(str(unpacked))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}


def test_sha256sum_and_the_readme_instructions_work(unpacked: Path):
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        run = subprocess.run(
            ["sha256sum", "--strict", "-c", manifest], cwd=unpacked, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr
    readme = (unpacked / "README.txt").read_text(encoding="utf-8")
    lines = readme.splitlines()
    first = next(i for i, line in enumerate(lines) if "python3 - <<'EOF'" in line) + 1
    last = next(i for i in range(first, len(lines)) if lines[i].strip() == "EOF")
    code = textwrap.dedent("\n".join(lines[first:last]))
    run = subprocess.run(
        [sys.executable, "-"], input=code, cwd=unpacked, capture_output=True, text=True
    )
    assert run.stdout.strip() == "OK", run.stderr
    if shutil.which("openssl"):
        command = (
            "openssl pkeyutl -verify -pubin -inkey node-public-key.pem -rawin "
            "-in tagmanifest-sha256.txt -sigfile tagmanifest-sha256.txt.sig"
        )
        assert "openssl pkeyutl -verify -pubin -inkey node-public-key.pem -rawin" in readme
        run = subprocess.run(command.split(), cwd=unpacked, capture_output=True, text=True)
        assert "Signature Verified Successfully" in run.stdout


def test_ediary_verifies_the_archive_without_a_database(node: NodeConfig, tmp_path: Path):
    written = write_archive(node, tmp_path)
    assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()
    assert written.size == written.path.stat().st_size
    found = verify_archive(written.path)
    assert found.payload_files > 5 and found.info["Ediary-Year"] == "2026/2027"


def _rewrite(archive: Path, change) -> Path:
    """A copy of the tar with ``change(name, data) -> data`` applied to every file."""
    target = archive.with_name("changed.tar")
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if data is not None:
                data = change(member.name, data)
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def test_a_changed_byte_is_detected(archive: Path):
    def flip(name: str, data: bytes) -> bytes:
        if name.endswith("data/index.html"):
            return data.replace(b"<h1>", b"<h2>", 1)
        return data

    with pytest.raises(BackupDamaged, match="does not match its SHA256 hash"):
        verify_archive(_rewrite(archive, flip))


def test_a_changed_byte_in_place_is_detected(archive: Path):
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("summary.csv"))
    raw = bytearray(archive.read_bytes())
    raw[member.offset_data + 10] ^= 1
    archive.write_bytes(bytes(raw))
    with pytest.raises(BackupDamaged, match="hash"):
        verify_archive(archive)


def test_a_changed_signature_is_detected(archive: Path):
    def forge(name: str, data: bytes) -> bytes:
        return bytes([data[0] ^ 1]) + data[1:] if name.endswith(".sig") else data

    with pytest.raises(BackupDamaged, match="signature"):
        verify_archive(_rewrite(archive, forge))


def test_a_rewritten_manifest_breaks_the_signature(archive: Path):
    def add_line(name: str, data: bytes) -> bytes:
        return (
            data + b"0" * 64 + b"  bagit.txt\n" if name.endswith("tagmanifest-sha256.txt") else data
        )

    with pytest.raises(BackupDamaged, match="signature"):
        verify_archive(_rewrite(archive, add_line))


def _evil_tar(path: Path, member: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w") as out:
        ok = tarfile.TarInfo("bag/bagit.txt")
        ok.size = 3
        out.addfile(ok, io.BytesIO(b"abc"))
        out.addfile(member, io.BytesIO(b"evil") if member.isfile() else None)
    return path


@pytest.mark.parametrize(
    "name", ["/tmp/evil.txt", "bag/../../evil.txt", "../evil.txt", "bag/a/../../../evil"]
)
def test_tar_slip_paths_are_refused(tmp_path: Path, name: str):
    member = tarfile.TarInfo(name)
    member.size = 4
    evil = _evil_tar(tmp_path / "evil.tar", member)
    target = tmp_path / "target"
    target.mkdir()
    for attempt in (lambda: verify_archive(evil), lambda: extract_archive(evil, target)):
        with pytest.raises(BackupDamaged, match="outside"):
            attempt()
    assert list(target.iterdir()) == [] and not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (tarfile.SYMTYPE, "../../../etc/passwd"),
        (tarfile.SYMTYPE, "/etc/passwd"),
        (tarfile.LNKTYPE, "../outside"),
    ],
)
def test_links_pointing_outside_are_refused(tmp_path: Path, kind: bytes, target: str):
    member = tarfile.TarInfo("bag/data/link")
    member.type = kind
    member.linkname = target
    evil = _evil_tar(tmp_path / "evil.tar", member)
    with pytest.raises(BackupDamaged, match="outside"):
        extract_archive(evil, tmp_path)


def test_a_failed_archive_leaves_nothing_behind(node: NodeConfig, tmp_path: Path, monkeypatch):
    out = tmp_path / "records"
    out.mkdir()

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("backup.snapshot.copy_connection", broken)
    with pytest.raises(OSError):
        write_archive(node, out)
    assert list(out.iterdir()) == []


def test_backup_retention_never_touches_year_archives(
    node: NodeConfig, settings: BackupSettings, identity, tmp_path: Path
):
    """Even written into the backups folder itself, among backups that are pruned."""
    folder = settings.destinations[0]
    folder.mkdir(parents=True, exist_ok=True)
    written = write_archive(node, folder)
    tight = BackupSettings(**{**settings.__dict__, "retention": Retention(1, 0, 0, 0)})
    for minute in range(3):
        create_backup(tight, now=dt.datetime(2027, 6, 5, 10, minute, tzinfo=dt.UTC))
    assert prune(tight)  # older backups were pruned…
    cleanup_orphans(folder)
    assert written.path.exists()  # …the year archive was not
    verify_archive(written.path)


def test_the_s_demo_archive_has_the_reviewed_structure(tmp_path: Path):
    """Compared with tests/backup/expected_archive_tree.txt (paths inside the bag)."""
    data_dir = tmp_path / "demo"
    path = data_dir / "ediary.db"
    build_demo(path, size="S", seed=1, today=dt.date(2027, 6, 5), node_id="demo-node")
    config = load_config(data_dir)
    out = tmp_path / "out"
    out.mkdir()
    written = write_archive(config, out)
    with tarfile.open(written.path) as tar:
        names = sorted(m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile())
    expected = (HERE / "expected_archive_tree.txt").read_text(encoding="utf-8").split()
    assert names == expected
    assert written.bag == "ediary-year-2026-2027-20270605T100000Z"


def test_worker_processes_write_the_same_files(node: NodeConfig, tmp_path: Path, monkeypatch):
    """A large school's classes are rendered by worker processes: same bag, same bytes."""
    alone, together = tmp_path / "alone", tmp_path / "together"
    alone.mkdir()
    together.mkdir()
    first = write_archive(node, alone)
    monkeypatch.setattr("backup.archive.build.PARALLEL_FROM", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    second = write_archive(node, together)

    def payload(path: Path) -> dict[str, bytes]:
        with tarfile.open(path) as tar:
            return {
                m.name: tar.extractfile(m).read()
                for m in tar.getmembers()
                if m.isfile() and "/data/" in m.name and not m.name.endswith(".sqlite3")
            }

    assert payload(first.path) == payload(second.path)


@pytest.mark.parametrize("workers", [False, True])
def test_a_write_during_the_archive_is_in_neither_its_pages_nor_its_copy(
    node: NodeConfig, tmp_path: Path, monkeypatch, workers: bool
):
    """Pages, reports and the database copy show one moment; teachers go on writing."""
    if workers:
        monkeypatch.setattr("backup.archive.build.PARALLEL_FROM", 1)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
    out = tmp_path / "records"
    out.mkdir()
    live = sqlite3.connect(node.database_path, timeout=10)
    lesson_id = live.execute("SELECT id FROM lesson ORDER BY date DESC LIMIT 1").fetchone()[0]
    typed: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage in ("Journals", "Reports") and not typed:  # after the copy was taken
            with live:
                live.execute(
                    "UPDATE lesson SET topic = 'Typed while archiving' WHERE id = ?", (lesson_id,)
                )
            typed.append(stage)

    written = write_archive(node, out, progress=progress)
    assert typed
    assert live.execute("SELECT topic FROM lesson WHERE id = ?", (lesson_id,)).fetchone() == (
        "Typed while archiving",
    )
    live.close()
    with tarfile.open(written.path) as tar:
        for member in tar.getmembers():
            if member.isfile():
                data = tar.extractfile(member).read()
                assert "Typed while archiving".encode() not in data, member.name


def test_the_class_teacher_ends_the_sentence_with_one_period(unpacked: Path):
    """«классный руководитель: Мельник А. А.» — the initial's period ends the sentence."""
    pages = [page.read_text() for page in unpacked.rglob("*.html")]
    said = [page for page in pages if "классный руководитель: " in page]
    assert said and not any(".." in page.split("классный руководитель: ")[1][:60] for page in said)
