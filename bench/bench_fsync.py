"""Bench: issue-ticket latency on slow appliance storage (fsync latency injected), with group commit.

Method: an LD_PRELOAD shim (`bench/slowfsync.c`, built here with cc) makes every fsync/fdatasync of the node's
process sleep 5 ms or 20 ms before the real call — on the real path SQLite takes (its C calls), as an SD card or
eMMC would. For each delay, a node (`python -m smartqueue node`, WAL + synchronous=FULL, its own process) serves:
- 8 kiosks issuing 2 tickets/s each (Poisson arrivals, 16/s: several kiosks' commands arriving together) for 20 s,
  the figure: issue-ticket p50/p99/max, and commands per SQLite commit (group commit) from /metrics;
- the same 8 kiosks back to back (closed loop): throughput and p99 at saturation, reported.
WAL checkpoints run every 2 s on their own connection during both, so a checkpoint stall would show in the max.
Baseline, same run, same shim and delay: bare sqlite3 (WAL, synchronous=FULL) single-row INSERT+COMMIT latency,
one process, one commit at a time — one fsync each, the floor any commit pays; and the ceiling of one commit per
command (1000 / delay commands/s), which the saturation figure beats only by sharing commits.
Targets: p99 < 10 ms at 5 ms fsync, p99 < 50 ms at 20 ms.

Run: .venv/bin/python -m bench.bench_fsync   (exit status 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from bench._common import PYTHON, ROOT, NodeProcess, load_average, machine, metric, percentile, run_load, summary

TARGETS_MS = {5: 10.0, 20: 50.0}

BARE = """
import json, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=FULL")
conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
out = []
for i in range(int(sys.argv[2])):
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE"); conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 200,)); conn.execute("COMMIT")
    out.append((time.perf_counter() - started) * 1000)
print(json.dumps(out))
"""


def build_shim(folder: Path) -> Path:
    library = folder / "libslowfsync.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(ROOT / "bench" / "slowfsync.c"), "-ldl"],
                   check=True)
    return library


def bare_commits(shim: Path, delay_ms: int, folder: Path, count: int) -> list[float]:
    env = {"LD_PRELOAD": str(shim), "SQ_FSYNC_DELAY_US": str(delay_ms * 1000)}
    done = subprocess.run([PYTHON, "-c", BARE, str(folder / f"bare-{delay_ms}.sqlite3"), str(count)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--delays", default="5,20", help="fsync delays in ms")
    args = parser.parse_args(argv)
    ok_all = True
    figures, baselines = [], []
    print(f"fsync bench ({machine()}, {load_average()} at start)")
    with tempfile.TemporaryDirectory(prefix="sq-bench-fsync-") as tmp:
        shim = build_shim(Path(tmp))
        for delay in (int(d) for d in args.delays.split(",")):
            work = Path(tmp) / f"d{delay}"
            work.mkdir()
            bare = bare_commits(shim, delay, work, 200)
            env = {"LD_PRELOAD": str(shim), "SQ_FSYNC_DELAY_US": str(delay * 1000)}
            with NodeProcess(work, kiosks=8, env=env) as node:
                before = requests.get(node.base + "/metrics", timeout=10,
                                      headers={"Authorization": f"Bearer {node.admin_token}"}).text
                steady = run_load(node, work / "steady.json", kiosks=8, rate=2, duration=args.duration)
                after = requests.get(node.base + "/metrics", timeout=10,
                                     headers={"Authorization": f"Bearer {node.admin_token}"}).text
                closed = run_load(node, work / "closed.json", kiosks=8, duration=args.duration / 2)
            commits = metric(after, "sq_commits") - metric(before, "sq_commits")
            commands = metric(after, "sq_commit_commands") - metric(before, "sq_commit_commands")
            ms = steady["tickets_ms"]
            p50, p99, worst = percentile(ms, 50), percentile(ms, 99), max(ms)
            c99 = percentile(closed["tickets_ms"], 99)
            b50, b99 = percentile(bare, 50), percentile(bare, 99)
            ok = p99 < TARGETS_MS.get(delay, float("inf")) and not steady["error_count"]
            ok_all &= ok
            print(f"  fsync +{delay} ms: {len(ms)} tickets p50 {p50:.1f} ms p99 {p99:.1f} ms max {worst:.1f} ms, "
                  f"{commands / max(commits, 1):.2f} commands per commit; saturation "
                  f"{len(closed['tickets_ms']) / (args.duration / 2):.0f} tickets/s p99 {c99:.1f} ms; "
                  f"bare commit p50 {b50:.1f} p99 {b99:.1f} ms; {steady['error_count']} errors ({load_average()})")
            figures.append(f"+{delay} ms fsync: p50 {p50:.1f}, p99 {p99:.1f}, max {worst:.1f} ms "
                           f"({commands / max(commits, 1):.2f} cmd/commit; saturation "
                           f"{len(closed['tickets_ms']) / (args.duration / 2):.0f}/s p99 {c99:.0f} ms)")
            baselines.append(f"+{delay} ms: bare commit p50 {b50:.1f}, p99 {b99:.1f} ms (one commit per command: "
                             f"at most {1000 / delay:.0f} commands/s)")
    summary("fsync", "; ".join(figures), "; ".join(baselines),
            " and ".join(f"p99 < {v:.0f} ms at +{k} ms" for k, v in TARGETS_MS.items()), ok_all, load=load_average())
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
