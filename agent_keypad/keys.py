"""Keys → keypad actions: a USB numeric keypad or a keyboard, mapped in `[keypad] keys`, through Qt key events.

A USB keypad is a keyboard to the OS, so its keys arrive as ordinary QKeyEvents: one event filter on the window
sees them before any QML item, maps the configured keys to actions and types the other digits and letters into
the view-model's entry (PIN, agent code, ticket number). Auto-repeat is swallowed: a held key is one press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent


class UnknownKeyError(ValueError):
    """A key name in the configuration that Qt does not know."""


class KeyTarget(Protocol):
    def press(self, action: str, source: str = "") -> None: ...

    def typeText(self, text: str) -> None: ...


def resolve_keys(names: Mapping[str, str]) -> dict[int, tuple[str, str]]:
    """Qt key code → (action, key name), from config names like "Plus" or "F1"; unknown names are refused."""
    resolved: dict[int, tuple[str, str]] = {}
    for name, action in names.items():
        key = getattr(Qt.Key, f"Key_{name}", None)
        if key is None:
            raise UnknownKeyError(f"[keypad] keys: unknown key name {name!r} (Qt's names without Key_, e.g. Plus, F1)")
        resolved[int(key.value)] = (action, name)
    return resolved


class KeyRouter(QObject):
    """Event filter for the keypad window (install with `window.installEventFilter(router)`)."""

    def __init__(self, keys: Mapping[str, str], target: KeyTarget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys = resolve_keys(keys)
        self._target = target

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.isAutoRepeat():
            return True
        mapped = self._keys.get(int(event.key()))
        if mapped is not None:
            action, name = mapped
            self._target.press(action, f"key:{name}")
            return True
        text = event.text()
        if len(text) == 1 and text.isalnum() and text.isascii():
            self._target.typeText(text)
            return True
        return False
