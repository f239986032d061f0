"""Issue 16, part 3: a member restarted after a few thousand commands catches up without deposing the leader
(its applies never hold pysyncobj's thread, so heartbeats are answered while SQLite works)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests

from devtools.cluster_harness import last_event, make_cluster

from .test_failover import assert_identical_chains

COMMANDS = 2500


def issue_many(url: str, token: str, count: int, threads: int = 8) -> None:
    left = iter(range(count))
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    if next(left, None) is None:
                        return
                key = str(uuid.uuid4())
                while True:
                    answer = session.post(url + "/api/v1/tickets", json={"service": "cash"}, timeout=10,
                                          headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
                    if answer.status_code != 429:
                        break
                    time.sleep(0.2)  # faster than the kiosk's rate limit (100/min, burst 1000): wait as a kiosk would
                if answer.status_code != 201:
                    failures.append(answer.text)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not failures, failures[:3]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_member_catching_up_thousands_of_commands_causes_no_election(tmp_path):
    cluster = make_cluster(tmp_path)
    try:
        leader = cluster.start_serving()
        late = next(m for m in cluster.members if m is not leader)
        cluster.stop(late)
        issue_many(leader.url, cluster.token, COMMANDS)
        term = leader.health()["term"]
        target = last_event(leader.db)
        started = time.monotonic()
        cluster.start(late)
        while last_event(late.db) != target:
            assert time.monotonic() - started < 120, "the late member did not catch up"
            time.sleep(0.05)
        took = time.monotonic() - started
        time.sleep(1.0)  # an election triggered by the last batch would show now
        assert leader.health()["role"] == "leader"
        assert leader.health()["term"] == term, f"elections while catching up ({term} -> {leader.health()['term']})"
        assert_identical_chains(cluster.members)
        print(f"caught up {COMMANDS} commands in {took:.1f} s without an election")
    finally:
        cluster.close()
