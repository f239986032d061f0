"""The [display] section: how the display app behaves (owned by the display package's authors)."""

from __future__ import annotations

from config.base import Section


class DisplayConfig(Section):
    """Settings of the display app; every field has a range and a description."""
