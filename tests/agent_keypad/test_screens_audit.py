"""The layout audit over every full-screen state of the agent keypad × fr/en/ar × 800×480 and 1024×600.

Touch targets are measured on the configured screen ([keypad] screen_diagonal_inches, 7" by default) against the
keypad's own target, 12 mm (a staff device; agent_keypad/theme.py, docs/architecture.md). The states
(tests/agent_keypad/screens.py) include the most a screen stacks around its keys: the staff alerts strip and a
message together. The compact bar, on a desktop monitor, is audited in test_layout.py. Each state is entered in
French, then shown in each language: every text on each screen must be in that screen's language (languages.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools.screen_audit import audit_state
from tests.agent_keypad.languages import keypad_words, wrong_language
from tests.agent_keypad.screens import STATES, KeypadScreens


@pytest.mark.parametrize("state", STATES)
def test_keypad_screen_passes_the_audit(node, tmp_path, qapp, state):
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    out = Path(chosen) / "audit" if chosen else tmp_path / "audit"
    screens = KeypadScreens(node, tmp_path, fingerprint=state == "login_fingerprint")
    try:
        report = audit_state(screens, state, out)
        names, verbatim = keypad_words(screens.c)
    finally:
        screens.close()
    assert len(report.snapshots) == len(screens.sizes) * len(screens.languages)
    assert not report.findings, f"{len(report.findings)} findings:\n{report.summary()}"
    wrong = [f"{snap.key}: {text}" for snap in report.snapshots for text in wrong_language(
        [item.text.text for item in snap.items if item.text], snap.language, names=names, verbatim=verbatim)]
    assert not wrong, "\n".join(wrong)
