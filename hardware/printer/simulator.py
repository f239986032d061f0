"""The printer simulator: a virtual ESC/POS printer that speaks the real wire protocol (STYLE.md habit 1).

``VirtualPrinter`` is the printer itself (decoding, tickets, status replies, faults, and optionally the physics of
its receive buffer and head) with no threads or I/O. ``SimulatorServer`` puts it on a wire: a pseudo-terminal (a
serial port the kiosk opens by path), a TCP port, or an in-process loopback transport, optionally paced at a link's
speed. Each server runs one thread, stopped and joined by ``close()``.

Flow control: with a head model, the printer says "busy" when its receive buffer is nearly full, the way the link
allows: XOFF/XON bytes on a serial line (pty), DSR/CTS over RFC 2217 (``sim_rfc2217``), and on TCP, USB or the
loopback simply by not reading (their own flow control holds the host back). A host that ignores XOFF keeps
sending, and the bytes that find the buffer full are lost, as on a real printer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import socket
import termios
import threading
import time
import tty
from collections import deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Self

from PIL import Image

from hardware.errors import TransportError
from hardware.printer.decoder import (
    Cut,
    Element,
    EscPosDecoder,
    Init,
    LineFeed,
    QrCode,
    Raster,
    RealTimeRequest,
    Text,
    Unknown,
)
from hardware.printer.physics import ElementTimer, HeadModel, HeadSchedule, LinkModel, raster_row_blackness
from hardware.printer.preview import PreviewRenderer, transcript
from hardware.printer.status import StatusFlags, StatusQuery, encode
from hardware.transport import FileTransport, LoopbackTransport, TcpTransport, Transport, loopback_pair

_POLL_S = 0.05
#: While busy and the host holds back, how often the buffer level is checked.
_BUSY_POLL_S = 0.002
#: On a paced link, bytes are taken from the OS this many seconds' worth at a time, and at least this many (on a
#: loaded machine a loop turn costs ~1 ms: 4-byte slices at 9600 baud made the simulated wire 60 % slower).
_WIRE_SLICE_S = 0.01
_WIRE_SLICE_MIN = 64
XON, XOFF = b"\x11", b"\x13"
_HOST_QUEUE_MAX = 1 << 20


@dataclass
class Faults:
    """Faults to inject; change them at any time (the server reads them on each reply)."""

    paper_out_after: int | None = None
    near_end_after: int | None = None
    cover_open: bool = False
    silent: bool = False
    reply_delay_s: float = 0.0
    garbage_reply: int | None = None
    #: Drop the connection (a printer unplugged) once this many bytes were received.
    vanish_after_bytes: int | None = None


class SimulatedTicket:
    """One ticket the simulator printed: its elements, when it was cut, and (made on first use) text and preview."""

    def __init__(self, index: int, elements: list[Element], cut_at: float, width_dots: int) -> None:
        self.index = index
        self.elements = elements
        #: ``time.monotonic()`` at which the cutter would have cut it (with a head model; else when the cut arrived).
        self.cut_at = cut_at
        self._width_dots = width_dots

    @cached_property
    def text(self) -> str:
        return transcript(self.elements)

    @cached_property
    def preview(self) -> Image.Image:
        return PreviewRenderer(self._width_dots).render(self.elements)

    def __repr__(self) -> str:
        return f"SimulatedTicket({self.index}, {len(self.elements)} elements, cut_at={self.cut_at:.3f})"


class VirtualPrinter:
    """Decodes what it receives, cuts it into tickets and answers real-time status. Thread-safe.

    Without ``head`` it is an ideal printer: an endless buffer and a head that prints in no time. With it, the
    receive buffer fills and drains with the head's work (``buffer_level``, ``busy``), and bytes beyond the
    buffer's size are lost (``lost_bytes``).
    """

    def __init__(self, width_dots: int = 576, faults: Faults | None = None, output_dir: Path | None = None,
                 keep: int = 50, head: HeadModel | None = None) -> None:
        self.faults = faults or Faults()
        self.width_dots = width_dots
        self.output_dir = output_dir
        self.head = head
        #: the most recent tickets (a demo runs for days: older ones live in output_dir only)
        self.tickets: deque[SimulatedTicket] = deque(maxlen=keep)
        self.printed = 0  # every ticket since start, for the paper faults
        self.unknown: list[Element] = []
        self.bytes_received = 0
        self.discarded_bytes = 0
        self.lost_bytes = 0
        self._decoder = EscPosDecoder()
        self._current: list[Element] = []
        self._schedule = HeadSchedule()
        self._timer = ElementTimer(head) if head else None
        self._streamed_rows = 0  # rows of an image still arriving that the head already printed
        self._lock = threading.Lock()
        if output_dir:
            output_dir.mkdir(parents=True, exist_ok=True)

    def flags(self) -> StatusFlags:
        printed = self.printed
        f = self.faults
        paper_out = f.paper_out_after is not None and printed >= f.paper_out_after
        near_end = f.near_end_after is not None and printed >= f.near_end_after
        return StatusFlags(
            offline=f.cover_open or paper_out, cover_open=f.cover_open, paper_stop=paper_out, error=False,
            cutter_error=False, unrecoverable=False, paper_near_end=near_end or paper_out, paper_out=paper_out,
        )

    def buffer_level(self, now: float | None = None) -> float:
        """Bytes waiting in the receive buffer (0 for an ideal printer)."""
        with self._lock:
            return self._schedule.level(time.monotonic() if now is None else now) if self.head else 0.0

    def idle_at(self) -> float:
        """When the head will have printed (and cut) everything received so far."""
        with self._lock:
            return self._schedule.free_at

    def receive(self, data: bytes, at: float | None = None) -> bytes:
        """Bytes from the host, arrived at ``at`` (monotonic; now by default) → reply bytes (status answers)."""
        now = time.monotonic() if at is None else at
        with self._lock:
            self.bytes_received += len(data)
            if self.head is not None:
                room = max(int(self.head.buffer_bytes - self._schedule.level(now)), 0)
                if len(data) > room:
                    self.lost_bytes += len(data) - room
                    data = data[:room]
                self._schedule.received += len(data)
            replies = bytearray()
            for element, size in self._decoder.feed_sized(data):
                reply = self._take(element, size, now)
                if reply is not None:
                    replies.append(reply)
            self._stream_pending_rows(now)
            return bytes(replies)

    def finish(self) -> None:
        """End of a connection: keep a ticket that was not cut (models without a cutter)."""
        with self._lock:
            now = time.monotonic()
            for element in self._decoder.finish():
                self._take(element, 0, now)
            self._end_ticket(max(now, self._schedule.free_at))

    def _take(self, element: Element | None, size: int, now: float) -> int | None:
        """Schedule one element's bytes on the head, then act on it."""
        done_at = now
        if self._timer is not None:
            seconds = self._timer.seconds(element, self._streamed_rows) if element is not None else 0.0
            streamed = self._streamed_rows * element.width_bytes if isinstance(element, Raster) else 0
            done_at = self._schedule.add(size - streamed, seconds, now)
            self._streamed_rows = 0
        return self._handle(element, done_at) if element is not None else None

    def _stream_pending_rows(self, now: float) -> None:
        """Print the complete rows of an image still arriving: a real head does not wait for the last row."""
        pending = self._decoder.pending_raster() if self._timer is not None else None
        if pending is None or self._timer is None:
            return
        width_bytes, _, data = pending
        rows = raster_row_blackness(width_bytes, data)[self._streamed_rows:]
        if len(rows):
            self._schedule.add(len(rows) * width_bytes, self._timer.head.seconds_for_rows(rows), now)
            self._streamed_rows += len(rows)

    def _handle(self, element: Element, done_at: float) -> int | None:
        if isinstance(element, RealTimeRequest):
            return self._reply(element)
        if isinstance(element, Unknown):
            self.unknown.append(element)
        if self.flags().offline:
            self.discarded_bytes += 1  # an offline printer drops the job; count commands, not exact bytes
            return None
        if isinstance(element, Init) and self._has_content():
            self._end_ticket(done_at)  # a new job on a cutterless printer
        self._current.append(element)
        if isinstance(element, Cut):
            self._end_ticket(done_at)
        return None

    def _reply(self, request: RealTimeRequest) -> int | None:
        if self.faults.silent:
            return None
        if self.faults.garbage_reply is not None:
            return self.faults.garbage_reply
        if request.command == "DLE EOT" and request.n in (1, 2, 3, 4):
            return encode(StatusQuery(request.n), self.flags())
        if request.command == "GS r" and request.n in (1, 49):  # paper sensor status, near-end bits 0-1
            flags = self.flags()
            return (0x03 if flags.paper_near_end else 0) | (0x0C if flags.paper_out else 0)
        return None

    def _has_content(self) -> bool:
        return any(isinstance(e, (Text, Raster, QrCode, LineFeed)) for e in self._current)

    def _end_ticket(self, cut_at: float) -> None:
        if not self._has_content():
            self._current = []
            return
        self.printed += 1
        ticket = SimulatedTicket(self.printed, self._current, cut_at, self.width_dots)
        self._current = []
        self.tickets.append(ticket)
        if self.output_dir:
            ticket.preview.save(self.output_dir / f"ticket-{ticket.index:04d}.png")
            (self.output_dir / f"ticket-{ticket.index:04d}.txt").write_text(ticket.text, encoding="utf-8")


