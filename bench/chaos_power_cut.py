"""Whole-branch power cuts, many of them (issue 16): `python -m bench.chaos_power_cut [--cuts 200] [--seed N]`.

The same scenario as tests/branch/cluster/test_power_cut.py (devtools/power_cut.py): three members on lazyfs mounts,
two clients streaming tickets, every member's power cut at a random moment, restarted, checked (acknowledged tickets
on every member, no number twice, identical chains, every member back). Stops at the first broken invariant. Takes
about 5-8 s a cut on a 2-core machine (restarts grow with the history). Needs root and /dev/fuse.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench._common import percentile, summary
from devtools import power_cut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cuts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    print(f"seed {args.seed}", flush=True)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sq-chaos-power-")
    try:
        report = power_cut.run(Path(tmp), args.cuts, seed=args.seed, say=lambda line: print(line, flush=True))
    except AssertionError as err:
        print(f"INVARIANT BROKEN: {err} (members' logs and disks kept in {tmp})")
        summary("power-cuts", "broken", "-", f"{args.cuts} cuts, 0 lost", False)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"{report.rounds} whole-branch power cuts, {len(report.acknowledged)} acknowledged tickets, none lost, "
          f"no number twice, identical chains ({elapsed:.0f} s)")
    print(f"restart after a cut: median {percentile(report.restart_s, 50):.1f} s, max {max(report.restart_s):.1f} s")
    summary("power-cuts", f"{report.rounds} cuts, {len(report.acknowledged)} acked, 0 lost",
            "-", f"{args.cuts} cuts, 0 lost", True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
