"""Hardware choice grammar, the TOML writer, detection on a fake sysfs, support-bundle redaction."""

from __future__ import annotations

import tarfile
import tomllib
from pathlib import Path

import pytest

from commissioning import detect, hardware_choice, support, toml_out
from commissioning.doctor import _clock


@pytest.mark.parametrize(("text", "connection"), [
    ("simulator", {"type": "simulator"}),
    ("serial:/dev/ttyUSB0", {"type": "serial", "port": "/dev/ttyUSB0"}),
    ("serial:/dev/ttyUSB0:9600", {"type": "serial", "port": "/dev/ttyUSB0", "baudrate": 9600}),
    ("tcp:10.0.0.9", {"type": "tcp", "host": "10.0.0.9", "port": 9100}),
    ("usb:04b8:0202", {"type": "usb", "vendor_id": 0x04B8, "product_id": 0x0202}),
    ("file:/dev/usb/lp0", {"type": "file", "path": "/dev/usb/lp0"}),
])
def test_printer_choices(text, connection):
    assert hardware_choice.printer_section(text)["connection"] == connection


@pytest.mark.parametrize("text", ["usb:04b8", "tcp:", "serial", "bluetooth:x"])
def test_bad_printer_choices_say_what_is_expected(text):
    with pytest.raises(hardware_choice.ChoiceError, match="use simulator"):
        hardware_choice.printer_section(text)
    with pytest.raises(hardware_choice.ChoiceError, match="not hexadecimal"):
        hardware_choice.printer_section("usb:zz:01")


def test_scanner_and_fingerprint_choices():
    assert hardware_choice.scanner_section("camera:0") == {"device": {"kind": "camera", "source": 0}}
    assert hardware_choice.scanner_section("none") == {"enabled": False}
    assert hardware_choice.fingerprint_section("serial:/dev/ttyUSB1") == {"enabled": True, "port": "/dev/ttyUSB1"}
    assert hardware_choice.fingerprint_section("none") is None


def test_toml_writer_round_trips():
    tables = {"branch": {"id": "B1", "name": {"fr": "Agence « Centre »", "ar": "فرع"}, "languages": ["fr", "ar"],
                         "skip": None},
              "printer": {"connection": {"type": "usb", "vendor_id": 1208}, "paper_width_mm": 80, "ok": True}}
    data = tomllib.loads(toml_out.dumps(tables, "header\nline two"))
    assert data == {"branch": {"id": "B1", "name": {"fr": "Agence « Centre »", "ar": "فرع"},
                               "languages": ["fr", "ar"]},
                    "printer": {"connection": {"type": "usb", "vendor_id": 1208}, "paper_width_mm": 80, "ok": True}}


def test_usb_printers_are_found_by_interface_class(tmp_path):
    device = tmp_path / "sys" / "devices" / "usb1" / "1-1"
    interface = device / "1-1:1.0"
    interface.mkdir(parents=True)
    (interface / "bInterfaceClass").write_text("07\n")
    for name, value in (("idVendor", "04b8"), ("idProduct", "0202"), ("product", "TM-T88V"), ("manufacturer", "EPSON")):
        (device / name).write_text(value + "\n")
    bus = tmp_path / "sys" / "bus" / "usb" / "devices"
    bus.mkdir(parents=True)
    (bus / "1-1:1.0").symlink_to(interface)
    found = detect.usb_printers(tmp_path / "sys")
    assert [(f.choice, f.label) for f in found] == [("usb:04b8:0202", "EPSON TM-T88V [04b8:0202]")]


def test_clock_skew_is_a_problem_beyond_a_minute():
    assert _clock("Tue, 24 Nov 2026 10:00:00 GMT", now=1795514400 + 30).ok is True
    assert _clock("Tue, 24 Nov 2026 10:00:00 GMT", now=1795514400 + 600).ok is False


def test_support_bundle_redacts_secrets(tmp_path):
    config = tmp_path / "node.toml"
    config.write_text('[branch]\nid = "B1"\nappointment_key = "very-secret-appointment-key"\n'
                      '[device]\ntoken = "sqd_abcdefghijklmnop"\n[[agents]]\nid = "alice"\n'
                      'pin_hash = "scrypt$abc$def"\n[sync]\npassword = "mqtt-pass"\n', encoding="utf-8")
    log = tmp_path / "app.log"
    log.write_text("GET /x Authorization: Bearer sqd_zzzzzzzzzzzzzzzz\n", encoding="utf-8")
    (tmp_path / "app.log.1").write_text("older token=sqd_yyyyyyyyyyyyyyyy\n", encoding="utf-8")
    out = tmp_path / "support.tar.gz"
    names = support.build(out, [config], [log], with_doctor=False).names
    assert {"config/node.toml", "logs/app.log", "logs/app.log.1", "versions.json"} <= set(names)
    with tarfile.open(out) as archive:
        text = "".join(archive.extractfile(m).read().decode() for m in archive.getmembers())
        redacted = tomllib.loads(archive.extractfile("smartqueue-support/config/node.toml").read().decode())
    for secret in ("very-secret", "sqd_abcdefghijklmnop", "scrypt$abc", "mqtt-pass", "sqd_zzzz", "sqd_yyyy"):
        assert secret not in text
    assert redacted["agents"][0] == {"id": "alice", "pin_hash": "[redacted]"}
    assert redacted["branch"]["id"] == "B1"
    assert Path(out).stat().st_mode & 0o077 == 0


def test_doctor_warns_about_a_9600_baud_printer(qapp):
    from commissioning.doctor import report
    from commissioning.hardware_checks import printer_status
    from config.printer import PrinterConfig, SerialConnection
    from hardware.printer.simulator import PtySimulatorServer, VirtualPrinter

    with PtySimulatorServer(VirtualPrinter(576)) as server:
        slow = printer_status(PrinterConfig(connection=SerialConnection(port=server.path, baudrate=9600)))
        fast = printer_status(PrinterConfig(connection=SerialConnection(port=server.path, baudrate=115200)))
    assert slow.ok and slow.warn and "text only" in slow.detail
    assert fast.ok and not fast.warn
    lines: list[str] = []
    assert report([slow], "fr", lines.append) == 0  # a warning, not a problem
    assert lines[0].startswith("ATTENTION") and "115200" in lines[1]