class SimulatorServer:
    """Serves a ``VirtualPrinter`` over one link on a thread. Use as a context manager or call close().

    ``link`` paces the bytes at the link's speed (a pty or a socket is otherwise as fast as the OS).
    """

    #: Take the host's bytes off the OS link at once and hold them here until they cross the wire: the host's
    #: UART transmit queue. A pty only wakes a blocked writer after ~12 KB drained, 3 s at 38400 baud, which a
    #: real UART never does; XOFF still stops the host in its kernel.
    queues_host_bytes = False

    def __init__(self, printer: VirtualPrinter, link: LinkModel | None = None) -> None:
        self.printer = printer
        self.link = link or LinkModel.unthrottled()
        self.busy = False
        self.busy_periods = 0  # how often the printer said busy, for tests and benches
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=f"printer-sim-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._release()

    def _run(self) -> None:
        while not self._stop.is_set():
            link = self._connect()
            if link is None:
                continue
            try:
                self._serve(link)
            except TransportError:
                pass  # host went away: wait for the next one
            finally:
                self.printer.finish()
                self._set_busy(link, False)
                self._disconnect(link)

    def _serve(self, link: Transport) -> None:
        rate = self.link.bytes_per_s
        slice_bytes = 65536 if rate is None else max(_WIRE_SLICE_MIN, int(rate * _WIRE_SLICE_S))
        wire_free = 0.0
        queue = bytearray()  # see queues_host_bytes
        while not self._stop.is_set():
            take = min(slice_bytes, self._room(link) if self.printer.head is not None else slice_bytes)
            if self.queues_host_bytes:
                if len(queue) < _HOST_QUEUE_MAX:
                    queue += link.read_some(65536, 0.0 if queue or take <= 0 else _POLL_S)
                data = bytes(queue[: max(take, 0)])
                del queue[: len(data)]
            elif take > 0:
                data = link.read_some(take, _POLL_S)
            else:
                data = b""
            if not data:
                if take <= 0:
                    self._stop.wait(_BUSY_POLL_S)
                continue
            arrived = time.monotonic()
            if rate is not None:
                # The bytes cross the wire one after another: the last one lands len/rate after the wire is free.
                arrived = max(arrived, wire_free) + len(data) / rate
                wire_free = arrived
                if self._stop.wait(max(arrived - time.monotonic(), 0.0)):
                    return
            vanish = self.printer.faults.vanish_after_bytes
            if vanish is not None and self.printer.bytes_received + len(data) >= vanish:
                self.printer.receive(data[: max(vanish - self.printer.bytes_received, 0)], arrived)
                self._vanish(link)
                return
            reply = self.printer.receive(data, arrived)
            if reply and self._stop.wait(self.printer.faults.reply_delay_s) is False:
                link.write(reply)

    def _room(self, link: Transport) -> int:
        """Update the busy signal from the buffer level; how many bytes the link may deliver now.

        A host that honours busy is held back: nothing while busy, never more than the buffer's free space. One
        that does not keeps sending at the link's pace, and what does not fit is lost (``VirtualPrinter.receive``).
        """
        head = self.printer.head
        assert head is not None
        level = self.printer.buffer_level()
        if not self.busy and level >= head.busy_level:
            self._set_busy(link, True)
        elif self.busy and level <= head.ready_level:
            self._set_busy(link, False)
        if not self._host_honours_busy(link):
            return 65536
        return 0 if self.busy else int(head.buffer_bytes - level)

    def _set_busy(self, link: Transport, busy: bool) -> None:
        if busy == self.busy:
            return
        self.busy = busy
        self.busy_periods += busy
        with contextlib.suppress(TransportError):
            self._signal_busy(link, busy)

    # Link-specific parts.
    def _signal_busy(self, link: Transport, busy: bool) -> None:
        """Tell the host (XOFF/XON, modem lines); TCP, USB and loopback need nothing: the server stops reading."""

    def _host_honours_busy(self, link: Transport) -> bool:
        """Whether the host stops sending while busy, so the server stops taking bytes off the link."""
        return True

    def _connect(self) -> Transport | None:
        raise NotImplementedError

    def _disconnect(self, link: Transport) -> None:
        link.close()

    def _vanish(self, link: Transport) -> None:
        self._disconnect(link)

    def _release(self) -> None:
        """Free OS resources after the thread ended."""


