"""Writing the archive of a school year: pages and CSV per journal and class, the year's
reports, a final database snapshot, the signed bag, one tar file — published atomically.

Everything is built in a hidden folder beside the target and packed into a hidden temp
file, which is renamed into place only when complete (fsync first), so a crash or an error
leaves no file that looks like an archive. With recipients the tar is age-encrypted (the
backup recipients), for storage; the plain one is never written to the target folder.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import tarfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from backup import snapshot, store
from backup.age import Recipient, encrypt
from backup.archive.bag import COPY_SIZE, BagWriter
from backup.background import Background
from backup.hashing import BackgroundHash
from node.errors import ValidationError
from node.i18n import N_, _, current_language, gettext, set_language, use_language
from node.identity import load_or_create_identity
from node.models import School, db
from node.models.base import make_database
from node.render import archive as pages
from node.render.report import to_html
from node.services.access.logins import translit
from node.services.base.actor import Actor
from node.services.reports.export import to_csv
from node.services.year_end import journals as year_journals
from node.services.year_end.reports import year_reports

Progress = Callable[[str, int, int], None]
#: Archive files start so; backup retention only ever touches ``ediary-<timestamp>-…``
#: backups and its own temp files, so a year archive is never pruned, wherever it lies.
PREFIX = "ediary-year-"
TEMP_PREFIX = ".year-archive-"


@dataclass(frozen=True)
class ArchiveWritten:
    path: Path
    bag: str
    journals: int
    payload_files: int
    payload_bytes: int
    size: int
    sha256: str
    encrypted: bool


def slug(text: str) -> str:
    """ASCII file-name part: «Русский язык (гр. 1)» → "russkiy-yazyk-gr-1"."""
    words = (translit(word) for word in re.split(r"[\s_\-()./,«»]+", text))
    return "-".join(w for w in words if w) or "x"


def class_slug(grade: int, letter: str) -> str:
    return f"{grade:02d}{slug(letter)}"


def archive_name(year_name: str, created: dt.datetime) -> str:
    return f"{PREFIX}{slug(year_name)}-{created:%Y%m%dT%H%M%SZ}"


def _readme(year: year_journals.YearContents, bag: str, node_id: str) -> str:
    return README_TEXT.format(school=year.school, year=year.name, bag=bag, node=node_id)


#: Kept in English and Russian both: the file must make sense to whoever opens it in years.
README_TEXT = """\
{school}
Archive of the school year {year} / Архив учебного года {year}
Node / узел: {node}

WHAT IS HERE / ЧТО ЗДЕСЬ
  data/index.html          contents: journals, summary sheets, reports (open in a browser)
                           оглавление: журналы, сводные ведомости, отчёты (открыть в браузере)
  data/classes/            per class: summary.html and one page per journal
  data/csv/                the same data as CSV (UTF-8, ";", opens in Excel)
  data/reports/            control, performance and activity reports (HTML and CSV)
  data/database/           the final copy of the database (SQLite 3)

HOW TO CHECK IT / КАК ПРОВЕРИТЬ
This folder is a BagIt bag (RFC 8493). In this folder ({bag}):

1. Every file is unchanged / все файлы не изменены:
     sha256sum -c manifest-sha256.txt
     sha256sum -c tagmanifest-sha256.txt
   (or: sha512sum -c manifest-sha512.txt; every line must say OK / каждая строка — OK)

2. The list of hashes is signed by the school's node (Ed25519); the public key is
   node-public-key.pem. Подпись списка хешей (Ed25519), открытый ключ — node-public-key.pem:
     openssl pkeyutl -verify -pubin -inkey node-public-key.pem -rawin \\
         -in tagmanifest-sha256.txt -sigfile tagmanifest-sha256.txt.sig
   must print "Signature Verified Successfully". Or, with Python and "cryptography":
     python3 - <<'EOF'
     from cryptography.hazmat.primitives.serialization import load_pem_public_key
     key = load_pem_public_key(open("node-public-key.pem", "rb").read())
     signature = open("tagmanifest-sha256.txt.sig", "rb").read()
     key.verify(signature, open("tagmanifest-sha256.txt", "rb").read())
     print("OK")
     EOF
   (it prints OK, or fails with InvalidSignature / выведет OK или ошибку InvalidSignature)

3. Compare the key with the one the school keeps on record (its node id is above): a
   signature only proves something if the key is the school's.
   Сверьте ключ с ключом, который хранит школа: подпись что-то доказывает, только если
   ключ — школьный.

