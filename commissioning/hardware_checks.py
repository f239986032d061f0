"""Test each configured device through the hardware package's own drivers (the same code the apps run).

Each check returns a `Check`: ok / not ok / not checked, and English facts the caller translates. Blocking calls are
bounded by the drivers' timeouts (status reads 0.5 s, sensor replies 1 s), so a silent device costs seconds, not
minutes.
"""

from __future__ import annotations

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


def printer_status(config: PrinterConfig | None, *, print_test: bool = False) -> Check:
    """The printer's real-time status; with `print_test`, print the test ticket too."""
    if config is None:
        return Check("printer", None, "no printer configured")
    from hardware.errors import HardwareError
    from hardware.printer.cli import sample_ticket
    from hardware.printer.connection import make_transport
    from hardware.printer.device import PrinterDevice

    try:
        with PrinterDevice(config, make_transport(config)) as printer:
            if print_test:
                outcome = printer.print_ticket(sample_ticket("en", config))
                state = outcome.status_after.state.value
                if not outcome.printed:
                    return Check("printer", False, f"test ticket not printed: {outcome.error or state}",
                                 N_("check paper, cover and cable, then print again"))
                return Check("printer", True, f"test ticket printed ({state})")
            status = printer.status()
    except HardwareError as err:
        return Check("printer", False, str(err), *_printer_fix(config))
    if status.operational:
        left = "" if status.tickets_left is None else f", about {status.tickets_left} tickets left"
        return _slow_link(config) or Check("printer", True, f"{status.state.value}{left}")
    return Check("printer", False, f"{status.state.value} {status.detail}".strip(), *_printer_fix(config))


def _slow_link(config: PrinterConfig) -> Check | None:
    """A serial link at 9600 baud or slower carries under 1 KB a second: the layout prints text only."""
    from hardware.printer.layout import TEXT_ONLY_MAX_BAUD

    conn = config.connection
    if not isinstance(conn, SerialConnection) or conn.baudrate > TEXT_ONLY_MAX_BAUD:
        return None
    return Check("printer", True, f"ready, but {conn.baudrate} baud: tickets print as text only (no logo; Arabic "
                 f"labels in {config.layout.text_only_language})",
                 N_("set the printer and [printer] baudrate to 115200 (the printer's DIP switches or utility), or "
                    "connect it by USB"), warn=True)


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
        return Check("scanner", None, "no scanner configured")
    device = config.device
    if device.kind == "wedge":
        return Check("scanner", None, "keyboard scanner: scan into the kiosk screen to test it")
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
        return Check("scanner", True, f"scanned {scans[0]!r}")
    if last in ("disconnected", "error", "failed"):
        return Check("scanner", False, f"{device.kind} scanner {last}",
                     N_("check the cable; the service user must be in the dialout (serial) or video (camera) group"))
    if wait_s:
        return Check("scanner", False, f"no code scanned within {wait_s:.0f} s ({last})",
                     N_("scan a code while the test runs; check the scanner's line ending setting"))
    return Check("scanner", True, f"{device.kind} scanner {last}")


def fingerprint_status(config: FingerprintConfig | None, *, enroll_slot: int | None = None) -> Check:
    """The sensor answers its handshake (and, with `enroll_slot`, a finger is enrolled)."""
    if config is None or not config.enabled:
        return Check("fingerprint", None, "no fingerprint reader configured")
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
                    return Check("fingerprint", False, "no finger placed in time", N_("place the finger when asked"))
                return Check("fingerprint", True, f"finger enrolled in slot {enroll_slot}")
        except HardwareError as err:
            return Check("fingerprint", False, f"{type(err).__name__}: {err}",
                         N_("check the reader's cable, port and password; the service user must be in dialout"))
    return Check("fingerprint", True, f"{reader.state.value}, {count} templates stored")
