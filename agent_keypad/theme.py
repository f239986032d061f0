"""Colours and sizes of the keypad's QML, as data (a context property `theme`): no qmldir to ship.

Touch target: 12 mm on the configured screen (`[keypad] screen_diagonal_inches`), not the kiosk's 15 mm: the
keypad is a staff device used all day by trained agents, and 12 mm is above the 9-10 mm minimums of the platform
guidelines (docs/architecture.md). The layout audit measures the keypad against the same number (`TOUCH_MM`).
Text: every text's cap height is at least `TEXT_ARCMIN` (16 arcmin, ISO 9241-303's least for text people read)
at `VIEWING_CM` (55 cm: an agent seated at the counter, the pad at about arm's length): a 2.56 mm cap. QML turns it
into the least font size on the configured screen (`textMin`: 19 px at 7" 800×480, 24 px at 1024×600, with the
font's own cap height, 0.714 em for Noto Sans, measured at start); every `minimumPixelSize` and every key label is at
least that. The compact bar on a desktop monitor is read from farther (`BAR_VIEWING_CM`) on coarser pixels
(`BAR_MONITOR`): `barText` px. The layout audit holds the screens to the same numbers.
Colours: every text on its background is at least 4.5:1 (WCAG AA), pressed and disabled keys included
(tests/agent_keypad/test_theme.py); a pressed key darkens (`pressedDarker`), so its label keeps its contrast.
"""

from __future__ import annotations

import math

from ground.visual_angle import arcmin_to_mm

TOUCH_MM = 12.0
VIEWING_CM = 55.0
TEXT_ARCMIN = 16.0
#: the compact bar's monitor: the common 24" full-HD office screen (3.6 px per mm), read from 60 cm
BAR_MONITOR = ((1920, 1080), 24.0)
BAR_VIEWING_CM = 60.0


MIN_CAP_MM = arcmin_to_mm(TEXT_ARCMIN, VIEWING_CM)  # 2.56 mm


def bar_text_px(cap_ratio: float) -> int:
    """The least font size of the bar on its desktop monitor (15 px for Noto Sans)."""
    (width, height), inches = BAR_MONITOR
    px_per_mm = math.hypot(width, height) / (inches * 25.4)
    return math.ceil(arcmin_to_mm(TEXT_ARCMIN, BAR_VIEWING_CM) * px_per_mm / cap_ratio)


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


def theme_for(diagonal_inches: float, cap_ratio: float) -> dict[str, object]:
    """The theme for one keypad: its screen's diagonal turns `touchMm` and `minCapMm` into pixels in QML;
    `cap_ratio` is the font's cap height over its size (appkit.fonts.cap_ratio)."""
    return {**THEME, "diagonalInches": diagonal_inches, "minCapMm": MIN_CAP_MM, "capRatio": cap_ratio,
            "barText": bar_text_px(cap_ratio)}
