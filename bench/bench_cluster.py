"""The elected node (issues 8, 16): ticket round trip through a 3-node cluster beside a single node, failover
after kill -9 of the leader (seen from a client), catch-up of a member that was down during 10,000 commands.

Every node is its own process on loopback (the cluster harness of tests/branch/cluster). Targets: round trip p99
under 25 ms; failover median under 1 s and max under 2 s over 20 trials (beside pysyncobj's default timings
in the same run), with 0 lost and 0 duplicated checked on the new leader after every trial; catch-up under 10 s
with no election.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench._common import NodeProcess, percentile, summary
from devtools.cluster_harness import Cluster, last_event, make_cluster
from devtools.power_cut import lost_and_duplicated
from nodeclient.client import NodeError

SERVICES = ["accounts", "cash", "loans"]


def _post(session: requests.Session, url: str, token: str, i: int) -> float:
    started = time.perf_counter()
    key = str(uuid.uuid4())
    while True:  # past the kiosk's rate limit (burst 1000, then 100/s) wait as a kiosk would
        response = session.post(url + "/api/v1/tickets", json={"service": SERVICES[i % 3], "language": "fr"},
                                timeout=10, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
        if response.status_code != 429:
            break
        time.sleep(0.2)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 201:
        raise RuntimeError(f"{response.status_code} {response.text}")
    return elapsed


def start_cluster(root: Path, **cluster_keys) -> Cluster:
    root.mkdir(parents=True, exist_ok=True)
    cluster = make_cluster(root, cluster_keys=cluster_keys)
    cluster.start_serving()
    return cluster


def round_trip(requests_count: int, warmup: int) -> tuple[list[float], list[float]]:
    single: list[float] = []
    clustered: list[float] = []
    with tempfile.TemporaryDirectory(prefix="sq-bench-cluster-") as tmp:
        with _single(Path(tmp)) as node, requests.Session() as s:
            for i in range(warmup + requests_count):
                elapsed = _post(s, node.base, node.kiosk_tokens[i % len(node.kiosk_tokens)], i)
                if i >= warmup:
                    single.append(elapsed)
        cluster = start_cluster(Path(tmp) / "cluster")
        try:
            leader = cluster.leader()
            with requests.Session() as s:
                for i in range(warmup + requests_count):
                    elapsed = _post(s, leader.url, cluster.token, i)
                    if i >= warmup:
                        clustered.append(elapsed)
        finally:
            cluster.close()
    return single, clustered


def _single(tmp: Path) -> NodeProcess:
    (tmp / "single").mkdir(parents=True, exist_ok=True)
    return NodeProcess(tmp / "single", kiosks=4)


#: pysyncobj 0.3.17's own timings (SyncObjConf defaults), without our leader-gone election: the baseline
PYSYNCOBJ_DEFAULTS = {"election_timeout_min_s": 0.4, "election_timeout_max_s": 1.4, "heartbeat_s": 0.1,
                      "leader_fallback_s": 30.0, "connection_timeout_s": 3.5, "connection_retry_s": 5.0,
                      "fast_failover": False}
#: what a branch runs with (config/cluster.py defaults)
PRODUCT = {"election_timeout_min_s": 0.8, "election_timeout_max_s": 1.6, "heartbeat_s": 0.1, "leader_fallback_s": 1.5,
           "connection_timeout_s": 2.0, "connection_retry_s": 0.5, "fast_failover": True}


@dataclass
class Failover:
    times: list[float] = field(default_factory=list)  # kill -9 of the leader -> first ticket acknowledged by the new
    lost: int = 0  # acknowledged tickets missing on the new leader (or with another number), summed over trials
    duplicated: int = 0  # numbers given twice on the new leader, summed over trials
    acknowledged: int = 0


def _issue(client, acknowledged: dict[str, str]) -> None:
    """One ticket, retried with the same Idempotency-Key (as a kiosk does) until a member acknowledges it."""
    key = str(uuid.uuid4())
    while True:
        try:
            ticket = client.issue_ticket("cash", idempotency_key=key)
            break
        except NodeError:
            continue
    acknowledged[ticket["id"]] = ticket["number"]


def failover(trials: int, **cluster_keys) -> Failover:
    """Each trial: a ticket, kill -9 of the leader, a ticket acknowledged by the new leader (timed), then on the new
    leader's database: every ticket acknowledged so far there with its number (0 lost), no number twice."""
    result = Failover()
    acknowledged: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="sq-bench-failover-") as tmp:
        cluster = start_cluster(Path(tmp), **cluster_keys)
        try:
            client = cluster.client(timeout=1.0, retries=40, backoff=0.05)
            for trial in range(trials):
                _issue(client, acknowledged)
                leader = cluster.leader()
                killed = time.monotonic()
                cluster.kill(leader)
                _issue(client, acknowledged)
                result.times.append(time.monotonic() - killed)
                new_leader = cluster.leader()
                lost, duplicated = lost_and_duplicated(new_leader.db, acknowledged)
                result.lost += len(lost)
                result.duplicated += len(duplicated)
                print(f"  trial {trial + 1}: {result.times[-1]:.2f} s; on the new leader {new_leader.name}: "
                      f"{len(lost)} lost, {len(duplicated)} duplicated of {len(acknowledged)} acknowledged",
                      flush=True)
                cluster.start(leader)
                cluster.wait_converged()
            result.acknowledged = len(acknowledged)
        finally:
            cluster.close()
    return result


