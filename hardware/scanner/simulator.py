"""Serial scanner simulator on a pseudo-terminal: the driver opens the pty's path as if it were the scanner.

Scans are injected from code (`send`) or, through the CLI, from stdin. Faults: garbage bytes, an overlong line,
a code split over several writes, and the port vanishing (optionally coming back behind the same symlink, the way
udev's /dev/serial/by-id links follow a re-plugged scanner).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import tty
from pathlib import Path

log = logging.getLogger(__name__)


class SerialScannerSimulator:
    """A fake line scanner on a pty pair. `port` is the path to configure; with `link`, a stable symlink to it."""

    def __init__(self, terminator: bytes = b"\r", *, link: Path | None = None) -> None:
        self._terminator = terminator  # b"": a scanner set to send no suffix
        self._link = link
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_path = ""
        self._lock = threading.Lock()

    @property
    def port(self) -> str:
        """The path a driver should open."""
        return str(self._link) if self._link is not None else self._slave_path

    @property
    def present(self) -> bool:
        return self._master is not None

    def open(self) -> SerialScannerSimulator:
        """Create the pty (and the symlink); idempotent."""
        with self._lock:
            if self._master is not None:
                return self
            master, slave = os.openpty()
            # Raw mode: no CR→LF translation or echo on the line, exactly like a serial cable.
            tty.setraw(slave)
            self._master, self._slave = master, slave
            self._slave_path = os.ttyname(slave)
            if self._link is not None:
                tmp = self._link.with_name(self._link.name + ".tmp")
                tmp.unlink(missing_ok=True)
                tmp.symlink_to(self._slave_path)
                tmp.replace(self._link)
        log.info("scanner simulator on %s", self.port)
        return self

    def close(self) -> None:
        """Remove the pty: the driver sees the port vanish."""
        with self._lock:
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
            if self._link is not None:
                self._link.unlink(missing_ok=True)

    vanish = close

    def reappear(self) -> None:
        """A scanner plugged back in: a new pty behind the same symlink (needs `link`)."""
        if self._link is None:
            raise RuntimeError("reappear needs a symlink: a pty's own path cannot come back")
        self.open()

    def __enter__(self) -> SerialScannerSimulator:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, data: bytes) -> None:
        """Write raw bytes to the line (blocks while the pty buffer is full and the driver is reading)."""
        with self._lock:
            if self._master is None:
                raise OSError("scanner simulator is closed")
            view = memoryview(data)
            while view:
                written = os.write(self._master, view)
                view = view[written:]

    def send(self, code: str | bytes, *, chunk: int = 0, pause_s: float = 0.005) -> None:
        """Send one scan followed by the terminator; with `chunk`, in pieces of that many bytes, `pause_s` apart."""
        data = (code.encode("utf-8") if isinstance(code, str) else code) + self._terminator
        if chunk <= 0:
            self.write(data)
            return
        for start in range(0, len(data), chunk):
            self.write(data[start : start + chunk])
            time.sleep(pause_s)

    def send_garbage(self, data: bytes = b"\xff\xfe\x00\x81\x9c") -> None:
        """Line noise ending in a terminator: a line that is not text."""
        self.write(data + self._terminator)

    def send_overlong(self, length: int) -> None:
        """A line of `length` printable bytes, for max_length checks."""
        self.write(b"9" * length + self._terminator)
