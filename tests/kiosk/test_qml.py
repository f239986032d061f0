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


def test_language_buttons_mirror_the_layout(qtbot, kiosk_window):
    rig, host = kiosk_window
    tap(qtbot, host.window, "lang_ar")
    qtbot.waitUntil(lambda: rig.vm.language == "ar", timeout=2000)

    def mirrored() -> bool:  # the tiles are re-created on a language switch; wait for their layout
        loans, everyday = find(host.window, "tile_loans"), find(host.window, "tile_everyday")
        return (loans is not None and everyday is not None and loans.width() > 100
                and loans.mapToScene(QPointF(0, 0)).x() < everyday.mapToScene(QPointF(0, 0)).x())  # right to left

    qtbot.waitUntil(mirrored, timeout=3000)


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_screenshots(qtbot, kiosk_window, language, screenshots_dir):
    rig, host = kiosk_window
    rig.vm.setLanguage(language)
    qtbot.wait(300)
    home = host.window.grabWindow()
    assert not home.isNull()
    home.save(str(screenshots_dir / f"kiosk-home-{language}.png"))
    rig.vm.chooseService("loans")
    rig.vm.choosePriority("")
    qtbot.waitUntil(lambda: rig.vm.screen == "ticket" and find(host.window, "ticketQr") is not None, timeout=5000)
    qtbot.waitUntil(lambda: rig.vm.ticket["printed"], timeout=5000)
    qtbot.wait(300)
    host.window.grabWindow().save(str(screenshots_dir / f"kiosk-ticket-{language}.png"))


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
        find(host.window, "techPinField").setProperty("text", "2468")
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
        qtbot.waitUntil(lambda: any("NOT reloaded" in text for text in shown_texts(host.window)), timeout=2000)
        assert any(text.startswith("Node: http://127.0.0.1:") for text in shown_texts(host.window))  # tech.status
        config.write_text((EXAMPLES / "kiosk.toml").read_text(encoding="utf-8"), encoding="utf-8")
        with qtbot.waitSignal(rig.tech.reloadRequested, timeout=3000):
            tap(qtbot, host.window, "techReload")
    finally:
        host.close()
        close_rig(rig)
