"""`smartqueue kiosk --config FILE`: the customer's kiosk, full screen (or windowed for development)."""

from __future__ import annotations

import argparse

from appkit.arguments import add_app_arguments, screenshot_defaults


def add_kiosk_command(sub: argparse._SubParsersAction) -> None:
    kiosk = sub.add_parser("kiosk", help="run the customer's touch kiosk")
    add_app_arguments(kiosk)
    kiosk.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ground.logs import setup_logging
    from kiosk.app import EXIT_RELOAD, run_kiosk

    setup_logging()
    screenshot_defaults(args)
    while True:  # a technician's "reload configuration" restarts the app on the validated file
        code = run_kiosk(args.config, windowed=args.windowed, screenshot=args.screenshot, language=args.language)
        if code != EXIT_RELOAD:
            return code
