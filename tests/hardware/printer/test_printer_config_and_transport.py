"""Printer configuration, profiles, layout limits, transports and the technician commands."""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError

from config.printer import PrinterConfig, SimulatorConnection, TicketLayout, UsbConnection
from hardware.errors import ConfigurationError, LayoutError, TransportError
from hardware.printer import cli
from hardware.printer.connection import make_transport
from hardware.printer.decoder import Text, decode
from hardware.printer.layout import TicketComposer, _Job
from hardware.printer.profiles import PROFILES, get_profile
from hardware.printer.raster import TextRasterizer
from hardware.transport import FileTransport, find_usb_printer, loopback_pair


def test_config_rejects_unknown_keys_and_out_of_range_values() -> None:
    with pytest.raises(ValidationError):
        PrinterConfig(colour="red")
    with pytest.raises(ValidationError):
        PrinterConfig(status_timeout_s=5)
    with pytest.raises(ValidationError):
        PrinterConfig(connection={"type": "tcp", "host": "p1", "port": 70000})
    assert PrinterConfig(connection={"type": "tcp", "host": "p1"}).connection.port == 9100


def test_usb_ids_accept_lsusb_hex() -> None:
    conn = UsbConnection(vendor_id="04b8", product_id="0x0202")
    assert (conn.vendor_id, conn.product_id) == (0x04B8, 0x0202)


def test_usb_printer_resolved_through_sysfs(tmp_path: Path) -> None:
    usb_dev = tmp_path / "devices" / "usb1" / "1-1"
    (usb_dev / "1-1:1.0").mkdir(parents=True)
    (usb_dev / "idVendor").write_text("04b8\n")
    (usb_dev / "idProduct").write_text("0202\n")
    lp = tmp_path / "class" / "usbmisc" / "lp1"
    lp.mkdir(parents=True)
    (lp / "device").symlink_to(usb_dev / "1-1:1.0")
    assert find_usb_printer(0x04B8, 0x0202, tmp_path) == Path("/dev/usb/lp1")
    with pytest.raises(ConfigurationError):
        find_usb_printer(0x04B8, 0x0E15, tmp_path)
    config = PrinterConfig(connection=UsbConnection(vendor_id=0x04B8, product_id=0x0202))
    assert isinstance(make_transport(config, sysfs=tmp_path), FileTransport)


def test_profile_table_and_paper_width_check() -> None:
    assert {p.width_dots for p in PROFILES.values()} >= {576, 384, 512}
    with pytest.raises(ConfigurationError):
        get_profile("generic-80", 58)
    with pytest.raises(ConfigurationError):
        get_profile("no-such-model")


def test_image_wider_than_the_head_is_a_layout_error() -> None:
    job = _Job(get_profile("generic-58"), TextRasterizer())
    with pytest.raises(LayoutError):
        job.image(Image.new("1", (385, 10), 1))


@pytest.mark.parametrize("model", ["generic-58", "generic-80"])
def test_long_ticket_numbers_shrink_to_fit(model: str, ticket_factory) -> None:
    profile = get_profile(model)
    composer = TicketComposer(profile, TicketLayout())
    (number,) = [e for e in decode(composer.build(ticket_factory("fr", number="AB-10042")).data)
                 if isinstance(e, Text) and e.text == "AB-10042"]
    assert len(number.text) * 12 * number.style.width <= profile.width_dots


def test_arabic_indic_digits_where_the_locale_wants_them(ticket_factory) -> None:
    egypt = TicketComposer(get_profile("generic-80"), TicketLayout(locales={"ar": "ar_EG"}))
    text = egypt.build(ticket_factory("ar"))
    assert text.data  # rendered as rasters; check the formatter itself
    from hardware.printer.ticket import TicketText
    assert "٣" in TicketText("ar", "ar_EG").people_ahead(3)
    assert "3" in TicketText("ar", "ar").people_ahead(3)
    assert "94" in TicketText("fr", "fr_FR").estimated_wait(94 * 60)


def test_loopback_pair_and_closed_peer() -> None:
    host, device = loopback_pair()
    with host, device:
        host.write(b"\x10\x04\x01")
        assert device.read(3, 0.5) == b"\x10\x04\x01"
        assert host.read(1, 0.05) == b""
    with pytest.raises(TransportError):
        host.write(b"x")


def test_file_transport_missing_device() -> None:
    with pytest.raises(TransportError):
        FileTransport("/dev/usb/no-such-lp").open()


def test_print_test_with_preview_through_the_simulator(tmp_path: Path, capsys) -> None:
    config = PrinterConfig(connection=SimulatorConnection(output_dir=tmp_path / "sim"))
    args = argparse.Namespace(language="ar", preview=tmp_path / "preview.png")
    assert cli.print_test(args, config) == 0
    assert (tmp_path / "preview.png").exists() and (tmp_path / "sim" / "ticket-0001.png").exists()
    assert cli.printer_status(argparse.Namespace(), config) == 0
    assert "state: ready" in capsys.readouterr().out


def test_status_estimates_tickets_left_before_any_ticket_was_printed(capsys) -> None:
    config = PrinterConfig(connection=SimulatorConnection())
    assert cli.printer_status(argparse.Namespace(), config) == 0
    out = capsys.readouterr().out
    left = int(out.split("tickets left (estimate): ")[1].split()[0])
    # an 80 m roll over the layout's typical ticket (~10 cm): several hundred
    assert 500 < left < 1200, out


def test_simulate_printer_on_a_pty_until_stopped(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    cli.add_printer_commands(parser.add_subparsers())
    args = parser.parse_args(["simulate", "printer", "--pty", "--out", str(tmp_path), "--paper-out-after", "1"])
    stop = threading.Event()
    runner = threading.Thread(target=args.handler, args=(args, None, stop))
    runner.start()
    deadline = time.monotonic() + 2
    while "serial port" not in (out := capsys.readouterr().out) and time.monotonic() < deadline:
        time.sleep(0.01)
    path = out.split("serial port ")[1].split(";")[0]
    assert os.path.exists(path)
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()


def test_simulate_printer_behind_rfc2217_with_physics(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    cli.add_printer_commands(parser.add_subparsers())
    args = parser.parse_args(["simulate", "printer", "--rfc2217", "0", "--physics", "--speed", "9600",
                              "--out", str(tmp_path)])
    assert cli._link_model(args.speed).bytes_per_s == 960 and args.physics
    stop = threading.Event()
    runner = threading.Thread(target=args.handler, args=(args, None, stop))
    runner.start()
    deadline = time.monotonic() + 2
    while "rfc2217://" not in (out := capsys.readouterr().out) and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    runner.join(timeout=5)
    assert "rfc2217://127.0.0.1:" in out and not runner.is_alive()
    with pytest.raises(SystemExit):
        parser.parse_args(["simulate", "printer", "--pty", "--speed", "fast", "--out", str(tmp_path)])
