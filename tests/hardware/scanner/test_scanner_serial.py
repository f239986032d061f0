"""Serial scanner driver against its pty simulator: framing, faults, unplug and reconnect."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.scanner import SerialScannerConfig
from hardware.scanner.base import ScannerState
from hardware.scanner.framing import DroppedLine, LineFramer
from hardware.scanner.serial_scanner import SerialScanner
from hardware.scanner.simulator import SerialScannerSimulator

ANY = [b"\r\n", b"\r", b"\n", b"\t"]


@pytest.mark.parametrize(
    ("terminators", "chunks", "expected"),
    [
        ([b"\r"], [b"ABC\rDEF\r"], [b"ABC", b"DEF"]),
        ([b"\r"], [b"AB", b"C\r", b"\rD", b"EF\r"], [b"ABC", b"DEF"]),  # split writes, empty line skipped
        ([b"\r"], [b"ABC\r\nDEF\r\n"], [b"ABC", b"DEF"]),  # scanner sends CRLF on a CR-framed port
        ([b"\n"], [b"ABC\r\nDEF\n"], [b"ABC", b"DEF"]),
        ([b"\r\n"], [b"ABC\r", b"\nDEF\r\n"], [b"ABC", b"DEF"]),  # terminator split across reads
        ([b"\r"], [b"ABC"], []),  # no terminator yet
        (ANY, [b"A1\rB2\nC3\r\nD4\tE5"], [b"A1", b"B2", b"C3", b"D4"]),  # any suffix; E5 waits for one
        (ANY, [b"A1\r", b"\nB2\r", b"\n"], [b"A1", b"B2"]),  # CRLF split across reads
    ],
)
def test_framer_table(terminators: list[bytes], chunks: list[bytes], expected: list[bytes]) -> None:
    framer = LineFramer(terminators, max_length=16)
    out: list[bytes | DroppedLine] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    assert out == expected


def test_framer_cuts_a_code_without_suffix_at_the_gap() -> None:
    framer = LineFramer(ANY, max_length=32, gap_s=0.05)
    assert framer.feed(b"SQT1:", now=1.0) == []
    assert framer.feed(b"B-17", now=1.002) == []
    assert framer.idle(1.03) == []  # still inside the gap: more bytes may come
    assert framer.idle(1.06) == [b"SQT1:B-17"]
    assert framer.idle(2.0) == []
    # the gap also ends a code when the next one starts before idle() was called
    assert framer.feed(b"ONE", now=3.0) == []
    assert framer.feed(b"TWO", now=3.2) == [b"ONE"]
    assert framer.gap_framed == 2


def test_framer_drops_overlong_lines_whole_and_stays_bounded() -> None:
    framer = LineFramer([b"\r"], max_length=8)
    out = framer.feed(b"1234567890123")  # over max without a terminator: memory bounded
    out += framer.feed(b"456\rOK\r")
    assert out == [DroppedLine("overlong", 16), b"OK"]


class Collector:
    """Thread-safe sink for the driver's callbacks."""

    def __init__(self) -> None:
        self.codes: queue.Queue[str] = queue.Queue()
        self.states: list[ScannerState] = []
        self._changed = threading.Condition()

    def on_scan(self, text: str) -> None:
        self.codes.put(text)

    def on_state(self, state: ScannerState) -> None:
        with self._changed:
            self.states.append(state)
            self._changed.notify_all()

    def next_code(self, timeout: float = 2.0) -> str:
        return self.codes.get(timeout=timeout)

    def wait_state(self, state: ScannerState, timeout: float = 2.0) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.states and self.states[-1] is state, timeout), self.states


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SerialScannerSimulator]:
    with SerialScannerSimulator(b"\r", link=tmp_path / "ttyScanner") as simulator:
        yield simulator


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def scanner(sim: SerialScannerSimulator, collector: Collector) -> Iterator[SerialScanner]:
    config = SerialScannerConfig(port=sim.port, terminator="\r", max_length=64, reconnect_interval_s=0.05)
    driver = SerialScanner(config, collector.on_scan, collector.on_state)
    driver.start()
    collector.wait_state(ScannerState.OPERATIONAL)
    yield driver
    driver.stop()