With ediary: ediary year verify ARCHIVE.tar (checks all of this at once).
"""


def write_year_archive(
    actor: Actor,
    year_id: str,
    out_dir: Path,
    *,
    database_path: Path,
    identity_path: Path,
    recipients: Sequence[Recipient] = (),
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ArchiveWritten:
    """Write the archive of the year into ``out_dir``; returns where and what.

    It reads the school in ONE read transaction: every page, report and the database copy
    show the same moment even while teachers go on typing (in WAL mode a reader never
    blocks a writer, and the copy is taken through the same connection, first).
    """
    with db.atomic(lock_type="DEFERRED"):
        return _write_year_archive(
            actor,
            year_id,
            out_dir,
            database_path=database_path,
            identity_path=identity_path,
            recipients=recipients,
            progress=progress,
            now=now,
        )


def _write_year_archive(
    actor: Actor,
    year_id: str,
    out_dir: Path,
    *,
    database_path: Path,
    identity_path: Path,
    recipients: Sequence[Recipient],
    progress: Progress | None,
    now: dt.datetime | None,
) -> ArchiveWritten:
    report = progress or (lambda stage, done, total: None)
    year = year_journals.year_contents(actor, year_id)
    if not out_dir.is_dir():
        raise_missing(out_dir)
    created = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    bag = archive_name(year.name, created)
    suffix = ".tar.age" if recipients else ".tar"
    final = out_dir / f"{bag}{suffix}"
    key, node_id = load_or_create_identity(identity_path)
    hidden = f"{TEMP_PREFIX}{bag}.{os.getpid()}"
    tar_path = out_dir / f"{hidden}.tar.tmp"
    encrypted = out_dir / f"{hidden}.tar.age.tmp"
    snapshot_path = out_dir / f"{hidden}.db.tmp"
    operator = current_language()
    shown = report

    def report(stage: str, done: int, total: int) -> None:
        """Progress speaks the operator's language; the archive speaks the school's."""
        with use_language(operator):
            shown(gettext(stage), done, total)

    try:
        school = School.current()
        with use_language(school.locale if school else current_language()):
            lang = current_language()
            fd = store.create_private(tar_path)
            tar_hash = BackgroundHash()
            with os.fdopen(fd, "wb") as out:
                with tarfile.TarFile(
                    fileobj=_Tee(out, tar_hash),  # type: ignore[arg-type]  # write-only
                    mode="w",
                    format=tarfile.PAX_FORMAT,
                    copybufsize=COPY_SIZE,
                ) as archive:
                    writer = BagWriter(archive, bag)
                    check = _take_snapshot(database_path, snapshot_path, report)
                    _write_payload(
                        actor, year, writer, lang, created, node_id, snapshot_path, report
                    )
                    _add_snapshot(writer, snapshot_path, check)
                    report(N_("Signing"), 0, 1)
                    writer.finish(
                        _bag_info(year, bag, node_id, created), _readme(year, bag, node_id), key
                    )
                    report(N_("Signing"), 1, 1)
                out.flush()
                os.fsync(out.fileno())
        published, (size, sha) = tar_path, tar_hash.result()
        if recipients:
            report(N_("Encrypting"), 0, 1)
            size, sha = _encrypt(tar_path, encrypted, list(recipients))
            published = encrypted
            report(N_("Encrypting"), 1, 1)
        os.replace(published, final)
        store.fsync_path(out_dir)
    finally:
        for temp in (tar_path, encrypted, snapshot_path):
            temp.unlink(missing_ok=True)
    return ArchiveWritten(
        path=final,
        bag=bag,
        journals=year.journals,
        payload_files=len(writer.hashes),
        payload_bytes=writer.octets,
        size=size,
        sha256=sha,
        encrypted=bool(recipients),
    )


def raise_missing(out_dir: Path) -> None:
    raise ValidationError(
        _("The folder {folder} does not exist; choose where to write the archive.").format(
            folder=out_dir
        )
    )


#: (label, summary href, [(journal title, href)]) of a class, for the index page.
ClassLinks = tuple[str, str, list[tuple[str, str]]]
#: Below this many classes the journals are rendered here; above, by worker processes.
PARALLEL_FROM = 8


def render_class(
    actor: Actor, year: year_journals.YearContents, class_id: str, lang: str
) -> tuple[ClassLinks, list[tuple[str, bytes]], int]:
    """Every file of one class: (index links, [(payload path, bytes)], journals)."""
    cj = year_journals.class_journals(actor, class_id)
    folder = class_slug(cj.grade, cj.letter)
    files: list[tuple[str, bytes]] = []
    links: list[tuple[str, str]] = []
    used: set[str] = set()
    for sheet in cj.sheets:
        name = slug(sheet.title)
        while name in used:
            name += "-2"
        used.add(name)
        page = pages.journal_page(year, cj, sheet, lang=lang, up="../../index.html")
        files.append((f"classes/{folder}/{name}.html", page.encode()))
        files.append(
            (f"csv/{folder}/{name}-lessons.csv", to_csv(year_journals.lessons_table(cj, sheet)))
        )
        files.append(
            (f"csv/{folder}/{name}-marks.csv", to_csv(year_journals.marks_table(cj, sheet)))
        )
        links.append((f"{sheet.title} — {sheet.teacher}", f"classes/{folder}/{name}.html"))
    title = _("Summary sheet of final marks, class {label}").format(label=cj.label)
    summary = pages.tables_page(
        title,
        year_journals.summary_tables(cj),
        school=year.school,
        lang=lang,
        up="../../index.html",
    )
    files.append((f"classes/{folder}/summary.html", summary.encode()))
    files.append((f"csv/{folder}/summary.csv", to_csv(year_journals.summary_long_table(cj))))
    return (cj.label, f"classes/{folder}/summary.html", links), files, len(cj.sheets)


_worker: dict[str, object] = {}


#: A worker reads the archive's own database copy, and only reads it: no WAL files beside
#: it (the copy stays one file), no write by mistake.
WORKER_PRAGMAS = {"query_only": 1, "foreign_keys": 1, "cache_size": -32000, "temp_store": "memory"}


def _start_worker(snapshot_path: Path, lang: str) -> None:
    """A worker process opens the archive's database copy and speaks ``lang``."""
    set_language(lang)
    database = make_database(snapshot_path, pragmas=WORKER_PRAGMAS)
    database.connect()
    db.initialize(database)
    _worker["db"] = database


