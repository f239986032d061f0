"""The real window: USB keypad keys as Qt key events, taps and clicks on the QML, bar mode, right-to-left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QInputDevice, QKeyEvent
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest

from agent_keypad.keys import UnknownKeyError, resolve_keys
from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait, started
from tests.qml_support import center, find, find_item
from tests.qml_support import tap as click


def key(window: QQuickWindow, code: Qt.Key, text: str = "", keypad: bool = True) -> None:
    modifier = Qt.KeyboardModifier.KeypadModifier if keypad else Qt.KeyboardModifier.NoModifier
    QTest.keyClick(window, code, modifier)


@pytest.fixture
def shown(node, tmp_path, qtbot):
    rig = make_rig(node, tmp_path)
    rig.keypad.show(fullscreen=False)
    rig.keypad.start()
    window = rig.keypad.window
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None, timeout=5000)
    yield rig, window
    rig.keypad.close()
    qtbot.wait(10)


def test_a_usb_numeric_keypad_drives_the_whole_flow(shown, qtbot):
    rig, window = shown
    for char in "alice":  # the agent code from a keyboard (a numeric code could come from the keypad itself)
        QTest.keyClick(window, Qt.Key(ord(char.upper())))
    key(window, Qt.Key.Key_Enter)  # → PIN field
    for digit in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4):
        key(window, digit)
    assert rig.vm.agentInput == "Alice Martin" and rig.vm.pinMask == "●●●●"  # known here: shown by name
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        key(window, Qt.Key.Key_Enter)
    issue(rig, "accounts", 2)
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        key(window, Qt.Key.Key_Plus)  # call_next
    assert rig.vm.currentNumber == "A-001"
    held = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Plus, Qt.KeyboardModifier.KeypadModifier, "+", True)
    QCoreApplication.sendEvent(window, held)  # auto-repeat of a held key: swallowed
    assert not rig.controller.busy
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000) as done:
        key(window, Qt.Key.Key_Minus)
    assert done.args == ["recall"]
    key(window, Qt.Key.Key_Asterisk)  # menu, then its digit
    assert rig.vm.pickerOpen
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000) as done:
        key(window, Qt.Key.Key_1)
    assert done.args == ["start"]
    key(window, Qt.Key.Key_Slash)  # finish → outcome picker; Escape closes it
    assert rig.vm.pickerTitle == "Résultat"
    key(window, Qt.Key.Key_Escape, keypad=False)
    assert not rig.vm.pickerOpen and rig.vm.currentStatus == "serving"


def test_f_keys_of_a_desktop_keyboard(shown, qtbot):
    rig, window = shown
    login(rig, qtbot)
    issue(rig)
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        key(window, Qt.Key.Key_F1, keypad=False)
    key(window, Qt.Key.Key_F5, keypad=False)  # no-show asks first; Enter confirms
    assert rig.vm.pickerOpen
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000) as done:
        key(window, Qt.Key.Key_Enter)
    assert done.args == ["no_show"]


def test_key_names_come_from_qt_and_a_typo_is_refused():
    assert resolve_keys({"Plus": "call_next"}) == {int(Qt.Key.Key_Plus.value): ("call_next", "Plus")}
    with pytest.raises(UnknownKeyError, match="Plsu"):
        resolve_keys({"Plsu": "call_next"})


def test_taps_and_clicks_on_the_screen(shown, qtbot):
    rig, window = shown
    qtbot.waitUntil(lambda: bool(rig.vm.loginAgents), timeout=3000)
    click(qtbot, window, "agent_alice")  # the agents allowed at this counter, by name
    for digit in "1234":
        click(qtbot, window, f"pad_{digit}")
    assert rig.vm.pinMask == "●●●●"
    touch = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    pos = center(find_item(window, "pad_confirm"))
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        QTest.touchEvent(window, touch).press(0, pos, window).commit()
        QTest.touchEvent(window, touch).release(0, pos, window).commit()
    issue(rig)
    qtbot.waitUntil(lambda: find_item(window, "btn_call_next").isEnabled(), timeout=3000)
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        click(qtbot, window, "btn_call_next")
    qtbot.waitUntil(lambda: find_item(window, "current_number").property("text") == "A-001", timeout=3000)
    click(qtbot, window, "btn_finish")
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        click(qtbot, window, "option_done")
    assert not rig.vm.hasCurrent


def test_actions_without_a_key_are_two_taps_away(shown, qtbot):
    """Issue 15 took the rare actions off the screen so the keys left are wide enough for their words at the least
    legible size: each moved action is still at most two taps away — the menu key, then its option — on the login
    screen (the languages; the bar mode) and at the counter (transfer, park, return a parked ticket, log out; the
    bar mode: test_bar_mode_is_small_and_always_on_top). Real clicks on the 800×480 window."""
    rig, window = shown
    c = rig.controller

    def two_taps(option: str) -> None:
        qtbot.wait(350)  # the menu key twice inside double_press_ms would be one press
        click(qtbot, window, "btn_menu")
        qtbot.waitUntil(lambda: find(window, option) is not None, timeout=3000)
        qtbot.wait(50)  # the picker laid out: its options where they are drawn
        click(qtbot, window, option)

    assert find(window, "lang_ar") is None and find(window, "btn_toggle_bar") is None  # no key of their own
    two_taps("option_lang:ar")
    qtbot.waitUntil(lambda: c.language == "ar", timeout=3000)
    two_taps("option_lang:fr")
    qtbot.waitUntil(lambda: c.language == "fr", timeout=3000)
    login(rig, qtbot)
    issue(rig, "accounts", 2)
    press_and_wait(rig, qtbot, "call_next")
    assert all(find(window, f"btn_{act}") is None for act in ("transfer", "park", "return_parked", "logout"))
    two_taps("option_transfer")
    assert c.picker is not None and c.picker.title == "Transfer to"
    click(qtbot, window, "picker_cancel")
    with qtbot.waitSignal(c.actionDone, timeout=5000, check_params_cb=lambda name: name == "park"):
        two_taps("option_park")
    two_taps("option_return_parked")
    assert c.picker is not None and c.picker.title == "Parked tickets"
    click(qtbot, window, "picker_cancel")
    with qtbot.waitSignal(c.loggedInChanged, timeout=5000):
        two_taps("option_logout")
    assert not c.logged_in


def test_bar_mode_is_small_and_always_on_top(shown, qtbot):
    rig, window = shown
    login(rig, qtbot)
    click(qtbot, window, "btn_menu")  # a rare action: in the menu, two taps away
    qtbot.waitUntil(lambda: find(window, "option_toggle_bar") is not None, timeout=3000)
    qtbot.wait(50)
    click(qtbot, window, "option_toggle_bar")
    qtbot.waitUntil(lambda: window.height() == 64, timeout=3000)
    assert window.flags() & Qt.WindowType.WindowStaysOnTopHint
    assert find_item(window, "bar_number").property("text") == "—"
    issue(rig)
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        click(qtbot, window, "btn_call_next")
    qtbot.waitUntil(lambda: find_item(window, "bar_number").property("text") == "A-001", timeout=3000)
    click(qtbot, window, "btn_menu")  # a choice needs room: the bar grows while it is open
    qtbot.waitUntil(lambda: window.height() > 64, timeout=3000)
    click(qtbot, window, "picker_cancel")
    qtbot.waitUntil(lambda: window.height() == 64, timeout=3000)
    click(qtbot, window, "bar_expand")
    qtbot.waitUntil(lambda: window.height() == 480, timeout=3000)
    assert not window.flags() & Qt.WindowType.WindowStaysOnTopHint


def test_arabic_mirrors_the_layout(shown, qtbot):
    rig, window = shown
    login(rig, qtbot)
    card, entry = find_item(window, "current_card"), find_item(window, "entry_field")
    assert card.mapToScene(QPoint(0, 0)).x() < entry.mapToScene(QPoint(0, 0)).x()
    rig.controller.set_language("ar")
    qtbot.waitUntil(lambda: find_item(window, "current_card").mapToScene(QPoint(0, 0)).x()
                    > find_item(window, "entry_field").mapToScene(QPoint(0, 0)).x(), timeout=3000)
    assert find_item(window, "btn_call_next").property("text") == "التالي"


def test_started_in_bar_mode_from_the_command_line(node, tmp_path, qtbot):
    rig = make_rig(node, tmp_path, bar_mode=True)
    try:
        rig.keypad.show(fullscreen=False)
        qtbot.waitExposed(rig.keypad.window)
        started(rig, qtbot)
        assert rig.keypad.window.height() == 64 and rig.vm.barMode
        assert find_item(rig.keypad.window, "bar_number").property("text") == "Connexion"
    finally:
        rig.keypad.close()
        qtbot.wait(10)
