"""Nothing cut, nothing outside, nothing drawn over: every keypad screen at 800×480 and 1024×600, fr/en/ar.

The states that overflowed before (issue 15): the paused counter, the message bar, the login key. Each state is
reached through the controller on a real node, then the window's texts are checked (tests/text_fit.py).
"""

from __future__ import annotations

import pytest

from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait
from tests.text_fit import problems

SIZES = [(800, 480), (1024, 600)]


def small_keys(window) -> list[str]:
    """Visible keys a finger cannot hit reliably: under 30 px (about 6 mm on a 7" 800×480 panel)."""
    out, stack = [], [window.contentItem()]
    while stack:
        item = stack.pop()
        stack.extend(item.childItems())
        name = item.objectName()
        if name.startswith(("pad_", "btn_", "option_", "agent_")) and item.isVisible() and min(
                item.width(), item.height()) < 30:
            out.append(f"{name} {item.width():.0f}x{item.height():.0f}")
    return out


def check(qtbot, window, where: str) -> None:
    qtbot.wait(120)
    found = problems(window) + small_keys(window)
    assert found == [], f"{where}: {found}"


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_every_screen_fits(node, tmp_path, qtbot, language):
    rig = make_rig(node, tmp_path, language=language, alert_enabled=False)
    try:
        rig.keypad.show(fullscreen=False)
        rig.keypad.start()
        window = rig.keypad.window
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None
                        and bool(rig.controller.allowed_agents), timeout=5000)
        node.client("kiosk").report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
        qtbot.waitUntil(lambda: rig.vm.staffAlerts != [], timeout=5000)
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"login {size}")
            rig.controller.set_login_field("pin")
            rig.controller.type_text("9")
            check(qtbot, window, f"login, PIN field {size}")
            rig.controller.press("cancel")
        rig.controller.select_agent("alice")
        rig.controller.login()  # no PIN typed: the message bar says so
        qtbot.waitUntil(lambda: rig.vm.messageText != "", timeout=3000)
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"login with a message {size}")
        login(rig, qtbot)
        issue(rig, "accounts", 2)
        press_and_wait(rig, qtbot, "call_next")
        press_and_wait(rig, qtbot, "recall")  # the message bar: "called again (recall 1)"
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"counter, ticket called, message bar {size}")
        rig.controller.press("transfer")
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"transfer picker {size}")
        rig.controller.press("cancel")
        rig.controller.press("call_next", "key:Plus")  # called, never started: the question
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"next on a called ticket {size}")
        with qtbot.waitSignal(rig.controller.actionDone, timeout=3000, check_params_cb=lambda a: a == "start"):
            rig.controller.choose("start")
        rig.controller.press("finish")
        with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
            rig.controller.choose("done")
        rig.controller.press("pause")
        with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
            rig.controller.choose("lunch")
        qtbot.waitUntil(lambda: rig.vm.paused, timeout=3000)
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"paused {size}")
        rig.controller.press("call_next")  # refused while paused: the message bar
        for size in SIZES:
            window.resize(*size)
            check(qtbot, window, f"paused with a message {size}")
        rig.controller.press("toggle_bar")
        qtbot.waitUntil(lambda: window.height() == 64, timeout=3000)
        check(qtbot, window, "bar mode")
    finally:
        rig.keypad.close()
        qtbot.wait(10)
