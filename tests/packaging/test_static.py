"""Units, udev rules and maintainer scripts, checked without building anything."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
UNITS = sorted((PACKAGING / "systemd").glob("*.service"))
SCRIPTS = sorted(p for p in (PACKAGING / "debian").iterdir() if p.name != "copyright") + \
    [PACKAGING / "session" / name for name in ("smartqueue-session", "smartqueue-xsession")]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_units_verify(tmp_path):
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, UNITS)], capture_output=True,
                            text=True)
    # the only complaint allowed: the executables are not installed on this machine
    problems = [line for line in result.stderr.splitlines() if line and "is not executable" not in line]
    assert problems == []


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_units_restart_and_are_inert_until_configured(unit):
    text = unit.read_text()
    assert re.search(r"^Restart=(on-failure|always)$", text, re.M)
    assert "ConditionPathExists=/etc/smartqueue/" in text
    assert "NoNewPrivileges=yes" in text and "User=smartqueue" in text


def test_gui_unit_has_the_watchdog_and_lets_the_app_notify():
    text = (PACKAGING / "systemd" / "smartqueue-gui@.service").read_text()
    for line in ("Type=notify", "NotifyAccess=all", "WatchdogSec=30", "Restart=always"):
        assert line in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_scripts_parse_and_are_executable(script):
    assert subprocess.run(["sh", "-n", str(script)]).returncode == 0
    assert script.stat().st_mode & 0o111


def test_udev_rules_are_well_formed():
    rule = re.compile(r'^([A-Z]+(\{[A-Za-z_]+\})?(==|=)"[^"]*"(, )?)+$')
    lines = [line for line in (PACKAGING / "udev" / "70-smartqueue.rules").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines and all(rule.match(line) for line in lines), lines
    assert any('KERNEL=="ttyUSB[0-9]*", GROUP="dialout"' in line for line in lines)
    assert any('ATTR{idVendor}=="04b8"' in line for line in lines)


def test_session_refuses_an_unknown_role(tmp_path):
    result = subprocess.run([str(PACKAGING / "session" / "smartqueue-session"), "central"], capture_output=True,
                            text=True)
    assert result.returncode == 2 and "unknown role" in result.stderr


def test_session_runs_the_app_on_the_framebuffer_modes(tmp_path):
    app = tmp_path / "app"
    app.write_text('#!/bin/sh\necho "$QT_QPA_PLATFORM $*"\n')
    app.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "SMARTQUEUE_APP": str(app), "SMARTQUEUE_DISPLAY_MODE": "linuxfb",
           "SMARTQUEUE_CONFIG_DIR": "/etc/sq"}
    result = subprocess.run([str(PACKAGING / "session" / "smartqueue-session"), "kiosk"], env=env,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "linuxfb kiosk --config /etc/sq/kiosk.toml"
