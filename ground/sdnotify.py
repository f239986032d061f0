"""systemd's notify protocol (sd_notify) in plain sockets: READY=1, RELOADING=1, WATCHDOG=1, STOPPING=1.

Protocol (man sd_notify): datagrams of `KEY=VALUE` lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading
`@` is the abstract namespace); the watchdog is on when $WATCHDOG_USEC is set and $WATCHDOG_PID, when set, is ours.
No libsystemd, no dependency: outside systemd (tests, development, Windows) every call is a no-op. Used by the node
(pinged from its event loop once its writer answers) and by the apps (`appkit.watchdog`, from the GUI thread).
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
                sock.setblocking(False)  # a backed-up manager must not freeze the caller: drop the message
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
