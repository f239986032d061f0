"""Line framing for serial scanners: bytes in arbitrary chunks → complete codes, overlong lines dropped.

Not `Serial.readline()`: it splits on LF only, and most scanners end a code with CR alone. Field scanners ship
with CR, LF, CRLF, TAB or no suffix at all, so by default any of those ends a code, and a code with no suffix ends
when the line falls silent for the gap (a scanner sends a code's bytes back to back: 1 ms apart at 9600 baud,
one USB packet on a CDC scanner; a person never presents two codes within a tenth of a second).

Two field cases on top (found by the issue-17 review):
- Once a suffix has ended a code on this port, the scanner is known to send one: a pause inside a code (a Bluetooth
  SPP scanner's or a USB-serial bridge's burst boundary, 80 ms and more) no longer cuts it. The gap then frames only
  after `SUFFIX_PORT_GAP_S` of silence, and such a cut forgets the suffix (the scanner was reconfigured).
- STX … ETX framing (a common scanner option): ETX ends a code, and an STX and anything before it are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: The suffixes a scanner may be set to; "any" accepts all of them.
ANY_SUFFIX: tuple[bytes, ...] = (b"\r\n", b"\r", b"\n", b"\t")
#: Characters stripped around a code: a CRLF scanner on an LF-framed port leaves a stray CR, and so on.
_LINE_ENDS = b"\r\n\t"
STX, ETX = b"\x02", b"\x03"
#: Silence that still ends a code on a port whose scanner sends a suffix (it was set to send none since).
SUFFIX_PORT_GAP_S = 1.0


@dataclass(frozen=True, slots=True)
class DroppedLine:
    """A line thrown away, with the reason for the log."""

    reason: str
    size: int


class LineFramer:
    """Cuts codes at any of `terminators` (none: the gap alone), or after `gap_s` of silence; bounded memory.

    A line longer than `max_length` is dropped whole. Feed bytes with the time they arrived; call `idle(now)`
    while nothing arrives so that a code with no suffix is delivered once the gap has passed.
    """

    def __init__(self, terminators: Sequence[bytes], max_length: int, gap_s: float | None = None) -> None:
        if any(not t for t in terminators):
            raise ValueError("a terminator must not be empty")
        if not terminators and gap_s is None:
            raise ValueError("without a terminator, codes can only be framed by a gap")
        # Longest first, so CRLF is one terminator rather than CR plus an empty line.
        ordered = sorted(set(terminators) | {ETX}, key=len, reverse=True)
        self._pattern = re.compile(b"|".join(re.escape(t) for t in ordered))
        self._max_length = max_length
        self._gap_s = gap_s
        self._buffer = bytearray()
        self._last_at = 0.0
        self._overflowed = 0  # bytes dropped from the current line since it went over max_length
        self._suffix_seen = False  # a terminator has ended a code: this scanner sends one
        self.gap_framed = 0  # codes that ended by silence: a hint that the terminator setting is off

    def feed(self, data: bytes, now: float = 0.0) -> list[bytes | DroppedLine]:
        """Add bytes; return the lines they complete (without terminator) and drops, in arrival order."""
        out: list[bytes | DroppedLine] = []
        if self._buffer and self._gap_s is not None and now - self._last_at >= self._gap():
            out.extend(self._cut_at_gap())  # the previous code had no suffix and its gap passed unseen
        self._buffer += data
        if data:
            self._last_at = now
        while True:
            match = self._pattern.search(self._buffer)
            if match is None:
                break
            line = bytes(self._buffer[: match.start()])
            del self._buffer[: match.end()]
            finished = self._finish(line)
            if any(isinstance(item, bytes) for item in finished):
                self._suffix_seen = True
            out.extend(finished)
        if len(self._buffer) > self._max_length:
            # Keep memory bounded on a line that never ends; remember it overflowed so its tail is dropped too.
            self._overflowed += len(self._buffer)
            self._buffer.clear()
        return out

    def idle(self, now: float) -> list[bytes | DroppedLine]:
        """Nothing arrived until `now`: a code waiting for longer than the gap ends here."""
        if self._gap_s is None or now - self._last_at < self._gap() or not (self._buffer or self._overflowed):
            return []
        return self._cut_at_gap()

    def _gap(self) -> float:
        assert self._gap_s is not None
        return max(self._gap_s, SUFFIX_PORT_GAP_S) if self._suffix_seen else self._gap_s

    def _cut_at_gap(self) -> list[bytes | DroppedLine]:
        line = bytes(self._buffer)
        self._buffer.clear()
        out = self._finish(line)
        self.gap_framed += sum(1 for item in out if isinstance(item, bytes))
        self._suffix_seen = False  # silence ended a code: the scanner may no longer send a suffix
        return out

    def _finish(self, line: bytes) -> list[bytes | DroppedLine]:
        if self._overflowed:
            size, self._overflowed = self._overflowed + len(line), 0
            return [DroppedLine("overlong", size)]
        if STX in line:  # STX … ETX framing: the code starts after the (last) STX
            line = line.rsplit(STX, 1)[1]
        line = line.strip(_LINE_ENDS)
        if not line:
            return []
        if len(line) > self._max_length:
            return [DroppedLine("overlong", len(line))]
        return [line]

    def reset(self) -> None:
        """Forget a partial line (after a reconnect its start is lost)."""
        self._buffer.clear()
        self._overflowed = 0
