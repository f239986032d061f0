"""The layout audit over the calling display: empty, calls, reconnecting × fr/en/ar × landscape/portrait."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.screen_audit import audit_state

from .screens import STATES, DisplayScreens


@pytest.mark.parametrize("state", STATES)
def test_display_screen_passes_the_audit(qapp, qtlog, tmp_path, state):
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    out = Path(chosen) / "audit" if chosen else tmp_path / "audit"
    screens = DisplayScreens()
    try:
        report = audit_state(screens, state, out)
    finally:
        screens.close()
    assert len(report.snapshots) == len(screens.sizes) * len(screens.languages)
    assert not report.findings, f"{len(report.findings)} findings:\n{report.summary()}"
    # a fitted text whose size feeds back into its layout settles, but Qt says so: none of that on the board
    qml_problems = [r.message for r in qtlog.records if "qml" in r.message.lower() and "pipewire" not in r.message]
    assert qml_problems == []
