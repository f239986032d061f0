"""Bench: issue-ticket latency while 20 clients hammer the node with /state reads and tickets, on a long day.

Method: a node (`python -m smartqueue node`, own process) starts with 6,000 waiting tickets already in its
database (the auditor's "/state at 6,000 tickets" case). A load process (`python -m bench._load`, aiohttp, its own
process, 10 device tokens) runs, for 15 s each:
- hammer: 10 clients reading /state back to back + 10 kiosks issuing 1 ticket/s each (Poisson arrivals, 10/s in
  all: far above a busy branch's peak of a ticket every few seconds) — the figure, target p99 < 50 ms;
- saturation: the same 10 readers + 10 kiosks issuing back to back (closed loop): the node's ceiling, reported
  (latency there is concurrency / throughput by construction, so it has no target);
- baseline, same run, same node: the same 10 kiosks at 1 ticket/s each, without the readers.
Every client has its own address; the node's per-address request rate (20/s, bursts of 40) applies to them all.

Run: .venv/bin/python -m bench.bench_abuse   (exit status 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench._common import NodeProcess, load_average, machine, percentile, run_load, summary

P99_TARGET_MS = 50.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefill", type=int, default=6000)
    parser.add_argument("--duration", type=float, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sq-bench-abuse-") as tmp, \
            NodeProcess(Path(tmp), kiosks=10, prefill=args.prefill) as node:
        alone = run_load(node, Path(tmp) / "alone.json", kiosks=10, rate=1, duration=args.duration)
        hammer = run_load(node, Path(tmp) / "hammer.json", kiosks=10, rate=1, readers=10, duration=args.duration)
        ceiling = run_load(node, Path(tmp) / "ceiling.json", kiosks=10, readers=10, duration=args.duration)
    a50, a99 = percentile(alone["tickets_ms"], 50), percentile(alone["tickets_ms"], 99)
    n50, n99 = percentile(hammer["tickets_ms"], 50), percentile(hammer["tickets_ms"], 99)
    c50, c99 = percentile(ceiling["tickets_ms"], 50), percentile(ceiling["tickets_ms"], 99)
    ok = n99 < P99_TARGET_MS and not hammer["error_count"]
    kb = hammer["state_bytes"] / 1024
    print(f"abuse bench ({machine()}, {load_average()}): {args.prefill} tickets waiting at start")
    print(f"  hammer:     {len(hammer['tickets_ms'])} tickets p50 {n50:.1f} ms p99 {n99:.1f} ms, "
          f"{hammer['state_reads']} /state reads ({kb:.0f} KB each), {hammer['error_count']} errors "
          f"{hammer['errors'][:3]}")
    print(f"  saturation: {len(ceiling['tickets_ms']) / args.duration:.0f} tickets/s p50 {c50:.1f} ms p99 "
          f"{c99:.1f} ms, {ceiling['state_reads'] / args.duration:.0f} /state reads/s")
    print(f"  no readers: {len(alone['tickets_ms'])} tickets p50 {a50:.1f} ms p99 {a99:.1f} ms")
    summary("abuse", f"issue-ticket p50 {n50:.1f} ms, p99 {n99:.1f} ms at 10 tickets/s with 10 /state readers "
                     f"hammering ({kb:.0f} KB /state, {args.prefill} waiting); saturation "
                     f"{len(ceiling['tickets_ms']) / args.duration:.0f} tickets/s p99 {c99:.0f} ms",
            f"the same kiosks without readers p50 {a50:.1f} ms, p99 {a99:.1f} ms", f"p99 < {P99_TARGET_MS:.0f} ms", ok,
            load=load_average())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
