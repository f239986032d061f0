"""The kiosk's QML on a real (offscreen) window: taps on rendered items, and screenshots for docs/review."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from appkit.qml_host import QmlHost
from kiosk.app import QML
from kiosk.qr import register_qml_types
from tests.qml_support import find, tap

from .conftest import EXAMPLES, close_rig, make_rig


def shown_texts(window) -> list[str]:
    """The text of every visible item that has one: what a person reads on the screen."""
    stack, texts = [window.contentItem()], []
    while stack:
        item = stack.pop()
        if item.isVisible():
            text = item.property("text")
            if isinstance(text, str) and text:
                texts.append(text)
            stack.extend(item.childItems())
    return texts


@pytest.fixture
def kiosk_window(tmp_path, qtbot, qapp):
    rig = make_rig(tmp_path)
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm, "tech": rig.tech}, fullscreen=False, language="fr")
    rig.vm.retranslate.connect(host.retranslate)
    host.window.resize(1080, 1920)
    rig.vm.start()
    qtbot.waitUntil(lambda: rig.vm.screen == "home" and find(host.window, "tile_loans") is not None, timeout=5000)
    yield rig, host
    host.close()
    close_rig(rig)


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
    host = QmlHost(QML, {"vm": rig.vm, "tech": rig.tech}, fullscreen=False)
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
        rig.tech.config_path = str(config)
        config.write_text("[branch]\nid = 'BR042'\nbogus = 1\n", encoding="utf-8")
        asked: list[bool] = []
        rig.tech.reloadRequested.connect(lambda: asked.append(True))
        tap(qtbot, host.window, "techReload")
        qtbot.waitUntil(lambda: "NOT reloaded" in (rig.tech.status["errors"] or [""])[-1], timeout=5000)
        assert not asked
        assert rig.tech.status["result"].startswith("Configuration NON rechargée")  # in the kiosk's language
        qtbot.waitUntil(lambda: any(text.startswith("Configuration NON rechargée")
                                    for text in shown_texts(host.window)), timeout=2000)
        assert any(text.startswith("Serveur de l'agence : http://127.0.0.1:")  # tech.status, translated
                   for text in shown_texts(host.window))
        config.write_text((EXAMPLES / "kiosk.toml").read_text(encoding="utf-8"), encoding="utf-8")
        with qtbot.waitSignal(rig.tech.reloadRequested, timeout=3000):
            tap(qtbot, host.window, "techReload")
    finally:
        host.close()
        close_rig(rig)


def test_technician_pin_attempts_are_limited(qtbot, tmp_path, qapp):
    from pydantic import SecretStr

    from ground.hashing import hash_pin

    rig = make_rig(tmp_path, technician_pin_hash=SecretStr(hash_pin("2468")), technician_pin_attempts=3)
    register_qml_types()
    host = QmlHost(QML, {"vm": rig.vm, "tech": rig.tech}, fullscreen=False)
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
            qtbot.waitUntil(lambda: rig.tech.pinError != "" and not rig.tech._checking_pin, timeout=5000)
        assert rig.tech.locked and rig.tech.pinError == "Trop de codes erronés. Réessayez dans 5 min."
        rig.tech.submitPin("2468")  # even the right PIN waits for the lockout to end
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
        rig.tech.cornerTapped()
    assert rig.vm.screen == "home"
