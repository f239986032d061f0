"""`smartqueue display --config FILE [--windowed] [--screenshot PATH] [--language LANG]`."""

from __future__ import annotations

import argparse

from appkit.arguments import add_app_arguments, screenshot_defaults


def add_display_command(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("display", help="run the calling display (the waiting room's board)")
    add_app_arguments(parser)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from display.app import run  # Qt is imported only when the display really starts

    screenshot_defaults(args)
    return run(args)
