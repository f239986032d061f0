"""PrinterDevice against the simulator over real links (pty, TCP, in process) and with injected faults."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.printer import FileConnection, PaperRoll, PrinterConfig, SimulatorConnection, TcpConnection
from hardware.errors import ProtocolError
from hardware.printer.connection import make_transport
from hardware.printer.device import PrinterDevice
from hardware.printer.roll import CallbackCounterStore, JsonCounterStore, RollCounter
from hardware.printer.simulator import (
    InProcessPrinterTransport,
    PtySimulatorServer,
    TcpSimulatorServer,
    VirtualPrinter,
    with_faults,
)
from hardware.printer.status import (
    OPERATIONAL,
    PrinterState,
    StatusFlags,
    StatusQuery,
    check_reply,
    decode,
    encode,
)
from hardware.transport import FileTransport, SerialTransport, TcpTransport


@pytest.mark.parametrize(
    ("query", "byte", "state"),
    [
        (StatusQuery.PAPER, 0x12, PrinterState.READY),
        (StatusQuery.PAPER, 0x1E, PrinterState.PAPER_NEAR_END),
        (StatusQuery.PAPER, 0x72, PrinterState.PAPER_OUT),
        (StatusQuery.OFFLINE_CAUSE, 0x16, PrinterState.COVER_OPEN),
        (StatusQuery.OFFLINE_CAUSE, 0x52, PrinterState.ERROR),
        (StatusQuery.PRINTER, 0x1A, PrinterState.ERROR),
    ],
)
def test_status_byte_table(query: StatusQuery, byte: int, state: PrinterState) -> None:
    assert decode({query: check_reply(byte)}).state() is state


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x13, 0x92, 0x02])
def test_garbage_status_bytes_are_protocol_errors(byte: int) -> None:
    with pytest.raises(ProtocolError):
        check_reply(byte)


def test_encode_decode_round_trip() -> None:
    flags = StatusFlags(offline=True, cover_open=True, paper_stop=False, error=False, cutter_error=False,
                        unrecoverable=False, paper_near_end=True, paper_out=False)
    replies = {q: encode(q, flags) for q in StatusQuery}
    assert decode(replies) == flags


@pytest.fixture
def sim_pty() -> Iterator[PtySimulatorServer]:
    with PtySimulatorServer(VirtualPrinter(576)) as server:
        yield server


@pytest.fixture
def serial_device(sim_pty: PtySimulatorServer, tmp_path: Path) -> Iterator[PrinterDevice]:
    config = PrinterConfig(paper=PaperRoll(counter_file=tmp_path / "roll.json"))
    with PrinterDevice(config, SerialTransport(sim_pty.path, 115200, 1.0)) as device:
        yield device


def test_print_over_a_real_pty_arrives_byte_identical(serial_device: PrinterDevice, sim_pty, ticket_factory) -> None:
    ticket = ticket_factory("ar")
    outcome = serial_device.print_ticket(ticket)
    assert outcome.printed and outcome.status_before.state is PrinterState.READY
    assert outcome.status_after.state is PrinterState.READY
    expected = serial_device.composer.build(ticket).data
    assert outcome.bytes_written == len(expected)
    deadline = time.monotonic() + 2
    while not sim_pty.printer.tickets and time.monotonic() < deadline:
        time.sleep(0.01)
    (printed,) = sim_pty.printer.tickets
    assert sim_pty.printer.unknown == []
    assert "A-042" in printed.text and "<cut partial>" in printed.text
    assert serial_device.counter.used_mm > 0


def test_print_over_tcp(ticket_factory) -> None:
    with TcpSimulatorServer(VirtualPrinter(576)) as server:
        config = PrinterConfig(connection=TcpConnection(host="127.0.0.1", port=server.port))
        with PrinterDevice(config, make_transport(config)) as device:
            assert device.status().state is PrinterState.READY
            assert device.print_ticket(ticket_factory("fr")).printed
        _wait(lambda: len(server.printer.tickets) == 1)
        assert "Personnes avant vous : 3" in server.printer.tickets[0].text


def test_file_transport_on_the_pty_device_path(sim_pty, ticket_factory) -> None:
    config = PrinterConfig(connection=FileConnection(path=Path(sim_pty.path)))
    with PrinterDevice(config, make_transport(config)) as device:
        assert device.print_ticket(ticket_factory("en")).printed
    _wait(lambda: len(sim_pty.printer.tickets) == 1)


def test_in_process_simulator_from_config(tmp_path: Path, ticket_factory) -> None:
    config = PrinterConfig(connection=SimulatorConnection(output_dir=tmp_path, paper_out_after=1))
    transport = make_transport(config)
    assert isinstance(transport, InProcessPrinterTransport)
    with PrinterDevice(config, transport) as device:
        first = device.print_ticket(ticket_factory("fr"))
        second = device.print_ticket(ticket_factory("fr"))
    # the paper ran out with this job: it may be cut short, so it does not count as in the customer's hand
    assert not first.printed and first.status_after.state is PrinterState.PAPER_OUT
    assert first.bytes_written > 0
    assert not second.printed and second.status_before.state is PrinterState.PAPER_OUT
    assert (tmp_path / "ticket-0001.png").exists() and (tmp_path / "ticket-0001.txt").exists()


def test_paper_out_after_n_tickets(serial_device: PrinterDevice, sim_pty, ticket_factory) -> None:
    with_faults(sim_pty.printer, paper_out_after=2)
    outcomes = [serial_device.print_ticket(ticket_factory("fr")) for _ in range(3)]
    assert [o.printed for o in outcomes] == [True, False, False]  # the second ran out of paper
    assert outcomes[1].bytes_written > 0 and outcomes[2].bytes_written == 0
    assert outcomes[1].status_after.state is PrinterState.PAPER_OUT
    assert serial_device.counter.remaining_mm == 0
    assert serial_device.status().tickets_left == 0


def test_near_end_then_new_roll_resets_the_count(serial_device: PrinterDevice, sim_pty, ticket_factory) -> None:
    serial_device.print_ticket(ticket_factory("fr"))
    with_faults(sim_pty.printer, near_end_after=1)
    status = serial_device.status()
    assert status.state is PrinterState.PAPER_NEAR_END and status.state in OPERATIONAL
    assert status.tickets_left is not None and status.tickets_left < 40  # 3 m left of ~10 cm tickets
    with_faults(sim_pty.printer, near_end_after=None)
    assert serial_device.status().tickets_left > 700  # 80 m roll


def test_cover_open(serial_device: PrinterDevice, sim_pty, ticket_factory) -> None:
    with_faults(sim_pty.printer, cover_open=True)
    assert serial_device.status().state is PrinterState.COVER_OPEN
    outcome = serial_device.print_ticket(ticket_factory("fr"))
    assert not outcome.printed and outcome.bytes_written == 0


def test_silent_printer_is_offline_within_2_s_never_paper_ok(serial_device: PrinterDevice, sim_pty) -> None:
    assert serial_device.status().state is PrinterState.READY
    with_faults(sim_pty.printer, silent=True)
    started = time.monotonic()
    status = serial_device.status()
    assert time.monotonic() - started < 2.0
    assert status.state is PrinterState.OFFLINE and status.flags.paper_out is None


def test_garbage_status_reply_is_unknown(serial_device: PrinterDevice, sim_pty) -> None:
    with_faults(sim_pty.printer, garbage_reply=0xFF)
    status = serial_device.status()
    assert status.state is PrinterState.UNKNOWN and "0xff" in status.detail


def test_slow_replies_within_and_beyond_the_timeout(serial_device: PrinterDevice, sim_pty) -> None:
    with_faults(sim_pty.printer, reply_delay_s=0.1)
    assert serial_device.status().state is PrinterState.READY
    with_faults(sim_pty.printer, reply_delay_s=0.8)
    assert serial_device.status().state is PrinterState.OFFLINE
    with_faults(sim_pty.printer, reply_delay_s=0.0)
    time.sleep(0.9)  # the late replies arrive now; the next reading must discard them
    assert serial_device.status().state is PrinterState.READY


def test_device_vanishing_mid_write_over_pty(serial_device: PrinterDevice, sim_pty, ticket_factory) -> None:
    with_faults(sim_pty.printer, vanish_after_bytes=sim_pty.printer.bytes_received + 5000)
    # the ticket may be all in the host's queue when the adapter goes (as with a UART's kernel buffer): the status
    # after it, and the next ticket, find the printer gone
    first = serial_device.print_ticket(ticket_factory("ar"))
    assert first.status_after.state is PrinterState.OFFLINE
    second = serial_device.print_ticket(ticket_factory("ar"))
    assert not second.printed and second.status_before.state is PrinterState.OFFLINE
    assert serial_device.status().state is PrinterState.OFFLINE


def test_device_vanishing_mid_write_over_tcp(ticket_factory) -> None:
    printer = VirtualPrinter(576)
    with TcpSimulatorServer(printer) as server:
        config = PrinterConfig(connection=TcpConnection(host="127.0.0.1", port=server.port))
        with PrinterDevice(config, TcpTransport("127.0.0.1", server.port, 1.0)) as device:
            with_faults(printer, vanish_after_bytes=printer.bytes_received + 3000)
            outcomes = [device.print_ticket(ticket_factory("ar")) for _ in range(2)]
            assert not all(o.printed for o in outcomes)
            assert device.status().state is PrinterState.OFFLINE


def test_status_on_a_busy_printer_returns_the_last_reading(serial_device: PrinterDevice) -> None:
    serial_device.status()
    with serial_device._lock:
        started = time.monotonic()
        status = serial_device.status()
    assert status is serial_device.last_status and time.monotonic() - started < 1.0


def test_model_without_status_prints_blind() -> None:
    printer = VirtualPrinter(384)
    config = PrinterConfig(model="generic-58", paper_width_mm=58, realtime_status=False)
    with PrinterDevice(config, InProcessPrinterTransport(printer)) as device:
        assert device.status().state is PrinterState.UNKNOWN


def test_roll_counter_persists_through_file_and_callbacks(tmp_path: Path) -> None:
    path = tmp_path / "roll.json"
    counter = RollCounter(1000, 100, JsonCounterStore(path))
    counter.record(100)
    counter.record(100)
    assert RollCounter(1000, 100, JsonCounterStore(path)).tickets_left() == 8
    saved: dict = {}
    by_callback = RollCounter(1000, 100, CallbackCounterStore(lambda: None, saved.update))
    by_callback.record(50)
    by_callback.observe(PrinterState.PAPER_NEAR_END)
    assert saved["used_mm"] == 900 and by_callback.tickets_left() == 2
    by_callback.observe(PrinterState.READY)
    assert by_callback.used_mm == 0


def test_file_transport_write_times_out_when_nobody_reads(sim_pty) -> None:
    with_faults(sim_pty.printer, silent=True)
    with FileTransport(sim_pty.path, timeout=0.3) as transport:
        assert transport.read(1, 0.1) == b""


def _wait(predicate, timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)
