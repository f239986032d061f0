"""Colours and sizes of the keypad's QML, as data (a context property `theme`): no qmldir to ship."""

from __future__ import annotations

THEME: dict[str, object] = {
    "background": "#0f1c2a",
    "panel": "#1a2b3d",
    "panelLight": "#24394f",
    "text": "#f1f5f9",
    "muted": "#94a3b8",
    "accent": "#1f9d8b",
    "warn": "#e9a23b",
    "danger": "#d9534f",
    "ok": "#3fb27f",
    "radius": 10,
}
