"""What a frame decoder found: shared by the decoders and the module that chooses between them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    """The texts decoded in one frame, and how many symbols were located but could not be read."""

    texts: list[str]
    unreadable: int = 0
