"""Real-time status codec: DLE EOT n queries and their one-byte replies (Epson ESC/POS reference, DLE EOT).

Every reply byte has bits 1 and 4 set and bits 0 and 7 clear (pattern 0b0xx1xx10); anything else is garbage.
Pure bytes ↔ meaning; the device decides what to send and when.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from hardware.errors import ProtocolError

DLE_EOT = b"\x10\x04"


class StatusQuery(enum.IntEnum):
    """DLE EOT n: which status byte to transmit."""

    PRINTER = 1  # bit 3: offline
    OFFLINE_CAUSE = 2  # bit 2: cover open, bit 3: paper fed by button, bit 5: stopped by paper end, bit 6: error
    ERROR_CAUSE = 3  # bit 2: autocutter error, bit 3: unrecoverable error, bit 5: auto-recoverable error
    PAPER = 4  # bits 2-3: roll near end, bits 5-6: roll end

    @property
    def command(self) -> bytes:
        return DLE_EOT + bytes([self.value])


class PrinterState(enum.Enum):
    """What the kiosk shows and decides on; its words come from a translation table keyed by state."""

    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    ERROR = "error"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


#: The printer prints.
OPERATIONAL = frozenset({PrinterState.READY, PrinterState.PAPER_NEAR_END})
#: The printer answered and needs a person.
NEEDS_ATTENTION = frozenset({PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.ERROR})
#: We cannot tell what the printer is doing (no answer, garbage, or a model that never answers).
UNREACHABLE = frozenset({PrinterState.OFFLINE, PrinterState.UNKNOWN})

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12


def check_reply(byte: int) -> int:
    """The reply byte, if it has the fixed bit pattern; else ``ProtocolError``."""
    if byte & _FIXED_MASK != _FIXED_BITS:
        raise ProtocolError(f"status reply 0x{byte:02x} does not match the DLE EOT bit pattern")
    return byte


@dataclass(frozen=True)
class StatusFlags:
    """The decoded replies; a flag is None when its query was not asked."""

    offline: bool | None = None
    cover_open: bool | None = None
    paper_stop: bool | None = None
    error: bool | None = None
    cutter_error: bool | None = None
    unrecoverable: bool | None = None
    paper_near_end: bool | None = None
    paper_out: bool | None = None

    def state(self) -> PrinterState:
        """The one state the kiosk acts on; the most serious condition wins."""
        if self.cover_open:
            return PrinterState.COVER_OPEN
        if self.paper_out or self.paper_stop:
            return PrinterState.PAPER_OUT
        if self.error or self.cutter_error or self.unrecoverable:
            return PrinterState.ERROR
        if self.offline:
            # Offline with no cause we know of (e.g. paper being fed with the button): not printable now.
            return PrinterState.ERROR
        if self.paper_near_end:
            return PrinterState.PAPER_NEAR_END
        return PrinterState.READY


def decode(replies: dict[StatusQuery, int]) -> StatusFlags:
    """Status flags from the replies received (each already checked)."""
    values: dict[str, bool] = {}
    if (b := replies.get(StatusQuery.PRINTER)) is not None:
        values["offline"] = bool(b & 0x08)
    if (b := replies.get(StatusQuery.OFFLINE_CAUSE)) is not None:
        values.update(cover_open=bool(b & 0x04), paper_stop=bool(b & 0x20), error=bool(b & 0x40))
    if (b := replies.get(StatusQuery.ERROR_CAUSE)) is not None:
        values.update(cutter_error=bool(b & 0x04), unrecoverable=bool(b & 0x08))
    if (b := replies.get(StatusQuery.PAPER)) is not None:
        values.update(paper_near_end=bool(b & 0x0C), paper_out=bool(b & 0x60))
    return StatusFlags(**values)


def encode(query: StatusQuery, flags: StatusFlags) -> int:
    """The reply a printer in ``flags`` sends to ``query`` (used by the simulator)."""
    byte = _FIXED_BITS
    if query is StatusQuery.PRINTER and flags.offline:
        byte |= 0x08
    elif query is StatusQuery.OFFLINE_CAUSE:
        byte |= (0x04 if flags.cover_open else 0) | (0x20 if flags.paper_stop else 0) | (0x40 if flags.error else 0)
    elif query is StatusQuery.ERROR_CAUSE:
        byte |= (0x04 if flags.cutter_error else 0) | (0x08 if flags.unrecoverable else 0)
    elif query is StatusQuery.PAPER:
        byte |= (0x0C if flags.paper_near_end else 0) | (0x60 if flags.paper_out else 0)
    return byte


@dataclass(frozen=True)
class PrinterStatus:
    """One status reading: the state, why, and the estimate of tickets left on the roll."""

    state: PrinterState
    detail: str = ""
    flags: StatusFlags = field(default_factory=StatusFlags)
    tickets_left: int | None = None
    elapsed_s: float = 0.0

    @property
    def operational(self) -> bool:
        return self.state in OPERATIONAL
