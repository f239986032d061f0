"""A member cut off by the network (namespaces + veth), and a randomized fault schedule with invariant checks."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest

from devtools.cluster_harness import Cluster, chain, make_cluster, new_key, tickets
from nodeclient.client import NodeError

from .netns import Net
from .test_failover import assert_identical_chains

MINORITY_PROBE = """
import json, time, uuid, requests
answers = []
deadline = time.monotonic() + {seconds}
while time.monotonic() < deadline:
    try:
        r = requests.post("{url}/api/v1/tickets", json={{"service": "cash"}}, timeout=6,
                          headers={{"Authorization": "Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}})
        answers.append([r.status_code, r.json().get("error", {{}}).get("code")])
    except Exception as err:
        answers.append([0, type(err).__name__])
print(json.dumps(answers))
"""


@pytest.fixture
def net():
    reason = Net.available()
    if reason is not None:
        pytest.skip(f"partition tests need network namespaces: {reason}")
    net = Net(3)
    try:
        net.setup()
    except Exception as err:  # a container without veth/bridge support
        net.teardown()
        pytest.skip(f"partition tests need veth pairs and a bridge: {err}")
    yield net
    net.teardown()


def namespaced_cluster(tmp_path, net: Net) -> Cluster:
    cluster = make_cluster(tmp_path, hosts=net.addresses)
    for member, ns in zip(cluster.members, net.namespaces, strict=True):
        member.netns = ns
    try:
        _start(cluster)
    except BaseException:
        cluster.close()  # members that did start must not outlive the test
        raise
    return cluster


def _start(cluster: Cluster) -> None:
    cluster.start_serving()


def probe(net: Net, index: int, url: str, token: str, seconds: float) -> list:
    result = net.run_in(index, MINORITY_PROBE.format(url=url, token=token, seconds=seconds), timeout=seconds + 20)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_a_cut_off_leader_refuses_writes_the_majority_goes_on_and_logs_converge(tmp_path, net):
    cluster = namespaced_cluster(tmp_path, net)
    try:
        client = cluster.client()
        for _ in range(5):
            client.issue_ticket("accounts")
        old = cluster.leader()
        index = cluster.members.index(old)
        net.cut(index)
        # the minority (the old leader alone) never acknowledges a write: no_quorum (or a commit timeout)
        answers = probe(net, index, old.url, cluster.token, seconds=4)
        assert answers and all(status == 503 for status, _ in answers), answers
        assert answers[-1][1] == "no_quorum", answers
        majority = [m for m in cluster.members if m is not old]
        new = cluster.leader(majority)
        for _ in range(10):
            client.issue_ticket("accounts")
        net.heal(index)
        cluster.wait_converged(timeout=30)
        head = assert_identical_chains(cluster.members)
        assert len(tickets(old.db)) == 15 and head == chain(new.db)
        assert old.health()["role"] == "follower"
    finally:
        cluster.close()


@pytest.mark.slow
def test_randomized_fault_schedule_keeps_the_invariants(tmp_path):
    reason = Net.available()
    net = None
    if reason is None:
        net = Net(3)
        try:
            net.setup()
        except Exception:
            net.teardown()
            net = None
    try:
        cluster = namespaced_cluster(tmp_path, net) if net else make_cluster(tmp_path)
    except BaseException:
        if net is not None:
            net.teardown()
        raise
    if net is None:
        try:
            _start(cluster)
        except BaseException:
            cluster.close()
            raise
    faults = ["kill", "stop", "restart"] + (["partition"] if net else [])
    rng = random.Random(8)
    acknowledged: dict[str, str] = {}
    running = threading.Event()
    running.set()
    stop = threading.Event()
    idle = threading.Event()

    def work() -> None:
        client = cluster.client(retries=6)
        while not stop.is_set():
            if not running.is_set():
                idle.set()
                time.sleep(0.02)
                continue
            idle.clear()
            try:
                ticket = client.issue_ticket(rng.choice(["accounts", "cash", "loans"]), idempotency_key=new_key())
                acknowledged[ticket["id"]] = ticket["number"]
            except NodeError:
                pass

    worker = threading.Thread(target=work)
    worker.start()
    started = time.monotonic()
    iterations = 0
    try:
        while time.monotonic() - started < 55:
            fault = rng.choice(faults)
            leader = cluster.leader()
            target = leader if rng.random() < 0.6 else rng.choice(cluster.members)
            index = cluster.members.index(target)
            if fault == "kill":
                cluster.kill(target)
                time.sleep(rng.uniform(0.5, 2.0))
                cluster.start(target)
            elif fault == "stop":
                cluster.freeze(target)
                time.sleep(rng.uniform(0.5, 2.5))
                cluster.thaw(target)
            elif fault == "restart":
                cluster.stop(target)
                cluster.start(target)
            else:
                net.cut(index)
                time.sleep(rng.uniform(1.0, 3.0))
                net.heal(index)
            time.sleep(rng.uniform(0.5, 1.5))  # writes go on while the cluster recovers
            running.clear()
            idle.wait(30)
            leader = cluster.leader(timeout=20)
            cluster.wait_converged(timeout=30)
            assert_identical_chains(cluster.members)
            stored = tickets(leader.db)
            for ticket_id, number in acknowledged.items():
                assert stored.get(ticket_id) == number, f"{fault}: acknowledged ticket {number} lost"
            by_day = [n for n in stored.values()]
            assert len(by_day) == len(set(by_day)), f"{fault}: a number was handed out twice"
            iterations += 1
            running.set()
    finally:
        stop.set()
        running.set()
        worker.join(30)
        cluster.close()
        if net is not None:
            net.teardown()
    assert iterations >= 4 and len(acknowledged) > 20, (iterations, len(acknowledged))
