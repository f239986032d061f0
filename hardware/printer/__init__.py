"""Thermal ticket printer port: ESC/POS layout, real-time status, transports and a wire-level simulator."""

from hardware.printer.device import PrinterDevice, PrintOutcome
from hardware.printer.status import NEEDS_ATTENTION, OPERATIONAL, UNREACHABLE, PrinterState, PrinterStatus
from hardware.printer.ticket import TicketPrint

__all__ = [
    "NEEDS_ATTENTION",
    "OPERATIONAL",
    "UNREACHABLE",
    "PrintOutcome",
    "PrinterDevice",
    "PrinterState",
    "PrinterStatus",
    "TicketPrint",
]
