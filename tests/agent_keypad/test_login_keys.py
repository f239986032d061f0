"""Who is logging in is never guessed: a second agent's number must not go into the first agent's PIN.

Real key events on the real window (a USB numeric keypad), a real node; counter 2 admits both Alice (101) and
Karim (102). Found by the issue 15 review: the keypad preselected the agent it remembered with the PIN field
focused, so Karim's "102" went in as Alice's PIN and counted as a failed PIN against her.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickWindow
from PySide6.QtTest import QTest

from tests.agent_keypad.conftest import make_rig

DIGITS = {str(d): getattr(Qt.Key, f"Key_{d}") for d in range(10)}


def type_keys(window: QQuickWindow, digits: str) -> None:
    for digit in digits:
        QTest.keyClick(window, DIGITS[digit], Qt.KeyboardModifier.KeypadModifier)


def enter(window: QQuickWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)


def shown(node, tmp_path, qtbot):
    rig = make_rig(node, tmp_path, counter="2")
    rig.keypad.show(fullscreen=False)
    rig.keypad.start()
    qtbot.waitExposed(rig.keypad.window)
    qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None
                    and len(rig.controller.allowed_agents) == 2, timeout=5000)
    return rig, rig.keypad.window


def log_in_with_keys(rig, window, qtbot, number: str, pin: str) -> None:
    type_keys(window, number)
    enter(window)
    assert rig.vm.loginField == "pin"
    type_keys(window, pin)
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        enter(window)


def failed_pins(node, agent: str) -> int:
    """The node's failed-PIN count for `agent` at any keypad (what its lockout is decided on)."""
    failures = node.node.login_throttle._failures  # the throttle keeps no public tally
    return sum(count for key, (count, _) in failures.items() if key.endswith(f"|{agent}"))


def test_the_next_agent_types_their_number_after_a_logout(node, tmp_path, qtbot):
    rig, window = shown(node, tmp_path, qtbot)
    try:
        log_in_with_keys(rig, window, qtbot, "101", "1234")
        assert rig.controller.agent == "alice"
        with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
            QTest.keyClick(window, Qt.Key.Key_F10)  # logout
        assert rig.vm.loginField == "agent" and rig.vm.agentInput == ""  # nobody is assumed to be next
        log_in_with_keys(rig, window, qtbot, "102", "5678")
        assert rig.controller.agent == "karim" and node.node.core.state.counters["2"].agent == "karim"
        assert failed_pins(node, "alice") == 0
    finally:
        rig.keypad.close()


def test_a_keypad_that_remembers_alice_lets_karim_type_his_number(node, tmp_path, qtbot):
    (tmp_path / "keypad").mkdir()
    (tmp_path / "keypad" / "keypad-agents.json").write_text('["alice"]', encoding="utf-8")
    rig, window = shown(node, tmp_path, qtbot)
    try:
        assert rig.vm.recentAgents == ["alice"]
        assert rig.vm.loginAgents[0]["id"] == "alice"  # offered first, one tap away
        assert rig.vm.loginField == "agent" and rig.vm.agentInput == ""
        log_in_with_keys(rig, window, qtbot, "102", "5678")
        assert rig.controller.agent == "karim"
        assert failed_pins(node, "alice") == 0
    finally:
        rig.keypad.close()


def test_a_digit_typed_after_tapping_a_name_starts_a_number(node, tmp_path, qtbot):
    """Tapping a name, then going back to the agent field and typing: the digits replace the chosen name."""
    rig, window = shown(node, tmp_path, qtbot)
    try:
        rig.vm.selectAgent("alice")
        assert rig.vm.agentInput == "Alice Martin" and rig.vm.loginField == "pin"
        rig.vm.setLoginField("agent")
        log_in_with_keys(rig, window, qtbot, "102", "5678")
        assert rig.controller.agent == "karim"
    finally:
        rig.keypad.close()
