"""Three node processes on loopback: kill -9 of the leader, a frozen leader, a wiped member catching up."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time

import pytest
import requests

from branch.store import verify_chain
from devtools.cluster_harness import Cluster, chain, make_cluster, new_key, smartqueue, tickets
from nodeclient.client import NodeClient, NodeError


@pytest.fixture
def cluster(tmp_path):
    cluster = make_cluster(tmp_path)
    cluster.start_serving()
    yield cluster
    cluster.close()


def issue_stream(cluster: Cluster, acknowledged: list[dict], stop: threading.Event, workers: int = 3):
    def work() -> None:
        client = cluster.client()
        while not stop.is_set():
            with contextlib.suppress(NodeError):  # not acknowledged: maybe stored, never twice (idempotency key)
                acknowledged.append(client.issue_ticket("accounts", idempotency_key=new_key()))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return threads


def assert_identical_chains(members) -> list:
    chains = [chain(m.db) for m in members]
    for member, other in zip(members[1:], chains[1:], strict=True):
        assert other == chains[0], f"{member.name} differs"
    for member in members:
        assert verify_chain(member.db).ok, member.name
    return chains[0]


@pytest.mark.slow
def test_kill_9_of_the_leader_mid_stream_loses_no_acknowledged_ticket(cluster):
    # a follower answers writes with not_leader and the leader's URL; NodeClient follows it
    leader = cluster.leader()
    follower = next(m for m in cluster.members if m is not leader)
    raw = requests.post(follower.url + "/api/v1/tickets", json={"service": "cash"}, timeout=5,
                        headers={"Authorization": f"Bearer {cluster.token}", "Idempotency-Key": new_key()})
    assert raw.status_code == 503
    assert raw.json()["error"]["code"] == "not_leader"
    assert raw.json()["error"]["details"]["leader"] == leader.url
    pinned = NodeClient(cluster.token, base_url=follower.url)
    assert pinned.issue_ticket("cash")["number"] == "C-001"
    pinned.close()

    seen: list = []
    stream = cluster.client().events()
    reader = threading.Thread(target=lambda: [seen.append(e) for e in stream if e.seq], daemon=True)
    reader.start()
    acknowledged: list[dict] = []
    stop = threading.Event()
    threads = issue_stream(cluster, acknowledged, stop)
    while len(acknowledged) < 60:
        time.sleep(0.01)
    killed_at = len(acknowledged)
    cluster.kill(leader)
    survivors = cluster.running()
    new_leader = cluster.leader(survivors)
    while len(acknowledged) < killed_at + 60:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(30)

    assert new_leader is not leader
    state = {t["id"]: t["number"] for t in acknowledged}
    on_leader = tickets(new_leader.db)
    for ticket_id, number in state.items():
        assert on_leader.get(ticket_id) == number, f"acknowledged ticket {number} lost"
    numbers = list(on_leader.values())
    assert len(numbers) == len(set(numbers)), "a number was handed out twice"
    cluster.wait_converged(survivors)
    head = assert_identical_chains(survivors)
    verify = smartqueue("node", "verify", "--data-dir", str(new_leader.data))
    assert verify.returncode == 0 and verify.stdout.startswith("ok:"), verify.stdout + verify.stderr

    # the event stream went on across the failover: every seq once, in order, same hashes as the log
    deadline = time.monotonic() + 10
    while (not seen or seen[-1].seq < head[-1][0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    stream.close()
    assert [e.seq for e in seen] == list(range(1, head[-1][0] + 1))
    assert [e.data["hash"] for e in seen] == [h for _, _, h in head]

    # the killed leader comes back as a follower and converges on the same log
    cluster.start(leader)
    cluster.wait_converged()
    assert_identical_chains(cluster.members)
    assert leader.health()["role"] == "follower"


@pytest.mark.slow
def test_a_frozen_leader_steps_down_and_never_accepts_a_write_in_its_old_term(cluster):
    client = cluster.client()
    for _ in range(5):
        client.issue_ticket("cash")
    old = cluster.leader()
    old_term = old.health()["term"]
    cluster.freeze(old)
    others = [m for m in cluster.members if m is not old]
    new = cluster.leader(others)
    for _ in range(5):
        client.issue_ticket("cash")
    cluster.thaw(old)
    answers = []
    deadline = time.monotonic() + 3
    session = requests.Session()
    while time.monotonic() < deadline:  # hammer the thawed node: it must refuse every write
        try:
            response = session.post(old.url + "/api/v1/tickets", json={"service": "cash"}, timeout=2,
                                    headers={"Authorization": f"Bearer {cluster.token}",
                                             "Idempotency-Key": new_key()})
            answers.append((response.status_code, response.json()["error"]["code"]))
        except requests.RequestException:
            pass
    session.close()
    assert answers and all(status == 503 for status, _ in answers), answers
    health = old.health()
    assert health["role"] == "follower" and health["term"] > old_term
    assert health["leader"] == new.url
    cluster.wait_converged()
    head = assert_identical_chains(cluster.members)
    assert len(tickets(new.db)) == 10 and head[-1][0] >= 10


@pytest.mark.slow
def test_a_member_restarted_with_an_empty_data_dir_catches_up(tmp_path):
    cluster = make_cluster(tmp_path, cluster_keys={"log_compaction_entries": 100})
    cluster.token = cluster.issue_token(cluster.members[0])
    try:
        cluster.start_all()
        leader = cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        client = cluster.client()
        for _ in range(20):
            client.issue_ticket("loans")
        victim = next(m for m in cluster.members if m is not leader)
        cluster.kill(victim)
        shutil.rmtree(victim.data)
        for _ in range(250):  # past two log compactions: the victim needs a full dump, then the log's tail
            client.issue_ticket("loans")
        started = time.monotonic()
        cluster.start(victim)
        cluster.wait_converged()
        catch_up = time.monotonic() - started
        assert_identical_chains(cluster.members)
        assert tickets(victim.db) == tickets(leader.db)
        # the device token came with the dump: the rebuilt member serves reads for it
        assert requests.get(victim.url + "/api/v1/state", headers={"Authorization": f"Bearer {cluster.token}"},
                            timeout=5).status_code == 200
        assert catch_up < 10
    finally:
        cluster.close()