class PtySimulatorServer(SimulatorServer):
    """The printer on a pseudo-terminal: ``path`` is a serial port for SerialTransport (any baud rate).

    Busy is XOFF, ready XON, written to the host. The pty's buffer plays the host UART's transmit queue: a host
    whose port has IXON set (XON/XOFF flow control) stops it on XOFF, so the server stops taking bytes; a host
    without it keeps sending, and its bytes are lost in a full buffer (and it reads the XOFF/XON bytes as data).
    """

    def __init__(self, printer: VirtualPrinter, link: LinkModel | None = None, *, usb: bool = False) -> None:
        super().__init__(printer, link)
        #: The pty stands for a USB printer-class device file (/dev/usb/lp0): USB's own flow control (NAK) holds
        #: the host back while busy, no XON/XOFF.
        self.usb = usb
        self.queues_host_bytes = not usb
        self._master, self._slave = os.openpty()
        # Raw mode: no echo, no CR/LF translation — the bytes are binary ESC/POS.
        tty.setraw(self._slave, termios.TCSANOW)
        self.path = os.ttyname(self._slave)
        self._served = False
        self._vanished = False

    def _connect(self) -> Transport | None:
        if self._served:  # one pty, one link: after a vanish fault the port stays dead, like an unplugged printer
            self._stop.wait(_POLL_S)
            return None
        self._served = True
        return FileTransport.from_fd(self._master, self.path)

    def _disconnect(self, link: Transport) -> None:
        link.close()

    def _signal_busy(self, link: Transport, busy: bool) -> None:
        if not self.usb:
            link.write(XOFF if busy else XON)

    def _host_honours_busy(self, link: Transport) -> bool:
        if self.usb:
            return True
        # The host's settings of its end of the pty: its kernel stops the output on XOFF only with IXON.
        try:
            return bool(termios.tcgetattr(self._slave)[0] & termios.IXON)
        except (termios.error, OSError):
            return False

    def _vanish(self, link: Transport) -> None:
        # Closing both ends hangs up the pty: the host's next write fails with EIO, as when a USB adapter goes.
        self._vanished = True
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _release(self) -> None:
        if not self._vanished:
            self._vanished = True
            for fd in (self._master, self._slave):
                with contextlib.suppress(OSError):
                    os.close(fd)


