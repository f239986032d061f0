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
    """READY=1 once the window has drawn, then WATCHDOG=1 from a QTimer on the GUI thread."""

    def __init__(self, notifier: Notifier | None = None) -> None:
        self.notifier = notifier or Notifier()
        self._timer = None

    def attach(self, window) -> None:
        """Start with `window` (a QQuickWindow or QWidget window); a no-op outside systemd."""
        if not self.notifier.enabled:
            return
        from PySide6.QtCore import QTimer  # the only Qt use, here so the protocol part needs nothing

        if self.notifier.interval_s is not None:
            self._timer = QTimer(window)
            self._timer.setInterval(max(100, int(self.notifier.interval_s * 1000)))
            self._timer.timeout.connect(self.notifier.ping)
            self._timer.start()
        frame_swapped = getattr(window, "frameSwapped", None)
        if frame_swapped is None:
            self.notifier.ready()
            return

        def first_frame() -> None:
            frame_swapped.disconnect(first_frame)
            self.notifier.ready("first frame shown")

        frame_swapped.connect(first_frame)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.notifier.stopping()
