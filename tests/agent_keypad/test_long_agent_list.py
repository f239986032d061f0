"""A counter that admits 15 agents (review 15b): the list scrolls under a finger's swipe, the last agent is one
tap away after it, and the PIN typed on a USB keypad logs her in. Real mouse and key events, a real node."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from tests.agent_keypad.conftest import make_rig
from tests.agent_keypad.test_login_keys import enter, type_keys
from tests.branch.conftest import example_config, start_node, stop_node

NAMES = ["Jean Dupont", "Fatima Zahra El Idrissi", "Paul Lefèvre", "Nour El Houda Bensalah", "Lucie Moreau",
         "Youssef Amrani", "Sophie Bernard", "Mohamed Amine Tazi", "Claire Petit", "Hicham Ouazzani",
         "Marie-Christine Delacroix-Beaumont", "Zoé Laurent-Garnier", "Omar Cherkaoui", "Inès Roussel"]


@pytest.fixture
def crowded(tmp_path: Path):
    config = example_config()
    alice = config.agents[0]  # PIN 1234
    extra = [alice.model_copy(update={"id": f"a{n:02d}", "name": name, "number": str(200 + n), "counters": ["1"]})
             for n, name in enumerate(NAMES)]
    running = start_node(tmp_path / "node", config.model_copy(update={"agents": [*config.agents, *extra]}))
    yield running
    stop_node(running)


def find_item(root: QQuickItem, name: str) -> QQuickItem | None:
    stack = [root]
    while stack:
        item = stack.pop()
        if item.objectName() == name:
            return item
        stack.extend(item.childItems())
    return None


def centre(item: QQuickItem) -> QPoint:
    p = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    return QPoint(int(p.x()), int(p.y()))


def test_the_last_of_fifteen_agents_logs_in_after_a_swipe(crowded, tmp_path, qtbot):
    rig = make_rig(crowded, tmp_path)
    rig.keypad.show(fullscreen=False)
    rig.keypad.start()
    window = rig.keypad.window
    try:
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: rig.controller.online and len(rig.controller.allowed_agents) == 15, timeout=5000)
        grid = find_item(window.contentItem(), "login_agents")
        last = rig.vm.loginAgents[-1]["id"]
        assert grid.property("interactive") and grid.property("contentHeight") > grid.height()
        start = centre(grid)
        QTest.mousePress(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for dy in range(0, 420, 20):
            QTest.mouseMove(window, QPoint(start.x(), start.y() - dy), 10)
        QTest.mouseRelease(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                           QPoint(start.x(), start.y() - 420), 10)
        qtbot.waitUntil(lambda: not grid.property("moving"), timeout=5000)
        key = find_item(window.contentItem(), f"agent_{last}")
        top = grid.mapToScene(QPointF(0, 0)).y()
        assert top <= centre(key).y() <= top + grid.height()  # scrolled into view
        QTest.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre(key))
        qtbot.waitUntil(lambda: rig.controller.agent_input == last and rig.vm.loginField == "pin", timeout=2000)
        type_keys(window, "1234")
        with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
            enter(window)
        assert rig.controller.agent == last
    finally:
        rig.keypad.close()
