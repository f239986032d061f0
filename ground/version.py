"""The product's version, one place for every package (and the installers) to read.

`VERSION` is the source. A package build may stamp another one (`build_deb --version 0.1.1-1`): it writes a
`VERSION` file beside this module in the installed bundle, and the frozen program reports that, so what
`smartqueue --version` says is always what dpkg installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

VERSION = "0.1.0"


def _stamped() -> str | None:
    if not getattr(sys, "frozen", False):
        return None
    try:
        text = Path(__file__).with_name("VERSION").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


VERSION = _stamped() or VERSION
