"""Keyboard-wedge scanner: a Qt event filter that tells a scanner's key bursts from a person typing.

A wedge scanner types a code as keystrokes a few milliseconds apart; people type 80+ ms apart. The filter holds
back each text key until it knows which it is: a key followed within `max_interkey_ms` by another is part of a
burst; a burst of at least `min_length` characters (ended by the configured suffix, or by a pause when there is
none) is a scan, emitted as `scanned` and swallowed. Anything else is replayed to its receiver, in order, so human
typing reaches the UI after at most one inter-key interval of delay.

Install it on the window that first receives key events (the kiosk's QQuickWindow, or a QWidget's
`windowHandle()`). Key releases and modifier keys always pass through; auto-repeated keys are human.

A busy GUI thread must not split a code (issue 14: 7 of 15 codes arrived in two pieces under load). Two rules:
- the gap between two keys is measured with the window system's timestamps (when the key was typed), not when
  the GUI thread got round to it; events without one (timestamp 0) fall back to the clock;
- a pause ends a burst only if the pause timer fired on time: a late timer means the thread was busy, keys may
  be waiting in its queue, so the burst is given one more gap to arrive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from config.scanner import WedgeScannerConfig

_MODIFIER_KEYS = frozenset(
    {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock}
)


@dataclass(slots=True)
class _HeldKey:
    receiver: QObject
    event: QKeyEvent  # a copy: Qt frees the original after delivery
    text: str


class WedgeScanFilter(QObject):
    """Emits `scanned(text)` for each scanner burst (prefix and suffix removed); passes human typing through.

    `clock` returns seconds (monotonic); tests pass a controllable one. The pause that ends a burst is measured by a
    QTimer, so a Qt event loop must run.
    """

    scanned = Signal(str)

    def __init__(
        self,
        config: WedgeScannerConfig,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._config = config
        self._gap_s = config.max_interkey_ms / 1000.0
        self._clock = clock
        self._held: list[_HeldKey] = []
        self._last_key_at = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A little slack over the gap: the timer must not fire between two keys of a burst.
        self._timer.setInterval(config.max_interkey_ms + 5)
        self._timer.timeout.connect(self._pause)
        self._armed_at = 0.0  # time.monotonic() when the pause timer was started

    def _key_time(self, event: QKeyEvent) -> float:
        """Seconds: the window system's time of the key press when it has one, else the clock's."""
        stamp = event.timestamp()
        return stamp / 1000.0 if stamp > 0 else self._clock()

    def _arm(self) -> None:
        self._armed_at = time.monotonic()
        self._timer.start()

    def _pause(self) -> None:
        """The pause timer fired: a pause if it fired on time; if late, the GUI thread was busy and the rest of the
        burst may be queued behind the timer, so wait one more gap for it."""
        late = time.monotonic() - self._armed_at > 2 * self._timer.interval() / 1000.0
        if late and self._held:
            self._arm()
            return
        self.flush()

    @property
    def holding(self) -> str:
        """Text held back, waiting to be classified (for tests and diagnostics)."""
        return "".join(key.text for key in self._held)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        text = event.text()
        if event.isAutoRepeat() or not text:
            if event.key() in _MODIFIER_KEYS:
                return False  # scanners send Shift for capitals: part of a burst, not an end to it
            self.flush()
            return False
        now = self._key_time(event)
        if self._held and not 0 <= now - self._last_key_at <= self._gap_s:
            self.flush()
        self._last_key_at = now
        if not self._held and not self._could_start(text):
            return False  # fast path: with a prefix configured, a key that cannot begin one is never held
        self._held.append(_HeldKey(watched, self._copy(event), text))
        if self._ends_scan() or self._overlong():
            # An overlong burst is cut here, so a malicious or stuck scanner cannot buffer keys without bound.
            self._emit_scan()
        elif self._config.prefix and not self._prefix_possible():
            self._replay()
        else:
            self._arm()
        return True

    def _overlong(self) -> bool:
        config = self._config
        return len(self._held) > config.max_length + len(config.prefix) + len(config.suffix)

    def _could_start(self, text: str) -> bool:
        prefix = self._config.prefix
        return not prefix or prefix.startswith(text) or text.startswith(prefix)

    def _prefix_possible(self) -> bool:
        held, prefix = self.holding, self._config.prefix
        return held.startswith(prefix) or prefix.startswith(held)

    def _payload(self) -> str | None:
        """The code in the held burst, or None if the burst is not a scan."""
        held, prefix, suffix = self.holding, self._config.prefix, self._config.suffix
        if len(self._held) < 2 or not held.startswith(prefix):
            return None
        body = held[len(prefix) :]
        if suffix:
            if not body.endswith(suffix):
                return None
            body = body[: -len(suffix)]
        if len(body) < self._config.min_length:
            return None
        return body[: self._config.max_length]

    def _ends_scan(self) -> bool:
        return bool(self._config.suffix) and self._payload() is not None

    def flush(self) -> None:
        """End of a burst (pause or non-text key): emit it as a scan, or replay it as typing."""
        self._timer.stop()
        if not self._held:
            return
        if self._payload() is not None:
            self._emit_scan()
        else:
            self._replay()

    def _emit_scan(self) -> None:
        payload = self._payload()
        self._held.clear()
        self._timer.stop()
        if payload is not None:
            self.scanned.emit(payload)

    def _replay(self) -> None:
        held, self._held = self._held, []
        self._timer.stop()
        self._replaying = True
        try:
            for key in held:
                if shiboken6.isValid(key.receiver):  # the item that had focus may be gone by now
                    QCoreApplication.sendEvent(key.receiver, key.event)
        finally:
            self._replaying = False

    @staticmethod
    def _copy(event: QKeyEvent) -> QKeyEvent:
        copy = QKeyEvent(
            event.type(), event.key(), event.modifiers(), event.nativeScanCode(), event.nativeVirtualKey(),
            event.nativeModifiers(), event.text(), event.isAutoRepeat(), event.count(),
        )
        copy.setTimestamp(event.timestamp())
        return copy
