"""Technician commands: both ports register on one parser; scan-test and the pty simulator work end to end."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from config.scanner import SerialScannerConfig, WedgeScannerConfig
from hardware.fingerprint.cli import add_fingerprint_commands
from hardware.scanner.cli import add_scanner_commands
from hardware.scanner.serial_scanner import SerialScanner
from hardware.scanner.simulator import SerialScannerSimulator

ROOT = Path(__file__).resolve().parents[3]
KEY_HEX = (b"branch-key-0123456789abcdef").hex()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smartqueue hardware")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_scanner_commands(subparsers)
    add_fingerprint_commands(subparsers)
    return parser


def test_commands_share_one_simulate_parser() -> None:
    parser = build_parser()
    for argv in (["simulate", "scanner", "--pty"], ["simulate", "fingerprint", "--pty"], ["scan-test", "--wedge"],
                 ["fingerprint-status"], ["fingerprint-enroll", "--slot", "3"]):
        assert callable(parser.parse_args(argv).handler)


def test_scan_test_prints_parsed_serial_scans(capsys: pytest.CaptureFixture[str]) -> None:
    with SerialScannerSimulator(b"\r") as sim:
        args = build_parser().parse_args(
            ["scan-test", "--serial", sim.port, "--branch-id", "B-17", "--key-hex", KEY_HEX, "--duration", "0.6"]
        )
        threading.Timer(0.2, sim.send, args=("4006381333931",)).start()
        assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "state: operational" in out
    assert "scan '4006381333931' -> UnknownCode(text='4006381333931')" in out


def test_simulate_scanner_process_sends_stdin_lines_and_signed_codes() -> None:
    script = (
        "import argparse, sys\n"
        "from hardware.scanner.cli import add_scanner_commands\n"
        "p = argparse.ArgumentParser(); s = p.add_subparsers(dest='c'); add_scanner_commands(s)\n"
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "simulate", "scanner", "--pty", "--branch-id", "B-17", "--key-hex", KEY_HEX],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    codes: list[str] = []
    got_two = threading.Event()

    def on_scan(text: str) -> None:
        codes.append(text)
        if len(codes) == 2:
            got_two.set()

    try:
        assert proc.stdout is not None and proc.stdin is not None
        port = proc.stdout.readline().strip()
        assert port.startswith("/dev/pts/")
        operational = threading.Event()
        on_state = lambda state: operational.set() if state.is_operational else None  # noqa: E731
        with SerialScanner(SerialScannerConfig(port=port), on_scan, on_state):
            # pyserial flushes the input when it opens a port: scans sent before that are lost, as on a real line.
            assert operational.wait(5)
            proc.stdin.write("HELLO-1\n!ticket A042\n")
            proc.stdin.flush()
            assert got_two.wait(5)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(5)
    assert codes[0] == "HELLO-1"
    assert codes[1].startswith("SQT1:B-17:A042:")
    assert proc.returncode == 0


def test_wedge_window_runs_for_its_duration(qtbot: object) -> None:
    from hardware.scanner.cli import _wedge_window

    assert _wedge_window(WedgeScannerConfig(), print, 0.05) == 0


@pytest.mark.parametrize(
    ("scanner", "kiosk", "verdict"),
    [
        (None, None, "keyboard layout OK"),
        ("AZERTY (French)", "QWERTY (US)", "scanner types as AZERTY (French) on a kiosk using QWERTY (US)"),
        ("QWERTY (US)", "AZERTY (French)", "scanner types as QWERTY (US) on a kiosk using AZERTY (French)"),
    ],
)
def test_scan_test_names_a_keyboard_layout_mismatch(
    qtbot: object, capsys: pytest.CaptureFixture[str], scanner: str | None, kiosk: str | None, verdict: str
) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    from hardware.scanner.cli import build_wedge_test
    from hardware.scanner.layouts import TEST_CODE, typed_as

    typed = typed_as(TEST_CODE, scanner, kiosk) if scanner and kiosk else TEST_CODE
    # the widest burst window: the layout diagnosis is under test, not the timing (a loaded CI machine can pause
    # the process for 30 ms between two synthetic key presses, which then read as human typing)
    window, edit = build_wedge_test(WedgeScannerConfig(max_interkey_ms=200), print)
    try:
        # a scanner's burst: one key press per character, then Enter, delivered faster than any person types
        for char in typed + "\r":
            key = Qt.Key.Key_Return if char == "\r" else Qt.Key.Key_A
            QCoreApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier,
                                                       char))
    finally:
        window.close()
        window.deleteLater()
    out = capsys.readouterr().out
    assert typed in out and verdict in out
