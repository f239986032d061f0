"""The kiosk's printer service over a real pty printer simulator: a failed ticket closes the device it drops
(it used to leave its descriptor open, one per failed ticket)."""

from __future__ import annotations

import datetime as dt
import os

from config.printer import PrinterConfig, SerialConnection
from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter
from hardware.printer.ticket import TicketPrint
from kiosk.app import make_printer_device
from kiosk.printing import TicketPrinter


def _descriptors_on(path: str) -> set[int]:
    """This process's open descriptors on the printer's port (the pty the simulator serves)."""
    target = os.path.realpath(path)
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == target:
                found.add(int(fd))
        except OSError:
            pass
    return found


def test_a_failed_ticket_closes_the_printer_it_drops(qtbot):
    virtual = VirtualPrinter(576)
    server = PtySimulatorServer(virtual).start()
    simulator_side = _descriptors_on(server.path)
    printer = TicketPrinter(PrinterConfig(connection=SerialConnection(port=server.path), status_timeout_s=0.3),
                            make_printer_device)
    try:
        printer.start()
        qtbot.waitUntil(lambda: printer.state != "unknown" and printer._device is not None, timeout=5000)
        device_side = _descriptors_on(server.path) - simulator_side
        assert len(device_side) == 1
        outcomes: list = []
        # a ticket that cannot be laid out (a zone this machine does not know): print_ticket raises, and the
        # service drops its device so the next ticket opens it afresh
        ticket = TicketPrint(branch_name="Agence", number="A-001", service_name="Comptes", language="fr",
                             issued_at=dt.datetime.now(dt.UTC), tz_name="Nowhere/Atlantis", people_ahead=0)
        printer.print_ticket(ticket, outcomes.append)
        qtbot.waitUntil(lambda: bool(outcomes), timeout=10000)
        assert outcomes == [None] and printer.state == "offline"
        qtbot.waitUntil(lambda: not device_side & _descriptors_on(server.path), timeout=5000)
    finally:
        printer.close()
        server.close()
