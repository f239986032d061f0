"""Technician commands for the printer: ``print-test``, ``status`` and ``simulate printer``.

``add_printer_commands(subparsers)`` registers them on the ``smartqueue hardware`` parser; each handler takes the
parsed arguments plus the loaded ``PrinterConfig`` (the dispatcher loads configuration once) and returns an exit
code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.printer import PrinterConfig
from hardware.cli_support import simulate_subparsers
from hardware.errors import HardwareError
from hardware.printer.profiles import PROFILES, get_profile
from hardware.printer.ticket import LABELS, TicketPrint

if TYPE_CHECKING:
    from hardware.printer.physics import LinkModel
    from hardware.printer.simulator import SimulatorServer

# The ESC/POS layout, previews and simulator (python-escpos, Pillow) are imported by the handlers, not here:
# `smartqueue hardware --help` must work on a node-only machine, which has neither.


def add_printer_commands(subparsers: Any) -> None:
    """Register ``print-test``, ``status`` and ``simulate printer`` on an argparse subparsers object."""
    test = subparsers.add_parser("print-test", help="print a test ticket (and save its preview)")
    test.add_argument("--language", choices=sorted(LABELS), default="fr")
    test.add_argument("--preview", type=Path, help="write the ticket's PNG preview (decoded from the same bytes)")
    test.set_defaults(handler=print_test)

    status = subparsers.add_parser("status", help="read the printer's real-time status")
    status.set_defaults(handler=printer_status)

    printer = simulate_subparsers(subparsers).add_parser("printer", help="a virtual ESC/POS printer")
    link = printer.add_mutually_exclusive_group(required=True)
    link.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal (a serial port path)")
    link.add_argument("--tcp", type=int, metavar="PORT", help="serve on a TCP port (0: any free port)")
    link.add_argument("--rfc2217", type=int, metavar="PORT",
                      help="serve behind an RFC 2217 serial device server on a TCP port (DSR/CTS busy lines)")
    printer.add_argument("--speed", type=_speed, default=None, metavar="usb|tcp|BAUD",
                         help="pace the bytes like this link (default: as fast as the OS moves them)")
    printer.add_argument("--physics", action="store_true",
                         help="model the model's head and 4 KB buffer: print time, cut time, busy when full")
    printer.add_argument("--out", type=Path, required=True, help="folder for ticket previews and transcripts")
    printer.add_argument("--model", choices=sorted(PROFILES), default="generic-80")
    printer.add_argument("--paper-out-after", type=int, metavar="N")
    printer.add_argument("--near-end-after", type=int, metavar="N")
    printer.add_argument("--cover-open", action="store_true")
    printer.add_argument("--silent", action="store_true", help="never answer status queries")
    printer.add_argument("--reply-delay", type=float, default=0.0, metavar="S", help="delay status replies")
    printer.add_argument("--garbage-reply", type=lambda v: int(v, 0), metavar="BYTE", help="answer with this byte")
    printer.set_defaults(handler=simulate_printer)


def _speed(value: str) -> str:
    """``usb``, ``tcp`` or a baud rate (checked here; the model is built by the handler: it needs numpy)."""
    if value in ("usb", "tcp") or (value.isdigit() and int(value) > 0):
        return value
    raise argparse.ArgumentTypeError("give usb, tcp or a baud rate such as 115200")


def _link_model(value: str | None) -> LinkModel:
    from hardware.printer.physics import LinkModel

    if value is None:
        return LinkModel.unthrottled()
    if value in ("usb", "tcp"):
        return LinkModel.usb() if value == "usb" else LinkModel.tcp()
    return LinkModel.serial(int(value))


def sample_ticket(language: str, config: PrinterConfig) -> TicketPrint:
    """The test ticket: fixed content, current time."""
    return TicketPrint(
        branch_name="SmartQueue", number="T-001", service_name=LABELS[language]["test_ticket"],
        language=language,  # type: ignore[arg-type]
        issued_at=dt.datetime.now(dt.UTC), tz_name="UTC", people_ahead=2, estimated_wait_s=600,
        qr_payload="TEST-T001" if config.layout.show_qr else None,
    )


def print_test(args: argparse.Namespace, config: PrinterConfig) -> int:
    from hardware.printer.connection import make_transport
    from hardware.printer.decoder import decode
    from hardware.printer.device import PrinterDevice
    from hardware.printer.preview import PreviewRenderer, transcript

    ticket = sample_ticket(args.language, config)
    try:
        with PrinterDevice(config, make_transport(config)) as printer:
            outcome = printer.print_ticket(ticket)
            data = printer.composer.build(ticket).data if args.preview else b""
    except HardwareError as err:
        print(f"print-test failed: {err}")
        return 2
    print(f"printed: {outcome.printed}  before: {outcome.status_before.state.value}  "
          f"after: {outcome.status_after.state.value}  "
          f"{outcome.bytes_written} bytes in {outcome.written_s * 1000:.0f} ms")
    if outcome.error:
        print(f"error: {outcome.error}")
    if args.preview:
        elements = decode(data)
        PreviewRenderer(printer.profile.width_dots).render(elements).save(args.preview)
        args.preview.with_suffix(".txt").write_text(transcript(elements), encoding="utf-8")
        print(f"preview: {args.preview}")
    return 0 if outcome.printed else 1


def printer_status(args: argparse.Namespace, config: PrinterConfig) -> int:
    from hardware.printer.connection import make_transport
    from hardware.printer.device import PrinterDevice

    try:
        with PrinterDevice(config, make_transport(config)) as printer:
            status = printer.status()
    except HardwareError as err:
        print(f"status failed: {err}")
        return 2
    left = "unknown" if status.tickets_left is None else str(status.tickets_left)
    print(f"state: {status.state.value}  tickets left (estimate): {left}  ({status.elapsed_s * 1000:.0f} ms)")
    if status.detail:
        print(f"detail: {status.detail}")
    return 0 if status.operational else 1


def simulate_printer(args: argparse.Namespace, config: PrinterConfig | None = None,
                     stop: threading.Event | None = None) -> int:
    """Run until Ctrl-C (or ``stop`` is set, for tests), printing where the kiosk should connect."""
    from hardware.printer.physics import HeadModel
    from hardware.printer.simulator import Faults, PtySimulatorServer, TcpSimulatorServer, VirtualPrinter

    faults = Faults(
        paper_out_after=args.paper_out_after, near_end_after=args.near_end_after, cover_open=args.cover_open,
        silent=args.silent, reply_delay_s=args.reply_delay, garbage_reply=args.garbage_reply,
    )
    profile = get_profile(args.model)
    head = HeadModel.for_profile(profile) if args.physics else None
    printer = VirtualPrinter(profile.width_dots, faults, args.out, head=head)
    link = _link_model(args.speed)
    server: SimulatorServer
    if args.pty:
        server = PtySimulatorServer(printer, link)
    elif args.rfc2217 is not None:
        from hardware.printer.sim_rfc2217 import Rfc2217SimulatorServer

        server = Rfc2217SimulatorServer(printer, port=args.rfc2217, link=link)
    else:
        server = TcpSimulatorServer(printer, port=args.tcp, link=link)
    stop = stop or threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    with server:
        where = (f"serial port {server.path}" if isinstance(server, PtySimulatorServer)
                 else f"TCP port {server.port}" + (f" ({server.url})" if args.rfc2217 is not None else ""))
        print(f"printer simulator ({args.model}) on {where}; tickets in {args.out}; Ctrl-C to stop", flush=True)
        stop.wait()
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
    print(f"{printer.printed} tickets printed, {len(printer.unknown)} unknown commands")
    return 0
