"""doctor's diagnoses that name the device's own values: a network printer's configured port (a real TCP port
that refuses), and a configuration holding secrets that every user can read."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from commissioning.doctor import check_secrets_private, report
from commissioning.hardware_checks import printer_status
from config.printer import PrinterConfig

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: connections are refused


def test_an_unreachable_network_printer_names_the_configured_port_in_every_language():
    port = closed_port()
    config = PrinterConfig.model_validate({"connection": {"type": "tcp", "host": "127.0.0.1", "port": port}})
    check = printer_status(config)
    assert check.ok is False
    for language, word in (("en", "port"), ("fr", "port"), ("ar", "المنفذ")):
        lines: list[str] = []
        report([check], language, lines.append)
        fix = next(line for line in lines if line.startswith(" ") and str(port) in line)
        assert word in fix and "9100" not in fix, lines


def test_a_config_with_secrets_readable_by_others_is_a_problem(tmp_path):
    text = (ROOT / "config/examples/node.toml").read_text(encoding="utf-8")
    assert re.search(r"appointment_key\s*=", text)
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    check = check_secrets_private(path)
    assert check.ok is False and "appointment_key" in check.detail_args["keys"]
    lines: list[str] = []
    report([check], "fr", lines.append)
    assert any(f"chmod 640 {path}" in line and "secrets" in line for line in lines), lines
    path.chmod(0o640)
    assert check_secrets_private(path).ok is True


@pytest.mark.parametrize(("connection", "words"), [
    ({"type": "tcp", "host": "127.0.0.1"}, {"fr": "la connexion est refusée", "ar": "الاتصال مرفوض"}),
    ({"type": "serial", "port": "/dev/ttySQ-no-such-port"}, {"fr": "appareil introuvable", "ar": "الجهاز غير موجود"}),
])
def test_why_a_printer_cannot_be_reached_is_said_in_the_technicians_language(connection, words):
    if connection["type"] == "tcp":
        connection = {**connection, "port": closed_port()}
    check = printer_status(PrinterConfig.model_validate({"connection": connection}))
    for language, expected in words.items():
        lines: list[str] = []
        report([check], language, lines.append)
        assert expected in lines[0], lines
        # the socket's or pyserial's English stays in the log, not on the technician's screen
        assert not re.search(r"Errno|refused|cannot connect|could not open|No such file", lines[0]), lines
