"""The kiosk's QML on a real (offscreen) window: taps on rendered items, and screenshots for docs/review."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from appkit.bootstrap import QmlHost
from appkit.i18n import install_translator
from kiosk.app import QML
from kiosk.qr import register_qml_types
from tests.qml_support import find, tap

from .conftest import EXAMPLES, close_rig, make_rig


@pytest.fixture
def kiosk_window(tmp_path, qtbot, qapp):
    rig = make_rig(tmp_path)
    translator = install_translator("fr")
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm}, fullscreen=False)

    def retranslate(code: str) -> None:
        translator.language = code
        host.engine.retranslate()

    rig.vm.retranslate.connect(retranslate)
    host.window.resize(1080, 1920)
    rig.vm.start()
    qtbot.waitUntil(lambda: rig.vm.screen == "home" and find(host.window, "tile_loans") is not None, timeout=5000)
    yield rig, host
    host.close()
    close_rig(rig)
    qapp.removeTranslator(translator)


def test_tapping_a_tile_issues_and_shows_the_ticket(qtbot, kiosk_window):
    rig, host = kiosk_window
    tap(qtbot, host.window, "tile_loans")
    qtbot.waitUntil(lambda: find(host.window, "priority_none") is not None, timeout=3000)
    tap(qtbot, host.window, "priority_none")
    qtbot.waitUntil(lambda: find(host.window, "ticketNumber") is not None, timeout=5000)
    assert find(host.window, "ticketNumber").property("text") == "B-001"
    tap(qtbot, host.window, "done")
    qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=3000)


def test_language_buttons_mirror_the_layout_without_shifting_it(qtbot, kiosk_window):
    """Arabic mirrors the header; no language moves the screen below it or changes a header button's height."""
    rig, host = kiosk_window
    names = ["lang_fr", "lang_en", "lang_ar", "largeText", "highContrast"]
    seen = {}
    for language in ("fr", "ar", "en"):
        tap(qtbot, host.window, f"lang_{language}")
        qtbot.waitUntil(lambda lang=language: rig.vm.language == lang, timeout=2000)
        qtbot.wait(50)
        heights = {find(host.window, n).height() for n in names}
        screen_top = find(host.window, "screen").mapToScene(QPointF(0, 0)).y()
        branch_x = find(host.window, "branchName").mapToScene(QPointF(0, 0)).x()
        french_x = find(host.window, "lang_fr").mapToScene(QPointF(0, 0)).x()
        seen[language] = (heights, screen_top)
        assert len(heights) == 1, f"header buttons of different heights in {language}: {heights}"
        assert (branch_x > french_x) == (language == "ar"), "the header mirrors in Arabic, and only in Arabic"
    assert seen["fr"] == seen["ar"] == seen["en"]


def test_technician_panel_reloads_a_valid_configuration_only(qtbot, tmp_path, qapp):
    """Corner taps + PIN open the panel; "Reload configuration" restarts the app only on a valid file."""
    from pydantic import SecretStr

    from ground.hashing import hash_pin

    rig = make_rig(tmp_path, technician_pin_hash=SecretStr(hash_pin("2468")))
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm}, fullscreen=False)
    try:
        host.window.resize(1080, 1920)
        rig.vm.start()
        qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=5000)
        for _ in range(5):
            tap(qtbot, host.window, "techCorner")
        qtbot.waitUntil(lambda: find(host.window, "techPinField") is not None, timeout=3000)
        assert find(host.window, "techPinField").hasActiveFocus()  # a USB keyboard types straight in
        for digit in "2468":
            tap(qtbot, host.window, f"techPin_{digit}")
        tap(qtbot, host.window, "techPinOk")
        qtbot.waitUntil(lambda: rig.vm.screen == "technician", timeout=5000)
        config = tmp_path / "kiosk.toml"
        rig.vm.source_path = str(config)
        config.write_text("[branch]\nid = 'BR042'\nbogus = 1\n", encoding="utf-8")
        with qtbot.assertNotEmitted(rig.vm.reloadRequested, wait=200):
            tap(qtbot, host.window, "techReload")
        assert "NOT reloaded" in rig.vm.technician["errors"][-1]
        assert rig.vm.technician["result"].startswith("Configuration NON rechargée")
        config.write_text((EXAMPLES / "kiosk.toml").read_text(encoding="utf-8"), encoding="utf-8")
        with qtbot.waitSignal(rig.vm.reloadRequested, timeout=3000):
            tap(qtbot, host.window, "techReload")
    finally:
        host.close()
        close_rig(rig)


def test_technician_pin_attempts_are_limited(qtbot, tmp_path, qapp):
    from pydantic import SecretStr

    from ground.hashing import hash_pin

    rig = make_rig(tmp_path, technician_pin_hash=SecretStr(hash_pin("2468")), technician_pin_attempts=3)
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm}, fullscreen=False)
    try:
        host.window.resize(1080, 1920)
        rig.vm.start()
        qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=5000)
        for _ in range(5):
            tap(qtbot, host.window, "techCorner")
        qtbot.waitUntil(lambda: find(host.window, "techPinOk") is not None, timeout=3000)
        for _ in range(3):
            tap(qtbot, host.window, "techPin_1")
            tap(qtbot, host.window, "techPinOk")
            qtbot.waitUntil(lambda: rig.vm.techError != "" and not rig.vm._checking_pin, timeout=5000)
        assert rig.vm.techLocked and rig.vm.techError == "Trop de codes erronés. Réessayez dans 5 min."
        rig.vm.submitTechPin("2468")  # even the right PIN waits for the lockout to end
        qtbot.wait(300)
        assert rig.vm.screen == "techpin"
    finally:
        host.close()
        close_rig(rig)


def test_no_technician_corner_without_a_pin(qtbot, kiosk_window):
    rig, host = kiosk_window
    assert rig.vm.kiosk.technician_pin_hash is None
    assert find(host.window, "techCorner") is None  # nothing to tap, nothing to swallow a customer's tap
    for _ in range(10):
        rig.vm.cornerTapped()
    assert rig.vm.screen == "home"
