"""Data files shipped with the product (fonts, sounds). No logic: any package may read these paths."""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
FONTS_DIR = ASSETS_DIR / "fonts"

#: The font files every app and the printer raster use; Latin first, then Arabic.
FONT_FILES = {
    "sans": FONTS_DIR / "NotoSans-Regular.ttf",
    "sans-bold": FONTS_DIR / "NotoSans-Bold.ttf",
    "arabic": FONTS_DIR / "NotoSansArabic-Regular.ttf",
    "arabic-bold": FONTS_DIR / "NotoSansArabic-Bold.ttf",
}
#: The printer simulator's previews draw the printer's own (monospaced) font with these.
PREVIEW_FONT_FILES = {
    "mono": FONTS_DIR / "DejaVuSansMono.ttf",
    "mono-bold": FONTS_DIR / "DejaVuSansMono-Bold.ttf",
}


def font_path(name: str) -> Path:
    """Path of a shipped font by its short name (see FONT_FILES and PREVIEW_FONT_FILES)."""
    return FONT_FILES.get(name) or PREVIEW_FONT_FILES[name]
