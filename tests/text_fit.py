"""A small layout check for the board and the keypad: every visible text whole, inside the window, not overlapping.

Until the shared layout audit (issue 14) lands, the display and keypad tests use this: it walks the visual tree
of a real (offscreen) window and lists every visible, non-empty `Text` that is elided or truncated, wider than its
box, outside the window, or drawn over another text. A test asserts the list is empty, so a failure names the
item and the words.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtQml import QQmlExpression, qmlContext
from PySide6.QtQuick import QQuickItem, QQuickWindow


def _int(item: QQuickItem, prop: str) -> int:
    """An enum property as a number (PySide has no converter for QQuickText's alignment enums)."""
    value, _ = QQmlExpression(qmlContext(item), item, f"{prop} * 1").evaluate()
    return int(value or 0)


def _visible(item: QQuickItem) -> bool:
    while item is not None:
        if not item.isVisible() or item.opacity() == 0:
            return False
        item = item.parentItem()
    return True


def _texts(window: QQuickWindow, modals: tuple[str, ...] = ()) -> list[QQuickItem]:
    """Visible texts; when a modal overlay (by objectName) is up, only the texts on it: it hides the rest."""
    root = window.contentItem()
    stack = [root]
    while stack:
        item = stack.pop()
        if item.objectName() in modals and _visible(item):
            root = item
            break
        stack.extend(item.childItems())
    out, stack = [], [root]
    while stack:
        item = stack.pop()
        stack.extend(item.childItems())
        if item.inherits("QQuickText") and item.property("text") and _visible(item):
            out.append(item)
    return out


def _ink(item: QQuickItem) -> QRectF:
    """The text's painted box in scene coordinates (its content, placed by its alignment).

    Vertically, the glyphs, not the line box: Noto Sans Arabic's line box is ~2.1 em tall (room for stacked
    marks), which would make every Arabic label "overlap" its neighbours; 1.3 em per line holds the glyphs.
    """
    width, box = item.property("contentWidth"), item.property("contentHeight")
    lines = max(1, int(item.property("lineCount") or 1))
    height = min(box, 1.3 * item.property("font").pixelSize() * lines)
    x = {1: 0.0, 2: item.width() - width, 4: (item.width() - width) / 2}.get(
        _int(item, "effectiveHorizontalAlignment"), 0.0)
    y = {32: (box - height) / 2, 64: item.height() - box + (box - height) / 2,
         128: (item.height() - height) / 2}.get(_int(item, "verticalAlignment"), 0.0)
    top_left = item.mapToScene(QPointF(x, y))
    bottom_right = item.mapToScene(QPointF(x + width, y + height))
    return QRectF(top_left, bottom_right).normalized()


def problems(window: QQuickWindow, *, scrolling: tuple[str, ...] = ("messageText",),
             modals: tuple[str, ...] = ("picker_overlay",), tolerance: float = 1.5) -> list[str]:
    """Everything wrong with the window's texts; `scrolling` names texts that move through a clipped strip,
    `modals` overlays that cover everything else while they are up."""
    found: list[str] = []
    texts = [t for t in _texts(window, modals) if t.objectName() not in scrolling]
    scene = QRectF(0, 0, window.width(), window.height()).adjusted(-tolerance, -tolerance, tolerance, tolerance)
    inks = {}
    for item in texts:
        name, words = item.objectName() or item.metaObject().className(), item.property("text")
        if item.property("truncated"):
            found.append(f"{name}: truncated {words!r}")
        if item.width() > 0 and item.property("contentWidth") > item.width() + tolerance:
            found.append(f"{name}: {item.property('contentWidth'):.0f}px of text in {item.width():.0f}px {words!r}")
        ink = _ink(item)
        if not scene.contains(ink):
            found.append(f"{name}: outside the window {words!r}")
        inks[item] = ink
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            overlap = inks[a].intersected(inks[b])
            if overlap.width() > 2 * tolerance and overlap.height() > 2 * tolerance:
                found.append(f"{a.objectName() or '?'} {a.property('text')!r} overlaps "
                             f"{b.objectName() or '?'} {b.property('text')!r}")
    return found
