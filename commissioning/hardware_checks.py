"""Test each configured device through the hardware package's own drivers (the same code the apps run).

Each check returns a `Check`: ok / not ok / not checked, and English facts the caller translates. Blocking calls are
bounded by the drivers' timeouts (status reads 0.5 s, sensor replies 1 s), so a silent device costs seconds, not
minutes.
"""

from __future__ import annotations

import errno
import socket
import threading
from contextlib import ExitStack
from dataclasses import dataclass, field

from config.fingerprint import FingerprintConfig
from config.printer import PrinterConfig, SerialConnection
from config.scanner import ScannerConfig
from ground.i18n import N_


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not checked (not configured, or cannot be checked here)
    detail: str = ""
    fix: str = ""
    fix_args: dict[str, object] = field(default_factory=dict)  # placeholders of the (translated) fix
    warn: bool = False  # works, but worse than it should: said with its fix, not counted as a problem
    detail_args: dict[str, object] = field(default_factory=dict)  # placeholders of the (translated) detail


class Word(str):
    """A value of `detail_args` that is itself a message: the report translates it too."""


#: Printer states as the technician reads them (translated by the report).
PRINTER_STATES = {"ready": N_("ready"), "paper_near_end": N_("paper nearly out"), "paper_out": N_("out of paper"),
                  "cover_open": N_("cover open"), "error": N_("printer error"), "offline": N_("not answering"),
                  "unknown": N_("state unknown"), "none": N_("no printer")}
#: What to do about a printer that answered but cannot print.
_STATE_FIXES = {"paper_out": N_("load a new paper roll"), "paper_near_end": N_("load a new paper roll soon"),
                "cover_open": N_("close the printer's cover"),
                "error": N_("switch the printer off and on; check for a paper jam or an overheated head")}


def printer_status(config: PrinterConfig | None, *, print_test: bool = False) -> Check:
    """The printer's real-time status; with `print_test`, print the test ticket too."""
    if config is None:
        return Check("printer", None, N_("no printer configured"))
    from hardware.errors import HardwareError
    from hardware.printer.cli import sample_ticket
    from hardware.printer.connection import make_transport
    from hardware.printer.device import PrinterDevice

    try:
        with PrinterDevice(config, make_transport(config)) as printer:
            if print_test:
                outcome = printer.print_ticket(sample_ticket("en", config))
                state = outcome.status_after.state.value
                if not outcome.printed:  # the state in words (outcome.error is the driver's English)
                    return Check("printer", False, N_("test ticket not printed: {reason}"),
                                 N_("check paper, cover and cable, then print again"),
                                 detail_args={"reason": Word(PRINTER_STATES.get(state, state))})
                return Check("printer", True, N_("test ticket printed ({state})"), detail_args={"state": state})
            status = printer.status()
    except HardwareError as err:
        fix, fix_args = _printer_fix(config)
        return Check("printer", False, N_("the printer cannot be reached: {reason}"), fix, fix_args=fix_args,
                     detail_args={"reason": link_reason(err)})
    return state_check(config, status.state.value, status.tickets_left, status.detail)


#: What an OS error under a driver's error means, in words the report translates (errno names: errno(3)).
_REFUSED, _NO_ANSWER = N_("the connection is refused"), N_("no answer in time")
_NO_ROUTE = N_("no route to that address")
_CLOSED, _NO_DEVICE, _DENIED = N_("the device closed the connection"), N_("no such device"), N_("permission denied")
_OS_REASONS = {errno.ECONNREFUSED: _REFUSED, errno.ETIMEDOUT: _NO_ANSWER, errno.EHOSTUNREACH: _NO_ROUTE,
               errno.ENETUNREACH: _NO_ROUTE, errno.ECONNRESET: _CLOSED, errno.EPIPE: _CLOSED, errno.ENOENT: _NO_DEVICE,
               errno.ENODEV: _NO_DEVICE, errno.ENXIO: _NO_DEVICE, errno.EACCES: _DENIED, errno.EPERM: _DENIED,
               errno.EBUSY: N_("in use by another program")}


def link_reason(err: BaseException) -> str:
    """Why a device link failed, as a `Word` the report translates (refused, no answer, no such device…): the OS
    error under the driver's wrapper decides. An error we have no words for keeps the driver's own text."""
    from hardware.errors import ConfigurationError, DeviceTimeout

    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (DeviceTimeout, TimeoutError)):
            return Word(_NO_ANSWER)
        if isinstance(cause, socket.gaierror):
            return Word(N_("the host name is not known on this network"))
        if isinstance(cause, OSError) and cause.errno in _OS_REASONS:
            return Word(_OS_REASONS[cause.errno])
        cause = cause.__cause__ or cause.__context__
    if isinstance(err, ConfigurationError) and "USB" in str(err):
        return Word(_NO_DEVICE)
    return str(err)


def state_check(config: PrinterConfig, state: str, tickets_left: int | None = None, extra: str = "",
                kiosk: dict[str, object] | None = None) -> Check:
    """The check for a printer state, read from the printer, or reported by the running kiosk (`kiosk`: its
    process id and the report's age) when the kiosk holds the printer's port."""
    args: dict[str, object] = {"state": Word(PRINTER_STATES.get(state, state)), "tickets": tickets_left,
                               "extra": extra, **(kiosk or {})}
    if kiosk is not None:
        detail = N_("{state}, as the running kiosk reports it (process {pid}, {age} s ago)")
    elif tickets_left is not None and state in ("ready", "paper_near_end"):
        detail = N_("{state}, about {tickets} tickets left")
    else:
        detail = N_("{state} {extra}")
    if state in ("ready", "paper_near_end"):
        slow = _slow_link(config)
        if slow is not None:
            return slow
        fix = _STATE_FIXES.get(state, "")
        return Check("printer", True, detail, fix, warn=bool(fix), detail_args=args)
    if state in _STATE_FIXES:
        return Check("printer", False, detail, _STATE_FIXES[state], detail_args=args)
    fix, fix_args = _printer_fix(config)
    return Check("printer", False, detail, fix, fix_args=fix_args, detail_args=args)


