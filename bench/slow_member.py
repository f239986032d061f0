"""One member of three on a slow disk (review of issue 16): does the branch keep its leader and its latency?

Method: bench/slowfsync.c (LD_PRELOAD) makes every fsync/fdatasync of ONE member's process sleep `--delay` ms
first (a worn SD card, an eMMC in garbage collection). Two clients issue tickets for `--duration` s. Printed beside
the same run with no delay (the baseline): Raft elections (term changes seen in the members' logs), tickets
acknowledged, p50/p99/max latency. Run: `.venv/bin/python -m bench.slow_member --delay 300 --who follower`.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from devtools.cluster_harness import ROOT, make_cluster


def build_shim(folder: Path) -> Path:
    library = folder / "libslowfsync.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(ROOT / "bench" / "slowfsync.c"), "-ldl"],
                   check=True)
    return library


def terms(log: Path) -> int:
    found = [int(t) for t in re.findall(r"raft: \w+ in term (\d+)", log.read_text(errors="replace"))]
    return max(found, default=0)


def run(root: Path, shim: Path, delay_ms: int, who: str, duration: float) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    cluster = make_cluster(root)
    try:
        leader = cluster.start_serving()
        slow = leader if who == "leader" else next(m for m in cluster.members if m is not leader)
        if delay_ms:  # restart the chosen member on the slow disk
            cluster.stop(slow)
            os.environ.update(LD_PRELOAD=str(shim), SQ_FSYNC_DELAY_US=str(delay_ms * 1000))
            try:
                cluster.start(slow)
            finally:
                del os.environ["LD_PRELOAD"], os.environ["SQ_FSYNC_DELAY_US"]
        cluster.leader(timeout=30)
        time.sleep(2)
        before = {m.name: terms(root / f"{m.name}.log") for m in cluster.members}
        latencies: list[float] = []
        failures = [0]
        stop = threading.Event()

        def stream() -> None:
            client = cluster.client(timeout=5.0, retries=20, backoff=0.05)
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    client.issue_ticket("cash")
                except Exception:
                    failures[0] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)

        workers = [threading.Thread(target=stream, daemon=True) for _ in range(2)]
        for worker in workers:
            worker.start()
        time.sleep(duration)
        stop.set()
        for worker in workers:
            worker.join(30)
        after = {m.name: terms(root / f"{m.name}.log") for m in cluster.members}
        latencies.sort()
        return {"elections": max(after.values()) - max(before.values()), "tickets": len(latencies),
                "failures": failures[0],
                "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
                "max_ms": round(latencies[-1] * 1000, 1) if latencies else None}
    finally:
        cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=int, default=300, help="fsync delay in ms on the slow member")
    parser.add_argument("--who", choices=["follower", "leader"], default="follower")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--keep", help="keep the members' logs in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sq-slow-member-") as tmp:
        tmp = args.keep or tmp
        Path(tmp).mkdir(parents=True, exist_ok=True)
        shim = build_shim(Path(tmp))
        base = run(Path(tmp) / "base", shim, 0, args.who, args.duration)
        print(f"baseline (no delay): {base}", flush=True)
        slow = run(Path(tmp) / "slow", shim, args.delay, args.who, args.duration)
        print(f"{args.who} fsync +{args.delay} ms: {slow}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
