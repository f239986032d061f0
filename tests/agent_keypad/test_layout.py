"""The compact bar through the layout audit: called, with the menu open, logged out; fr/en/ar.

The full-screen keypad (login, counter, paused, pickers, with the staff strip and the message bar) is audited in
test_screens_audit.py, at 800×480 and 1024×600 on the 7" pad. The bar is another case: an always-on-top window
`bar_width` × 64 px on the agent's desktop PC, so its keys are measured on a desktop monitor (`BAR_MONITOR`,
the common 24" full-HD office screen: 3.6 px per mm), against the keypad's 12 mm touch target and its text read
from 60 cm (`BAR_VIEWING_CM`: 16 arcmin, 15 px Noto Sans there).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from agent_keypad.theme import BAR_MONITOR, BAR_VIEWING_CM, TOUCH_MM, VIEWING_CM
from appkit.fonts import cap_ratio
from devtools.screen_audit import Rules, audit_window, check_structure, pump
from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait

LANGUAGES = ("fr", "en", "ar")


def audit_bar(rig, state: str, out: Path) -> list[str]:
    rules = Rules.for_screen(BAR_MONITOR[0], BAR_MONITOR[1], viewing_cm=BAR_VIEWING_CM, touch_mm=TOUCH_MM)
    findings, snaps = [], []
    for language in LANGUAGES:
        rig.controller.set_language(language)
        pump(60)
        report = audit_window(rig.keypad.window, rules, state=state, language=language, rtl=language == "ar",
                              out_dir=out)
        findings += report.findings
        snaps += report.snapshots
    return [str(f) for f in findings + check_structure(snaps)]


def test_the_bar_passes_the_audit(node, tmp_path, qtbot):
    chosen = os.environ.get("SMARTQUEUE_SCREENSHOTS")
    out = Path(chosen) / "audit" if chosen else tmp_path / "audit"
    rig = make_rig(node, tmp_path, bar_mode=True, alert_enabled=False)
    try:
        rig.keypad.show(fullscreen=False)
        rig.keypad.start()
        window = rig.keypad.window
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None, timeout=5000)
        found = audit_bar(rig, "bar_login", out)
        rig.controller.set_language("fr")
        login(rig, qtbot)
        issue(rig, "accounts", 2)
        press_and_wait(rig, qtbot, "call_next")
        found += audit_bar(rig, "bar_called", out)
        rig.controller.set_language("fr")  # a picker's options are worded when it opens (no language key on it)
        rig.controller.press("menu")
        qtbot.waitUntil(lambda: window.height() > 64, timeout=3000)  # the bar grows to show the menu
        found += audit_bar(rig, "bar_menu", out)
        assert found == [], "\n".join(found)
    finally:
        rig.keypad.close()
        qtbot.wait(10)


@pytest.mark.parametrize("size", [(800, 480), (1024, 600)])
def test_keys_are_at_least_twelve_millimetres_on_the_pad(node, tmp_path, qtbot, size):
    """The size QML gives its keys and its text follows the screen: 12 mm and a 2.56 mm cap on the configured
    diagonal, at any resolution."""
    rig = make_rig(node, tmp_path, alert_enabled=False)
    try:
        rig.keypad.show(fullscreen=False)
        window = rig.keypad.window
        window.resize(*size)
        qtbot.waitExposed(window)
        pump(60)
        rules = Rules.for_screen(size, rig.keypad.settings.screen_diagonal_inches, viewing_cm=VIEWING_CM,
                                 touch_mm=TOUCH_MM)
        assert window.property("touch") == pytest.approx(rules.touch_px, abs=1.0)
        # and the least font size is the audit's 16 arcmin from 55 cm in Noto Sans: 19 px, 24 px at 1024×600
        assert window.property("textMin") == math.ceil(rules.min_cap_mm * rules.px_per_mm / cap_ratio()) \
            == {(800, 480): 19, (1024, 600): 24}[size]
    finally:
        rig.keypad.close()
        qtbot.wait(10)