def catch_up(commands: int, threads: int = 8) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="sq-bench-catchup-") as tmp:
        cluster = start_cluster(Path(tmp))
        try:
            leader = cluster.leader()
            victim = next(m for m in cluster.members if m is not leader)
            cluster.kill(victim)
            counter = iter(range(commands))
            lock = threading.Lock()

            def work() -> None:
                with requests.Session() as session:
                    while True:
                        with lock:
                            i = next(counter, None)
                        if i is None:
                            return
                        _post(session, leader.url, cluster.token, i)

            started = time.monotonic()
            workers = [threading.Thread(target=work) for _ in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            load_s = time.monotonic() - started
            target = last_event(leader.db)
            term = leader.health()["term"]
            started = time.monotonic()
            cluster.start(victim, wait=False)
            while not victim.db.exists() or last_event(victim.db) != target:
                time.sleep(0.02)
            took = time.monotonic() - started
            time.sleep(1.0)
            health = leader.health() or {}
            elections = (health.get("term") or term) - term if health.get("role") == "leader" else -1
            return took, load_s, elections
        finally:
            cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--commands", type=int, default=10_000)
    args = parser.parse_args(argv)
    ok = True

    single, clustered = round_trip(args.requests, args.warmup)
    p50, p99 = percentile(clustered, 50), percentile(clustered, 99)
    b50, b99 = percentile(single, 50), percentile(single, 99)
    print(f"ticket round trip, 3-node cluster: p50 {p50:.2f} ms, p99 {p99:.2f} ms ({len(clustered)} requests)")
    print(f"baseline, single node:            p50 {b50:.2f} ms, p99 {b99:.2f} ms")
    passed = p99 < 25
    ok &= passed
    summary("cluster-round-trip", f"p50 {p50:.1f} ms / p99 {p99:.1f} ms",
            f"single node p50 {b50:.1f} / p99 {b99:.1f} ms", "p99 < 25 ms", passed)

    product = failover(args.trials, **PRODUCT)
    median, worst = percentile(product.times, 50), max(product.times)
    print(f"failover after kill -9 of the leader (client view): median {median:.2f} s, max {worst:.2f} s "
          f"over {len(product.times)} trials; {product.lost} lost, {product.duplicated} duplicated "
          f"({product.acknowledged} acknowledged)")
    base = failover(args.trials, **PYSYNCOBJ_DEFAULTS)
    b_median, b_worst = percentile(base.times, 50), max(base.times)
    print(f"baseline, pysyncobj's default timings:      median {b_median:.2f} s, max {b_worst:.2f} s; "
          f"{base.lost} lost, {base.duplicated} duplicated ({base.acknowledged} acknowledged)")
    passed = median < 1 and worst < 2 and product.lost == product.duplicated == 0 and base.lost == base.duplicated == 0
    ok &= passed
    summary("cluster-failover", f"median {median:.2f} s / max {worst:.2f} s, {product.lost} lost, "
            f"{product.duplicated} duplicated", f"pysyncobj defaults median {b_median:.2f} s / max {b_worst:.2f} s",
            "median < 1 s, max < 2 s, 0 lost, 0 duplicated", passed)

    seconds, load_s, elections = catch_up(args.commands)
    print(f"catch-up of a member down during {args.commands} commands: {seconds:.2f} s, {elections} elections "
          f"(the leader took {load_s:.1f} s to run them; -1: the leader lost the lead)")
    passed = seconds < 10 and elections == 0
    ok &= passed
    summary("cluster-catch-up", f"{seconds:.2f} s for {args.commands} commands, {elections} elections",
            f"leader ran them in {load_s:.1f} s", "< 10 s, 0 elections", passed)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
