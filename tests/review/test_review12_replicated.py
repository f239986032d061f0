"""Review of issue 12: failures injected into the replicated runner (three real node processes)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import requests

from branch.store import verify_chain
from devtools.cluster_harness import chain, make_cluster, new_key, tickets
from tests.branch.test_command_path import INJECT


def _inject(db: Path, step: str | None) -> None:
    conn = sqlite3.connect(db, timeout=10, isolation_level=None)
    try:
        for statement in INJECT:
            conn.execute(statement)
        conn.execute("DELETE FROM inject")
        if step:
            conn.execute("INSERT INTO inject (step) VALUES (?)", (step,))
    finally:
        conn.close()


def _post(url: str, token: str, key: str):
    return requests.post(url + "/api/v1/tickets", json={"service": "accounts"}, timeout=15,
                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})


@pytest.fixture
def cluster(tmp_path):
    cluster = make_cluster(tmp_path)
    cluster.start_serving()
    yield cluster
    cluster.close()


def _converged_and_verified(cluster) -> list:
    cluster.wait_converged(timeout=30)
    chains = [chain(m.db) for m in cluster.members]
    assert all(c == chains[0] for c in chains)
    for member in cluster.members:
        report = verify_chain(member.db)
        assert report.ok, (member.name, report.problem)
    return chains[0]


@pytest.mark.slow
@pytest.mark.parametrize("step", ["persist", "commit"])
def test_a_failing_write_on_a_follower_is_applied_again_once_it_can(cluster, step):
    leader = cluster.leader()
    follower = next(m for m in cluster.members if m is not leader)
    assert _post(leader.url, cluster.token, new_key()).status_code == 201
    cluster.wait_converged()
    _inject(follower.db, step)
    for _ in range(3):  # a majority without the failing follower commits them
        assert _post(cluster.leader().url, cluster.token, new_key()).status_code == 201
    time.sleep(1.0)
    _inject(follower.db, None)
    assert _post(cluster.leader().url, cluster.token, new_key()).status_code == 201
    _converged_and_verified(cluster)
    assert sorted(tickets(follower.db).values()) == [f"A-{n:03d}" for n in range(1, 6)]
    # the follower's memory equals its disk: it serves the same state as the others
    states = [requests.get(m.url + "/api/v1/state", timeout=5,
                           headers={"Authorization": f"Bearer {cluster.token}"}).json() for m in cluster.members]
    assert all(s.get("waiting") == states[0].get("waiting") for s in states), states


@pytest.mark.slow
def test_a_failing_write_on_the_leader_then_a_retry_with_the_same_key(cluster):
    leader = cluster.leader()
    assert _post(leader.url, cluster.token, new_key()).status_code == 201
    cluster.wait_converged()
    _inject(leader.db, "commit")
    key = new_key()
    first = _post(leader.url, cluster.token, key)
    assert first.status_code in (500, 503), first.text
    time.sleep(0.5)
    _inject(leader.db, None)
    deadline = time.monotonic() + 30
    while True:
        target = cluster.leader()
        again = _post(target.url, cluster.token, key)
        if again.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert again.status_code == 201, again.text
    _converged_and_verified(cluster)
    numbers = sorted(tickets(leader.db).values())
    assert numbers == ["A-001", "A-002"], numbers  # one ticket for the key, on every member
