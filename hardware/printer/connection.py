"""Config → transport: the one place that knows which transport each connection type uses."""

from __future__ import annotations

from pathlib import Path

from config.printer import (
    FileConnection,
    PrinterConfig,
    SerialConnection,
    SimulatorConnection,
    TcpConnection,
    UsbConnection,
)
from hardware.printer.profiles import get_profile
from hardware.transport import FileTransport, SerialTransport, TcpTransport, Transport, find_usb_printer


def make_transport(config: PrinterConfig, sysfs: Path = Path("/sys")) -> Transport:
    """An unopened transport for the configured connection. USB ids are resolved now, through sysfs."""
    conn = config.connection
    if isinstance(conn, SerialConnection):
        profile = get_profile(config.model, config.paper_width_mm)
        flow = conn.flow_control or profile.serial_flow_control
        return SerialTransport(conn.port, conn.baudrate, conn.timeout, flow)
    if isinstance(conn, TcpConnection):
        return TcpTransport(conn.host, conn.port, conn.timeout)
    if isinstance(conn, UsbConnection):
        return FileTransport(find_usb_printer(conn.vendor_id, conn.product_id, sysfs), conn.timeout)
    if isinstance(conn, FileConnection):
        return FileTransport(conn.path, conn.timeout)
    if isinstance(conn, SimulatorConnection):
        # imported here: the simulator (and its Pillow previews) stays out of a kiosk with a real printer
        from hardware.printer.simulator import Faults, InProcessPrinterTransport, VirtualPrinter

        profile = get_profile(config.model, config.paper_width_mm)
        printer = VirtualPrinter(profile.width_dots, Faults(paper_out_after=conn.paper_out_after), conn.output_dir)
        return InProcessPrinterTransport(printer)
    raise TypeError(f"unhandled connection type {type(conn).__name__}")
