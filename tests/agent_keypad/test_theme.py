"""Every text colour the keypad draws on each background it can sit on is at least 4.5:1 (WCAG AA).

The layout audit measures what a render shows; a pressed key (only while a finger is on it), the idle alert's
second blink colour and the offline bar are not in a still render, so the pairs are checked here, the derived
colours computed as QML computes them (Qt.darker is QColor.darker).
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from agent_keypad.theme import THEME
from devtools.screen_audit.checks import contrast_ratio


def rgb(colour: str | QColor) -> tuple[int, int, int]:
    c = QColor(colour)
    return c.red(), c.green(), c.blue()


def darker(name: str, factor: float) -> QColor:
    return QColor(str(THEME[name])).darker(round(factor * 100))


PRESSED, DISABLED = float(THEME["pressedDarker"]), float(THEME["disabledDarker"])  # type: ignore[arg-type]

PAIRS = {
    "key label on a key": ("text", QColor(str(THEME["panelLight"]))),
    "key label on a pressed key": ("text", darker("panelLight", PRESSED)),
    "label on an accent key (Next, Log in, the chosen agent)": ("text", QColor(str(THEME["accent"]))),
    "label on a pressed accent key": ("text", darker("accent", PRESSED)),
    "label on a warn key (Resume)": ("warnText", QColor(str(THEME["warn"]))),
    "label on a pressed warn key": ("warnText", darker("warn", PRESSED)),
    "label on a disabled key": ("muted", darker("panel", DISABLED)),
    "placeholder in a field": ("muted", QColor(str(THEME["panel"]))),
    "hint on the background": ("muted", QColor(str(THEME["background"]))),
    "ticket status 'serving' on the card": ("ok", QColor(str(THEME["panel"]))),
    "ticket status 'called' on the card": ("warn", QColor(str(THEME["panel"]))),
    "idle alert, first blink": ("text", QColor(str(THEME["danger"]))),
    "idle alert, second blink": ("text", QColor(str(THEME["dangerDim"]))),
    "offline banner": ("text", QColor(str(THEME["danger"]))),
    "error message bar": ("text", darker("danger", 1.5)),
    "offline bar (bar mode)": ("text", darker("danger", 1.6)),
    "urgent staff strip": ("warnText", QColor(str(THEME["warn"]))),
    "staff strip": ("text", QColor(str(THEME["panelLight"]))),
}


@pytest.mark.parametrize("where", sorted(PAIRS))
def test_text_is_readable_in_every_state(where):
    ink, background = PAIRS[where]
    ratio = contrast_ratio(rgb(str(THEME[ink])), rgb(background))
    assert ratio >= 4.5, f"{where}: {ratio:.2f}:1"
