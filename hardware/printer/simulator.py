"""The printer simulator: a virtual ESC/POS printer that speaks the real wire protocol (STYLE.md habit 1).

``VirtualPrinter`` is the printer itself (decoding, tickets, status replies, faults) with no threads or I/O.
``SimulatorServer`` puts it on a wire: a pseudo-terminal (a serial port the kiosk opens by path), a TCP port, or
an in-process loopback transport. Each server runs one thread, stopped and joined by ``close()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import socket
import termios
import threading
import tty
from collections import deque
from dataclasses import dataclass, field
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
from hardware.printer.preview import PreviewRenderer, transcript
from hardware.printer.status import StatusFlags, StatusQuery, encode
from hardware.transport import FileTransport, LoopbackTransport, TcpTransport, Transport, loopback_pair

_POLL_S = 0.05


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


@dataclass(frozen=True)
class SimulatedTicket:
    """One ticket the simulator printed: its elements, transcript and preview."""

    index: int
    elements: list[Element]
    text: str
    preview: Image.Image = field(repr=False)


class VirtualPrinter:
    """Decodes what it receives, cuts it into tickets and answers real-time status. Thread-safe."""

    def __init__(self, width_dots: int = 576, faults: Faults | None = None, output_dir: Path | None = None,
                 keep: int = 50) -> None:
        self.faults = faults or Faults()
        self.width_dots = width_dots
        self.output_dir = output_dir
        #: the most recent tickets with their previews (a demo runs for days: older ones live in output_dir only)
        self.tickets: deque[SimulatedTicket] = deque(maxlen=keep)
        self.printed = 0  # every ticket since start, for the paper faults
        self.unknown: list[Element] = []
        self.bytes_received = 0
        self.discarded_bytes = 0
        self._decoder = EscPosDecoder()
        self._renderer = PreviewRenderer(width_dots)
        self._current: list[Element] = []
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

    def receive(self, data: bytes) -> bytes:
        """Bytes from the host → reply bytes (status answers), honouring the silent/garbage faults."""
        with self._lock:
            self.bytes_received += len(data)
            replies = bytearray()
            for element in self._decoder.feed(data):
                reply = self._handle(element)
                if reply is not None:
                    replies.append(reply)
            return bytes(replies)

    def finish(self) -> None:
        """End of a connection: keep a ticket that was not cut (models without a cutter)."""
        with self._lock:
            for element in self._decoder.finish():
                self._handle(element)
            self._end_ticket()

    def _handle(self, element: Element) -> int | None:
        if isinstance(element, RealTimeRequest):
            return self._reply(element)
        if isinstance(element, Unknown):
            self.unknown.append(element)
        if self.flags().offline:
            self.discarded_bytes += 1  # an offline printer drops the job; count commands, not exact bytes
            return None
        if isinstance(element, Init) and self._has_content():
            self._end_ticket()  # a new job on a cutterless printer
        self._current.append(element)
        if isinstance(element, Cut):
            self._end_ticket()
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

    def _end_ticket(self) -> None:
        if not self._has_content():
            self._current = []
            return
        self.printed += 1
        index = self.printed
        ticket = SimulatedTicket(index, self._current, transcript(self._current), self._renderer.render(self._current))
        self._current = []
        self.tickets.append(ticket)
        if self.output_dir:
            ticket.preview.save(self.output_dir / f"ticket-{index:04d}.png")
            (self.output_dir / f"ticket-{index:04d}.txt").write_text(ticket.text, encoding="utf-8")


class SimulatorServer:
    """Serves a ``VirtualPrinter`` over one link on a thread. Use as a context manager or call close()."""

    def __init__(self, printer: VirtualPrinter) -> None:
        self.printer = printer
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
                self._disconnect(link)

    def _serve(self, link: Transport) -> None:
        while not self._stop.is_set():
            data = link.read_some(65536, _POLL_S)
            if not data:
                continue
            vanish = self.printer.faults.vanish_after_bytes
            if vanish is not None and self.printer.bytes_received + len(data) >= vanish:
                self.printer.receive(data[: max(vanish - self.printer.bytes_received, 0)])
                self._vanish(link)
                return
            reply = self.printer.receive(data)
            if reply and self._stop.wait(self.printer.faults.reply_delay_s) is False:
                link.write(reply)

    # Link-specific parts.
    def _connect(self) -> Transport | None:
        raise NotImplementedError

    def _disconnect(self, link: Transport) -> None:
        link.close()

    def _vanish(self, link: Transport) -> None:
        self._disconnect(link)

    def _release(self) -> None:
        """Free OS resources after the thread ended."""


class PtySimulatorServer(SimulatorServer):
    """The printer on a pseudo-terminal: ``path`` is a serial port for SerialTransport (any baud rate)."""

    def __init__(self, printer: VirtualPrinter) -> None:
        super().__init__(printer)
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

    def __init__(self, printer: VirtualPrinter, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(printer)
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

    def __init__(self, printer: VirtualPrinter) -> None:
        super().__init__(printer)
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

    def __init__(self, printer: VirtualPrinter) -> None:
        self.server = LoopbackSimulatorServer(printer)
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

    def close(self) -> None:
        self._host.close()
        self.server.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
