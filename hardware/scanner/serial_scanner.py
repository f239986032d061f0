"""Serial scanner driver: pyserial on a worker thread, line framing, reconnect after the port vanishes."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import serial

from config.scanner import SerialScannerConfig
from hardware.scanner.base import ScanCallback, ScannerState, StateCallback
from hardware.scanner.framing import DroppedLine, LineFramer

log = logging.getLogger(__name__)

#: Opens a port; tests and the simulator may substitute their own. Must raise OSError (SerialException is one).
SerialFactory = Callable[..., serial.Serial]


class SerialScanner:
    """Reads codes from a line-oriented serial scanner and hands each to `on_scan` on its worker thread.

    The read timeout is short (`poll_s`) so that `stop()` returns promptly; unplugging shows as
    `ScannerState.DISCONNECTED` and the port is reopened every `reconnect_interval_s` until it comes back.
    """

    def __init__(
        self,
        config: SerialScannerConfig,
        on_scan: ScanCallback,
        on_state: StateCallback | None = None,
        *,
        serial_factory: SerialFactory = serial.Serial,
        poll_s: float = 0.1,
    ) -> None:
        self._config = config
        self._on_scan = on_scan
        self._on_state = on_state
        self._serial_factory = serial_factory
        self._poll_s = poll_s
        self._framer = LineFramer([t.encode("ascii") for t in config.terminators], config.max_length,
                                  config.gap_ms / 1000)
        # reads return at least this often, so a code with no suffix is delivered soon after its gap
        self._read_timeout_s = min(poll_s, config.gap_ms / 3000)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = ScannerState.STOPPED
        self._state_lock = threading.Lock()
        self.codes_read = 0
        self.lines_dropped = 0
        self._gap_warned = False

    @property
    def state(self) -> ScannerState:
        return self._state

    def start(self) -> None:
        """Start the worker thread; the port is opened there, so a missing scanner never blocks the caller."""
        if self._thread is not None:
            raise RuntimeError("scanner already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-scanner {self._config.port}")
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the worker and close the port; returns once the thread has ended (or `timeout` passed)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("serial scanner %s: worker did not stop within %.1f s", self._config.port, timeout)
            self._thread = None

    def __enter__(self) -> SerialScanner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _set_state(self, state: ScannerState) -> None:
        with self._state_lock:
            if state is self._state:
                return
            self._state = state
        log.info("serial scanner %s: %s", self._config.port, state.value)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("serial scanner state callback failed")

    def _open(self) -> serial.Serial | None:
        try:
            port = self._serial_factory(self._config.port, self._config.baudrate, timeout=self._read_timeout_s)
        except (OSError, ValueError) as err:
            if self._state is not ScannerState.DISCONNECTED:
                log.warning("serial scanner %s: cannot open: %s", self._config.port, err)
            return None
        self._framer.reset()
        return port

    def _run(self) -> None:
        port: serial.Serial | None = None
        self._set_state(ScannerState.CONNECTING)
        try:
            while not self._stop.is_set():
                if port is None:
                    port = self._open()
                    if port is None:
                        self._set_state(ScannerState.DISCONNECTED)
                        self._stop.wait(self._config.reconnect_interval_s)
                        continue
                    self._set_state(ScannerState.OPERATIONAL)
                try:
                    data = port.read(max(1, port.in_waiting))
                except (OSError, TypeError, AttributeError) as err:
                    # pyserial reports an unplugged port as SerialException ("returned no data") or OSError (EIO);
                    # TypeError/AttributeError come from its internals when the fd is gone underneath it.
                    log.warning("serial scanner %s: port lost: %s", self._config.port, err)
                    self._close(port)
                    port = None
                    self._set_state(ScannerState.DISCONNECTED)
                    continue
                now = time.monotonic()
                self._deliver(self._framer.feed(data, now) if data else self._framer.idle(now))
        finally:
            if port is not None:
                self._close(port)
            self._set_state(ScannerState.STOPPED)

    @staticmethod
    def _close(port: serial.Serial) -> None:
        with contextlib.suppress(OSError):
            port.close()

    def _deliver(self, items: list[bytes | DroppedLine]) -> None:
        expects_suffix = self._config.terminator not in ("any", "none")
        if items and expects_suffix and self._framer.gap_framed and not self._gap_warned:
            self._gap_warned = True
            log.warning("serial scanner %s: a code came without the expected suffix (%r) and was framed by a pause; "
                        "set terminator = \"any\" or the scanner's suffix", self._config.port, self._config.terminator)
        for item in items:
            if isinstance(item, DroppedLine):
                self.lines_dropped += 1
                log.warning("serial scanner %s: dropped %s line (%d bytes)", self._config.port, item.reason, item.size)
                continue
            try:
                text = item.decode("utf-8")
            except UnicodeDecodeError:
                self.lines_dropped += 1
                log.warning("serial scanner %s: dropped garbage line (%d bytes, not UTF-8)", self._config.port,
                            len(item))
                continue
            self.codes_read += 1
            try:
                self._on_scan(text)
            except Exception:
                log.exception("serial scanner scan callback failed")
