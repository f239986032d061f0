"""The [keypad] section: how the keypad app behaves (owned by the keypad package's authors)."""

from __future__ import annotations

from config.base import Section


class KeypadConfig(Section):
    """Settings of the keypad app; every field has a range and a description."""