def _render_in_worker(
    args: tuple[Actor, year_journals.YearContents, str, str],
) -> tuple[ClassLinks, list[tuple[str, bytes]], int]:
    return render_class(*args)


def _rendered_classes(
    actor: Actor, year: year_journals.YearContents, lang: str, snapshot_path: Path
) -> Iterator[tuple[ClassLinks, list[tuple[str, bytes]], int]]:
    """The classes in order; a large school's are rendered on every core while this
    process writes and hashes (rendering is pure Python, so threads would not help)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(year.classes) < PARALLEL_FROM or workers < 2:
        for class_id, _label in year.classes:
            yield render_class(actor, year, class_id, lang)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(snapshot_path, lang)
    ) as pool:
        jobs = [(actor, year, class_id, lang) for class_id, _label in year.classes]
        yield from pool.map(_render_in_worker, jobs)


def _write_payload(
    actor: Actor,
    year: year_journals.YearContents,
    writer: BagWriter,
    lang: str,
    created: dt.datetime,
    node_id: str,
    snapshot_path: Path,
    report: Progress,
) -> None:
    stage = N_("Journals")
    done = 0
    report(stage, done, year.journals)
    index_classes = []
    for links, files, journals in _rendered_classes(actor, year, lang, snapshot_path):
        for relative, data in files:
            writer.add(relative, data)
        index_classes.append(links)
        done += journals
        report(stage, done, year.journals)
    report(N_("Reports"), 0, 1)
    index_reports = []
    for stem, label, table in year_reports(actor, year.year_id):
        html = to_html(table, school=year.school, lang=lang)
        writer.add(f"reports/{stem}.html", html.encode())
        writer.add(f"csv/reports/{stem}.csv", to_csv(table))
        index_reports.append((label, f"reports/{stem}.html"))
    report(N_("Reports"), 1, 1)
    writer.add(
        "index.html",
        pages.index_page(
            year,
            index_classes,
            index_reports,
            created=created.strftime("%d.%m.%Y %H:%M UTC"),
            node_id=node_id,
            lang=lang,
        ).encode(),
    )


def _take_snapshot(database_path: Path, temp: Path, report: Progress) -> Background[None]:
    """The database copy (SQLite online backup) of this read transaction, taken first: the
    worker processes render from it, and it goes into the bag as data/database/. Its
    ``quick_check`` runs on another core meanwhile."""
    report(N_("Database snapshot"), 0, 1)
    snapshot.copy_connection(db.connection(), temp, database_path)
    report(N_("Database snapshot"), 1, 1)
    return Background(snapshot.check_database, temp)


def _add_snapshot(writer: BagWriter, temp: Path, check: Background[None]) -> None:
    writer.add_file("database/ediary.sqlite3", temp)
    check.result()  # a copy that fails its check is never published
    temp.unlink()


def _bag_info(
    year: year_journals.YearContents, bag: str, node_id: str, created: dt.datetime
) -> dict[str, str]:
    return {
        "Source-Organization": year.school,
        "External-Description": _("Archive of the school year {name}").format(name=year.name),
        "External-Identifier": bag,
        "Bag-Count": "1 of 1",
        "Ediary-Year": year.name,
        "Ediary-Year-Dates": f"{year.start.isoformat()}/{year.end.isoformat()}",
        "Ediary-Node": node_id,
        "Ediary-Created": created.isoformat().replace("+00:00", "Z"),
    }


def _encrypt(plain: Path, target: Path, recipients: list[Recipient]) -> tuple[int, str]:
    """age-encrypt the finished tar for storage (the backup recipients); (size, SHA-256)."""
    cipher_hash = BackgroundHash()
    fd = store.create_private(target)
    try:
        with os.fdopen(fd, "wb") as out, plain.open("rb") as source:
            encrypt(source, [out.write, cipher_hash], recipients)
            out.flush()
            os.fsync(out.fileno())
    finally:
        result = cipher_hash.result()
    return result


class _Tee:
    """The tar's output file, handing every byte written to a hash on another thread."""

    def __init__(self, raw: BinaryIO, tap: BackgroundHash) -> None:
        self.raw, self.tap = raw, tap

    def write(self, data: bytes) -> int:
        self.tap(bytes(data))
        return self.raw.write(data)

    def tell(self) -> int:
        return self.raw.tell()
