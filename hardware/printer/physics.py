"""How long a thermal printer takes: the link that carries the bytes, and the head that prints them. Pure, no I/O.

A customer holds the ticket when the cutter has cut it, not when the last byte left the kiosk. On a fast link
(USB, TCP) the head is the bottleneck: a full-width raster needs 72 bytes a dot row, so a 250 mm/s head at 8 dots
a mm eats 144 KB/s. On a serial link the wire is: 10 bits a byte (start, 8 data, stop), so 115200 baud carries
11.5 KB/s. Between the two sits the printer's receive buffer (4 KB on Epson models); when it fills, the printer
says "busy" (flow control) or, if nobody listens, loses bytes.

``HeadSchedule`` keeps the head's work as consecutive time slices; each slice takes its bytes out of the receive
buffer at an even pace while it prints, so the buffer's fill level is known at any instant. Times are
``time.monotonic()`` seconds: the simulator runs in real time and reports when it would have cut each ticket.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import segno

from hardware.printer.decoder import Barcode, Cut, Element, Feed, LineFeed, QrCode, Raster, Text
from hardware.printer.profiles import PrinterProfile

#: GS h default: a one-dimensional barcode is 162 dots tall.
_BARCODE_DOTS = 162
#: Font A cell height in dots (ESC ! / GS ! multiply it).
_FONT_A_DOTS = 24


@dataclass(frozen=True)
class LinkModel:
    """How fast bytes cross the link; ``bytes_per_s`` None is an unthrottled link (a pty, a loopback)."""

    name: str
    bytes_per_s: float | None = None

    @classmethod
    def serial(cls, baudrate: int, bits_per_byte: int = 10) -> LinkModel:
        """An asynchronous serial line: start bit, 8 data bits, stop bit (8N1) per byte."""
        return cls(f"serial {baudrate} baud", baudrate / bits_per_byte)

    @classmethod
    def usb(cls, bytes_per_s: float = 1_000_000) -> LinkModel:
        """USB full speed (12 Mbit/s) printer class: bulk transfers reach about 1 MB/s in practice."""
        return cls("USB", bytes_per_s)

    @classmethod
    def tcp(cls, bytes_per_s: float = 1_000_000) -> LinkModel:
        """A network printer's raw port on 10/100 Ethernet; its interface board, not the wire, sets the pace."""
        return cls("TCP", bytes_per_s)

    @classmethod
    def unthrottled(cls) -> LinkModel:
        return cls("unthrottled", None)

    def seconds(self, n_bytes: int) -> float:
        return 0.0 if self.bytes_per_s is None else n_bytes / self.bytes_per_s


@dataclass(frozen=True)
class HeadModel:
    """The print mechanism and its receive buffer."""

    speed_mm_s: float = 250.0
    dpi: int = 203
    #: Receive buffer size; the printer says busy when fewer than ``busy_margin_bytes`` are free, and ready again
    #: when twice that many are free (the margin covers bytes already on their way when the host stops).
    buffer_bytes: int = 4096
    busy_margin_bytes: int = 512
    #: ESC 2: the default line spacing, the unit of ESC d n.
    line_spacing_dots: int = 30
    #: Autocutter cycle.
    cut_s: float = 0.25
    #: Head to cutter: GS V 65/66 feed this far before cutting (ESC d n before GS V 0/1 does it by hand).
    cutter_offset_mm: float = 15.0
    #: Dense black slows the head (power limit): dot rows blacker than the threshold print at ``factor`` speed.
    dense_black_threshold: float | None = 0.5
    dense_black_factor: float = 0.5

    @classmethod
    def for_profile(cls, profile: PrinterProfile) -> HeadModel:
        """The head of a printer model, from its profile."""
        return cls(speed_mm_s=profile.speed_mm_s, dpi=profile.dpi, buffer_bytes=profile.receive_buffer_bytes,
                   line_spacing_dots=profile.line_spacing_dots, cut_s=profile.cut_s)

    @property
    def dots_per_mm(self) -> float:
        return self.dpi / 25.4

    @property
    def busy_level(self) -> int:
        return max(self.buffer_bytes - self.busy_margin_bytes, 1)

    @property
    def ready_level(self) -> int:
        return max(self.buffer_bytes - 2 * self.busy_margin_bytes, 0)

    def seconds_for_dots(self, dots: float) -> float:
        return dots / self.dots_per_mm / self.speed_mm_s

    def seconds_for_rows(self, black_fractions: Sequence[float]) -> float:
        """Print time of raster dot rows, each at full speed unless it is denser than the threshold."""
        rows = len(black_fractions)
        if self.dense_black_threshold is not None and rows:
            threshold = self.dense_black_threshold
            slow = sum(1 for fraction in black_fractions if fraction > threshold)
            return self.seconds_for_dots(rows - slow) + self.seconds_for_dots(slow) / self.dense_black_factor
        return self.seconds_for_dots(rows)


