"""Serial flow control: a printer whose buffer fills says busy, and the driver waits instead of losing bytes.

The simulated printer has a small buffer (1 KB) and a slow head, so a 2.7 KB job overflows it. XON/XOFF runs over
a real pty (the kernel's IXON stops the host); DSR/CTS over RFC 2217, since a pty has no modem lines.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from config.printer import PrinterConfig, SerialConnection
from hardware.errors import TransportError
from hardware.printer.connection import make_transport
from hardware.printer.physics import HeadModel, LinkModel
from hardware.printer.sim_rfc2217 import Rfc2217SimulatorServer
from hardware.printer.simulator import PtySimulatorServer, SimulatorServer, VirtualPrinter
from hardware.printer.status import StatusQuery
from hardware.transport import SerialTransport

HEAD = HeadModel(speed_mm_s=300, buffer_bytes=1024, busy_margin_bytes=256)
LINES = 100
JOB = b"\x1b@" + b"".join(b"line %03d of the busy test\n" % i for i in range(LINES)) + b"\x1dV\x01"


def _printed_lines(printer: VirtualPrinter) -> int:
    return sum(t.text.count("line ") for t in printer.tickets)


def _settle(printer: VirtualPrinter, server: SimulatorServer, timeout: float = 10.0) -> None:
    """Wait until the job has crossed the link and the head has printed what it kept."""
    deadline = time.monotonic() + timeout
    while printer.bytes_received < len(JOB) or printer.idle_at() > time.monotonic() or server.busy:
        assert time.monotonic() < deadline, f"job not through: {printer.bytes_received} of {len(JOB)} bytes"
        time.sleep(0.02)
    printer.finish()


@pytest.fixture
def pty_server() -> Iterator[PtySimulatorServer]:
    with PtySimulatorServer(VirtualPrinter(576, head=HEAD), LinkModel.serial(115200)) as server:
        yield server


@pytest.fixture
def rfc2217_server() -> Iterator[Rfc2217SimulatorServer]:
    with Rfc2217SimulatorServer(VirtualPrinter(576, head=HEAD), link=LinkModel.serial(115200)) as server:
        yield server


def test_flow_control_comes_from_the_model_unless_configured() -> None:
    def flow(model: str, **conn: object) -> str:
        config = PrinterConfig(model=model, connection=SerialConnection(port="/dev/ttyS0", **conn))
        return make_transport(config).flow_control  # type: ignore[attr-defined]

    assert flow("epson-tm-t88v") == "dsrdtr"
    assert flow("generic-80") == "none"
    assert flow("epson-tm-t88v", flow_control="xonxoff") == "xonxoff"
    with pytest.raises(ValueError):
        SerialConnection(port="/dev/ttyS0", flow_control="hardware")


def test_without_flow_control_a_full_buffer_loses_bytes(pty_server: PtySimulatorServer) -> None:
    printer = pty_server.printer
    with SerialTransport(pty_server.path, 115200, 3.0, "none") as transport:
        transport.write(JOB)
        _settle(printer, pty_server)
    assert pty_server.busy_periods >= 1  # it did say XOFF; nobody listened
    assert printer.lost_bytes > 500
    assert _printed_lines(printer) < LINES


def test_xonxoff_over_a_pty_the_driver_waits_and_nothing_is_lost(pty_server: PtySimulatorServer) -> None:
    printer = pty_server.printer
    with SerialTransport(pty_server.path, 115200, 3.0, "xonxoff") as transport:
        transport.write(JOB)  # the pty's buffer (the host UART's queue) takes it all at once
        deadline = time.monotonic() + 2
        while not pty_server.busy:
            assert time.monotonic() < deadline, "the printer never said busy"
            time.sleep(0.001)
        # XOFF received: the kernel holds our next bytes (a status query) until the printer sends XON
        started = time.monotonic()
        transport.write(StatusQuery.PRINTER.command)
        waited = time.monotonic() - started
        reply = transport.read(1, 3.0)
        _settle(printer, pty_server)
    assert waited > 0.05, f"the write did not wait for XON ({waited * 1000:.1f} ms)"
    assert reply == b"\x12"  # the XOFF/XON bytes themselves never reach the reader with IXON
    assert printer.lost_bytes == 0 and printer.unknown == []
    assert _printed_lines(printer) == LINES


@pytest.mark.parametrize("flow", ["dsrdtr", "rtscts"])
def test_line_flow_control_over_rfc2217_the_driver_waits(rfc2217_server: Rfc2217SimulatorServer, flow: str) -> None:
    printer = rfc2217_server.printer
    with SerialTransport(rfc2217_server.url, 115200, 3.0, flow) as transport:
        started = time.monotonic()
        transport.write(JOB)
        waited = time.monotonic() - started
        _settle(printer, rfc2217_server)
    assert rfc2217_server.busy_periods >= 1
    # the head needs ~1.25 s for the job; the link alone 0.23 s: the write waited for the printer
    assert waited > 0.6, f"write returned after {waited:.2f} s"
    assert printer.lost_bytes == 0 and printer.unknown == []
    assert _printed_lines(printer) == LINES


def test_rfc2217_without_flow_control_loses_bytes(rfc2217_server: Rfc2217SimulatorServer) -> None:
    printer = rfc2217_server.printer
    with SerialTransport(rfc2217_server.url, 115200, 3.0, "none") as transport:
        transport.write(JOB)
        _settle(printer, rfc2217_server)
    assert printer.lost_bytes > 500


def test_dsrdtr_on_a_port_without_modem_lines_says_so(pty_server: PtySimulatorServer) -> None:
    with SerialTransport(pty_server.path, 115200, 1.0, "dsrdtr") as transport, \
            pytest.raises(TransportError, match="rfc2217"):
        transport.write(b"\x1b@")
