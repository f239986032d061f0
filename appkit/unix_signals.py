"""POSIX signals delivered into Qt's event loop: SIGTERM/SIGINT stop the app, SIGHUP reloads it.

Python runs a signal handler only when the interpreter next gets control, and Qt's loop can wait in C++ for a long
time. `signal.set_wakeup_fd` writes the signal number to a socket the moment it arrives; a QSocketNotifier on the
other end wakes the loop and the handler runs on the GUI thread, at once.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable, Mapping

from PySide6.QtCore import QSocketNotifier

log = logging.getLogger(__name__)


class QtSignalHandlers:
    """Installs handlers for the given signals; `close()` puts the previous ones back."""

    def __init__(self, handlers: Mapping[int, Callable[[], None]]) -> None:
        self._handlers = dict(handlers)
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {sig: signal.signal(sig, _noop) for sig in self._handlers}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._dispatch)

    def _dispatch(self) -> None:
        try:
            received = self._reader.recv(64)
        except BlockingIOError:
            return
        for number in received:
            handler = self._handlers.get(number)
            if handler is not None:
                log.info("signal %s received", signal.Signals(number).name)
                handler()

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def _noop(signum: int, frame: object) -> None:
    """The work is done by the wakeup byte's dispatch on the GUI thread."""
