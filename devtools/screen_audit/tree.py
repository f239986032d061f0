"""What the audit reads of a rendered QML window: every visible item, as plain records.

Reading happens once per render; the checks (`checks.py`) then work on these records and the grabbed pixels only,
so they can be tested on hand-made QML and reused by every app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtQuick import QQuickItem, QQuickWindow

#: QML declares `property bool auditBackdrop: true` on a catch-all press area (the kiosk's "any touch keeps the
#: session alive", a modal veil): it is not a control a person aims at, so size and overlap checks skip it.
BACKDROP = "auditBackdrop"
#: `property bool auditFixedDirection: true` on an item whose content keeps its left-to-right order in every
#: language (a digit pad, like a phone's): the structure check compares it unmirrored.
FIXED_DIRECTION = "auditFixedDirection"
#: `property bool auditMarquee: true` on a clipping strip (`clip: true`) whose text scrolls through it (the board's
#: message line): the text is meant to run past the strip, so only its visible part is checked — the strip inside
#: the window, the text vertically whole within it.
MARQUEE = "auditMarquee"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def intersection(self, other: Rect) -> Rect | None:
        x, y = max(self.x, other.x), max(self.y, other.y)
        r, b = min(self.right, other.right), min(self.bottom, other.bottom)
        return Rect(x, y, r - x, b - y) if r > x and b > y else None

    def contains(self, other: Rect, slack: float = 0.5) -> bool:
        return (other.x >= self.x - slack and other.y >= self.y - slack and other.right <= self.right + slack
                and other.bottom <= self.bottom + slack)

    def mirrored(self, width: float) -> Rect:
        return Rect(width - self.right, self.y, self.w, self.h)

    def __str__(self) -> str:
        return f"{self.w:.0f}×{self.h:.0f} at ({self.x:.0f},{self.y:.0f})"


@dataclass
class TextInfo:
    text: str
    color: tuple[int, int, int]
    pixel_size: float
    bold: bool
    painted: Rect  # the laid-out line boxes (alignment and mirroring applied), in scene coordinates
    truncated: bool
    overflow_w: float  # how far the text is wider than its box (≤ 0: it fits)
    overflow_h: float
    #: the drawn font's cap height in pixels (`QFontMetricsF.capHeight` of its first family, Noto Sans in every app:
    #: an Arabic text, whose letters come from the fallback family, is held to the same em size as a Latin one)
    cap_height: float = 0.0
    #: where the glyphs' ink is (one line only: the line's baseline plus the text's tight box in the fonts that draw
    #: it); a line box may be shorter than its ink (a fixed line height) or much taller (Noto Sans Arabic's 2.1 em)
    ink: Rect | None = None


@dataclass
class ItemInfo:
    """One visible item: where it is, whether it takes input, its text if it shows any."""

    index: int  # paint order (a later item is drawn above an earlier one among overlapping siblings)
    kind: str
    name: str
    rect: Rect
    path: tuple[int, ...]  # indices of its ancestors in this list, root first
    opacity: float  # effective: the product of the item's and its ancestors' opacity
    clip: Rect | None  # the intersection of its clipping ancestors' rects
    interactive: bool
    backdrop: bool
    enabled: bool
    fixed_direction: bool = False
    marquee: Rect | None = None  # the scrolling strip it moves through (`auditMarquee`), if any
    text: TextInfo | None = None

    def label(self) -> str:
        name = self.name or "(no objectName)"
        snippet = f" “{self.text.text[:40]}”" if self.text else ""
        return f"{self.kind} {name}{snippet}"


@dataclass
class Snapshot:
    """One rendered screen: its items and the PNG grabbed from the window."""

    state: str
    language: str
    mode: str
    size: tuple[int, int]
    rtl: bool
    items: list[ItemInfo] = field(default_factory=list)
    png: str = ""

    @property
    def key(self) -> str:
        return f"{self.state}-{self.language}-{self.mode}-{self.size[0]}x{self.size[1]}"

    def named(self) -> dict[str, ItemInfo]:
        return {item.name: item for item in self.items if item.name}


def _kind(item: QQuickItem) -> str:
    name = item.metaObject().className()
    return name.split("_QMLTYPE_")[0].split("_QML_")[0].removeprefix("QQuick")


def _has_pointer_handler(item: QQuickItem) -> bool:
    """TapHandler & co. are QObjects in the item's data, not items: their parent item is the touch target."""
    for child in item.children():
        if isinstance(child, QQuickItem):
            continue
        name = child.metaObject().className()
        if name.startswith("QQuick") and name.endswith("Handler") and child.property("enabled") is not False:
            return True
    return False


def _takes_input(item: QQuickItem) -> bool:
    if item.inherits("QQuickText"):
        return False  # a Text accepts the left button only to follow links; ours have none
    return (item.acceptedMouseButtons() != Qt.MouseButton.NoButton or item.acceptTouchEvents()
            or _has_pointer_handler(item))


def _scene_rect(item: QQuickItem, x: float, y: float, w: float, h: float) -> Rect:
    top_left = item.mapToScene(QPointF(x, y))
    bottom_right = item.mapToScene(QPointF(x + w, y + h))
    left, right = sorted((top_left.x(), bottom_right.x()))
    top, bottom = sorted((top_left.y(), bottom_right.y()))
    return Rect(left, top, right - left, bottom - top)


def _rgb(value) -> tuple[int, int, int]:
    return (value.red(), value.green(), value.blue()) if value is not None else (0, 0, 0)


