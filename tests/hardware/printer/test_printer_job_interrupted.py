"""A job the printer could not finish is not "printed": paper out mid-ticket, a printer unplugged mid-ticket.

Review of issue 17: the device used to report ``printed=True`` as soon as the bytes were handed to the link, so the
kiosk told the customer "Please take your ticket." while the printer, out of paper, had dropped the job.
"""

from __future__ import annotations

import time

from config.printer import PaperRoll, PrinterConfig
from hardware.printer.device import PrinterDevice
from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter, with_faults
from hardware.printer.status import PrinterState
from hardware.transport import SerialTransport


class PaperRunsOutAt(VirtualPrinter):
    """The paper-end sensor trips once ``at`` bytes of the job arrived: the rest of the job is dropped."""

    def __init__(self, at: int) -> None:
        super().__init__(576)
        self.at = at

    def receive(self, data: bytes, at: float | None = None) -> bytes:
        if self.faults.paper_out_after is None and self.bytes_received + len(data) > self.at:
            split = self.at - self.bytes_received
            reply = super().receive(data[:split], at)
            with_faults(self, paper_out_after=0)
            return reply + super().receive(data[split:], at)
        return super().receive(data, at)


def _print_one(printer: VirtualPrinter, ticket) -> tuple:
    with PtySimulatorServer(printer) as sim:
        config = PrinterConfig(paper=PaperRoll(), status_timeout_s=0.3)
        with PrinterDevice(config, SerialTransport(sim.path, 115200, 1.0)) as device:
            outcome = device.print_ticket(ticket)
            time.sleep(0.2)
            return outcome, len(printer.tickets)


def test_paper_out_mid_ticket_is_not_printed(ticket_factory) -> None:
    outcome, cut = _print_one(PaperRunsOutAt(200), ticket_factory("ar"))
    assert cut == 0  # nothing came out of the printer
    assert outcome.status_after.state is PrinterState.PAPER_OUT
    assert not outcome.printed and outcome.error


def test_printer_gone_mid_ticket_is_not_printed(ticket_factory) -> None:
    printer = VirtualPrinter(576)
    with_faults(printer, vanish_after_bytes=1000)
    outcome, cut = _print_one(printer, ticket_factory("ar"))
    assert cut == 0
    assert outcome.status_after.state is PrinterState.OFFLINE
    assert not outcome.printed
