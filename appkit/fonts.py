"""Load the fonts shipped with the product: the Qt wheels and a PyInstaller bundle carry none."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QGuiApplication

from ground.assets import FONT_FILES

log = logging.getLogger(__name__)
FAMILY = "Noto Sans"
#: The families every app draws with, in order: Latin first, then Arabic (measure text with both, as Qt draws it).
FAMILIES = (FAMILY, "Noto Sans Arabic")


def load_fonts(app: QGuiApplication) -> list[str]:
    """Register Noto Sans and Noto Sans Arabic and make Noto Sans the default (Arabic falls back to its family)."""
    families: list[str] = []
    for name, path in FONT_FILES.items():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.error("could not load font %s from %s: text may show as empty boxes", name, path)
            continue
        families.extend(QFontDatabase.applicationFontFamilies(font_id))
    font = QFont(FAMILY)
    font.setFamilies(list(FAMILIES))
    app.setFont(font)
    return sorted(set(families))


def cap_ratio(family: str = FAMILY) -> float:
    """The family's cap height over its pixel size (Noto Sans: 0.714), from the font itself: text minimums are
    cap heights (docs/architecture.md, "The layout audit"), font sizes are em."""
    font = QFont(family)
    font.setPixelSize(200)
    return QFontMetricsF(font).capHeight() / 200
