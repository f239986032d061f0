"""A member whose database refuses an apply (issue 16 left-out): it backs off instead of retrying at the Raft
thread's pace, logs the failure once (not once per attempt), says in `cluster status` that it is stuck applying,
and catches up once the database takes writes again. Real processes, a real SQLite refusal (a trigger)."""

from __future__ import annotations

import sqlite3
import time

import pytest

from devtools.cluster_harness import make_cluster, smartqueue

from .test_failover import assert_identical_chains

REFUSE = ("CREATE TRIGGER refuse BEFORE INSERT ON cluster_applied"
          " BEGIN SELECT RAISE(ABORT, 'simulated disk refusal'); END")


def db_execute(path, sql: str) -> None:
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.slow
def test_a_member_that_cannot_apply_backs_off_logs_once_and_says_it_is_stuck(tmp_path):
    cluster = make_cluster(tmp_path)
    try:
        leader = cluster.start_serving()
        client = cluster.client()
        client.issue_ticket("cash")
        cluster.wait_converged()
        stuck = next(m for m in cluster.members if m is not leader)
        cluster.stop(stuck)
        db_execute(stuck.db, REFUSE)
        cluster.start(stuck)
        client.issue_ticket("cash")  # the two others still make a majority
        time.sleep(4)

        log = (tmp_path / f"{stuck.name}.log").read_text()
        failures = [line for line in log.splitlines() if "applying raft index" in line]
        assert len(failures) == 1, "\n".join(failures)  # one line for one failure, not one per attempt
        assert "is stuck applying" in failures[0] and log.count("Traceback") == 1
        result = smartqueue("node", "cluster", "status", "--config", str(stuck.config))
        assert result.returncode == 0, result.stderr
        assert f"{stuck.raft} is stuck applying raft index" in result.stdout, result.stdout
        assert "simulated disk refusal" in result.stdout
        assert stuck.health()["stuck_applying"]["attempts"] >= 3

        db_execute(stuck.db, "DROP TRIGGER refuse")  # the disk takes writes again: it catches up by itself
        cluster.wait_converged(timeout=20)
        assert_identical_chains(cluster.members)
        assert stuck.health()["stuck_applying"] is None
        assert "applies again" in (tmp_path / f"{stuck.name}.log").read_text()
    finally:
        cluster.close()
