"""Review of issue 16 (round 2): a *leader* that cannot apply (its disk refuses: full, read-only, a damaged page).
The two other members are healthy and make a majority: the branch must go on serving through them, not wait
forever on a leader that keeps heartbeating but never answers a command. Real processes, a real SQLite refusal."""

from __future__ import annotations

import time

import pytest

from devtools.cluster_harness import make_cluster
from nodeclient.client import NodeError

from .test_stuck_apply import REFUSE, db_execute


@pytest.mark.slow
def test_a_leader_stuck_applying_does_not_hold_the_branch(tmp_path):
    cluster = make_cluster(tmp_path)
    try:
        leader = cluster.start_serving()
        client = cluster.client()
        client.issue_ticket("cash")
        cluster.wait_converged()
        db_execute(leader.db, REFUSE)  # the leader's disk refuses from now on
        served, errors, deadline = 0, [], time.monotonic() + 30
        while time.monotonic() < deadline and served == 0:
            try:
                client.issue_ticket("cash")
                served += 1
            except NodeError as err:
                errors.append(f"{err}")
                time.sleep(0.5)
        assert served, f"30 s without one ticket although 2 of 3 members are healthy: {errors[-3:]}"
        assert cluster.leader() is not leader
    finally:
        cluster.close()
