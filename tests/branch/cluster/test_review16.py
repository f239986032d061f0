"""Adversarial review of issue 16: findings as tests (real node processes on loopback)."""

from __future__ import annotations

import shutil
import time

import pytest

from devtools.cluster_harness import TIMINGS, make_cluster, smartqueue, write_member_config


@pytest.mark.slow
def test_a_wiped_member_added_back_after_force_single_joins_and_is_not_superseded(tmp_path):
    """README, force-single: "Wipe the data dir of any old member before it comes back, then add it again"."""
    cluster = make_cluster(tmp_path)
    last, back, _gone = cluster.members
    try:
        cluster.token = cluster.issue_token(last)
        cluster.start_all()
        cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        cluster.client().issue_ticket("cash")
        cluster.wait_converged()
        for member in cluster.members:
            cluster.kill(member)
        done = smartqueue("node", "force-single", "--config", str(last.config), "--data-dir", str(last.data),
                          "--yes-the-other-members-are-gone-for-good")
        assert done.returncode == 0, done.stderr
        cluster.members = [last]
        cluster.start(last)
        assert cluster.leader(among=[last], timeout=20) is last
        cluster.client().issue_ticket("cash")

        shutil.rmtree(back.data)  # the procedure: wipe the old member, start it with the forced node as peer
        write_member_config(back, [last.raft], dict(TIMINGS), {"tls": '"off"'})
        cluster.members = [last, back]
        cluster.start(back)
        added = smartqueue("node", "cluster", "add", back.raft, "--config", str(last.config))
        assert added.returncode == 0, added.stderr
        deadline = time.monotonic() + 20
        while True:
            health = back.health() or {}
            if health.get("role") == "follower" and health.get("cluster", {}).get("applied_index", 0) > 3:
                break
            assert time.monotonic() < deadline, f"the re-added member never follows: {health}"
            time.sleep(0.2)
        cluster.wait_converged()
        time.sleep(2.5)  # the generation watch runs every second
        assert back.health()["role"] == "follower", back.health()
        assert "superseded" not in (tmp_path / f"{back.name}.log").read_text()
    finally:
        cluster.members = [last, back, _gone]
        cluster.close()
