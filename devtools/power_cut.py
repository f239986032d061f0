"""Whole-branch power cuts under a ticket stream (issue 16), shared by the test suite and bench/chaos_power_cut.py.

Each member's data dir is a lazyfs mount (devtools/lazyfs.py: writes kept in memory until fsync). A round: start
the three members, wait for a leader, check the invariants, stream tickets from two clients, and at a random
moment cut the power of every member at once (freeze, drop every write not fsynced, kill). After the last round
the branch is started once more and checked. Invariants, on every member:
- every ticket acknowledged to a client (201 received) is there, with the number the client was given;
- no number is given twice in a day;
- identical hash chains (same seq, event ids and hashes);
- every member came back (a member whose database diverged from its log refuses to start: that fails the round);
- a device that outlives the cuts (one client, made before the first cut, on a UPS) follows the new leader after
  every restart: its first ticket is acknowledged by the newly elected leader (`device_follows`).
With `tls`, every member serves HTTPS and every client pins the branch CA, as paired devices do: the leaf
certificates are reissued at each restart (from a CA key on the lazyfs disk) and the device must still trust the
leader it finds.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devtools.cluster_harness import Cluster, chain, make_cluster, tickets
from nodeclient.client import NodeError

SERVICES = ["accounts", "cash", "loans"]


@dataclass
class Report:
    rounds: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # ticket id -> number, as clients were told
    per_round: list[int] = field(default_factory=list)
    restart_s: list[float] = field(default_factory=list)
    device_followed: int = 0  # restarts after which the surviving device's ticket was acknowledged by the leader


def duplicate_numbers(db: Path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT day, number, COUNT(*) FROM tickets GROUP BY day, number HAVING COUNT(*) > 1"
                            ).fetchall()
    finally:
        conn.close()


def lost_and_duplicated(db: Path, acknowledged: dict[str, str]) -> tuple[dict[str, str], list[tuple]]:
    """Acknowledged tickets missing from `db` (or holding another number), and numbers given twice in a day."""
    held = tickets(db)
    return {t: n for t, n in acknowledged.items() if held.get(t) != n}, duplicate_numbers(db)


def check_invariants(cluster: Cluster, acknowledged: dict[str, str]) -> int:
    """Raise AssertionError naming the first broken invariant; returns the converged seq."""
    try:
        seq = cluster.wait_converged(timeout=60)
    except AssertionError:
        for member in cluster.running():  # every thread's stack into the member's log (faulthandler, SIGUSR1)
            member.process.send_signal(signal.SIGUSR1)
        time.sleep(1)
        raise
    first = cluster.members[0].name
    deadline = time.monotonic() + 30
    while True:  # members may still apply housekeeping commands while they are read: compare common prefixes
        chains = {m.name: chain(m.db) for m in cluster.members}
        common = min(len(c) for c in chains.values())
        for name, other in chains.items():
            if other[:common] != chains[first][:common]:
                at = next(i for i, (a, b) in enumerate(zip(other, chains[first], strict=False)) if a != b)
                raise AssertionError(f"{name}'s hash chain differs from {first}'s at seq {other[at][0]}")
        if len({len(c) for c in chains.values()}) == 1:
            break
        lengths = {n: len(c) for n, c in chains.items()}
        assert time.monotonic() < deadline, f"chains stay of different lengths: {lengths}"
        time.sleep(0.2)
    for member in cluster.members:
        lost, duplicates = lost_and_duplicated(member.db, acknowledged)
        assert not lost, f"{member.name} lost {len(lost)} acknowledged tickets: {sorted(lost.items())[:5]}"
        assert not duplicates, f"{member.name} gave numbers twice: {duplicates[:5]}"
    return seq


def _stream(cluster: Cluster, stop: threading.Event, acknowledged: dict[str, str], lock: threading.Lock,
            seed: int) -> None:
    client = cluster.client(timeout=1.0, retries=2, backoff=0.05)
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            ticket = client.issue_ticket(rng.choice(SERVICES))
        except Exception:  # the power is going: whatever was not answered was not acknowledged
            time.sleep(0.02)
            continue
        with lock:
            acknowledged[ticket["id"]] = ticket["number"]


def device_follows(cluster: Cluster, device, report: Report) -> None:
    """The device issues a ticket (one Idempotency-Key, retried) and the branch's leader holds it: it found the
    leader elected after the restart, through its pinned CA when the branch serves HTTPS."""
    key = str(uuid.uuid4())
    deadline = time.monotonic() + 30
    while True:
        try:
            ticket = device.issue_ticket(random.choice(SERVICES), idempotency_key=key)
            break
        except NodeError as err:  # not reachable yet, an election, no quorum: retried, reported when it lasts
            assert time.monotonic() < deadline, f"the device found no leader after the restart: {err!r}"
            time.sleep(0.1)
    leader = cluster.leader()
    assert device.known_url == leader.url, f"the device uses {device.known_url}, the leader is {leader.url}"
    assert tickets(leader.db).get(ticket["id"]) == ticket["number"], "the leader does not hold the device's ticket"
    report.acknowledged[ticket["id"]] = ticket["number"]
    report.device_followed += 1


def start_branch(cluster: Cluster, report: Report) -> None:
    started = time.monotonic()
    for member in cluster.members:
        cluster.mount(member)
    cluster.start_all(timeout=90)  # a loaded 2-core machine replaying through FUSE can be slow
    cluster.leader(timeout=30)
    report.restart_s.append(time.monotonic() - started)


def run(root: Path, cuts: int, seed: int = 0, say: Callable[[str], None] = lambda _: None,
        streams: int = 2, window_s: tuple[float, float] = (0.2, 1.5), tls: bool = False) -> Report:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    # compaction every few hundred entries, so cuts also land during dumps and journal rewrites
    cluster = make_cluster(root, power_cuts=True, cluster_keys={"log_compaction_entries": 300}, tls=tls)
    report = Report()
    device = None
    try:
        for member in cluster.members:
            cluster.mount(member)
        cluster.token = cluster.issue_token(cluster.members[0])
        for member in cluster.members:
            cluster.unmount(member)
        lock = threading.Lock()
        for number in range(cuts):
            start_branch(cluster, report)
            if number == 0:
                cluster.wait_token_everywhere(cluster.token, timeout=30)
                device = cluster.client(timeout=1.0, retries=2, backoff=0.05)
                cluster.clients.remove(device)  # survives the cuts (the streams' clients do not)
            device_follows(cluster, device, report)
            check_invariants(cluster, report.acknowledged)
            before = len(report.acknowledged)
            stop = threading.Event()
            workers = [threading.Thread(target=_stream, args=(cluster, stop, report.acknowledged, lock,
                                                              rng.randrange(1 << 30)), daemon=True)
                       for _ in range(streams)]
            for worker in workers:
                worker.start()
            time.sleep(rng.uniform(*window_s))
            cluster.cut_power()
            stop.set()
            for worker in workers:
                worker.join(10)
            for client in cluster.clients:
                client.close()
            cluster.clients.clear()
            report.rounds += 1
            report.per_round.append(len(report.acknowledged) - before)
            say(f"cut {number + 1}/{cuts}: {report.per_round[-1]} tickets acknowledged in the round, "
                f"{len(report.acknowledged)} in all; restart took {report.restart_s[-1]:.1f} s")
        start_branch(cluster, report)
        device_follows(cluster, device, report)
        check_invariants(cluster, report.acknowledged)
        return report
    finally:
        if device is not None:
            device.close()
        cluster.close()
