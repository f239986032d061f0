"""The home screen's tiles: what each says (people waiting, estimated wait, when a closed service opens) and how
they share the screen, for 1 to about 12 services, in portrait or landscape, normal or large text.

Pure functions of the node's services answer, the language and the clock: the view-model calls them, QML binds
to the result.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ground.i18n import Formatter, name_in, translate
from kiosk import messages as M

#: A tile is never taller than this (px, normal text; large text scales it): a few services sit in the middle
#: of the screen as big tiles rather than stretching into posters.
MAX_TILE_HEIGHT = 320
#: Tiles read best about three times as wide as tall.
TARGET_ASPECT = 3.0
#: The tile's text sizes (px at scale 1) and inner padding, as BigButton.qml draws them.
TITLE_PX, LINE_PX, PADDING, LINE_GAP = 30, 24, 16, 6
MAX_COLUMNS = 5


@dataclass(frozen=True)
class Grid:
    columns: int
    rows: int
    tile_height: int
    font_scale: float  # applied to the tiles' text on top of the large-text scale, ≤ 1 when space is short

    def as_map(self) -> dict[str, float]:
        return {"columns": self.columns, "rows": self.rows, "tileHeight": self.tile_height,
                "fontScale": self.font_scale}


def _has_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _wrapped_lines(text: str, px: float, width: float, bold: bool) -> int:
    """How many lines `text` wraps to: a greedy word wrap with the fonts' average advance, slightly overestimated
    so the estimate errs on the side of room (measured with Qt: Noto Sans 0.51-0.55 em, Noto Sans Arabic
    0.45-0.49 em). The layout audit measures the real thing."""
    per_em = (0.53 if bold else 0.5) if _has_arabic(text) else (0.6 if bold else 0.56)
    advance = px * per_em
    lines, used = 1, 0.0
    for word in text.split():
        need = len(word) * advance
        if need > width:
            return 1000  # a word wider than the tile: this width cannot hold the text
        if used and used + advance + need > width:
            lines, used = lines + 1, need
        else:
            used += (advance if used else 0) + need
    return lines


def _line_height(text: str, px: float) -> float:
    # Qt's line box: 1.36 em with Noto Sans, 2.11 em as soon as the line holds Arabic (Noto Sans Arabic's extents)
    return px * (2.15 if _has_arabic(text) else 1.4)


def tile_content_height(tile: dict[str, Any], width: float, scale: float) -> float:
    """The height a tile's name and detail lines need at this width and text scale."""
    inner = max(width - 2 * PADDING, 1)
    title = tile.get("name", "")
    height = 2 * PADDING + _wrapped_lines(title, TITLE_PX * scale, inner, True) * _line_height(title, TITLE_PX * scale)
    for line in tile.get("lines", []):
        height += LINE_GAP + _wrapped_lines(line, LINE_PX * scale, inner, False) * _line_height(line, LINE_PX * scale)
    return height


def tile_grid(tiles: list[dict[str, Any]], width: float, height: float, scale: float = 1.0,
              spacing: float = 16) -> Grid:
    """Columns, tile height and text scale for the tiles in a `width` × `height` area.

    `tiles` holds the tiles in every language the kiosk offers (same ids): the grid fits the longest texts, so
    switching language never rearranges the screen.

    Among the column counts whose tiles hold their text, picks the one whose tiles come closest to TARGET_ASPECT;
    tiles are as tall as the rows allow, up to MAX_TILE_HEIGHT. When no count holds the text at the chosen text
    size (many services in large text), the text shrinks step by step, never below the normal size.
    """
    count = max(len({t.get("id") for t in tiles}), 1)
    floor = min(1.0, 1.0 / scale)  # large text may shrink back to the normal size, never below
    font_scale = 1.0
    while True:
        fitting: list[tuple[float, Grid]] = []
        closest: tuple[float, Grid] | None = None  # the least overflow, if nothing fits
        for columns in range(1, min(count, MAX_COLUMNS) + 1):
            rows = math.ceil(count / columns)
            tile_w = (width - spacing * (columns - 1)) / columns
            fit_h = (height - spacing * (rows - 1)) / rows
            needed = max((tile_content_height(t, tile_w, scale * font_scale) for t in tiles), default=0)
            tile_h = min(fit_h, max(MAX_TILE_HEIGHT * scale, needed))
            grid = Grid(columns, rows, int(max(tile_h, 1)), round(font_scale, 3))
            if needed <= fit_h:
                fitting.append((abs(math.log(tile_w / max(tile_h, 1) / TARGET_ASPECT)), grid))
            elif closest is None or needed - fit_h < closest[0]:
                closest = (needed - fit_h, grid)
        if fitting:
            return min(fitting, key=lambda pair: pair[0])[1]
        if font_scale <= floor + 1e-9:
            assert closest is not None
            return closest[1]  # nothing holds the text even at the normal size: the layout audit will say so
        font_scale = max(font_scale * 0.9, floor)


