"""Screenshots of the real window in fr, en and ar (docs/screenshots/keypad-*.png), from a real node's state.

Each one is also checked: a non-blank image of the window's size. Look at them after a change to the QML: no
empty boxes (fonts), Arabic shaped and right to left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from appkit.feed import EventFeed
from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait


def grab(qtbot, window, name: str, folder: Path) -> QImage:
    qtbot.wait(150)  # a frame or two after the last change
    image = window.grabWindow()
    assert image.save(str(folder / name))
    assert image.width() == window.width() and image.height() == window.height()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20, f"{name} looks blank"
    return image


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_screenshots(node, tmp_path, qtbot, language, screenshots_dir):
    rig = make_rig(node, tmp_path, language=language, alert_enabled=False)
    display = EventFeed(node.client("display"))
    try:
        with qtbot.waitSignal(display.connectedChanged, timeout=3000):
            display.start(node.node.core.seq)
        rig.keypad.show(fullscreen=False)
        rig.keypad.start()
        window = rig.keypad.window
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: rig.controller.online and rig.controller.counter is not None, timeout=5000)
        rig.controller.select_agent("alice")
        for digit in "12":
            rig.controller.type_text(digit)
        grab(qtbot, window, f"keypad-login-{language}.png", screenshots_dir)
        for digit in "34":
            rig.controller.type_text(digit)
        login(rig, qtbot)
        issue(rig, "accounts", 3)
        issue(rig, "cash", 2)
        press_and_wait(rig, qtbot, "call_next")
        rig.controller.press("finish")
        with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
            rig.controller.choose("done")
        qtbot.waitUntil(lambda: not rig.controller.busy and rig.vm.servedToday == 1, timeout=3000)
        press_and_wait(rig, qtbot, "call_next", "key:Plus")
        node.client("display").ack_call(rig.controller.counter.current.id, 0, shown=True)
        # the acknowledgement travels node → event stream → keypad: seconds on a loaded machine
        qtbot.waitUntil(lambda: rig.vm.shownOk, timeout=10000)
        grab(qtbot, window, f"keypad-{language}.png", screenshots_dir)
        rig.controller.press("transfer")
        grab(qtbot, window, f"keypad-transfer-{language}.png", screenshots_dir)
        rig.controller.press("cancel")
        rig.controller.press("toggle_bar")
        qtbot.waitUntil(lambda: window.height() == 64, timeout=3000)
        grab(qtbot, window, f"keypad-bar-{language}.png", screenshots_dir)
    finally:
        display.stop()
        rig.keypad.close()
        qtbot.wait(10)
