"""SHA-256 of backup files, computed beside the work that produces or consumes them."""

from __future__ import annotations

import hashlib
import queue
import threading
from pathlib import Path

from backup.background import Background

#: A thread hashing a whole buffer takes it in large steps: it needs the GIL back after
#: each one, and waits up to the switch interval (5 ms) for it while the encryptor runs.
BUFFER_STEP = 32 << 20
#: Files are read in steps this large (one system call, one GIL release each).
READ_SIZE = 8 << 20


class BackgroundHash:
    """SHA-256 and size of a stream of pieces, computed on another core.

    ``hashlib`` releases the GIL on large updates, so hashing plaintext and ciphertext in
    threads runs beside the encryption instead of after it.
    """

    def __init__(self) -> None:
        self.sha, self.size = hashlib.sha256(), 0
        self._queue: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=64)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._queue.get()) is not None:
            self.sha.update(piece)
            self.size += len(piece)

    def __call__(self, piece: bytes | memoryview) -> None:
        self._queue.put(piece)

    def result(self) -> tuple[int, str]:
        self._queue.put(None)
        self._thread.join()
        return self.size, self.sha.hexdigest()


class InlineHash:
    """SHA-256 and size of pieces hashed as they pass, in the thread that makes them.

    A large update releases the GIL, so the other threads get it at once. A hash thread fed
    through a queue instead waits for the GIL after every piece while the encryptor (which
    holds it) runs, falls behind, and stalls the encryption when its queue is full.
    """

    def __init__(self) -> None:
        self.sha, self.size = hashlib.sha256(), 0

    def __call__(self, piece: bytes | memoryview) -> None:
        self.sha.update(piece)
        self.size += len(piece)

    def result(self) -> tuple[int, str]:
        return self.size, self.sha.hexdigest()


class FileHash(Background[tuple[int, str]]):
    """SHA-256 and size of a file, read in a thread of its own while other work goes on."""

    def __init__(self, path: Path) -> None:
        super().__init__(file_sha256, path)


def buffer_sha256(data: memoryview) -> tuple[int, str]:
    """Size and SHA-256 of a buffer (a mapped file), in large steps (see ``BUFFER_STEP``)."""
    sha = hashlib.sha256()
    for start in range(0, len(data), BUFFER_STEP):
        sha.update(data[start : start + BUFFER_STEP])
    return len(data), sha.hexdigest()


def file_sha256(path: Path) -> tuple[int, str]:
    """Read, not mapped: a file on a drive pulled out mid-read must raise, not kill us."""
    sha, size = hashlib.sha256(), 0
    buffer = memoryview(bytearray(READ_SIZE))
    with path.open("rb", buffering=0) as handle:
        while got := handle.readinto(buffer):
            sha.update(buffer[:got])
            size += got
    return size, sha.hexdigest()
