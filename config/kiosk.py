"""The [kiosk] section: how the kiosk app behaves (owned by the kiosk package's authors)."""

from __future__ import annotations

from config.base import Section


class KioskConfig(Section):
    """Settings of the kiosk app; every field has a range and a description."""
