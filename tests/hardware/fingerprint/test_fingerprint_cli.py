"""Fingerprint technician commands against the in-process simulated sensor and a pty simulator process."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from config.fingerprint import FingerprintConfig
from hardware.fingerprint.cli import add_fingerprint_commands
from hardware.fingerprint.device import FingerprintReader, Match

ROOT = Path(__file__).resolve().parents[3]


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_fingerprint_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_status_on_the_simulated_sensor(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fingerprint-status", "--simulated"]) == 0
    out = capsys.readouterr().out
    assert "state: operational" in out and "templates: 0 of 200" in out


def test_status_of_a_missing_sensor_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fingerprint-status", "--port", "/nonexistent/ttyFP"]) == 1
    assert "TransportError" in capsys.readouterr().out


def test_enroll_on_the_simulated_sensor(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["fingerprint-enroll", "--simulated", "--slot", "5", "--wait", "2"]) == 0
    out = capsys.readouterr().out
    assert "place the same finger again" in out and "slot 5 enrolled" in out


def test_simulate_fingerprint_process_answers_a_reader() -> None:
    script = (
        "import argparse, sys\n"
        "from hardware.fingerprint.cli import add_fingerprint_commands\n"
        "p = argparse.ArgumentParser(); s = p.add_subparsers(dest='c'); add_fingerprint_commands(s)\n"
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.handler(a))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "simulate", "fingerprint", "--pty"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        port = proc.stdout.readline().strip()
        proc.stdin.write("enroll 2 77\nfinger 77\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "ok"
        assert proc.stdout.readline().strip() == "ok"
        with FingerprintReader.from_config(FingerprintConfig(), port=port) as reader:
            assert reader.template_count() == 1
            result = reader.identify(wait_s=1.0)
            assert isinstance(result, Match) and result.slot == 2
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(5)
    assert proc.returncode == 0
