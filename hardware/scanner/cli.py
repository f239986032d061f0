"""Technician commands for scanners: `scan-test` and `simulate scanner --pty`.

`add_scanner_commands(subparsers)` adds them to the top-level `smartqueue hardware` parser; each sets
`handler(args) -> int`. If the dispatcher has loaded the configuration it may pass it as `args.scanner_config`
(a `ScannerConfig`); otherwise the command-line options describe the scanner.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import segno

from config.scanner import CameraScannerConfig, ScannerConfig, SerialScannerConfig, WedgeScannerConfig
from hardware.cli_support import simulate_subparsers
from hardware.scanner.codes import CodeParser, sign_appointment, sign_ticket
from hardware.scanner.simulator import SerialScannerSimulator

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLineEdit, QWidget

#: Command-line spelling → configuration value of the suffix a scanner sends.
_TERMINATORS = {"any": "any", "cr": "\r", "lf": "\n", "crlf": "\r\n", "tab": "\t", "none": "none"}
#: What the simulated scanner sends after a code.
_SUFFIXES = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t", "none": b""}


def add_scanner_commands(subparsers: argparse._SubParsersAction) -> None:
    scan = subparsers.add_parser("scan-test", help="watch scans from the configured scanner and print them parsed")
    source = scan.add_mutually_exclusive_group()
    source.add_argument("--serial", metavar="PORT", help="a serial scanner on PORT")
    source.add_argument("--camera", metavar="SOURCE", help="a camera index, video file or image folder")
    source.add_argument("--wedge", action="store_true", help="a keyboard-wedge scanner (opens a small window)")
    scan.add_argument("--baudrate", type=int, default=9600)
    scan.add_argument("--terminator", choices=sorted(_TERMINATORS), default="any")
    scan.add_argument("--branch-id", default="BRANCH", help="branch whose codes are verified")
    scan.add_argument("--key-hex", help="branch key (hex) to verify signed codes; without it codes show unverified")
    scan.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: at Ctrl-C)")
    scan.set_defaults(handler=scan_test)

    sim = simulate_subparsers(subparsers).add_parser("scanner", help="a serial scanner on a pseudo-terminal")
    sim.add_argument("--pty", action="store_true", required=True, help="serve on a pty (prints its path)")
    sim.add_argument("--terminator", choices=sorted(_SUFFIXES), default="cr")
    sim.add_argument("--link", type=Path, help="also make this stable symlink to the pty")
    sim.add_argument("--branch-id", default="BRANCH", help="branch for !ticket / !appointment")
    sim.add_argument("--key-hex", help="branch key (hex) that signs !ticket / !appointment codes")
    sim.set_defaults(handler=simulate_scanner)


def _device_from_args(args: argparse.Namespace) -> WedgeScannerConfig | SerialScannerConfig | CameraScannerConfig:
    config: ScannerConfig | None = getattr(args, "scanner_config", None)
    if args.serial:
        return SerialScannerConfig(port=args.serial, baudrate=args.baudrate, terminator=_TERMINATORS[args.terminator])
    if args.camera:
        return CameraScannerConfig(source=int(args.camera) if args.camera.isdigit() else args.camera)
    if args.wedge or config is None:
        return WedgeScannerConfig()
    return config.device


def scan_test(args: argparse.Namespace) -> int:
    """Print every scan with its parse result until Ctrl-C or --duration."""
    key = bytes.fromhex(args.key_hex) if args.key_hex else None
    parser = CodeParser(args.branch_id, key) if key else None

    def show(text: str) -> None:
        result = parser.parse(text) if parser else "(unverified: no --key-hex)"
        print(f"scan {text!r} -> {result}", flush=True)

    device = _device_from_args(args)
    if isinstance(device, WedgeScannerConfig):
        return _wedge_window(device, show, args.duration)
    done = threading.Event()
    if isinstance(device, SerialScannerConfig):
        from hardware.scanner.serial_scanner import SerialScanner

        driver: object = SerialScanner(device, show, lambda state: print(f"state: {state.value}", flush=True))
    else:
        from hardware.scanner.camera import CameraScanner

        driver = CameraScanner(device, show, lambda state: print(f"state: {state.value}", flush=True))
    print(f"watching {device.kind} scanner; Ctrl-C to stop", flush=True)
    driver.start()  # type: ignore[attr-defined]
    try:
        done.wait(args.duration or None)
    except KeyboardInterrupt:
        pass
    finally:
        driver.stop()  # type: ignore[attr-defined]
    return 0


def build_wedge_test(config: WedgeScannerConfig, show: Callable[[str], None]) -> tuple[QWidget, QLineEdit]:
    """The scan-test window: the layout test code (QR and text) above a field that catches scans.

    A scan of the test code that comes back changed is compared with the known layouts (``layouts.diagnose``):
    an AZERTY scanner on a QWERTY kiosk is named, with the fix.
    """
    from PySide6.QtGui import QImage, QPixmap
    from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

    from hardware.scanner.layouts import TEST_CODE, diagnose
    from hardware.scanner.wedge import WedgeScanFilter

    window = QWidget()
    window.setWindowTitle("scan-test")
    layout = QVBoxLayout(window)
    matrix = segno.make(TEST_CODE, error="m", micro=False).matrix
    size = len(matrix) + 8
    image = QImage(size, size, QImage.Format.Format_Grayscale8)
    image.fill(255)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x + 4, y + 4, 0xFF000000)
    qr = QLabel()
    qr.setPixmap(QPixmap.fromImage(image).scaled(size * 6, size * 6))
    layout.addWidget(qr)
    layout.addWidget(QLabel(f"scan this code to check the keyboard layout: {TEST_CODE}"))
    edit = QLineEdit()
    edit.setPlaceholderText("scan here; typed text stays in this field")
    layout.addWidget(edit)
    wedge = WedgeScanFilter(config, edit)

    def on_scan(text: str) -> None:
        show(text)
        if len(text) == len(TEST_CODE):  # one key per character: a scan of the test code, maybe mangled
            print(f"layout check: {diagnose(TEST_CODE, text).message()}", flush=True)

    wedge.scanned.connect(on_scan)
    edit.installEventFilter(wedge)
    return window, edit


def _wedge_window(config: WedgeScannerConfig, show: Callable[[str], None], duration: float) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window, _ = build_wedge_test(config, show)
    # A local loop rather than app.exec(): the command may run inside a process that owns the application.
    loop = QEventLoop()
    app.lastWindowClosed.connect(loop.quit)
    if duration:
        QTimer.singleShot(int(duration * 1000), loop.quit)
    window.show()
    print("scan into the window (first the code it shows); close it to stop", flush=True)
    loop.exec()
    window.close()
    window.deleteLater()
    return 0


def _handle_line(sim: SerialScannerSimulator, line: str, branch: str, key: bytes | None) -> str:
    """One stdin line: a code to scan, or a `!` command."""
    words = line.split()
    command = words[0] if words and line.startswith("!") else ""
    if not command:
        sim.send(line)
        return f"sent {line!r}"
    if command == "!garbage":
        sim.send_garbage()
    elif command == "!overlong":
        sim.send_overlong(int(words[1]) if len(words) > 1 else 10_000)
    elif command == "!split" and len(words) > 1:
        sim.send(" ".join(words[1:]), chunk=3, pause_s=0.02)
    elif command == "!ticket" and len(words) == 2 and key:
        sim.send(sign_ticket(key, branch_id=branch, ticket_id=words[1]))
    elif command == "!appointment" and len(words) == 4 and key:
        slot = datetime.strptime(words[3], "%Y%m%dT%H%M")
        sim.send(sign_appointment(key, branch_id=branch, appointment_ref=words[1], service=words[2], slot=slot))
    else:
        return ("commands: !garbage | !overlong [N] | !split CODE | !ticket ID | !appointment REF SERVICE "
                "YYYYMMDDTHHMM (the last two need --key-hex); any other line is sent as a scan")
    return f"did {command}"


def simulate_scanner(args: argparse.Namespace) -> int:
    """Serve a simulated serial scanner on a pty; each stdin line becomes a scan. Runs until Ctrl-C."""
    key = bytes.fromhex(args.key_hex) if args.key_hex else None
    with SerialScannerSimulator(_SUFFIXES[args.terminator], link=args.link) as sim:
        print(sim.port, flush=True)
        try:
            for raw in sys.stdin:
                line = raw.rstrip("\r\n")
                if line:
                    try:
                        print(_handle_line(sim, line, args.branch_id, key), flush=True)
                    except (OSError, ValueError) as err:
                        print(f"error: {err}", flush=True)
            threading.Event().wait()  # stdin closed: keep the port until Ctrl-C
        except KeyboardInterrupt:
            pass
    return 0
