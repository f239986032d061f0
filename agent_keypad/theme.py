"""Colours and sizes of the keypad's QML, as data (a context property `theme`): no qmldir to ship.

Touch target: 12 mm on the configured screen (`[keypad] screen_diagonal_inches`), not the kiosk's 15 mm: the
keypad is a staff device used all day by trained agents, and 12 mm is above the 9-10 mm minimums of the platform
guidelines (docs/architecture.md). The layout audit measures the keypad against the same number (`TOUCH_MM`).
Colours: every text on its background is at least 4.5:1 (WCAG AA), pressed and disabled keys included
(tests/agent_keypad/test_theme.py); a pressed key darkens (`pressedDarker`), so its label keeps its contrast.
"""

from __future__ import annotations

TOUCH_MM = 12.0

THEME: dict[str, object] = {
    "background": "#0f1c2a",
    "panel": "#1a2b3d",
    "panelLight": "#24394f",
    "text": "#f1f5f9",
    "muted": "#94a3b8",
    "accent": "#147366",  # white text 5.2:1 (the former #1f9d8b gave 3.07:1)
    "warn": "#e9a23b",
    "warnText": "#1b1b1b",
    "danger": "#b83c38",  # white text 5.1:1 (the former #d9534f gave 3.6:1)
    "dangerDim": "#7a2623",  # the other half of the idle-alert blink
    "ok": "#3fb27f",
    "focus": "#3cc2ad",  # the border of the field the digits go to
    "radius": 10,
    "pressedDarker": 1.25,
    "disabledDarker": 1.2,
    "touchMm": TOUCH_MM,
}


def theme_for(diagonal_inches: float) -> dict[str, object]:
    """The theme for one keypad: its screen's diagonal turns `touchMm` into pixels in QML."""
    return {**THEME, "diagonalInches": diagonal_inches}
