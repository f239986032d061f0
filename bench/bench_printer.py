"""Bench: "ticket issued" → last byte written, for an Arabic 80 mm ticket, beside a bare python-escpos baseline.

Measured (per run, ~50 runs, after 3 warm-up runs):
  pipeline  TicketComposer.build(TicketPrint) (layout, Qt raster, encode) + SerialTransport.write to a pty whose
            other end the simulator reads and decodes
  device    PrinterDevice.print_ticket up to its last byte written (PrintOutcome.written_s): the above plus the
            DLE EOT status check before printing
  baseline  python-escpos Dummy building the same ticket Latin-only (printer fonts, native QR) + the same write
  bare write  writing those Latin bytes alone
Between runs (untimed) the bench waits for the simulator to drain the pty.
Target: pipeline p95 under 150 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from config.printer import PrinterConfig, SerialConnection, TicketLayout
from hardware.printer.device import PrinterDevice
from hardware.printer.escpos_lib import Dummy
from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter
from hardware.printer.ticket import TicketPrint
from hardware.transport import SerialTransport

RUNS, WARMUP = 50, 3


def _ticket() -> TicketPrint:
    return TicketPrint(
        branch_name="وكالة الرباط أكدال", number="A-042", service_name="سحب الأموال", language="ar",
        issued_at=dt.datetime(2026, 3, 5, 8, 7, tzinfo=dt.UTC), tz_name="Africa/Casablanca", people_ahead=3,
        estimated_wait_s=840, qr_payload="A042-7f3c", footer="شكرا لزيارتكم",
    )


def _latin_baseline() -> bytes:
    p = Dummy(profile="TM-T20II")
    p.hw("INIT")
    p.set(align="center", bold=True, double_width=True, double_height=True)
    p.textln("Agence Rabat Agdal")
    p.set(normal_textsize=True, bold=False)
    p.textln("Votre numero")
    p.set(bold=True, custom_size=True, width=6, height=6)
    p.textln("A-042")
    p.set(bold=True, double_width=True, double_height=True)
    p.textln("Retrait")
    p.set(normal_textsize=True, bold=False)
    for line in ("5 mars 2026  08:07", "Personnes avant vous : 3", "Attente estimee : 14 minutes"):
        p.textln(line)
    p.qr("https://q.example.com/t/A042-7f3c", size=6, native=True)
    p.textln("Merci de votre visite")
    p.cut(mode="PART")
    return p.output


def _measure(step: Callable[[], float | None], settle: Callable[[], None]) -> list[float]:
    """Time ``step`` (or take the figure it returns, in seconds); ``settle`` runs untimed between runs."""
    times = []
    for i in range(WARMUP + RUNS):
        started = time.perf_counter()
        figure = step()
        elapsed = figure if figure is not None else time.perf_counter() - started
        settle()  # let the simulator drain the pty, so one run's backlog never slows the next
        if i >= WARMUP:
            times.append(elapsed * 1000)
    return times


def _settler(printer: VirtualPrinter) -> Callable[[], None]:
    def settle() -> None:
        target = printer.bytes_received
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            time.sleep(0.002)
            if printer.bytes_received == target:
                return
            target = printer.bytes_received
    return settle


def _summary(name: str, times: list[float], size: int) -> str:
    q = statistics.quantiles(times, n=20)
    return f"{name:<10} p50 {statistics.median(times):7.1f} ms   p95 {q[18]:7.1f} ms   {size:>6} bytes"


def main() -> int:
    printer = VirtualPrinter(576)
    with PtySimulatorServer(printer) as server:
        config = PrinterConfig(
            connection=SerialConnection(port=server.path), layout=TicketLayout(qr_base_url="https://q.example.com/t/")
        )
        with PrinterDevice(config, SerialTransport(server.path, 115200, 2.0)) as device:
            ticket = _ticket()
            size = len(device.composer.build(ticket).data)
            settle = _settler(printer)
            pipeline = _measure(lambda: device.transport.write(device.composer.build(ticket).data), settle)
            device_times = _measure(lambda: _device_written(device, ticket), settle)
            latin = _latin_baseline()
            baseline = _measure(lambda: device.transport.write(_latin_baseline()), settle)
            bare_write = _measure(lambda: device.transport.write(latin), settle)
    print(f"printer bench: Arabic 80 mm ticket, {RUNS} runs, write to a pty read by the simulator")
    print(_summary("pipeline", pipeline, size))
    print(_summary("device", device_times, size))
    print(_summary("baseline", baseline, len(latin)) + "   (python-escpos Dummy, Latin-only, + write)")
    print(_summary("bare write", bare_write, len(latin)))
    print(f"simulator decoded {len(printer.tickets)} tickets, {len(printer.unknown)} unknown commands")
    p95 = statistics.quantiles(pipeline, n=20)[18]
    print(f"target p95 < 150 ms: {'met' if p95 < 150 else 'MISSED'}")
    return 0 if p95 < 150 else 1


def _device_written(device: PrinterDevice, ticket: TicketPrint) -> float:
    outcome = device.print_ticket(ticket)
    if not outcome.printed:
        raise RuntimeError(outcome.error)
    return outcome.written_s


if __name__ == "__main__":
    sys.exit(main())
