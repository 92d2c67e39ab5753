"""One call run in a thread of its own, beside the work of the caller's thread."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """Run ``call(*args)`` now in a thread; ``result()`` waits, then returns or raises.

    SQLite and hashlib release the GIL on long calls, so such a call runs on another core.
    The caller's context goes along, so an error speaks the user's language.
    """

    def __init__(self, call: Callable[..., T], *args: Any) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._run, call, *args), daemon=True
        )
        self._thread.start()

    def _run(self, call: Callable[..., T], *args: Any) -> None:
        try:
            self._value = call(*args)
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
