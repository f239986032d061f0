"""Agent ids recently logged in at this keypad, for one-tap login on a touch screen (ids only, never PINs)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path


class AgentMemory:
    """The last `size` agent ids, most recent first, kept in the device's data directory (`size` 0: none)."""

    def __init__(self, path: Path | None, size: int) -> None:
        self.path, self.size = path, size
        self.ids: list[str] = []
        if path is not None and size and path.exists():
            with contextlib.suppress(OSError, ValueError):
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.ids = [str(i) for i in loaded if isinstance(i, str)][:size]

    def remember(self, agent: str) -> None:
        if not self.size:
            return
        self.ids = [agent, *(i for i in self.ids if i != agent)][: self.size]
        if self.path is not None:
            with contextlib.suppress(OSError):  # a read-only disk costs the convenience, nothing else
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text(json.dumps(self.ids), encoding="utf-8")
