"""The simulator's physics: link pacing (10 bits a byte on serial), head speed, dense black, feed and cut, the
receive buffer, status answered when the query has crossed the wire, and when the cutter cuts."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from hardware.printer.decoder import Cut, LineFeed, Raster, Style, Text, decode
from hardware.printer.physics import ElementTimer, HeadModel, HeadSchedule, LinkModel
from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter
from hardware.printer.status import StatusQuery
from hardware.transport import FileTransport, SerialTransport

HEAD = HeadModel(speed_mm_s=250, dpi=203, cut_s=0.2, cutter_offset_mm=15, dense_black_threshold=0.5,
                 dense_black_factor=0.5)


def test_link_models() -> None:
    assert LinkModel.serial(115200).seconds(11520) == pytest.approx(1.0)  # start + 8 data + stop bits
    assert LinkModel.serial(9600).seconds(960) == pytest.approx(1.0)
    assert LinkModel.usb().seconds(1_000_000) == pytest.approx(1.0)
    assert LinkModel.unthrottled().seconds(10**9) == 0.0


def test_head_times_lines_rasters_dense_black_feed_and_cut() -> None:
    timer = ElementTimer(HEAD)
    dots_per_s = 250 * 203 / 25.4
    assert timer.seconds(Text("A-042", Style(width=6, height=6))) == 0.0  # text waits for its line feed
    assert timer.seconds(LineFeed()) == pytest.approx(6 * 24 / dots_per_s)  # a 6x-high line is 144 dots
    assert timer.seconds(LineFeed()) == pytest.approx(30 / dots_per_s)  # back to the default line spacing
    white = Raster(2, 100, 0, bytes(200))
    black = Raster(2, 100, 0, b"\xff" * 200)
    assert timer.seconds(white) == pytest.approx(100 / dots_per_s)
    assert timer.seconds(black) == pytest.approx(2 * 100 / dots_per_s)  # dense black at half speed
    (cut,) = [e for e in decode(b"\x1dVB\x08") if isinstance(e, Cut)]  # GS V 66 8: feed to the cutter + 8, cut
    assert (cut.mode, cut.feed_dots, cut.to_cutter) == ("partial", 8, True)
    assert timer.seconds(cut) == pytest.approx((15 * 203 / 25.4 + 8) / dots_per_s + 0.2)
    assert timer.seconds(Cut("partial")) == pytest.approx(0.2)


def test_schedule_drains_the_buffer_as_the_head_prints() -> None:
    schedule = HeadSchedule()
    schedule.received = 3000
    schedule.add(1000, 1.0, now=10.0)
    schedule.add(2000, 1.0, now=10.0)
    assert schedule.level(10.0) == 3000
    assert schedule.level(10.5) == pytest.approx(2500)
    assert schedule.level(11.5) == pytest.approx(1000)
    assert schedule.level(12.0) == 0 and schedule.free_at == 12.0


def test_status_after_a_job_is_answered_once_the_job_crossed_the_wire(tmp_path: Path) -> None:
    job = b"\x1b@" + b"a line of text, thirty-seven bytes.\n" * 100 + b"\x1dV\x01"
    printer = VirtualPrinter(576, head=HEAD)
    with PtySimulatorServer(printer, LinkModel.serial(38400)) as server, \
            SerialTransport(server.path, 38400, 3.0) as host:
        started = time.monotonic()
        host.write(job + StatusQuery.PRINTER.command)
        reply = host.read(1, 3.0)
        answered = time.monotonic() - started
        deadline = time.monotonic() + 5
        while not printer.tickets and time.monotonic() < deadline:
            time.sleep(0.01)
    wire = LinkModel.serial(38400).seconds(len(job) + 3)
    assert reply == b"\x12"
    # never before the job crossed the wire; the upper bound leaves room for a machine busy with other tests
    assert wire <= answered < wire + 1.0, (answered, wire)
    (ticket,) = printer.tickets
    # the cut comes after the last byte, the line's print time and the cutter's cycle
    assert ticket.cut_at - started >= LinkModel.serial(38400).seconds(len(job)) + 0.2


def test_an_image_larger_than_the_buffer_streams_through_a_busy_usb_link() -> None:
    rows = np.zeros((800, 72), dtype=np.uint8)
    rows[::2] = 0xFF  # half the rows black: some dense-black slowdown
    job = b"\x1b@\x1dv0\x00" + bytes([72, 0, 800 % 256, 800 // 256]) + rows.tobytes() + b"\x1dV\x01"
    printer = VirtualPrinter(576, head=HEAD)
    with PtySimulatorServer(printer, LinkModel.usb(), usb=True) as server, FileTransport(server.path, 3.0) as host:
        started = time.monotonic()
        host.write(job)  # 57 KB against a 4 KB buffer: USB holds the host back while the head prints
        written = time.monotonic() - started
        deadline = time.monotonic() + 10
        while not printer.tickets and time.monotonic() < deadline:
            time.sleep(0.01)
    (ticket,) = printer.tickets
    head_s = 400 / (250 * 203 / 25.4) + 400 / (250 * 203 / 25.4) / 0.5
    assert printer.lost_bytes == 0 and server.busy_periods >= 1
    assert written > 0.2  # the host waited for the head
    assert head_s + 0.2 - 0.05 <= ticket.cut_at - started < head_s + 0.2 + 0.6
    (raster,) = [e for e in ticket.elements if isinstance(e, Raster)]
    assert raster.data == rows.tobytes()
