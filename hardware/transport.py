"""Byte transports shared by every hardware port: serial, TCP, device file and an in-process loopback pair.

A transport moves bytes and nothing else (STYLE.md habit 2); devices build protocols on top. Every blocking call has
a deadline: ``read`` returns whatever arrived by then (possibly ``b""``), ``write`` raises ``DeviceTimeout`` if the
device stops accepting bytes. OS errors are translated once, here, into ``TransportError``.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import termios
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import serial

from hardware.errors import ConfigurationError, DeviceTimeout, TransportError

#: What pyserial lets escape when a device vanishes: termios.error (e.g. EIO from tcdrain) is not an OSError.
_SERIAL_ERRORS = (serial.SerialException, OSError, termios.error)
#: Bytes asked from the OS per read call; devices read small replies, simulators read whole tickets.
_CHUNK = 65536


@runtime_checkable
class Transport(Protocol):
    """The seam between a device driver and a wire (or a simulator)."""

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read(self, n: int, timeout: float) -> bytes: ...

    def read_some(self, n: int, timeout: float) -> bytes: ...

    def reset_input(self) -> None: ...

    def wire_seconds(self, n_bytes: int) -> float:
        """How long ``n_bytes`` may still take on the wire after ``write`` returned (0 for USB, TCP, files)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class _Base:
    """Context-manager plumbing and the read-until-deadline loop shared by the implementations."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _read_some(self, n: int, timeout: float) -> bytes:
        raise NotImplementedError

    def wire_seconds(self, n_bytes: int) -> float:
        return 0.0

    def read_some(self, n: int, timeout: float) -> bytes:
        """Up to ``n`` bytes, returning as soon as any arrive (b"" after ``timeout``): for streams and simulators."""
        return self._read_some(n, timeout)

    def read(self, n: int, timeout: float) -> bytes:
        """Read until ``n`` bytes arrived or ``timeout`` seconds passed; returns what arrived."""
        deadline = time.monotonic() + max(0.0, timeout)
        out = bytearray()
        while len(out) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 and out:
                break
            chunk = self._read_some(n - len(out), max(0.0, remaining))
            out += chunk
            if not chunk and time.monotonic() >= deadline:
                break
        return bytes(out)


class SerialTransport(_Base):
    """A serial port (pyserial), a pseudo-terminal path such as a simulator's, or an RFC 2217 URL.

    Flow control, as the printer is set up (its DIP switches): ``xonxoff`` and ``rtscts`` are applied by the kernel
    (termios IXON, CRTSCTS) or, over RFC 2217, by the device server. Linux has no DTR/DSR output flow control, so
    for ``dsrdtr`` (and, as a second check, ``rtscts``) this transport waits for the printer's line before each
    small chunk and lets each chunk drain before the next: a printer that drops the line stops us within one chunk.
    ``none`` is what USB-serial adapters without DSR wiring need (research §1), and loses bytes when the printer
    cannot keep up. A write fails only after ``timeout`` seconds without progress (a busy printer holds us back).
    """

    #: Bytes written between two checks of the busy line (64 bytes: 5.6 ms at 115200 baud).
    LINE_CHUNK = 64
    _CHUNK = 4096
    _BUSY_POLL_S = 0.002

    def __init__(self, port: str, baudrate: int = 115200, timeout: float = 3.0, flow_control: str = "none") -> None:
        if flow_control not in ("none", "rtscts", "xonxoff", "dsrdtr"):
            raise ConfigurationError(f"unknown serial flow control {flow_control!r}")
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.flow_control = flow_control
        self._url = "://" in port  # rfc2217://host:port and other pyserial URL handlers
        self._serial: serial.SerialBase | None = None

    def open(self) -> None:
        try:
            self._serial = serial.serial_for_url(
                self.port, self.baudrate, timeout=self.timeout,
                # pyserial's RFC 2217 client has no write timeout; the chunk loop below bounds the waits instead
                write_timeout=None if self._url else self.timeout,
                dsrdtr=False, rtscts=self.flow_control == "rtscts", xonxoff=self.flow_control == "xonxoff",
            )
        except (serial.SerialException, OSError, ValueError) as err:
            raise TransportError(f"cannot open serial port {self.port}: {err}") from err

    def _port(self) -> serial.SerialBase:
        if self._serial is None:
            raise TransportError(f"serial port {self.port} is not open")
        return self._serial

    def _wire_s(self, n_bytes: int) -> float:
        """Time ``n_bytes`` take on the wire: 10 bits a byte (start + 8 + stop)."""
        return n_bytes * 10 / self.baudrate

    def wire_seconds(self, n_bytes: int) -> float:
        """A write returns once the bytes are queued in the kernel (or the device server): they follow at the baud
        rate, and so does anything sent after them, such as a status query."""
        return self._wire_s(n_bytes)

    def write(self, data: bytes) -> None:
        port = self._port()
        by_line = self.flow_control in ("dsrdtr", "rtscts")
        chunk = self.LINE_CHUNK if by_line else self._CHUNK
        view = memoryview(data)
        try:
            while view:
                piece = view[:chunk]
                if by_line:
                    self._wait_for_line(port)
                started = time.monotonic()
                if not self._url:
                    # progress renews the deadline: only a stalled (or forever busy) device times out
                    port.write_timeout = self.timeout + self._wire_s(len(piece)) * 1.5
                port.write(piece)
                view = view[len(piece):]
                if by_line:
                    self._drain(port, started, len(piece))
            if self.flow_control == "none":
                port.flush()  # tcdrain; never with XON/XOFF, where it would wait out a busy printer unbounded
        except serial.SerialTimeoutException as err:
            raise DeviceTimeout(f"{self.port}: device stopped accepting data for {self.timeout} s") from err
        except _SERIAL_ERRORS as err:
            raise TransportError(f"{self.port}: write failed: {err}") from err

    def _wait_for_line(self, port: serial.SerialBase) -> None:
        """Wait while the printer holds DSR (or CTS) low: it is busy."""
        name = "DSR" if self.flow_control == "dsrdtr" else "CTS"
        deadline = time.monotonic() + self.timeout
        try:
            while not (port.dsr if name == "DSR" else port.cts):
                if time.monotonic() > deadline:
                    raise DeviceTimeout(f"{self.port}: printer busy ({name} low) for {self.timeout} s")
                time.sleep(self._BUSY_POLL_S)
        except OSError as err:  # a pty has no modem lines (ENOTTY)
            raise TransportError(f"{self.port}: cannot read {name} ({err}); flow control "
                                 f"{self.flow_control} needs a real serial port or rfc2217://") from err

    def _drain(self, port: serial.SerialBase, started: float, n_bytes: int) -> None:
        """Let a chunk leave before the next: tcdrain on a real port, the wire time on a URL (no drain there)."""
        if not self._url:
            port.flush()
        remaining = started + self._wire_s(n_bytes) - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def _read_some(self, n: int, timeout: float) -> bytes:
        port = self._port()
        try:
            if self._url:
                return self._poll_read(port, n, timeout)
            port.timeout = timeout
            first = port.read(1)
            if not first or n == 1:
                return first
            port.timeout = 0
            return first + port.read(min(port.in_waiting, n - 1))
        except _SERIAL_ERRORS as err:
            raise TransportError(f"{self.port}: read failed: {err}") from err

    def _poll_read(self, port: serial.SerialBase, n: int, timeout: float) -> bytes:
        """Read from a URL port without changing its timeout (over RFC 2217 that renegotiates every setting)."""
        deadline = time.monotonic() + timeout
        while True:
            waiting = port.in_waiting
            if waiting:
                return port.read(min(waiting, n))
            if time.monotonic() >= deadline:
                return b""
            time.sleep(0.001)

    def reset_input(self) -> None:
        port = self._port()
        try:
            if self._url:
                # pyserial's RFC 2217 purge waits ~50 ms for the server's ack: drop what has arrived instead
                while port.in_waiting:
                    port.read(port.in_waiting)
            else:
                port.reset_input_buffer()
        except _SERIAL_ERRORS as err:
            raise TransportError(f"{self.port}: cannot flush input: {err}") from err

    def close(self) -> None:
        if self._serial is not None:
            with contextlib.suppress(*_SERIAL_ERRORS):
                self._serial.close()
            self._serial = None


class TcpTransport(_Base):
    """A raw TCP socket, e.g. a network printer's port 9100, with timeouts on connect, send and receive."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 2.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._sock: socket.socket | None = None

    @classmethod
    def from_socket(cls, sock: socket.socket, timeout: float = 2.0) -> TcpTransport:
        """Wrap an already connected socket (the simulator's side of an accepted connection)."""
        host, port = sock.getpeername()[:2]
        transport = cls(host, port, timeout)
        transport._sock = sock
        return transport

    def open(self) -> None:
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as err:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {err}") from err

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise TransportError(f"{self.host}:{self.port} is not connected")
        return self._sock

    def write(self, data: bytes) -> None:
        sock = self._socket()
        sock.settimeout(self.timeout)
        try:
            sock.sendall(data)
        except TimeoutError as err:
            raise DeviceTimeout(f"{self.host}:{self.port}: device stopped accepting data") from err
        except OSError as err:
            raise TransportError(f"{self.host}:{self.port}: send failed: {err}") from err

    def _read_some(self, n: int, timeout: float) -> bytes:
        sock = self._socket()
        sock.settimeout(max(timeout, 0.001))
        try:
            data = sock.recv(n)
        except TimeoutError:
            return b""
        except OSError as err:
            raise TransportError(f"{self.host}:{self.port}: receive failed: {err}") from err
        if not data:
            raise TransportError(f"{self.host}:{self.port}: connection closed by the device")
        return data

    def reset_input(self) -> None:
        sock = self._socket()
        sock.setblocking(False)
        try:
            while sock.recv(_CHUNK):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as err:
            raise TransportError(f"{self.host}:{self.port}: {err}") from err
        finally:
            sock.settimeout(self.timeout)

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
            self._sock = None