def _slow_link(config: PrinterConfig) -> Check | None:
    """A serial link at 9600 baud or slower carries under 1 KB a second: the layout prints text only."""
    from hardware.printer.layout import TEXT_ONLY_MAX_BAUD

    conn = config.connection
    if not isinstance(conn, SerialConnection) or conn.baudrate > TEXT_ONLY_MAX_BAUD:
        return None
    return Check("printer", True, N_("ready, but {baud} baud: tickets print as text only (no logo; Arabic labels "
                                     "in {labels})"),
                 N_("set the printer and [printer] baudrate to 115200 (the printer's DIP switches or utility), or "
                    "connect it by USB"), warn=True,
                 detail_args={"baud": conn.baudrate, "labels": config.layout.text_only_language})


def _printer_fix(config: PrinterConfig) -> tuple[str, dict[str, object]]:
    """The fix for a printer that does not answer, with the configured connection's own values."""
    kind = config.connection.type
    if kind == "usb":
        return N_("plug the printer in and switch it on; `lsusb` must list its vendor:product id"), {}
    if kind == "serial":
        return N_("check the serial cable and the baud rate; the service user must be in the dialout group"), {}
    if kind == "tcp":
        connection = config.connection
        return (N_("check the printer's network cable and IP address ({host}, port {port} open)"),
                {"host": getattr(connection, "host", "?"), "port": getattr(connection, "port", "?")})
    return N_("check the printer connection"), {}


def scanner_status(config: ScannerConfig | None, *, wait_s: float = 0.0) -> Check:
    """A serial scanner's port opens (and, with `wait_s`, a code is scanned in time); others cannot be probed."""
    if config is None or not config.enabled:
        return Check("scanner", None, N_("no scanner configured"))
    device = config.device
    if device.kind == "wedge":
        return Check("scanner", None, N_("keyboard scanner: scan into the kiosk screen to test it"))
    scans: list[str] = []
    got = threading.Event()
    states: list[str] = []

    def on_scan(text: str) -> None:
        scans.append(text)
        got.set()

    if device.kind == "serial":
        from hardware.scanner.serial_scanner import SerialScanner

        driver: object = SerialScanner(device, on_scan, lambda state: states.append(state.value))
    else:
        from hardware.scanner.camera import CameraScanner

        driver = CameraScanner(device, on_scan, lambda state: states.append(state.value))
    driver.start()  # type: ignore[attr-defined]
    try:
        got.wait(max(wait_s, 1.0))
    finally:
        driver.stop()  # type: ignore[attr-defined]
    last = states[-1] if states else "unknown"
    if scans:
        return Check("scanner", True, N_("scanned {code}"), detail_args={"code": repr(scans[0])})
    args = {"kind": device.kind, "state": last}
    if last in ("disconnected", "error", "failed"):
        return Check("scanner", False, N_("{kind} scanner: {state}"),
                     N_("check the cable; the service user must be in the dialout (serial) or video (camera) group"),
                     detail_args=args)
    if wait_s:
        return Check("scanner", False, N_("no code scanned within {seconds} s ({state})"),
                     N_("scan a code while the test runs; check the scanner's line ending setting"),
                     detail_args={"seconds": round(wait_s), "state": last})
    return Check("scanner", True, N_("{kind} scanner: {state}"), detail_args=args)


def fingerprint_status(config: FingerprintConfig | None, *, enroll_slot: int | None = None) -> Check:
    """The sensor answers its handshake (and, with `enroll_slot`, a finger is enrolled)."""
    if config is None or not config.enabled:
        return Check("fingerprint", None, N_("no fingerprint reader configured"))
    from hardware.errors import HardwareError
    from hardware.fingerprint.device import FingerprintReader
    from hardware.fingerprint.simulator import FingerprintSimulator, SensorModel

    with ExitStack() as stack:
        port = config.port
        if config.simulated:
            simulator = stack.enter_context(FingerprintSimulator(SensorModel(password=config.password,
                                                                             auto_lift=True)))
            simulator.place_finger(1)
            port = simulator.port
        try:
            reader = FingerprintReader.from_config(config, port=port)
            stack.callback(reader.close)
            reader.open()
            count = reader.template_count()
            if enroll_slot is not None:
                if not reader.enroll(enroll_slot, wait_s=config.finger_wait_s):
                    return Check("fingerprint", False, N_("no finger placed in time"),
                                 N_("place the finger when asked"))
                return Check("fingerprint", True, N_("finger enrolled in slot {slot}"),
                             detail_args={"slot": enroll_slot})
        except HardwareError as err:
            return Check("fingerprint", False, N_("the reader does not answer: {reason}"),
                         N_("check the reader's cable, port and password; the service user must be in dialout"),
                         detail_args={"reason": link_reason(err)})
    return Check("fingerprint", True, N_("{state}, {count} templates stored"),
                 detail_args={"state": reader.state.value, "count": count})