class TcpSimulatorServer(SimulatorServer):
    """The printer on a TCP port (like a network printer's 9100); one connection at a time."""

    def __init__(self, printer: VirtualPrinter, host: str = "127.0.0.1", port: int = 0,
                 link: LinkModel | None = None) -> None:
        super().__init__(printer, link)
        self._listener = socket.create_server((host, port), reuse_port=False)
        self.host, self.port = self._listener.getsockname()[:2]

    def _connect(self) -> Transport | None:
        readable, _, _ = select.select([self._listener], [], [], _POLL_S)
        if not readable:
            return None
        conn, _ = self._listener.accept()
        return TcpTransport.from_socket(conn)

    def _release(self) -> None:
        self._listener.close()


class LoopbackSimulatorServer(SimulatorServer):
    """The printer in process: ``host_transport`` is what the device uses."""

    def __init__(self, printer: VirtualPrinter, link: LinkModel | None = None) -> None:
        super().__init__(printer, link)
        self.host_transport, self._device_end = loopback_pair("printer-sim")
        self._device_end.open()
        self._served = False

    def _connect(self) -> Transport | None:
        if self._served:
            self._stop.wait(_POLL_S)
            return None
        self._served = True
        return self._device_end


def with_faults(printer: VirtualPrinter, **changes: object) -> None:
    """Change faults on a running simulator (dataclass fields of ``Faults``)."""
    printer.faults = dataclasses.replace(printer.faults, **changes)


class InProcessPrinterTransport:
    """A transport that owns an in-process simulator: the ``simulator`` connection type of the config.

    Opening it starts the simulator thread; closing it stops and joins it.
    """

    def __init__(self, printer: VirtualPrinter, link: LinkModel | None = None) -> None:
        self.server = LoopbackSimulatorServer(printer, link)
        self._host: LoopbackTransport = self.server.host_transport

    @property
    def printer(self) -> VirtualPrinter:
        return self.server.printer

    def open(self) -> None:
        self._host.open()
        self.server.start()

    def write(self, data: bytes) -> None:
        self._host.write(data)

    def read(self, n: int, timeout: float) -> bytes:
        return self._host.read(n, timeout)

    def read_some(self, n: int, timeout: float) -> bytes:
        return self._host.read_some(n, timeout)

    def reset_input(self) -> None:
        self._host.reset_input()

    def wire_seconds(self, n_bytes: int) -> float:
        return self.server.link.seconds(n_bytes)

    def close(self) -> None:
        self._host.close()
        self.server.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
