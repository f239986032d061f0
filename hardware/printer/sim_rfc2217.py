"""The printer simulator behind an RFC 2217 serial device server: a serial port's data and control lines over TCP.

The only module that uses pyserial's RFC 2217 server side (``serial.rfc2217.PortManager``). It exists because a
pty has no modem lines: here the printer's busy signal drives DSR and CTS, which reach the host as
NOTIFY-MODEMSTATE (RFC 2217 §"Notification of modem state"); XON/XOFF or RTS/CTS asked for with SET-CONTROL are
done by the device server itself, which then stops taking bytes while the printer is busy (TCP holds the host
back). Real printers sit behind such servers (Moxa NPort, ser2net) at ``rfc2217://HOST:PORT``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from serial.rfc2217 import PortManager

from hardware.printer.physics import LinkModel
from hardware.printer.simulator import TcpSimulatorServer, VirtualPrinter
from hardware.transport import TcpTransport, Transport

_IAC = b"\xff"


class _PrinterSidePort:
    """The device server's own serial port, wired to the printer: what ``PortManager`` reads and sets."""

    def __init__(self) -> None:
        self.baudrate, self.bytesize, self.parity, self.stopbits = 9600, 8, "N", 1
        self.xonxoff = self.rtscts = False
        self.dtr = self.rts = True
        self.break_condition = False
        self.busy = False

    # The printer drives both handshake lines (DTR → our DSR, RTS → our CTS): low while busy.
    @property
    def dsr(self) -> bool:
        return not self.busy

    @property
    def cts(self) -> bool:
        return not self.busy

    ri = False
    cd = True

    def reset_input_buffer(self) -> None:
        """PURGE-DATA: nothing is held on this side."""

    def reset_output_buffer(self) -> None:
        """PURGE-DATA: nothing is held on this side."""


class _Connection:
    """PortManager's "connection": it writes raw Telnet bytes to the host through ``write``."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self.write = write


class Rfc2217Link:
    """One accepted connection as a ``Transport``: Telnet/RFC 2217 stripped coming in, IAC doubled going out."""

    def __init__(self, tcp: TcpTransport) -> None:
        self._tcp = tcp
        self._lock = threading.Lock()
        self.port = _PrinterSidePort()
        self.manager = PortManager(self.port, _Connection(self._write_raw))  # sends its option requests at once

    def _write_raw(self, data: bytes) -> None:
        with self._lock:
            self._tcp.write(data)

    def write(self, data: bytes) -> None:
        """Printer data to the host (status replies)."""
        self._write_raw(data.replace(_IAC, _IAC + _IAC))

    def read_some(self, n: int, timeout: float) -> bytes:
        raw = self._tcp.read_some(n, timeout)
        return b"".join(self.manager.filter(raw)) if raw else b""

    def read(self, n: int, timeout: float) -> bytes:
        return self.read_some(n, timeout)

    def set_busy(self, busy: bool) -> None:
        self.port.busy = busy
        self.manager.check_modem_lines()

    @property
    def server_flow_control(self) -> bool:
        """The host asked the device server for XON/XOFF or RTS/CTS: the server holds the data while busy."""
        return bool(self.port.xonxoff or self.port.rtscts)

    def open(self) -> None:
        """Already connected (an accepted socket)."""

    def reset_input(self) -> None:
        """Nothing to drop: the server loop reads everything."""

    def wire_seconds(self, n_bytes: int) -> float:
        return 0.0

    def close(self) -> None:
        self._tcp.close()

    def __enter__(self) -> Rfc2217Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Rfc2217SimulatorServer(TcpSimulatorServer):
    """The printer behind an RFC 2217 device server on a TCP port; open ``url`` with a SerialTransport."""

    def __init__(self, printer: VirtualPrinter, host: str = "127.0.0.1", port: int = 0,
                 link: LinkModel | None = None) -> None:
        super().__init__(printer, host, port, link)

    @property
    def url(self) -> str:
        return f"rfc2217://{self.host}:{self.port}"

    def _connect(self) -> Transport | None:
        tcp = super()._connect()
        if tcp is None:
            return None
        assert isinstance(tcp, TcpTransport)
        return Rfc2217Link(tcp)

    def _signal_busy(self, link: Transport, busy: bool) -> None:
        assert isinstance(link, Rfc2217Link)
        link.set_busy(busy)

    def _host_honours_busy(self, link: Transport) -> bool:
        assert isinstance(link, Rfc2217Link)
        return link.server_flow_control
