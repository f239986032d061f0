"""Adversarial review of issue 16: findings as tests (real node processes on loopback)."""

from __future__ import annotations

import json
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


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_config_pushes_racing_leader_kills_leave_one_setup_and_every_ticket(tmp_path):
    """Central pushes a new configuration, and the leader is killed -9 0-300 ms later, five times, under a ticket
    stream: no member stops (exit 4), every member ends on the last version, no acknowledged ticket is lost, no
    number is given twice, the chains are identical."""
    import random
    import threading

    from devtools.power_cut import check_invariants
    from smartqueue.local_broker import Broker
    from sync.central import CentralReceiver
    from tests.sync.conftest import BRANCH, ORG, central_config

    from .test_config_push import PUSHED, config_ack, pushed_version, wait_for, with_sync

    broker = Broker(tmp_path / "broker").start()
    receiver = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    receiver.start()
    (tmp_path / "cluster").mkdir()
    cluster = make_cluster(tmp_path / "cluster")
    with_sync(cluster, broker.port)
    rng = random.Random(16)
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def stream(seed: int) -> None:
        client = cluster.client(timeout=2.0, retries=30, backoff=0.05)
        pick = random.Random(seed)
        while not stop.is_set():
            try:
                ticket = client.issue_ticket(pick.choice(["cash", "accounts", "loans"]))
            except Exception:
                continue
            with lock:
                acknowledged[ticket["id"]] = ticket["number"]

    try:
        wait_for(lambda: receiver.link.connected, what="central connected")
        cluster.start_serving()
        workers = [threading.Thread(target=stream, args=(i,), daemon=True) for i in range(2)]
        for worker in workers:
            worker.start()
        version = 10
        for trial in range(5):
            leader = cluster.leader(timeout=20)
            version += 1
            sections = json.loads(json.dumps(PUSHED))
            sections["counters"][0]["services"] = (["insurance", "cash", "accounts"] if trial % 2
                                                   else ["cash", "insurance", "accounts"])
            receiver.publish_config(ORG, BRANCH, version, sections)
            time.sleep(rng.uniform(0, 0.3))
            cluster.kill(leader)
            cluster.leader(timeout=20)
            cluster.start(leader)
            time.sleep(1.0)
            for member in cluster.members:
                assert member.process is not None and member.process.poll() is None, \
                    (tmp_path / "cluster" / f"{member.name}.log").read_text()[-3000:]
        wait_for(lambda: all(pushed_version(m) == version for m in cluster.members), timeout=30,
                 what=f"v{version} on every member")
        wait_for(lambda: (a := config_ack(receiver)) and a["version"] == version and a["status"] in (
            "applied", "unchanged"), timeout=30, what=f"v{version} acknowledged to central")
        stop.set()
        for worker in workers:
            worker.join(30)
        assert len(acknowledged) > 50
        for member in cluster.members:
            assert member.process.poll() is None, f"{member.name} exited {member.process.returncode}"
        check_invariants(cluster, acknowledged)
    finally:
        stop.set()
        cluster.close()
        receiver.stop()
        broker.stop()
