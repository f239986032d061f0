"""Announcements in order, one at a time: chime, then the call in each language; media ducked meanwhile.

A call waiting its turn is dropped if it is no longer current when its turn comes (the agent already called the
next one): the room must not hear an old number. A call already queued or playing is not queued twice.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from display.announcer import Announcer
from display.board import Call
from display.speech import Utterance, announcement

log = logging.getLogger(__name__)
SOUND_MODES = ("full", "chime", "silent")


class AnnouncementQueue(QObject):
    started = Signal(object)  # Call
    finished = Signal(object, bool)  # Call, heard
    duckingChanged = Signal(bool)

    def __init__(self, announcer: Announcer, mode: str, languages: Sequence[str],
                 still_current: Callable[[Call], bool] = lambda call: True, max_pending: int = 20,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        if mode not in SOUND_MODES:
            raise ValueError(f"unknown sound mode {mode!r}")
        self.announcer = announcer
        self.mode = mode
        self.languages = list(languages)
        self.still_current = still_current
        self.max_pending = max_pending
        self._pending: deque[Call] = deque()
        self._playing: Call | None = None
        self._ducked = False
        announcer.finished.connect(self._done)

    @property
    def busy(self) -> bool:
        return self._playing is not None

    @property
    def pending(self) -> list[Call]:
        return list(self._pending)

    def utterance(self, call: Call) -> Utterance:
        return announcement(call.number, call.counter, self.languages, voice=self.mode == "full")

    def enqueue(self, call: Call) -> bool:
        """Queue a call; False when nothing will be played (silent mode, duplicate)."""
        if self.mode == "silent":
            return False
        if (self._playing is not None and self._playing.key == call.key) or any(
                p.key == call.key for p in self._pending):
            return False
        self._pending.append(call)
        while len(self._pending) > self.max_pending:  # a burst beyond reason: the oldest are no longer useful
            dropped = self._pending.popleft()
            log.warning("announcement queue full; dropping %s", dropped.number)
        self._next()
        return True

    def clear(self) -> None:
        self._pending.clear()

    def _next(self) -> None:
        if self._playing is not None:
            return
        while self._pending:
            call = self._pending.popleft()
            if not self.still_current(call):
                continue
            self._playing = call
            self._duck(True)
            self.started.emit(call)
            self.announcer.play(self.utterance(call))
            return
        self._duck(False)

    def _done(self, heard: bool) -> None:
        call, self._playing = self._playing, None
        if call is not None:
            self.finished.emit(call, heard)
        self._next()

    def _duck(self, value: bool) -> None:
        if value != self._ducked:
            self._ducked = value
            self.duckingChanged.emit(value)
