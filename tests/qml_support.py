"""Finding and tapping QML items in a real (offscreen) window, shared by the apps' QML tests."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtQuick import QQuickItem, QQuickWindow


def find(window: QQuickWindow, name: str, *, visible_only: bool = True) -> QQuickItem | None:
    """Walk the visual tree: findChild() misses Repeater and Loader delegates (research notes, section 3)."""
    stack = [window.contentItem()]
    while stack:
        item = stack.pop()
        if item.objectName() == name and (item.isVisible() or not visible_only):
            return item
        stack.extend(item.childItems())
    return None


def find_item(window: QQuickWindow, name: str, *, visible_only: bool = True) -> QQuickItem:
    item = find(window, name, visible_only=visible_only)
    if item is None:
        raise AssertionError(f"no {'visible ' if visible_only else ''}item {name!r}")
    return item


def center(item: QQuickItem) -> QPoint:
    return item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()


def tap(qtbot, window: QQuickWindow, name: str) -> None:
    """A click on the window where the item is (QTest cannot click a QQuickItem itself)."""
    qtbot.mouseClick(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center(find_item(window, name)))
