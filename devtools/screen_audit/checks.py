"""The audit's checks: what a person at the screen would trip over, found in the item records and the pixels.

- touch: an interactive item smaller than the app's touch target (15 mm on the configured screen unless the app
  declares its own: the staff keypad's is 12 mm), hidden (outside
  the window or a clipping parent), overlapped by another interactive item (hot zones included), or without an
  objectName (tests and the audit find items by name);
- text: elided, wider or taller than its box (line boxes, and for one line the glyphs' ink), outside the window, a
  clipping parent or the control it labels, over another text, or below WCAG AA contrast (4.5:1; 3:1 for large
  text) against the background pixels rendered around it, or smaller than the app's minimum character height (below);
  a text scrolling through an `auditMarquee` strip only
  where the strip shows it;
- structure: the same named items, in the same order (mirrored for right-to-left), in every language.

Minimum character height ("small"): an angle at the app's viewing distance, not a pixel count — what the eye
resolves depends on the letter's size over its distance. ISO 9241-303 asks at least 16 arcmin of cap height for text
people read (20-22 preferred); each app declares its reader's distance and its minimum (the calling display: its
own legibility floor, display/legibility.py). The cap height is the drawn font's (`fontSizeMode` shrinking
included), measured with the font's own metrics; Arabic, which has no capitals, is held to the same em size as
Latin text in the same font (docs/architecture.md, "The layout audit").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from devtools.screen_audit.tree import ItemInfo, Rect, Snapshot
from ground.visual_angle import arcmin_to_mm, mm_to_arcmin

MM_PER_INCH = 25.4
ISO_READING_ARCMIN = 16.0  # ISO 9241-303: the least cap height of text people read (20-22 preferred)
SEEN = 0.05  # below this opacity an item is not seen


@dataclass(frozen=True)
class Finding:
    screen: str
    check: str
    item: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.screen}: {self.item}: {self.detail}"


@dataclass(frozen=True)
class Rules:
    """Limits for one screen: pixels per millimetre come from its resolution and physical diagonal; the least
    character height from where its reader's eyes are (`viewing_cm`, no default: a size is only legible from a
    distance) and the angle the app asks for (`text_arcmin`)."""

    px_per_mm: float
    viewing_cm: float
    touch_mm: float = 15.0
    text_arcmin: float = ISO_READING_ARCMIN
    normal_contrast: float = 4.5
    large_contrast: float = 3.0

    @classmethod
    def for_screen(cls, size: tuple[int, int], diagonal_inches: float, **limits: float) -> Rules:
        return cls(px_per_mm=math.hypot(*size) / (diagonal_inches * MM_PER_INCH), **limits)

    @property
    def touch_px(self) -> float:
        return self.touch_mm * self.px_per_mm

    @property
    def min_cap_mm(self) -> float:
        """The least cap height: the letter that subtends `text_arcmin` at `viewing_cm`."""
        return arcmin_to_mm(self.text_arcmin, self.viewing_cm)


# -- touch targets ------------------------------------------------------------------------------------------------


def _related(a: ItemInfo, b: ItemInfo) -> bool:
    return a.index in b.path or b.index in a.path


def check_touch(snap: Snapshot, rules: Rules, window: Rect) -> list[Finding]:
    found: list[Finding] = []
    targets = [i for i in snap.items if i.interactive and not i.backdrop]
    for item in targets:
        mm = min(item.rect.w, item.rect.h) / rules.px_per_mm
        if min(item.rect.w, item.rect.h) < rules.touch_px - 0.5:
            found.append(Finding(snap.key, "touch", item.label(),
                                 f"{item.rect} is {mm:.1f} mm across, under {rules.touch_mm:.0f} mm "
                                 f"({rules.touch_px:.0f} px)"))
        visible_area = window if item.clip is None else (window.intersection(item.clip) or Rect(0, 0, 0, 0))
        if item.rect.w < 1 or item.rect.h < 1 or not visible_area.contains(item.rect):
            found.append(Finding(snap.key, "hidden", item.label(),
                                 f"{item.rect} is not wholly inside the window or its clipping parent"))
        if not item.name:
            found.append(Finding(snap.key, "unnamed", item.label(), "an interactive item needs an objectName"))
        if item.opacity < SEEN and item.enabled:
            found.append(Finding(snap.key, "hidden", item.label(),
                                 f"{item.rect} takes taps but is not seen (opacity {item.opacity:.2f})"))
    for n, a in enumerate(targets):
        for b in targets[n + 1:]:
            if _related(a, b):
                continue
            common = a.rect.intersection(b.rect)
            if common is not None and common.w > 1 and common.h > 1:
                found.append(Finding(snap.key, "overlap", a.label(),
                                     f"overlaps {b.label()} on {common} (a tap there reaches only one of them)"))
    return found


# -- text -------------------------------------------------------------------------------------------------------


def luminance(rgb: Iterable[float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0-255 channels)."""
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Iterable[float], b: Iterable[float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_large(pixel_size: float, bold: bool) -> bool:
    """WCAG "large scale": at least 18 pt, or 14 pt bold (24 px / 18.67 px at 96 dpi)."""
    return pixel_size >= 24 or (bold and pixel_size >= 18.66)


def background_under(image: np.ndarray, box: Rect, ink: tuple[int, int, int], margin: int = 3,
                     ink_tolerance: int = 48) -> tuple[int, int, int] | None:
    """The colour the text is read against: the most common colour in and just around its glyphs' box, leaving
    out the ink itself (heavy text may cover more pixels than its background). If nearly everything is ink-coloured
    the background *is* the ink's colour, and the contrast is as bad as it looks."""
    height, width = image.shape[:2]
    x0, y0 = max(int(box.x) - margin, 0), max(int(box.y) - margin, 0)
    x1, y1 = min(math.ceil(box.right) + margin, width), min(math.ceil(box.bottom) + margin, height)
    if x1 <= x0 or y1 <= y0:
        return None
    pixels = image[y0:y1, x0:x1].reshape(-1, 3).astype(np.int32)
    far_from_ink = np.abs(pixels - np.array(ink, dtype=np.int32)).max(axis=1) > ink_tolerance
    if far_from_ink.sum() >= 0.05 * len(pixels):
        pixels = pixels[far_from_ink]
    packed = (pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    top = int(values[np.argmax(counts)])
    return (top >> 16) & 255, (top >> 8) & 255, top & 255


def _ink_drawn(image: np.ndarray, box: Rect, ink: tuple[int, int, int], background: tuple[int, int, int],
               opacity: float) -> bool:
    """Whether any pixel in the text's box has (about) its ink's colour: a text painted over by an opaque item has
    none, and its contrast would be measured on the item that hides it. Text the same colour as its background is
    the contrast check's business."""
    height, width = image.shape[:2]
    x0, y0 = max(int(box.x), 0), max(int(box.y), 0)
    x1, y1 = min(math.ceil(box.right), width), min(math.ceil(box.bottom), height)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return True
    expected = np.array(_blend(ink, background, opacity))
    if np.abs(expected - np.array(background)).max() < 40:
        return True
    pixels = image[y0:y1, x0:x1].reshape(-1, 3).astype(np.float64)
    return bool((np.abs(pixels - expected).max(axis=1) < 40).any())


def _blend(ink: tuple[int, int, int], background: tuple[int, int, int], opacity: float) -> tuple[float, ...]:
    return tuple(i * opacity + b * (1 - opacity) for i, b in zip(ink, background, strict=True))


def _bounding(a: Rect, b: Rect) -> Rect:
    x, y = min(a.x, b.x), min(a.y, b.y)
    return Rect(x, y, max(a.right, b.right) - x, max(a.bottom, b.bottom) - y)


def _extent(item: ItemInfo) -> Rect:
    """Where a text takes room: its line boxes and, for one line, its glyphs' ink (which a fixed line height may
    push out of the line box); a scrolling text only where its strip shows it."""
    text = item.text
    assert text is not None
    extent = text.painted if text.ink is None else _bounding(text.painted, text.ink)
    if item.marquee is not None:
        return extent.intersection(item.marquee) or Rect(item.marquee.x, item.marquee.y, 0, 0)
    return extent


def _check_marquee(snap: Snapshot, item: ItemInfo, window: Rect) -> list[Finding]:
    """A scrolling text runs past its strip by design: the strip must be in the window, the text whole in height."""
    assert item.text is not None and item.marquee is not None
    found: list[Finding] = []
    strip, text = item.marquee, item.text
    whole = text.painted if text.ink is None else _bounding(text.painted, text.ink)
    if not window.contains(strip):
        found.append(Finding(snap.key, "outside", item.label(), f"its scrolling strip {strip} leaves the window"))
    if whole.y < strip.y - 0.5 or whole.bottom > strip.bottom + 0.5:
        found.append(Finding(snap.key, "clipped", item.label(),
                             f"the text {whole} is taller than its scrolling strip {strip}"))
    return found


def check_text(snap: Snapshot, rules: Rules, window: Rect, image: np.ndarray) -> list[Finding]:
    found: list[Finding] = []
    by_index = {item.index: item for item in snap.items}
    texts = [item for item in snap.items if item.text is not None and item.opacity >= SEEN]
    extents = {item.index: _extent(item) for item in texts}
    for n, a in enumerate(texts):
        for b in texts[n + 1:]:
            common = extents[a.index].intersection(extents[b.index])
            if common is not None and common.w > 2 and common.h > 2:
                found.append(Finding(snap.key, "overlap", a.label(), f"its text runs over {b.label()} on {common}"))
    for item in texts:
        text = item.text
        assert text is not None
        label, extent = item.label(), extents[item.index]
        if text.truncated:
            found.append(Finding(snap.key, "elided", label, "the text is cut short (elided or line-limited)"))
        if item.marquee is not None:
            found.extend(_check_marquee(snap, item, window))
        elif text.overflow_w > 1:
            found.append(Finding(snap.key, "clipped", label,
                                 f"the text needs {text.overflow_w:.0f} px more width than its box {item.rect}"))
        if text.overflow_h > 1:
            found.append(Finding(snap.key, "clipped", label,
                                 f"the text needs {text.overflow_h:.0f} px more height than its box {item.rect}"))
        if text.ink is not None and item.marquee is None and (text.ink.y < item.rect.y - 1
                                                               or text.ink.bottom > item.rect.bottom + 1):
            found.append(Finding(snap.key, "clipped", label,
                                 f"its glyphs {text.ink} reach out of its box {item.rect}"))
        if item.marquee is None and not window.contains(extent):
            found.append(Finding(snap.key, "outside", label, f"the text {extent} leaves the window"))
        elif item.marquee is None and item.clip is not None and not item.clip.contains(extent):
            found.append(Finding(snap.key, "clipped", label, f"the text {extent} is cut by a clipping parent"))
        control = next((by_index[i] for i in reversed(item.path) if by_index[i].interactive
                        and not by_index[i].backdrop), None)
        if control is not None and not control.rect.contains(extent, slack=1.0):
            found.append(Finding(snap.key, "outside", label,
                                 f"the text {extent} spills out of its control {control.label()} {control.rect}"))
        small = _check_size(item, rules)
        if small:
            found.append(Finding(snap.key, "small", label, small))
        background = background_under(image, extent, text.color)
        if background is None:
            continue
        if not _ink_drawn(image, extent, text.color, background, item.opacity):
            found.append(Finding(snap.key, "covered", label,
                                 f"none of its ink ({'#{:02x}{:02x}{:02x}'.format(*text.color)}) is in the pixels "
                                 f"of {extent}: something is drawn over it"))
            continue
        ratio = contrast_ratio(_blend(text.color, background, item.opacity), background)
        needed = rules.large_contrast if is_large(text.pixel_size, text.bold) else rules.normal_contrast
        if ratio < needed - 0.005:
            hex_ink, hex_bg = ("#{:02x}{:02x}{:02x}".format(*c) for c in (text.color, background))
            found.append(Finding(snap.key, "contrast", label,
                                 f"{ratio:.2f}:1 ({hex_ink} at opacity {item.opacity:.2f} on {hex_bg}), "
                                 f"needs {needed}:1 at {text.pixel_size:.0f} px{' bold' if text.bold else ''}"))
    return found


def _check_size(item: ItemInfo, rules: Rules) -> str | None:
    """Why the text is too small to read from the app's viewing distance, or None. 1/64 px of slack: Qt gives
    metrics in 26.6 fixed point."""
    text = item.text
    assert text is not None
    cap_mm = text.cap_height / rules.px_per_mm
    if text.cap_height >= rules.min_cap_mm * rules.px_per_mm - 1 / 64:
        return None
    return (f"drawn at {text.pixel_size:.0f} px, cap {cap_mm:.2f} mm = {mm_to_arcmin(cap_mm, rules.viewing_cm):.1f} "
            f"arcmin at {rules.viewing_cm:.0f} cm, under {rules.text_arcmin:.1f} arcmin "
            f"({rules.min_cap_mm:.2f} mm = {rules.min_cap_mm * rules.px_per_mm:.1f} px cap)")


def check_snapshot(snap: Snapshot, rules: Rules, image: np.ndarray) -> list[Finding]:
    window = Rect(0, 0, float(snap.size[0]), float(snap.size[1]))
    return check_touch(snap, rules, window) + check_text(snap, rules, window, image)


# -- structure between languages ----------------------------------------------------------------------------


def _centre(item: ItemInfo, snap: Snapshot, flip: bool) -> tuple[float, float]:
    rect = item.rect.mirrored(snap.size[0]) if flip else item.rect
    return rect.x + rect.w / 2, rect.y + rect.h / 2


def check_structure(snaps: list[Snapshot]) -> list[Finding]:
    """Every language shows the same named items in the same order; right-to-left only mirrors it.

    Compared with the first snapshot: the set of visible named items, their top-to-bottom order, their side-by-side
    order within a row (mirrored when the reading direction differs), and the size of named controls (within
    20% + 8 px, so a longer translation may wrap but a control may not collapse or swell in one language).
    """
    if len(snaps) < 2:
        return []
    ref = snaps[0]
    ref_named = _sized(ref)
    found: list[Finding] = []
    for other in snaps[1:]:
        named = _sized(other)
        flip = other.rtl != ref.rtl
        for missing in sorted(set(ref_named) - set(named)):
            found.append(Finding(other.key, "structure", missing, f"shown in {ref.language}, not in {other.language}"))
        for extra in sorted(set(named) - set(ref_named)):
            found.append(Finding(other.key, "structure", extra, f"shown in {other.language}, not in {ref.language}"))
        common = sorted(set(ref_named) & set(named))
        for n, a in enumerate(common):
            ra, oa = ref_named[a], named[a]
            if ra.interactive and not _similar(ra.rect, oa.rect):
                found.append(Finding(other.key, "structure", a,
                                     f"{oa.rect} in {other.language}, {ra.rect} in {ref.language}"))
            for b in common[n + 1:]:
                problem = _order_problem(ra, ref_named[b], oa, named[b], ref, other, flip)
                if problem:
                    found.append(Finding(other.key, "structure", f"{a} / {b}", problem))
    return found


def _sized(snap: Snapshot) -> dict[str, ItemInfo]:
    """Named items that take room on the screen (a Repeater or a Timer with a name has none)."""
    return {name: item for name, item in snap.named().items()
            if item.rect.w >= 1 and item.rect.h >= 1 and item.opacity >= SEEN}


def _similar(a: Rect, b: Rect) -> bool:
    return all(abs(x - y) <= 8 + 0.2 * max(x, y) for x, y in ((a.w, b.w), (a.h, b.h)))


def _order_problem(ra: ItemInfo, rb: ItemInfo, oa: ItemInfo, ob: ItemInfo, ref: Snapshot, other: Snapshot,
                   flip: bool) -> str | None:
    if ra.index in rb.path or rb.index in ra.path:
        return None
    # a group that keeps left-to-right order (a digit pad) keeps it inside: two of its items are compared
    # unmirrored, but the group itself moves with the mirrored screen, so against anything else it mirrors
    flip = flip and not (oa.fixed_direction and ob.fixed_direction)
    (rax, ray), (rbx, rby) = _centre(ra, ref, False), _centre(rb, ref, False)
    (oax, oay), (obx, oby) = _centre(oa, other, flip), _centre(ob, other, flip)
    apart_v = ra.rect.bottom <= rb.rect.y or rb.rect.bottom <= ra.rect.y
    apart_h = ra.rect.right <= rb.rect.x or rb.rect.right <= ra.rect.x
    # only within a column (one above the other) or within a row (side by side): between two columns, which of
    # two items sits higher depends on each column's own text heights, not on the screen's structure
    if apart_v and not apart_h and (ray < rby) != (oay < oby):
        return f"vertical order differs from {ref.language}"
    if apart_h and not apart_v and (rax < rbx) != (oax < obx):
        return f"side-by-side order differs from {ref.language}" + (" (not mirrored)" if flip else "")
    return None
