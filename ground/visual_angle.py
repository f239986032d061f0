"""Letter heights as angles at the reader's eye: what is legible depends on a letter's size over its distance, so
the keypad's least text size and the layout audit's check are written in minutes of arc (ISO 9241-303)."""

from __future__ import annotations

import math


def arcmin_to_mm(arcmin: float, distance_cm: float) -> float:
    """The height (mm) that subtends `arcmin` minutes of arc at `distance_cm`, centred on the line of sight."""
    return 2 * distance_cm * 10 * math.tan(math.radians(arcmin / 60) / 2)


def mm_to_arcmin(height_mm: float, distance_cm: float) -> float:
    """The angle (minutes of arc) a height of `height_mm` subtends at `distance_cm`."""
    return math.degrees(2 * math.atan(height_mm / (2 * distance_cm * 10))) * 60
