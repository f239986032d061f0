"""`smartqueue kiosk --config FILE`: the customer's kiosk, full screen (or windowed for development)."""

from __future__ import annotations

import argparse

from appkit.arguments import add_app_arguments, screenshot_defaults


def add_kiosk_command(sub: argparse._SubParsersAction) -> None:
    kiosk = sub.add_parser("kiosk", help="run the customer's touch kiosk")
    add_app_arguments(kiosk)
    kiosk.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.app import run as run_kiosk  # Qt is imported only when the kiosk really starts

    screenshot_defaults(args)
    return run_kiosk(args)
