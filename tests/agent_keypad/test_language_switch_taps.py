"""A message on the screen follows a language switch (review 15b).

The agent switches the language from the login screen's menu (two taps) while a message is shown ("Type your
PIN."): it stayed in the previous language until the next press. Real taps on the real window, a real node.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from agent_keypad.labels import error_text
from tests.agent_keypad.conftest import make_rig


def find_item(root: QQuickItem, name: str) -> QQuickItem:
    stack = [root]
    while stack:
        item = stack.pop()
        if item.objectName() == name and item.isVisible():
            return item
        stack.extend(item.childItems())
    raise AssertionError(f"no visible item {name}")


def tap(window, name: str) -> None:
    item = find_item(window.contentItem(), name)
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(int(centre.x()), int(centre.y())))


def test_the_message_shown_is_reworded_when_the_agent_switches_language(node, tmp_path, qtbot):
    rig = make_rig(node, tmp_path)
    rig.keypad.show(fullscreen=False)
    rig.keypad.start()
    window = rig.keypad.window
    try:
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: rig.controller.online and bool(rig.controller.allowed_agents), timeout=5000)
        tap(window, "agent_alice")
        tap(window, "pad_confirm")  # no PIN typed
        qtbot.waitUntil(lambda: rig.vm.messageText != "", timeout=5000)
        assert rig.vm.messageText == error_text("fr", "credentials_required")
        tap(window, "btn_menu")  # the languages are in the menu: two taps
        qtbot.waitUntil(lambda: rig.vm.pickerOpen, timeout=3000)
        qtbot.wait(50)  # the picker laid out
        tap(window, "option_lang:ar")
        qtbot.waitUntil(lambda: rig.controller.language == "ar", timeout=5000)
        arabic = error_text("ar", "credentials_required")
        assert rig.vm.messageText == arabic != error_text("fr", "credentials_required")
        qtbot.wait(350)  # the menu key twice inside double_press_ms would be one press
        tap(window, "btn_menu")
        qtbot.waitUntil(lambda: rig.vm.pickerOpen, timeout=3000)
        qtbot.wait(50)
        tap(window, "option_lang:en")
        qtbot.waitUntil(lambda: rig.controller.language == "en", timeout=5000)
        assert rig.vm.messageText == error_text("en", "credentials_required")
    finally:
        rig.keypad.close()
