"""The arguments every app takes. Free of Qt on purpose: `smartqueue kiosk --help` must work on a machine
(or a node-only package) without Qt's libraries, so building the parser never imports PySide6."""

from __future__ import annotations

import argparse
from pathlib import Path

from ground.i18n import LANGUAGES


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="the device's configuration file (TOML)")
    parser.add_argument("--windowed", action="store_true", help="a window with a cursor (development)")
    parser.add_argument("--screenshot", type=Path, help="save the first frame to this PNG and quit")
    parser.add_argument("--language", choices=list(LANGUAGES), help="start in this language")


def screenshot_defaults(args: argparse.Namespace) -> None:
    """A first-frame screenshot renders with Qt Quick's software backend unless told otherwise: under xcb the
    OpenGL backend segfaults on exit after saving the image (4 runs of 4 for the kiosk, PySide6 6.11)."""
    if getattr(args, "screenshot", None) is not None:
        import os

        os.environ.setdefault("QT_QUICK_BACKEND", "software")
