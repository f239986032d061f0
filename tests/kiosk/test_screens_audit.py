"""The layout audit over every kiosk screen: each state × fr/en/ar × normal/large/contrast × portrait/landscape.

Every render is checked (touch targets, overlaps, hidden controls, text whole and legible, structure across
languages) and written as a PNG (a temporary folder, or SMARTQUEUE_SCREENSHOTS/audit when set): look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.screen_audit import AuditReport, audit_state

from .screens import KioskScreens


@pytest.fixture
def audit_dir(tmp_path) -> Path:
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    return Path(chosen) / "audit" if chosen else tmp_path / "audit"


def run_audit(screens: KioskScreens, out: Path) -> AuditReport:
    report = AuditReport()
    for state in screens.states:
        one = audit_state(screens, state, out)
        report.findings += one.findings
        report.snapshots += one.snapshots
    return report


@pytest.mark.parametrize("busy", [False, True], ids=["example-branch", "busy-branch"])
def test_every_kiosk_screen_passes_the_audit(tmp_path, qapp, audit_dir, busy):
    screens = KioskScreens(tmp_path, busy=busy)
    try:
        report = run_audit(screens, audit_dir)
    finally:
        screens.close()
    expected = len(screens.states) * len(screens.languages) * len(screens.modes) * len(screens.sizes)
    assert len(report.snapshots) == expected
    assert not report.findings, f"{len(report.findings)} findings:\n{report.summary()}"
