"""systemd's notify protocol (sd_notify) in plain sockets: READY=1 at the first frame, WATCHDOG=1 from the GUI thread.

Why from a timer on the GUI thread: a frozen GUI (a slot that never returns, a deadlock) stops the timer, the pings
stop, and systemd kills and restarts the app after `WatchdogSec` (see packaging/systemd/smartqueue-gui@.service).
A ping from a worker thread would keep a frozen screen alive.

The protocol itself is `ground.sdnotify` (the node uses it too).
"""

from __future__ import annotations

from ground.sdnotify import Notifier

__all__ = ["GuiWatchdog", "Notifier"]


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
