"""The elected node (issue 8): ticket round trip through a 3-node cluster beside a single node, failover after
kill -9 of the leader (seen from a client), catch-up of a member that was down during 10,000 commands.

Every node is its own process on loopback (the cluster harness of tests/branch/cluster). Targets: round trip p99
under 25 ms; failover median under 3 s and max under 5 s over 20 trials; catch-up under 10 s.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

from bench._common import NodeProcess, percentile, summary
from devtools.cluster_harness import Cluster, last_event, make_cluster
from nodeclient.client import NodeError

SERVICES = ["accounts", "cash", "loans"]


def _post(session: requests.Session, url: str, token: str, i: int) -> float:
    started = time.perf_counter()
    response = session.post(url + "/api/v1/tickets", json={"service": SERVICES[i % 3], "language": "fr"}, timeout=10,
                            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 201:
        raise RuntimeError(f"{response.status_code} {response.text}")
    return elapsed


def start_cluster(root: Path, **cluster_keys) -> Cluster:
    root.mkdir(parents=True, exist_ok=True)
    cluster = make_cluster(root, cluster_keys=cluster_keys)
    cluster.token = cluster.issue_token(cluster.members[0])
    cluster.start_all()
    cluster.leader()
    cluster.wait_token_everywhere(cluster.token)
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


def failover(trials: int) -> list[float]:
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="sq-bench-failover-") as tmp:
        cluster = start_cluster(Path(tmp))
        try:
            client = cluster.client(timeout=1.0, retries=40, backoff=0.05)
            for trial in range(trials):
                client.issue_ticket("cash")
                leader = cluster.leader()
                killed = time.monotonic()
                cluster.kill(leader)
                while True:
                    try:
                        client.issue_ticket("cash")
                        break
                    except NodeError:
                        continue
                times.append(time.monotonic() - killed)
                print(f"  trial {trial + 1}: {times[-1]:.2f} s", flush=True)
                cluster.start(leader)
                cluster.wait_converged()
        finally:
            cluster.close()
    return times


def catch_up(commands: int, threads: int = 8) -> tuple[float, float]:
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
            started = time.monotonic()
            cluster.start(victim, wait=False)
            while not victim.db.exists() or last_event(victim.db) != target:
                time.sleep(0.02)
            return time.monotonic() - started, load_s
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

    times = failover(args.trials)
    median, worst = percentile(times, 50), max(times)
    print(f"failover after kill -9 of the leader (client view): median {median:.2f} s, max {worst:.2f} s "
          f"over {len(times)} trials")
    passed = median < 3 and worst < 5
    ok &= passed
    summary("cluster-failover", f"median {median:.2f} s / max {worst:.2f} s", "pysyncobj alone 1.8 s (research §6)",
            "median < 3 s, max < 5 s", passed)

    seconds, load_s = catch_up(args.commands)
    print(f"catch-up of a member down during {args.commands} commands: {seconds:.2f} s "
          f"(the leader took {load_s:.1f} s to run them)")
    passed = seconds < 10
    ok &= passed
    summary("cluster-catch-up", f"{seconds:.2f} s for {args.commands} commands",
            f"leader ran them in {load_s:.1f} s", "< 10 s", passed)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
