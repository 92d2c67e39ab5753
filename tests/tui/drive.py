"""Driving the TUI in pilot tests by waiting on the app's own events, never on the clock.

Textual's ``pilot.press`` and ``pilot.pause`` wait for the *process* to look idle: each key
and each pause sleeps at least 20 ms, twice, and loops until a 20 ms window passed without
CPU work, then redraws the screen whether or not anything changed. A test presses hundreds
of keys, so most of its time went on those sleeps and redraws.

``settle`` waits instead until the app has nothing left to do: every message posted to the
app and to each widget of the screen stack handled, every worker finished, no animation
running, and the screen drawn once with what changed (the drawing Textual's screen timer
would do next). ``press`` posts each key as Textual's pilot does and settles after it, so
a key is handled with everything it caused before the next one comes, as when a person
types.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Iterator

from textual import events
from textual.app import App
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import WorkerCancelled, WorkerState

#: How long one step may take before the test fails (not a speed goal).
SETTLE_SECONDS = 60


async def settle(pilot: Pilot[None]) -> None:
    """Every message handled, every worker done (workers they started too), no animation
    running and the screen drawn; a step still busy after SETTLE_SECONDS fails the test.

    A worker that failed fails the test; one cancelled (an exclusive worker replaced) is
    simply over. An app that stopped or crashed has nothing more to do (``run_test``
    reports its error when the test leaves it).
    """
    app = pilot.app
    async with asyncio.timeout(SETTLE_SECONDS):
        while app.is_running and app._exception is None:
            # Every message queued so far handled (the app's and each widget's of the screen).
            await pilot._wait_for_screen()
            working = [w for w in app.workers if w.state is WorkerState.RUNNING]
            if working:
                try:
                    await app.workers.wait_for_complete(working)
                except WorkerCancelled:
                    pass
                continue
            if any(w.state is WorkerState.PENDING for w in app.workers):
                continue  # its task starts as soon as this one waits again
            await app.animator.wait_until_complete()
            if needs_drawing(app.screen):
                app.screen._on_timer_update()  # what the screen's update timer would do
                continue
            if not any(busy(pump) for pump in message_pumps(app)):
                return


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press ``keys`` one after the other, each handled (and settled) before the next."""
    for key in keys:
        pilot.app.post_message(key_event(pilot.app, key))
        await settle(pilot)


def key_event(app: App[None], key: str) -> events.Key:
    """The key event Textual's pilot sends for ``key`` (as ``App._press_keys`` makes it)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


def needs_drawing(screen: Screen[object]) -> bool:
    """The screen has a layout, a scroll or a repaint pending (Textual's own test of it)."""
    return bool(
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or screen._callbacks
    )


def message_pumps(app: App[None]) -> Iterator[MessagePump]:
    """The app and every widget of every screen on its stack."""
    yield app
    for screen in app.screen_stack:
        yield from screen.walk_children(with_self=True)


def busy(pump: MessagePump) -> bool:
    """The pump has a message or a ``call_next`` callback waiting, or is still working on
    one: it is idle only while its loop waits for the next message (a pump already closed
    handles nothing more)."""
    if pump._closed:
        return False
    queue = pump._message_queue
    if not queue.empty() or pump._next_callbacks:
        return True
    waiting = queue.ready_event._waiters  # type: ignore[attr-defined]
    return not any(not future.done() for future in waiting)
