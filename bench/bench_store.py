"""Bench: engine + store throughput (commands/s) beside a bare SQLite insert+commit loop, same durability, same run.

Method (one process, synchronous, no HTTP): each round makes a fresh temp dir and runs
  bare     sqlite3, WAL + synchronous=FULL, one single-row INSERT (a ~300-byte JSON text) + COMMIT per iteration
  issue    BranchCore.prepare(IssueTicket) + BranchCore.persist on a fresh node database (the example branch, its
           WAL + synchronous=FULL store): decide, apply, hash-chain, then one transaction with the event, the outbox
           row, the ticket projection (and a state snapshot every `snapshot_every` events)
  api      the same plus what POST /api/v1/tickets adds on the command path: the response view (people ahead,
           estimated wait) and the idempotency row
  mix      login three agents, then cycles of issue / call-next / start / finish spread over three counters
Rounds alternate the variants so drift hits all alike; a variant's rate is the median of its rounds and its share of
bare is the median over rounds of (its rate / the bare rate of the same round). The temp dirs live
in the system temp dir (the same disk as the repo on the bench machine). Target: issue >= 50 % of bare.

Run: .venv/bin/python -m bench.bench_store   (exit status 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench._common import bench_config, machine, summary
from branch.core import BranchCore
from branch.setup_build import build_setup
from branch.store import Store
from branch.views import ticket_view
from queue_engine import commands as cmd

SERVICES = ("accounts", "cash", "loans")
COUNTERS = (("1", "alice"), ("2", "karim"), ("3", "bench"))
TARGET = 0.5
ROW = json.dumps({"ticket_id": "0123456789abcdef", "service": "accounts", "number": "A-001", "day": "2026-11-24",
                  "level": 0, "category": None, "language": "fr", "queue_ms": 1_795_000_000_000,
                  "appointment_ref": None, "slot_ms": None, "late": False, "pad": "x" * 120})


def bare_loop(path: Path, n: int) -> float:
    """Single-row INSERT + COMMIT per iteration; returns commits/s."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)")
    started = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (seq, data) VALUES (?, ?)", (i + 1, ROW))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return n / elapsed


def _core(path: Path) -> BranchCore:
    config = bench_config()
    return BranchCore(build_setup(config), Store(path), config.node.snapshot_every)


ACTOR = {"device": "kiosk-bench", "agent": None}


def issue_loop(path: Path, n: int, *, api: bool = False) -> tuple[float, int]:
    """IssueTicket commands through prepare + persist; (commands/s, events written)."""
    core = _core(path)
    setup = core.setup
    at = int(time.time() * 1000)
    events = 0
    started = time.perf_counter()
    for i in range(n):
        ticket_id = uuid.uuid4().hex[:16]
        command = cmd.IssueTicket(at_ms=at + i, ticket_id=ticket_id, service=SERVICES[i % 3], language="fr")
        if api:
            def respond(_events, ticket_id=ticket_id):
                return 201, ticket_view(core.state, setup, core.state.tickets[ticket_id])

            prepared = core.prepare(command, ACTOR, uuid.uuid4().hex, respond,
                                    ("kiosk-bench/", uuid.uuid4().hex, "0" * 64))
        else:
            prepared = core.prepare(command, ACTOR, uuid.uuid4().hex)
        core.persist(prepared)
        events += len(prepared.events)
    elapsed = time.perf_counter() - started
    core.store.close()
    return n / elapsed, events


def mix_loop(path: Path, n: int) -> tuple[float, int]:
    """Cycles of issue / call-next / start / finish over three counters (n commands in all, after log-ins)."""
    core = _core(path)
    at = int(time.time() * 1000)
    count = events = 0

    def run(command: cmd.Command) -> None:
        nonlocal count, events
        prepared = core.prepare(command, ACTOR, uuid.uuid4().hex)
        core.persist(prepared)
        count += 1
        events += len(prepared.events)

    for counter, agent in COUNTERS:
        run(cmd.LoginAgent(at_ms=at, counter=counter, agent=agent, session_id=uuid.uuid4().hex))
    for _ in range(20):  # a small standing queue
        run(cmd.IssueTicket(at_ms=at, ticket_id=uuid.uuid4().hex[:16], service="accounts"))
    count = events = 0
    started = time.perf_counter()
    i = 0
    while count < n:
        at += 1000
        counter, agent = COUNTERS[i % 3]
        run(cmd.IssueTicket(at_ms=at, ticket_id=uuid.uuid4().hex[:16], service=SERVICES[i % 3]))
        run(cmd.CallNext(at_ms=at, counter=counter, agent=agent))
        run(cmd.StartServing(at_ms=at, counter=counter, agent=agent))
        run(cmd.FinishServing(at_ms=at, counter=counter, agent=agent, outcome=None))
        i += 1
    elapsed = time.perf_counter() - started
    core.store.close()
    return count / elapsed, events


def _fresh(fn: Callable[[Path], float | tuple[float, int]]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="sq-bench-store-") as tmp:
        result = fn(Path(tmp) / "bench.sqlite3")
    return result if isinstance(result, tuple) else (result, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000, help="commands (or commits) per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    n = args.commands
    variants: dict[str, Callable[[Path], float | tuple[float, int]]] = {
        "bare": lambda p: bare_loop(p, n),
        "issue": lambda p: issue_loop(p, n),
        "api": lambda p: issue_loop(p, n, api=True),
        "mix": lambda p: mix_loop(p, n),
    }
    _fresh(lambda p: issue_loop(p, 200))  # warm-up: imports, caches
    _fresh(lambda p: bare_loop(p, 200))
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, fn in variants.items():
            results[name].append(_fresh(fn))
    rate = {name: statistics.median(r[0] for r in rows) for name, rows in results.items()}
    events = {name: rows[0][1] for name, rows in results.items()}
    # each round's ratio to the bare loop of the same round, so the VM's fsync drift between rounds cancels out
    ratios = {name: statistics.median(r[0] / b[0] for r, b in zip(rows, results["bare"], strict=True))
              for name, rows in results.items()}
    bare = rate["bare"]
    print(f"store bench: {n} commands per round, median of {args.rounds} rounds, fresh SQLite file each, "
          f"WAL + synchronous=FULL; {machine()}")
    labels = {"bare": "bare sqlite3 INSERT+COMMIT", "issue": "IssueTicket prepare+persist",
              "api": "IssueTicket + response view + idempotency", "mix": "mix issue/call/start/finish"}
    for name, label in labels.items():
        rounds = ", ".join(f"{r[0]:.0f}" for r in results[name])
        per_event = f"   {events[name] / n:.2f} events/command" if events[name] else ""
        print(f"{label:44} {rate[name]:8.0f} /s  {ratios[name]:6.1%} of bare   (rounds: {rounds}){per_event}")
    ratio = ratios["issue"]
    ok = ratio >= TARGET
    print(f"target issue >= {TARGET:.0%} of bare: {ratio:.1%}")
    summary("store", f"IssueTicket {rate['issue']:.0f} commands/s ({ratio:.0%} of bare); mix {rate['mix']:.0f}/s "
            f"({ratios['mix']:.0%})", f"sqlite3 insert+commit {bare:.0f}/s",
            f">= {TARGET:.0%} of bare", ok, issue_per_s=round(rate["issue"]), ratio=round(ratio, 3),
            api_per_s=round(rate["api"]), mix_per_s=round(rate["mix"]), bare_per_s=round(bare))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
