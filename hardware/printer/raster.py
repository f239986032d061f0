"""Text → 1-bit raster with Qt, for Arabic and any text the printer's code page cannot carry.

Qt (QTextLayout behind ``QPainter.drawText``) shapes Arabic and orders bidirectional text; printer fonts and code
pages cannot (research §1: CP720/CP864 print Arabic unjoined and reversed).

Threading choice: we paint only on a ``QImage`` — never a QPixmap or a window — which Qt supports from any thread
("QPainter can be used in a thread to paint onto QImage"). The font engine's caches are process-wide, so every
render is serialised by one lock, and the kiosk may call ``print_ticket`` from its worker thread. A
``QGuiApplication`` must exist for fonts to load: if none does, we create one with the offscreen platform, but only
when called on the main thread (Qt requires its application object there); otherwise we raise, telling the
composition root to create its app first.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import ClassVar

from PIL import Image, ImageOps
from PySide6.QtCore import QCoreApplication, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QGuiApplication, QImage, QPainter

from ground.assets import font_path
from hardware.errors import ConfigurationError

#: Grey level (0-255) below which an antialiased pixel prints black.
_THRESHOLD = 128


def is_rtl(text: str) -> bool:
    """True when the first strong character is right-to-left (Arabic, Hebrew…): the paragraph's direction."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def has_rtl(text: str) -> bool:
    """True when any character is right-to-left; such text is always rasterised."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


class TextRasterizer:
    """Renders lines of text, shaped and bidi-ordered, to 1-bit images of a fixed width."""

    _LOCK: ClassVar[threading.Lock] = threading.Lock()
    #: shipped font name → its family, loaded into Qt once per process (a reopened printer must not load again)
    _FAMILIES: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        self._app = self._ensure_app()
        with self._LOCK:
            self._families = [self._load(name) for name in ("sans", "arabic")]
            self._bold_families = [self._load(name) for name in ("sans-bold", "arabic-bold")]

    @staticmethod
    def _ensure_app() -> QCoreApplication:
        app = QCoreApplication.instance()
        if app is None:
            if threading.current_thread() is not threading.main_thread():
                raise ConfigurationError("create the QGuiApplication on the main thread before printing")
            app = QGuiApplication(["smartqueue-printer", "-platform", "offscreen"])
        if not isinstance(app, QGuiApplication):
            raise ConfigurationError("text rasterising needs a QGuiApplication, found a QCoreApplication")
        return app

    @classmethod
    def _load(cls, name: str) -> str:
        if name in cls._FAMILIES:
            return cls._FAMILIES[name]
        font_id = QFontDatabase.addApplicationFont(str(font_path(name)))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            raise ConfigurationError(f"cannot load the shipped font {font_path(name)}")
        cls._FAMILIES[name] = families[0]
        return families[0]

    def render(self, text: str, width: int, size_px: int, *, bold: bool = False, align: str = "center",
               crop: bool = True, margin: int = 2) -> Image.Image:
        """A mode "1" image holding ``text`` wrapped at ``width`` dots, cropped to the ink plus ``margin`` rows.

        With ``crop`` the image is only as wide as the ink (whole bytes: a raster row is sent byte by byte) and the
        printer places it (ESC a); without, it keeps the full ``width`` (the full-raster encoding).
        """
        font = QFont()
        # Latin family first; Qt falls back to the Arabic family for the characters Latin one lacks.
        font.setFamilies(self._bold_families if bold else self._families)
        font.setPixelSize(size_px)
        font.setBold(bold)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        rtl = is_rtl(text)
        h_align = {
            "center": Qt.AlignmentFlag.AlignHCenter,
            "left": Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft,
            "right": Qt.AlignmentFlag.AlignLeft if rtl else Qt.AlignmentFlag.AlignRight,
        }[align]
        flags = int(h_align | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        with self._LOCK:
            bounds = QFontMetrics(font).boundingRect(QRect(0, 0, width, 100000), flags, text)
            height = max(bounds.height(), 1) + 4
            image = QImage(width, height, QImage.Format.Format_Grayscale8)
            image.fill(QColor(255, 255, 255))
            painter = QPainter(image)
            try:
                painter.setLayoutDirection(
                    Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
                )
                painter.setFont(font)
                painter.setPen(QColor(0, 0, 0))
                painter.drawText(QRect(0, 2, width, height - 2), flags, text)
            finally:
                painter.end()
            grey = Image.frombuffer("L", (image.bytesPerLine(), height), bytes(image.constBits()), "raw", "L", 0, 1)
            # ink = darker than the threshold → 0 (black) in a 0/255 image; Pillow only (no numpy in the kiosk)
            ink = grey.crop((0, 0, width, height)).point(lambda v: 0 if v < _THRESHOLD else 255)
        ink = crop_rows(ink, margin=margin)
        return to_bitmap(crop_columns(ink, margin=margin) if crop else ink)


def crop_rows(ink: Image.Image, margin: int) -> Image.Image:
    """Drop blank rows above and below the ink (black = 0), keeping ``margin`` rows; a blank image keeps one row."""
    box = ImageOps.invert(ink).getbbox()
    if box is None:
        return ink.crop((0, 0, ink.width, 1))
    top = max(box[1] - margin, 0)
    bottom = min(box[3] + margin, ink.height)
    return ink.crop((0, top, ink.width, bottom))


def crop_columns(ink: Image.Image, margin: int) -> Image.Image:
    """Keep the columns that hold ink (black = 0) plus ``margin``, widened to whole bytes around the ink's centre.

    Centred text stays centred: the kept span is symmetric around the ink when the image allows it.
    """
    box = ImageOps.invert(ink).getbbox()
    if box is None:
        return ink.crop((0, 0, min(8, ink.width), ink.height))
    left, right = max(box[0] - margin, 0), min(box[2] + margin, ink.width)
    width = min(-(-(right - left) // 8) * 8, ink.width)
    left = min(max(left - (width - (right - left)) // 2, 0), ink.width - width)
    return ink.crop((left, 0, left + width, ink.height))


def to_bitmap(ink: Image.Image) -> Image.Image:
    """0/255 grey ink image → Pillow mode "1" image (0 = black), as python-escpos expects."""
    return ink.convert("1", dither=Image.Dither.NONE)


def fit_logo(path: str, width: int, max_height: int = 200, *, full_width: bool = False) -> Image.Image:
    """Load a logo, scale it to fit ``width`` × ``max_height`` dots and dither it to 1 bit.

    The image is as wide as the logo (whole bytes) and the printer centres it; ``full_width`` pads it to ``width``.
    """
    with Image.open(path) as source:
        grey = source.convert("L")
    scale = min(width / grey.width, max_height / grey.height, 1.0)
    size = (max(1, int(grey.width * scale)), max(1, int(grey.height * scale)))
    # Floyd-Steinberg is deterministic, so golden bytes stay stable.
    logo = grey.resize(size, Image.Resampling.LANCZOS).convert("1")
    canvas_width = width if full_width else min(-(-size[0] // 8) * 8, width)
    canvas = Image.new("1", (canvas_width, size[1]), 1)
    canvas.paste(logo, ((canvas_width - size[0]) // 2, 0))
    return canvas
