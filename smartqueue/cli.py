"""`smartqueue ROLE ...`: one entry point for every role; each package adds its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import sys

#: Each subcommand's package and the function that adds it; imported only when needed, so `smartqueue node`
#: never loads Qt, numpy or the printer stack (tens of MB of memory a node does not need).
PLUGINS: dict[str, tuple[str, str]] = {
    "node": ("smartqueue.node_cli", "add_node_commands"),
    "demo": ("smartqueue.demo", "add_demo_command"),
    "hardware": ("hardware.cli", "add_hardware_commands"),
    "kiosk": ("kiosk.cli", "add_kiosk_command"),
    "display": ("display.cli", "add_display_command"),
    "keypad": ("agent_keypad.cli", "add_keypad_command"),
    "central": ("sync.cli", "add_central_commands"),
    "setup": ("commissioning.cli", "add_setup_commands"),
    "doctor": ("commissioning.cli", "add_doctor_command"),
    "support-bundle": ("commissioning.cli", "add_support_bundle_command"),
}


#: Python packages shipped apart from the node's package (packaging/roles.py), and the package that brings each.
OPTIONAL_PARTS: dict[str, str] = {"PySide6": "smartqueue-apps", "shiboken6": "smartqueue-apps",
                                  "PIL": "smartqueue-apps", "cv2": "smartqueue-camera", "numpy": "smartqueue-camera",
                                  "zxingcpp": "smartqueue-camera", "psycopg": "smartqueue-postgresql"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for one subcommand (`only`), or for all of them (help, unknown command)."""
    parser = argparse.ArgumentParser(prog="smartqueue", description="SmartQueue Edge")
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command")
    for name, (module, function) in PLUGINS.items():
        if only is not None and name != only:
            continue
        # Parsers never import Qt, OpenCV or numpy (tests/smartqueue/test_cli_without_qt.py): a plugin that fails
        # to import is a bug, said plainly, not a command silently missing from "choose from ...".
        getattr(importlib.import_module(module), function)(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in PLUGINS else None)
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
    except ModuleNotFoundError as err:
        part = OPTIONAL_PARTS.get((err.name or "").split(".")[0])
        if part is None:
            raise
        print(f"smartqueue {command}: this machine lacks {err.name} (install the {part} package: "
              f"apt-get install {part})", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
