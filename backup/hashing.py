"""SHA-256 of backup files, computed beside the work that produces or consumes them."""

from __future__ import annotations

import hashlib
import queue
import threading
from pathlib import Path

READ_SIZE = 1 << 20


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


class BufferHash:
    """SHA-256 and size of a whole buffer (a mapped file), computed in a thread of its own.

    It reads the buffer itself, so nothing has to be handed over piece by piece.
    """

    def __init__(self, data: memoryview) -> None:
        self.sha, self.size = hashlib.sha256(), len(data)
        self._thread = threading.Thread(target=self._run, args=(data,), daemon=True)
        self._thread.start()

    def _run(self, data: memoryview) -> None:
        step = 8 * READ_SIZE
        for start in range(0, len(data), step):
            self.sha.update(data[start : start + step])

    def result(self) -> tuple[int, str]:
        self._thread.join()
        return self.size, self.sha.hexdigest()


def file_sha256(path: Path) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(READ_SIZE):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()
