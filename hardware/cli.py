"""`smartqueue hardware ...`: what is configured, what answers, test prints and scans, standalone simulators."""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

from config.loader import ConfigError, load_config
from config.printer import PrinterConfig
from hardware.fingerprint.cli import add_fingerprint_commands
from hardware.printer.cli import add_printer_commands
from hardware.scanner.cli import add_scanner_commands


def add_hardware_commands(sub: argparse._SubParsersAction) -> None:
    hardware = sub.add_parser("hardware", help="diagnose devices and run simulators")
    hardware.add_argument("--config", help="the device's configuration file (TOML)")
    actions = hardware.add_subparsers(dest="hardware_action", required=True)
    listing = actions.add_parser("list", help="what hardware the configuration declares")
    listing.set_defaults(handler=list_hardware)
    add_printer_commands(actions)
    add_scanner_commands(actions)
    add_fingerprint_commands(actions)
    simulate = actions.choices["simulate"].get_default("simulate_subparsers")
    for parser in (actions.choices["print-test"], actions.choices["status"], simulate.choices["printer"]):
        parser.set_defaults(handler=functools.partial(_with_printer_config, parser.get_default("handler")))
    for parser in (actions.choices["scan-test"], actions.choices["fingerprint-status"],
                   actions.choices["fingerprint-enroll"]):
        parser.set_defaults(handler=functools.partial(_with_device_config, parser.get_default("handler")))


def _load(args: argparse.Namespace) -> Any:
    if not getattr(args, "config", None):
        return None
    try:
        return load_config(args.config)
    except ConfigError as err:
        print(f"configuration error:\n{err}", file=sys.stderr)
        raise SystemExit(2) from None


def _with_printer_config(handler: Any, args: argparse.Namespace) -> int:
    """Printer commands take the [printer] section (the simulator when none is configured)."""
    config = _load(args)
    printer = config.printer if config is not None and config.printer is not None else PrinterConfig()
    return handler(args, printer)


def _with_device_config(handler: Any, args: argparse.Namespace) -> int:
    """Scanner and fingerprint commands read their sections from the configuration when one is given."""
    config = _load(args)
    if config is not None:
        args.scanner_config = config.scanner
        args.fingerprint_config = config.fingerprint
    return handler(args)


def list_hardware(args: argparse.Namespace) -> int:
    config = _load(args)
    if config is None:
        print("give --config FILE to list a device's hardware", file=sys.stderr)
        return 2
    rows = [
        ("printer", config.printer.model + " via " + config.printer.connection.type if config.printer else "none"),
        ("scanner", config.scanner.device.kind if config.scanner and config.scanner.enabled else "none"),
        ("fingerprint", ("simulated" if config.fingerprint.simulated else config.fingerprint.port)
         if config.fingerprint and config.fingerprint.enabled else "none"),
    ]
    for name, value in rows:
        print(f"{name:12} {value}")
    return 0