def _text(item: QQuickItem) -> TextInfo | None:
    """Text shown by a Text, a TextInput/TextField or a control's label; None if it shows none."""
    if item.inherits("QQuickText"):
        text, truncated = item.property("text") or "", bool(item.property("truncated"))
    elif item.inherits("QQuickTextInput"):
        text, truncated = item.property("displayText") or "", False
    else:
        return None
    if not text.strip():
        return None
    font = _drawn_font(item, text, item.property("font"))
    # boundingRect() is where the laid-out glyphs are, alignment (and mirroring) applied
    box = item.boundingRect()
    pixel_size = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
    # contentWidth is the widest line: beyond the width when a line cannot wrap (or wrapping is off)
    return TextInfo(text=text, color=_rgb(item.property("color")), pixel_size=float(pixel_size), bold=font.bold(),
                    painted=_scene_rect(item, box.x(), box.y(), box.width(), box.height()), truncated=truncated,
                    overflow_w=float(item.property("contentWidth")) - item.width(),
                    overflow_h=float(item.property("contentHeight")) - item.height(),
                    cap_height=QFontMetricsF(font).capHeight() * _scene_scale(item), ink=_ink(item, text, font, box))


def _scene_scale(item: QQuickItem) -> float:
    """How much the item's own and its ancestors' `scale` (and any transform) shrink a letter's height on the
    screen: the length, in scene pixels, of one item pixel along its vertical (a rotated text included)."""
    a, b = item.mapToScene(QPointF(0, 0)), item.mapToScene(QPointF(0, 1))
    return float(((b.x() - a.x()) ** 2 + (b.y() - a.y()) ** 2) ** 0.5)


def _drawn_font(item: QQuickItem, text: str, font: QFont) -> QFont:
    """The font a Text draws with: under `fontSizeMode` (Fit, HorizontalFit, VerticalFit) Qt shrinks it below the
    requested `font.pixelSize`, which the property still reports; the laid-out width of a whole single line tells
    the size drawn (the enum itself has no Python converter in PySide6 6.11)."""
    if not item.inherits("QQuickText") or font.pixelSize() <= 0 or bool(item.property("truncated")):
        return font
    lines = int(item.property("lineCount") or 1)
    if lines != 1 or "\n" in text:
        return _drawn_font_wrapped(item, font, lines)
    widest = QFontMetricsF(font).horizontalAdvance(text)
    drawn = float(item.property("contentWidth"))
    if widest <= 0 or drawn <= 0 or drawn >= widest:
        return font
    fitted = QFont(font)
    fitted.setPixelSize(max(1, round(font.pixelSize() * drawn / widest)))
    return fitted


def _drawn_font_wrapped(item: QQuickItem, font: QFont, lines: int) -> QFont:
    """Several lines shrunk by `fontSizeMode: Fit`/`VerticalFit`: their height per line tells the size drawn
    against the requested font's line spacing (times a proportional `lineHeight`; a `lineHeight` above 3 is taken
    as a fixed height in pixels, which says nothing of the font's size)."""
    factor = float(item.property("lineHeight") or 1.0)
    if lines < 1 or factor > 3:
        return font
    natural = QFontMetricsF(font).lineSpacing() * factor
    drawn = float(item.property("contentHeight")) / lines
    if natural <= 0 or drawn <= 0 or drawn >= natural - 0.5:
        return font
    fitted = QFont(font)
    fitted.setPixelSize(max(1, round(font.pixelSize() * drawn / natural)))
    return fitted


def _ink(item: QQuickItem, text: str, font: QFont, box: QRectF) -> Rect | None:
    """The glyphs' ink of a one-line text: its tight box (fallback fonts included, as Qt draws it) hung from the
    item's baseline; horizontally the laid-out line. None for wrapped or multi-line text."""
    if item.inherits("QQuickTextInput") or int(item.property("lineCount") or 1) != 1 or "\n" in text:
        return None
    tight = QFontMetricsF(font).tightBoundingRect(text)
    baseline = float(item.property("baselineOffset"))
    return _scene_rect(item, box.x(), baseline + tight.y(), box.width(), tight.height())


def read_tree(window: QQuickWindow) -> list[ItemInfo]:
    """Every visible item under the window's content item, in paint order (children by z, then declaration)."""
    found: list[ItemInfo] = []

    def visit(item: QQuickItem, path: tuple[int, ...], opacity: float, clip: Rect | None, fixed: bool,
              marquee: Rect | None) -> None:
        if not item.isVisible():
            return
        # an item at opacity 0 is kept: it is not seen, but it still takes taps (Qt: opacity does not affect input)
        opacity *= max(item.opacity(), 0.0)
        fixed = fixed or bool(item.property(FIXED_DIRECTION))
        rect = _scene_rect(item, 0, 0, item.width(), item.height())
        interactive = _takes_input(item)
        info = ItemInfo(
            index=len(found), kind=_kind(item), name=item.objectName(), rect=rect, path=path, opacity=opacity,
            clip=clip, interactive=interactive, backdrop=bool(item.property(BACKDROP)), enabled=item.isEnabled(),
            fixed_direction=fixed, marquee=marquee,
        )
        info.text = _text(item)
        found.append(info)
        if item.clip():
            clip = rect if clip is None else (clip.intersection(rect) or Rect(rect.x, rect.y, 0, 0))
            if item.property(MARQUEE):
                marquee = rect
        children = sorted(enumerate(item.childItems()), key=lambda pair: (pair[1].z(), pair[0]))
        for _, child in children:
            visit(child, (*path, info.index), opacity, clip, fixed, marquee)

    root = window.contentItem()
    for child in sorted(root.childItems(), key=lambda c: c.z()):
        visit(child, (), 1.0, None, False, None)
    return found


def window_rect(window: QQuickWindow) -> Rect:
    return Rect(0, 0, float(window.width()), float(window.height()))

