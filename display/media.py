"""The media panel's playlist: images for a while, videos to their end, files that are missing skipped.

Central may later push a playlist; it will arrive as the same list of items (`config.display.MediaItem`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from config.display import MediaItem

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".svg", ".gif", ".bmp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".webm", ".mkv", ".mov", ".avi", ".ogv"})


@dataclass(frozen=True, slots=True)
class MediaEntry:
    path: Path
    kind: str  # "image" | "video"
    seconds: float


def media_kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return None


class MediaPlaylist:
    def __init__(self, items: list[MediaItem], base: Path | None = None) -> None:
        self.entries: list[MediaEntry] = []
        for item in items:
            path = Path(item.path)
            if not path.is_absolute() and base is not None:
                path = base / path
            kind = media_kind(path)
            if kind is None or not path.is_file():
                log.warning("media %s skipped: %s", path, "unknown type" if kind is None else "no such file")
                continue
            self.entries.append(MediaEntry(path, kind, item.seconds))
        self._index = 0

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def current(self) -> MediaEntry | None:
        return self.entries[self._index] if self.entries else None

    def advance(self) -> MediaEntry | None:
        if self.entries:
            self._index = (self._index + 1) % len(self.entries)
        return self.current