def raster_row_blackness(width_bytes: int, data: bytes) -> list[float]:
    """Fraction of black dots in each complete dot row of GS v 0 data (MSB first, 1 = black). Plain Python, no
    numpy: the printer simulator runs in a kiosk that has only the apps package (numpy is the camera's)."""
    rows = len(data) // width_bytes if width_bytes else 0
    dots = width_bytes * 8
    return [int.from_bytes(data[row * width_bytes:(row + 1) * width_bytes], "big").bit_count() / dots
            for row in range(rows)]


class ElementTimer:
    """Print time of each decoded element; keeps the state that spans elements (text height on the line)."""

    def __init__(self, head: HeadModel) -> None:
        self.head = head
        self._line_height = 1

    def seconds(self, element: Element, streamed_rows: int = 0) -> float:
        """Time the head spends on ``element``; for a raster, only the rows after ``streamed_rows``."""
        head = self.head
        if isinstance(element, Text):
            self._line_height = max(self._line_height, element.style.height)
            return 0.0
        if isinstance(element, LineFeed):
            dots = max(head.line_spacing_dots, _FONT_A_DOTS * self._line_height)
            self._line_height = 1
            return head.seconds_for_dots(dots)
        if isinstance(element, Raster):
            fractions = raster_row_blackness(element.width_bytes, element.data)[streamed_rows:]
            scale = 2 if element.mode in (2, 3, 50, 51) else 1  # double-height modes
            return head.seconds_for_rows([fraction for fraction in fractions for _ in range(scale)])
        if isinstance(element, QrCode):
            return head.seconds_for_rows(_qr_rows(element))
        if isinstance(element, Barcode):
            return head.seconds_for_dots(_BARCODE_DOTS)
        if isinstance(element, Feed):
            dots = element.amount * (head.line_spacing_dots if element.unit == "lines" else 1)
            return head.seconds_for_dots(dots)
        if isinstance(element, Cut):
            feed = element.feed_dots + (head.cutter_offset_mm * head.dots_per_mm if element.to_cutter else 0)
            return head.seconds_for_dots(feed) + head.cut_s
        return 0.0


def _qr_rows(qr: QrCode) -> list[float]:
    """Blackness of each dot row of the QR symbol the printer draws (model 2, stored data, module size)."""
    try:
        symbol = segno.make(qr.data.decode("utf-8", errors="replace"), error=qr.ec.lower(), micro=False,
                            boost_error=False)
    except segno.DataOverflowError:
        return []
    module = max(qr.module_size, 1)
    return [sum(row) / len(row) for row in symbol.matrix for _ in range(module)]


class HeadSchedule:
    """The head's work as consecutive slices of (start, end, bytes): the receive buffer's level at any instant."""

    def __init__(self) -> None:
        self._slices: deque[tuple[float, float, int]] = deque()
        self.free_at = 0.0  # when the head has printed everything received so far
        self.received = 0  # bytes accepted into the buffer
        self._printed_before = 0  # bytes of slices already finished and dropped

    def add(self, n_bytes: int, seconds: float, now: float) -> float:
        """Queue ``n_bytes`` that take ``seconds`` of head time; returns when they are printed."""
        start = max(now, self.free_at)
        self.free_at = start + seconds
        self._slices.append((start, self.free_at, n_bytes))
        return self.free_at

    def printed(self, now: float) -> float:
        """Bytes the head has taken out of the buffer by ``now``."""
        while self._slices and self._slices[0][1] <= now:
            self._printed_before += self._slices.popleft()[2]
        if not self._slices:
            return float(self._printed_before)
        start, end, n_bytes = self._slices[0]
        partial = 0.0 if now <= start else n_bytes * (now - start) / (end - start)
        return self._printed_before + partial

    def level(self, now: float) -> float:
        """Bytes waiting in the receive buffer at ``now``."""
        return max(self.received - self.printed(now), 0.0)
