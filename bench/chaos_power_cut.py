"""Whole-branch power cuts, many of them (issue 16): `python -m bench.chaos_power_cut [--cuts 200] [--tls-cuts 50]
[--seed N]`.

The same scenario as tests/branch/cluster/test_power_cut.py (devtools/power_cut.py): three members on lazyfs mounts,
two clients streaming tickets, every member's power cut at a random moment, restarted, checked (acknowledged tickets
on every member, no number twice, identical chains, every member back, a device made before the first cut follows
the new leader). Then `--tls-cuts` more on a new branch whose members serve HTTPS, every client pinning the branch
CA. Stops at the first broken invariant. Takes about 5-10 s a cut on a 2-core machine (restarts grow with the
history). Needs root and /dev/fuse.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench._common import percentile, summary
from devtools import power_cut


def _series(name: str, cuts: int, seed: int, tls: bool) -> bool:
    if cuts <= 0:
        return True
    scheme = "HTTPS, pinned branch CA" if tls else "plain HTTP"
    print(f"-- {cuts} cuts, {scheme}", flush=True)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="sq-chaos-power-")
    try:
        report = power_cut.run(Path(tmp), cuts, seed=seed, say=lambda line: print(line, flush=True), tls=tls)
    except AssertionError as err:
        print(f"INVARIANT BROKEN: {err} (members' logs and disks kept in {tmp})")
        summary(name, "broken", "-", f"{cuts} cuts, 0 lost", False)
        return False
    shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"{report.rounds} whole-branch power cuts ({scheme}), {len(report.acknowledged)} acknowledged tickets, "
          f"none lost, no number twice, identical chains, the device followed the new leader after "
          f"{report.device_followed} restarts ({elapsed:.0f} s)")
    print(f"restart after a cut: median {percentile(report.restart_s, 50):.1f} s, max {max(report.restart_s):.1f} s")
    summary(name, f"{report.rounds} cuts, {len(report.acknowledged)} acked, 0 lost",
            "-", f"{cuts} cuts, 0 lost", True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cuts", type=int, default=200)
    parser.add_argument("--tls-cuts", type=int, default=50, help="more cuts with every member serving HTTPS")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    print(f"seed {args.seed}", flush=True)
    ok = _series("power-cuts", args.cuts, args.seed, tls=False)
    ok = ok and _series("power-cuts-tls", args.tls_cuts, args.seed + 1, tls=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
