"""Bench: how long pysyncobj's thread (which sends heartbeats and answers votes) stalls while a cluster member
writes its full dump (log compaction), with the dump written off that thread (`BackgroundDump`) and, as the
baseline in the same run, on it (the way before: `Replica(at_applied=None)`).

Method: one real Replica (pysyncobj + our durable journal) on loopback, alone in its cluster, over a branch
database grown to ~60 MB (100,000 finished tickets, as months of history would make it); log compaction every 50
entries; entries proposed back to back and applied by a small applier thread that records the Raft index in
SQLite (as the node's apply task does). The figure: the longest gap between two ticks of pysyncobj's thread
during 6 compactions (its heartbeat period is 0.1 s: a gap longer than the election timeout deposes a leader).
Target: max tick gap < 100 ms with background dumps.

Run: .venv/bin/python -m bench.bench_dump
"""

from __future__ import annotations

import queue
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from bench._common import load_average, machine, summary
from branch.cluster.replica import Replica
from branch.store import Store

TARGET_MS = 100.0
COMPACTIONS = 6
EVERY = 50


def _port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def grow(db: Path, rows: int) -> None:
    store = Store(db)
    data = "x" * 600
    store.execute_write("BEGIN")
    store._writer.executemany(
        "INSERT INTO tickets (id, day, number, service, status, issued_ms, data, updated_seq)"
        " VALUES (?, '2020-01-01', ?, 'cash', 'done', 0, ?, 0)", ((f"t{i}", f"C-{i}", data) for i in range(rows)))
    store.execute_write("COMMIT")
    store.close()


def run(db: Path, data_dir: Path, background: bool, compact_every: int = EVERY) -> dict:
    applied = [0]
    todo: queue.Queue = queue.Queue()
    conn = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")

    def applier() -> None:
        while (item := todo.get()) is not None:
            if callable(item):  # a dump's pin, queued behind the entries handed over before it
                item()
                continue
            conn.execute("UPDATE cluster_state SET applied_index = ? WHERE id = 1", (item,))
            applied[0] = item

    def wait_applied(index: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while applied[0] < index:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return applied[0] == index

    settings = SimpleNamespace(election_timeout_min_s=0.6, election_timeout_max_s=1.2, heartbeat_s=0.1,
                               leader_fallback_s=1.2, connection_timeout_s=1.5, connection_retry_s=0.3,
                               log_compaction_entries=compact_every, fast_failover=True)
    thread = threading.Thread(target=applier, daemon=True)
    thread.start()
    replica = Replica(data_dir=data_dir, db_path=db, self_address=f"127.0.0.1:{_port()}", peers=[],
                      password="bench", apply=lambda index, payload: todo.put(index),
                      replayed=lambda index, payload: None, applied_index=lambda: applied[0],
                      wait_applied=wait_applied, install_dump=lambda f, i: None, settings=settings,
                      at_applied=(lambda index, action: todo.put(action)) if background else None)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    try:
        deadline = time.monotonic() + 10
        while not replica.is_leader:
            assert time.monotonic() < deadline, "no leader"
            time.sleep(0.05)
        last[0] = time.perf_counter()
        replica._raft.addOnTickCallback(tick)
        dump = data_dir / "raft" / "dump"
        dumps, seen = 0, None
        deadline = time.monotonic() + 300
        until = time.monotonic() + 8  # without compaction: as long as six dumps take
        while (dumps < COMPACTIONS if compact_every == EVERY else time.monotonic() < until) \
                and time.monotonic() < deadline:
            for _ in range(10):
                replica.propose(b"bench")
            time.sleep(0.02)
            stamp = dump.stat().st_mtime_ns if dump.exists() else None
            if stamp != seen and stamp is not None:
                dumps, seen = dumps + 1, stamp
        time.sleep(0.5)
    finally:
        replica.stop()
        todo.put(None)
        thread.join(5)
        conn.close()
    gaps.sort()
    return {"max_gap_ms": gaps[-1], "p99_gap_ms": gaps[int(len(gaps) * 0.99)], "dumps": dumps,
            "dump_ms": replica.dump.last_ms if replica.dump else None}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sq-bench-dump-") as tmp:
        root = Path(tmp)
        results = {}
        for name, background, every in (("inline", False, EVERY), ("background", True, EVERY),
                                         ("none", True, 10 ** 9)):
            data_dir = root / name
            data_dir.mkdir()
            db = data_dir / "branch.sqlite3"
            grow(db, 100_000)
            size = db.stat().st_size / 1e6
            results[name] = run(db, data_dir, background, every)
        print(f"machine: {machine()}, {load_average()}; database {size:.0f} MB")
        inline, off, none = results["inline"], results["background"], results["none"]
        print(f"bare (no dump at all, same load): max tick gap {none['max_gap_ms']:.0f} ms, p99 "
              f"{none['p99_gap_ms']:.0f} ms")
        print(f"baseline (dump on the Raft thread): max tick gap {inline['max_gap_ms']:.0f} ms, p99 "
              f"{inline['p99_gap_ms']:.0f} ms over {inline['dumps']} dumps")
        print(f"pipeline (dump off the Raft thread): max tick gap {off['max_gap_ms']:.0f} ms, p99 "
              f"{off['p99_gap_ms']:.0f} ms over {off['dumps']} dumps; the last dump took {off['dump_ms'] or 0:.0f} ms "
              "on its own thread")
        ok = off["max_gap_ms"] < TARGET_MS and off["dumps"] >= COMPACTIONS
        summary("dump", f"max Raft tick gap during dumps {off['max_gap_ms']:.0f} ms",
                f"{inline['max_gap_ms']:.0f} ms with the dump on the Raft thread, {none['max_gap_ms']:.0f} ms with "
                "no dump", f"< {TARGET_MS:.0f} ms", ok)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