class FileTransport(_Base):
    """A character device such as ``/dev/usb/lp0`` (or a pty master), opened read-write and non-blocking.

    Non-blocking I/O plus ``select`` gives every read and write a deadline, which the kernel's blocking
    usblp driver does not (a printer out of paper can block a plain ``write`` forever).
    """

    def __init__(self, path: str | os.PathLike[str], timeout: float = 2.0) -> None:
        self.path = str(path)
        self.timeout = timeout
        self._fd: int | None = None
        self._owns_fd = True

    @classmethod
    def from_fd(cls, fd: int, name: str, timeout: float = 2.0) -> FileTransport:
        """Wrap an open descriptor the caller keeps owning (a simulator's pty master)."""
        os.set_blocking(fd, False)
        transport = cls(name, timeout)
        transport._fd = fd
        transport._owns_fd = False
        return transport

    def open(self) -> None:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as err:
            raise TransportError(f"cannot open {self.path}: {err}") from err
        self._owns_fd = True

    def _descriptor(self) -> int:
        if self._fd is None:
            raise TransportError(f"{self.path} is not open")
        return self._fd

    def write(self, data: bytes) -> None:
        fd = self._descriptor()
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            remaining = deadline - time.monotonic()
            try:
                _, writable, _ = select.select([], [fd], [], max(remaining, 0.0))
                if not writable:
                    raise DeviceTimeout(f"{self.path}: device stopped accepting data")
                written = os.write(fd, view)
            except (BlockingIOError, InterruptedError):
                continue
            except (OSError, ValueError) as err:
                raise TransportError(f"{self.path}: write failed: {err}") from err
            view = view[written:]
            # Progress renews the deadline: only a stalled device times out, not a long ticket.
            deadline = time.monotonic() + self.timeout

    def _read_some(self, n: int, timeout: float) -> bytes:
        fd = self._descriptor()
        try:
            readable, _, _ = select.select([fd], [], [], timeout)
            if not readable:
                return b""
            return os.read(fd, n)
        except (BlockingIOError, InterruptedError):
            return b""
        except (OSError, ValueError) as err:
            raise TransportError(f"{self.path}: read failed: {err}") from err

    def reset_input(self) -> None:
        while self._read_some(_CHUNK, 0.0):
            pass

    def close(self) -> None:
        if self._fd is not None and self._owns_fd:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None


