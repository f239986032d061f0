"""What the ports' command-line pieces share."""

from __future__ import annotations

import argparse


def simulate_subparsers(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `simulate` command's own subparsers, created by whichever port registers first."""
    simulate = subparsers.choices.get("simulate")
    if simulate is None:
        simulate = subparsers.add_parser("simulate", help="run a device simulator standalone")
        targets = simulate.add_subparsers(dest="simulate_target", required=True)
        simulate.set_defaults(simulate_subparsers=targets)
        return targets
    return simulate.get_default("simulate_subparsers")
