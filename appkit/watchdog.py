"""systemd's notify protocol (sd_notify) in plain sockets: READY=1 at the first frame, WATCHDOG=1 from the GUI thread.

Why from a timer on the GUI thread: a frozen GUI (a slot that never returns, a deadlock) stops the timer, the pings
stop, and systemd kills and restarts the app after `WatchdogSec` (see packaging/systemd/smartqueue-gui@.service).
A ping from a worker thread would keep a frozen screen alive.

Protocol (man sd_notify): datagrams of `KEY=VALUE` lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading
`@` is the abstract namespace); the watchdog is on when $WATCHDOG_USEC is set and $WATCHDOG_PID, when set, is ours.
No libsystemd, no dependency: outside systemd (tests, development, Windows) every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends notify messages to systemd; silent when the process is not a systemd service."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self.interval_s = _watchdog_interval(env)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, state: str) -> bool:
        """Send one message (e.g. "READY=1"); False when there is no socket or it could not be sent."""
        if self.address is None or not hasattr(socket, "AF_UNIX"):
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.setblocking(False)  # a backed-up manager must not freeze the GUI thread: drop the message
                sock.sendto(state.encode(), self.address)
        except OSError as err:
            log.warning("systemd notify %r failed: %s", state, err)
            return False
        return True

    def ready(self, status: str = "running") -> bool:
        return self.notify(f"READY=1\nSTATUS={status}")

    def reloading(self, status: str = "reloading the configuration") -> bool:
        """A reload begins; READY=1 must follow. systemd wants the monotonic time with it (notify-reload)."""
        usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.notify(f"RELOADING=1\nSTATUS={status}\nMONOTONIC_USEC={usec}")

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")


def _address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # abstract namespace socket
    return value if value.startswith("/") else None


def _watchdog_interval(env: Mapping[str, str]) -> float | None:
    """Half the watchdog timeout (systemd's advice), or None when there is no watchdog for this process."""
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    pid = env.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid != str(os.getpid())):
        return None
    return usec / 2_000_000


class GuiWatchdog:
    """WATCHDOG=1 from a QTimer on the GUI thread for the whole process; READY=1 when a window first draws.

    It lives as long as the process, not as long as one window: a reload replaces the window and tells systemd
    RELOADING=1 … READY=1, while the pings go on. Only the process's end says STOPPING=1.
    """

    def __init__(self, notifier: Notifier | None = None) -> None:
        self.notifier = notifier or Notifier()
        self._timer = None

    def start(self) -> None:
        """Start pinging (a no-op outside systemd or without a watchdog for this process)."""
        if not self.notifier.enabled or self.notifier.interval_s is None or self._timer is not None:
            return
        from PySide6.QtCore import QTimer  # the only Qt use, here so the protocol part needs nothing

        self._timer = QTimer()
        self._timer.setInterval(max(100, int(self.notifier.interval_s * 1000)))
        self._timer.timeout.connect(self.notifier.ping)
        self._timer.start()

    def ready_when_drawn(self, window, status: str = "first frame shown") -> None:
        """READY=1 once `window` (a QQuickWindow) has drawn a frame; at once for a window that has no such signal."""
        if not self.notifier.enabled:
            return
        frame_swapped = getattr(window, "frameSwapped", None)
        if frame_swapped is None:
            self.notifier.ready(status)
            return

        def first_frame() -> None:
            frame_swapped.disconnect(first_frame)
            self.notifier.ready(status)

        frame_swapped.connect(first_frame)

    def attach(self, window) -> None:
        """Start pinging, and READY=1 at `window`'s first frame."""
        self.start()
        self.ready_when_drawn(window)

    def reloading(self) -> None:
        self.notifier.reloading()

    def stop(self) -> None:
        """The process is ending: stop pinging and tell systemd so (never on a reload)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.notifier.stopping()