def test_codes_arrive_in_order_even_when_split(
    sim: SerialScannerSimulator, scanner: SerialScanner, collector: Collector
) -> None:
    codes = [f"SQT1:B-17:A{n:03d}:AAAAAAAAAAAAAAAA" for n in range(50)]
    for n, code in enumerate(codes):
        sim.send(code, chunk=(n % 7) + 1 if n % 5 == 0 else 0, pause_s=0.001)
    assert [collector.next_code() for _ in codes] == codes
    assert scanner.state is ScannerState.OPERATIONAL


def test_garbage_and_overlong_lines_are_dropped_with_a_log_line(
    sim: SerialScannerSimulator, scanner: SerialScanner, collector: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "hardware.scanner.serial_scanner")
    sim.send("BEFORE")
    sim.send_garbage()
    sim.send_overlong(10_000)
    sim.send("AFTER")
    assert [collector.next_code(), collector.next_code()] == ["BEFORE", "AFTER"]
    assert scanner.lines_dropped == 2
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "garbage" in messages and "overlong" in messages


def test_unplug_is_a_state_and_replug_reconnects(
    sim: SerialScannerSimulator, scanner: SerialScanner, collector: Collector
) -> None:
    sim.send("ONE")
    assert collector.next_code() == "ONE"
    sim.vanish()
    collector.wait_state(ScannerState.DISCONNECTED)
    assert not scanner.state.is_operational
    sim.reappear()
    collector.wait_state(ScannerState.OPERATIONAL)
    sim.send("TWO")
    assert collector.next_code() == "TWO"


def test_missing_port_at_start_is_disconnected_not_an_error(tmp_path: Path, collector: Collector) -> None:
    config = SerialScannerConfig(port=str(tmp_path / "absent"), reconnect_interval_s=0.05)
    driver = SerialScanner(config, collector.on_scan, collector.on_state)
    driver.start()
    try:
        collector.wait_state(ScannerState.DISCONNECTED)
    finally:
        began = time.monotonic()
        driver.stop()
    assert time.monotonic() - began < 0.5
    assert driver.state is ScannerState.STOPPED


def test_a_failing_callback_does_not_kill_the_reader(sim: SerialScannerSimulator, collector: Collector) -> None:
    seen: queue.Queue[str] = queue.Queue()

    def on_scan(text: str) -> None:
        seen.put(text)
        if text == "BOOM":
            raise RuntimeError("bug in the app")

    with SerialScanner(SerialScannerConfig(port=sim.port), on_scan, collector.on_state):
        collector.wait_state(ScannerState.OPERATIONAL)
        sim.send("BOOM")
        sim.send("NEXT")
        assert [seen.get(timeout=2), seen.get(timeout=2)] == ["BOOM", "NEXT"]


CODES = ["SQT1:B-17:A042-20261124:7QK3M2ZB4XW5N6PA", "4006381333931", "A042-20261124"]


@pytest.mark.parametrize("suffix", [b"\r", b"\n", b"\r\n", b"\t", b""], ids=["cr", "lf", "crlf", "tab", "none"])
def test_default_framing_reads_every_suffix_scanners_ship_with(suffix: bytes, collector: Collector) -> None:
    with SerialScannerSimulator(suffix) as scanner_sim, \
            SerialScanner(SerialScannerConfig(port=scanner_sim.port), collector.on_scan, collector.on_state):
        collector.wait_state(ScannerState.OPERATIONAL)
        for code in CODES:
            scanner_sim.send(code, chunk=7, pause_s=0.002)  # a code arrives in pieces, as over USB-serial
            time.sleep(0.15)  # a person presents the next code a moment later
        assert [collector.next_code() for _ in CODES] == CODES


def test_a_scanner_sending_lf_on_a_port_set_for_cr_still_reads_every_code(
    collector: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "hardware.scanner.serial_scanner")
    config = SerialScannerConfig(port="unused", terminator="\r")
    with SerialScannerSimulator(b"\n") as scanner_sim, SerialScanner(
        config.model_copy(update={"port": scanner_sim.port}), collector.on_scan, collector.on_state
    ):
        collector.wait_state(ScannerState.OPERATIONAL)
        for code in CODES:
            scanner_sim.send(code)
            time.sleep(0.15)
        assert [collector.next_code() for _ in CODES] == CODES
    assert "without the expected suffix" in caplog.text
