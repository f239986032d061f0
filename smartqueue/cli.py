"""`smartqueue ROLE ...`: one entry point for every role; each package adds its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys

#: Each package adds its own subcommands.
PLUGINS = (
    ("hardware.cli", "add_hardware_commands"),
    ("kiosk.cli", "add_kiosk_command"),
    ("display.cli", "add_display_command"),
    ("agent_keypad.cli", "add_keypad_command"),
    ("sync.cli", "add_central_commands"),
)


def build_parser() -> argparse.ArgumentParser:
    from branch.cli import add_node_commands
    from smartqueue.demo import add_demo_command

    parser = argparse.ArgumentParser(prog="smartqueue", description="SmartQueue Edge")
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command")
    add_node_commands(sub)
    add_demo_command(sub)
    for module, function in PLUGINS:
        try:
            add = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError):
            continue  # a part not built yet (or left out of a bundle)
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from smartqueue import __version__

        print(__version__)
        return 0
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
