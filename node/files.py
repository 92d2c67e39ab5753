"""Files and folders that hold the school's data belong to the node's account alone.

Marks, addresses and access codes are children's personal data: another local account on
the school server must not read them. Every writer in ediary (database, WAL and SHM, the
settings, logs, keys, certificates, backups, archives, reports and slips) creates its files
through this module, so they are 0600 and the folders ediary makes are 0700 *whatever the
umask*: a mode is set with ``fchmod``/``chmod`` after creating, not left to the umask.
``loose_files`` finds what is wider (an older install, a hand-copied file) for
``ediary status`` to warn about.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
#: Bits that let another account in (group and others: read, write, search).
_OPEN_TO_OTHERS = 0o077


def private_folder(path: Path | str, *, tighten: bool = False) -> Path:
    """Make the folder ``path`` (and missing parents) 0700; with ``tighten``, an existing
    one too (``init`` and ``demo`` make the school's data folder theirs)."""
    path = Path(path)
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    if (not existed or tighten) and stat.S_IMODE(path.stat().st_mode) != PRIVATE_FOLDER:
        os.chmod(path, PRIVATE_FOLDER)
    return path


def open_private(path: Path | str, flags: int) -> int:
    """``os.open`` that creates a missing file 0600 whatever the umask.

    An existing file is opened as it is (``ediary status`` reports one that is too open);
    with ``O_EXCL`` in ``flags`` it is refused, as ``os.open`` would.
    """
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if flags & os.O_EXCL:
            raise
        return os.open(path, flags)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_private(path: Path | str) -> int:
    """A new file for writing, 0600; an existing file is never overwritten (``O_EXCL``)."""
    return open_private(path, os.O_WRONLY | os.O_EXCL)


def append_private(path: Path | str) -> IO[bytes]:
    """A log file opened for appending; a new one is 0600."""
    return os.fdopen(open_private(path, os.O_WRONLY | os.O_APPEND), "ab")


def fsync_folder(path: Path | str) -> None:
    """Make a rename or delete inside the folder ``path`` durable."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # a system that cannot open folders; its renames are durable enough
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and 0600: the old file or the whole new one,
    never half of it (temp file beside it, fsync, rename, fsync of the folder)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = create_private(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def private_database_file(path: Path | str) -> None:
    """Create an empty database file 0600 before SQLite does (SQLite would make it 0644
    under the usual umask); SQLite gives its WAL and SHM files the database file's mode."""
    with contextlib.suppress(FileExistsError):
        os.close(create_private(path))


def make_tree_private(root: Path | str) -> None:
    """Folders 0700 and files 0600 under ``root`` (an unpacked archive keeps tar's modes)."""
    for folder, _folders, files in os.walk(root):
        os.chmod(folder, PRIVATE_FOLDER)
        for name in files:
            target = os.path.join(folder, name)
            if not os.path.islink(target):
                os.chmod(target, PRIVATE_FILE)


@dataclass(frozen=True)
class LooseFile:
    """A file or folder of the node that other accounts may read or enter."""

    path: Path
    mode: int

    @property
    def mode_text(self) -> str:
        return f"{self.mode:04o}"


def _walk(root: Path) -> Iterator[Path]:
    yield root
    if root.is_dir() and not root.is_symlink():
        for folder, folders, files in os.walk(root):
            for name in [*folders, *files]:
                yield Path(folder) / name


def loose_files(roots: Iterable[Path]) -> list[LooseFile]:
    """Everything under ``roots`` (the data folder, the backup folders) open to others.

    Symbolic links are not followed nor reported (their own mode means nothing).
    """
    found: list[LooseFile] = []
    for root in roots:
        if not root.exists():
            continue
        for path in _walk(root):
            with contextlib.suppress(OSError):
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    continue
                if info.st_mode & _OPEN_TO_OTHERS:
                    found.append(LooseFile(path, stat.S_IMODE(info.st_mode)))
    return found


def fix_command(roots: Iterable[Path]) -> str:
    """The one shell command that makes ``roots`` private again."""
    return "chmod -R go-rwx " + " ".join(shlex.quote(str(root)) for root in roots)