class LoopbackTransport(_Base):
    """One end of an in-process byte pipe; see ``loopback_pair``. Thread-safe."""

    def __init__(self, name: str, inbox: _Pipe, outbox: _Pipe) -> None:
        self.name = name
        self._inbox = inbox
        self._outbox = outbox
        self._open = False

    def open(self) -> None:
        self._open = True

    def _check(self) -> None:
        if not self._open:
            raise TransportError(f"loopback {self.name} is not open")
        if self._outbox.closed or self._inbox.closed:
            raise TransportError(f"loopback {self.name}: peer closed")

    def write(self, data: bytes) -> None:
        self._check()
        self._outbox.put(data)

    def _read_some(self, n: int, timeout: float) -> bytes:
        if not self._open:
            raise TransportError(f"loopback {self.name} is not open")
        data = self._inbox.get(n, timeout)
        if not data and self._inbox.closed:
            raise TransportError(f"loopback {self.name}: peer closed")
        return data

    def reset_input(self) -> None:
        self._inbox.get(_CHUNK * 1024, 0.0)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._inbox.close()
            self._outbox.close()


class _Pipe:
    """A byte buffer with a condition variable: one direction of a loopback pair."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._cond = threading.Condition()
        self.closed = False

    def put(self, data: bytes) -> None:
        with self._cond:
            self._buffer += data
            self._cond.notify_all()

    def get(self, n: int, timeout: float) -> bytes:
        with self._cond:
            self._cond.wait_for(lambda: self._buffer or self.closed, timeout=timeout)
            data = bytes(self._buffer[:n])
            del self._buffer[:n]
            return data

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def loopback_pair(name: str = "loopback") -> tuple[LoopbackTransport, LoopbackTransport]:
    """Two connected in-process transports: bytes written to one are read from the other."""
    a_to_b, b_to_a = _Pipe(), _Pipe()
    return (
        LoopbackTransport(f"{name}/host", inbox=b_to_a, outbox=a_to_b),
        LoopbackTransport(f"{name}/device", inbox=a_to_b, outbox=b_to_a),
    )


def find_usb_printer(vendor_id: int, product_id: int, sysfs: Path = Path("/sys"), dev: Path = Path("/dev")) -> Path:
    """The ``/dev/usb/lpN`` file of the USB printer-class device with these ids, found through sysfs.

    The kernel's usblp driver lists each printer under ``/sys/class/usbmisc/lpN``; its ``device`` link points at
    the USB interface, whose parent directory holds ``idVendor`` and ``idProduct``. No pyusb, no root needed.
    """
    class_dir = sysfs / "class" / "usbmisc"
    wanted = (f"{vendor_id:04x}", f"{product_id:04x}")
    for entry in sorted(class_dir.glob("lp*")):
        usb_device = (entry / "device").resolve().parent
        try:
            ids = ((usb_device / "idVendor").read_text().strip(), (usb_device / "idProduct").read_text().strip())
        except OSError:
            continue
        if ids == wanted:
            return dev / "usb" / entry.name
    raise ConfigurationError(f"no USB printer {wanted[0]}:{wanted[1]} under {class_dir} (usblp loaded? plugged in?)")
