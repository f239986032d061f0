"""`smartqueue keypad --config FILE [--windowed] [--screenshot PATH] [--language fr|en|ar] [--bar]`."""

from __future__ import annotations

import argparse

from appkit.arguments import add_app_arguments, screenshot_defaults


def add_keypad_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keypad", help="the agent keypad at a counter")
    add_app_arguments(parser)
    parser.add_argument("--bar", action="store_true", help="start as the small always-on-top bar")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from agent_keypad.app import run  # Qt is imported only when the keypad actually runs

    screenshot_defaults(args)
    return run(args)
