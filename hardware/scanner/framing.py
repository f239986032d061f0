"""Line framing for serial scanners: bytes in arbitrary chunks → complete lines, overlong lines dropped.

Not `Serial.readline()`: it splits on LF only, and most scanners end a code with CR alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DroppedLine:
    """A line thrown away, with the reason for the log."""

    reason: str
    size: int


class LineFramer:
    """Accumulates bytes and cuts lines at `terminator`; a line longer than `max_length` is dropped whole."""

    def __init__(self, terminator: bytes, max_length: int) -> None:
        if not terminator:
            raise ValueError("terminator must not be empty")
        self._terminator = terminator
        self._max_length = max_length
        self._buffer = bytearray()
        self._overflowed = 0  # bytes dropped from the current line since it went over max_length

    def feed(self, data: bytes) -> list[bytes | DroppedLine]:
        """Add bytes; return the lines they complete (without terminator) and drops, in arrival order."""
        self._buffer += data
        out: list[bytes | DroppedLine] = []
        while True:
            end = self._buffer.find(self._terminator)
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[: end + len(self._terminator)]
            out.extend(self._finish(line))
        if len(self._buffer) > self._max_length:
            # Keep memory bounded on a line that never ends; remember it overflowed so its tail is dropped too.
            self._overflowed += len(self._buffer)
            self._buffer.clear()
        return out

    def _finish(self, line: bytes) -> list[bytes | DroppedLine]:
        if self._overflowed:
            size, self._overflowed = self._overflowed + len(line), 0
            return [DroppedLine("overlong", size)]
        # A scanner set to CR+LF on a CR-framed port leaves a stray LF at the start of the next line (and the
        # reverse for LF framing): strip line-end characters around the code.
        line = line.strip(b"\r\n")
        if not line:
            return []
        if len(line) > self._max_length:
            return [DroppedLine("overlong", len(line))]
        return [line]

    def reset(self) -> None:
        """Forget a partial line (after a reconnect its start is lost)."""
        self._buffer.clear()
        self._overflowed = 0
