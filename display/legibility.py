"""Text sizes on the board from the screen's physical size and the distance of the farthest reader. No Qt here.

The rule (written down in docs/architecture.md, "Calling display"):
- **Legibility limit**: a capital letter is just legible when its height is about 1/344 of the viewing distance,
  i.e. 2.9 mm per metre (10 minutes of arc, the letter size a 20/40 eye — the usual driving-licence standard —
  can just read; the Penn State / United States Sign Council letter-visibility chart gives the same figure for
  Helvetica capitals, 1 inch per 29 ft). Nothing the public must read is smaller than `SECONDARY` × the limit.
- **Comfortable reading at a glance**: the usual sign-makers' rule, 1 inch of letter per 10 feet (8.3 mm per
  metre, ~3× the limit). The ticket number and the counter of a call are at least `HEADLINE` × the limit, and as
  large as their area allows — at the same size: the counter is half of the message. Only as many calls are
  shown large as fit at that size; the others are listed as "at the counters".
- A name longer than its column (a service's name) may shrink to `FIT_FLOOR` × the limit rather than be cut.
- When a screen is too small for its distance, rows are dropped (fewer recent calls, fewer services), never
  letters shrunk below the floor; the board logs the shortfall once.

Pixel pitch comes from the configured diagonal and the window's pixels (square pixels), cap height from the
font's own metrics (Noto Sans: 0.714 em).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LIMIT_MM_PER_M = 2.9  # 10 arcmin: tan(10') × 1000 = 2.91
HEADLINE = 2.5  # × the limit: 7.3 mm per metre, near the 1-inch-per-10-feet rule (8.3)
SECONDARY = 1.1  # × the limit: recent calls, waiting lines, header
SMALL = 1.0  # × the limit: headings, statuses, the date
FIT_FLOOR = 0.8  # a name too long for its column may shrink to this × the limit (legible from 80% of the distance)
NOTO_CAP = 0.714  # Noto Sans cap height / em (1462 / 2048)


@dataclass(frozen=True, slots=True)
class Sizes:
    """Pixel sizes for one viewport; `*_px` are font pixel sizes, `row_px` a list row's height."""

    mm_per_px: float
    limit_cap_mm: float
    headline_px: int  # the smallest a call's number and counter may be
    secondary_px: int
    small_px: int
    floor_px: int  # the least a name that must fit its column may shrink to
    row_px: int
    header_px: int  # the header bar's height
    margin_px: int

    def cap_mm(self, font_px: float) -> float:
        """The cap height in millimetres of text at `font_px` on this screen."""
        return font_px * NOTO_CAP * self.mm_per_px

    def as_map(self) -> dict[str, float]:
        return {"mmPerPx": self.mm_per_px, "limitCapMm": self.limit_cap_mm, "headline": self.headline_px,
                "secondary": self.secondary_px, "small": self.small_px, "floor": self.floor_px, "row": self.row_px,
                "header": self.header_px, "margin": self.margin_px}


def floor_cap_mm(distance_m: float) -> float:
    """The least cap height anything on the board is drawn at, read from `distance_m`: a fitted name at its floor.
    The layout audit holds the board to it (devtools/board_sweep.py `board_rules`)."""
    return FIT_FLOOR * LIMIT_MM_PER_M * distance_m


def mm_per_px(diagonal_inches: float, width_px: int, height_px: int) -> float:
    return diagonal_inches * 25.4 / math.hypot(width_px, height_px)


def font_px_for_cap(cap_mm: float, pitch_mm: float, cap_ratio: float = NOTO_CAP) -> int:
    return math.ceil(cap_mm / cap_ratio / pitch_mm)


def sizes(diagonal_inches: float, distance_m: float, width_px: int, height_px: int) -> Sizes:
    """Sizes for a window of `width_px`×`height_px` filling a screen of `diagonal_inches`, read from `distance_m`."""
    width_px, height_px = max(1, width_px), max(1, height_px)
    pitch = mm_per_px(diagonal_inches, width_px, height_px)
    limit = LIMIT_MM_PER_M * distance_m
    secondary = font_px_for_cap(SECONDARY * limit, pitch)
    small = font_px_for_cap(SMALL * limit, pitch)
    headline = font_px_for_cap(HEADLINE * limit, pitch)
    short_side = min(width_px, height_px)
    margin = max(6, round(short_side / 90))
    return Sizes(mm_per_px=pitch, limit_cap_mm=limit, headline_px=headline, secondary_px=secondary,
                 small_px=small, floor_px=font_px_for_cap(floor_cap_mm(distance_m), pitch),
                 row_px=math.ceil(secondary * 1.4),
                 header_px=math.ceil(secondary * 1.5),
                 margin_px=margin)