def _opens(opens_at: str | None, language: str, now: dt.datetime) -> str:
    """ "Opens at 13:30" today, "Opens tomorrow at 08:30", "Opens Monday at 08:30"; plain "Closed" otherwise."""
    if not opens_at:
        return translate(language, M.TILE_CLOSED)
    try:
        when = dt.datetime.fromisoformat(opens_at)
    except ValueError:
        return translate(language, M.TILE_CLOSED)
    fmt = Formatter(language)
    local_now = now.astimezone(when.tzinfo) if when.tzinfo else now
    days = (when.date() - local_now.date()).days
    time = fmt.clock(when)
    if days <= 0:
        return translate(language, M.TILE_OPENS_TODAY, time=time)
    if days == 1:
        return translate(language, M.TILE_OPENS_TOMORROW, time=time)
    return translate(language, M.TILE_OPENS_DAY, day=fmt.weekday(when), time=time)


def service_lines(service: dict[str, Any], language: str, now: dt.datetime) -> list[str]:
    """The detail under a service's name: people waiting and the estimated wait (one line, so twelve tiles fit a
    screen even in large text), or when it opens."""
    if not service.get("open_now", True):
        return [_opens(service.get("opens_at"), language, now)]
    fmt = Formatter(language)
    waiting = service.get("waiting")
    wait = service.get("estimated_wait_s")
    if wait is None:
        wait_text = translate(language, M.TILE_NO_COUNTER)
    elif wait < 60:
        wait_text = translate(language, M.TILE_NO_WAIT)
    else:
        wait_text = translate(language, M.TILE_WAIT, duration=fmt.duration(wait))
    if isinstance(waiting, int) and waiting > 0:  # nobody waiting: the wait says it all
        return [translate(language, M.TILE_WAITING, n=fmt.number(waiting)) + " · " + wait_text]
    return [wait_text]


def menu_tiles(services: list[dict[str, Any]], groups: list[dict[str, Any]], group: str | None, language: str,
               now: dt.datetime, *, priority_entry: list[str] | None = None) -> list[dict[str, Any]]:
    """The tiles of one menu level: its subgroups (listing what they hold), its services, and at the top level
    the priority entry (listing its categories) when the kiosk offers one."""
    tiles: list[dict[str, Any]] = []
    for g in groups:
        if g.get("parent") != group:
            continue
        inside = [name_in(s["names"], language) for s in services if s.get("group") == g["id"]]
        inside += [name_in(sub["names"], language) for sub in groups if sub.get("parent") == g["id"]]
        tiles.append({"kind": "group", "id": g["id"], "name": name_in(g["names"], language),
                      "lines": [" · ".join(inside)] if inside else [],
                      "open": True})
    for service in services:
        if service.get("group") != group:
            continue
        tiles.append({"kind": "service", "id": service["id"], "name": name_in(service["names"], language),
                      "lines": service_lines(service, language, now), "open": bool(service.get("open_now", True))})
    if priority_entry and group is None:
        tiles.append({"kind": "priority", "id": "priority", "name": translate(language, M.PRIORITY_ENTRY),
                      "lines": [" · ".join(priority_entry)], "open": True})
    return tiles
