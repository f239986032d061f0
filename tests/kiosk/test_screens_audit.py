"""The layout audit over every kiosk screen: each state × fr/en/ar × normal/large/contrast × portrait/landscape.

Every render is checked (touch targets, overlaps, hidden controls, text whole and legible, structure across
languages) and written as a PNG (a temporary folder, or SMARTQUEUE_SCREENSHOTS/audit when set): look at them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from devtools.screen_audit import AuditReport, audit_state

from .screens import KioskScreens

#: Renders copied to SMARTQUEUE_SCREENSHOTS (docs/screenshots) for the documentation, in fr, en and ar; every
#: render stays in its audit/ folder (not tracked).
CURATED = {
    "home-{lang}-normal-1080x1920": "kiosk-home-{lang}",
    "group-{lang}-normal-1080x1920": "kiosk-group-{lang}",
    "ticket-{lang}-normal-1080x1920": "kiosk-ticket-{lang}",
    "paper_out_ticket-{lang}-normal-1080x1920": "kiosk-paper-out-{lang}",
    "home_many-{lang}-normal-1080x1920": "kiosk-home-12-services-{lang}",
    "home_many-{lang}-large-1920x1080": "kiosk-home-12-services-large-landscape-{lang}",
    "home_many-{lang}-contrast-1080x1920": "kiosk-home-12-services-contrast-{lang}",
    "techpin-{lang}-normal-1080x1920": "kiosk-technician-pin-{lang}",
    "technician-{lang}-normal-1080x1920": "kiosk-technician-{lang}",
}


@pytest.fixture
def audit_dir(tmp_path) -> Path:
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    return Path(chosen) / "audit" if chosen else tmp_path / "audit"


def publish(audit: Path) -> None:
    """Copy the curated renders next to the audit folder (docs/screenshots when asked)."""
    if not os.environ.get("SMARTQUEUE_SCREENSHOTS"):
        return
    for source, target in CURATED.items():
        for lang in ("fr", "en", "ar"):
            render = audit / f"{source.format(lang=lang)}.png"
            if render.exists():
                shutil.copyfile(render, audit.parent / f"{target.format(lang=lang)}.png")


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
    publish(audit_dir)
    assert not report.findings, f"{len(report.findings)} findings:\n{report.summary()}"
