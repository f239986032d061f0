"""Issue 16, part 2: configuration through the log. Central pushes a configuration to a 3-member cluster (the sync
service's remote config path, on the leader, over a real Mosquitto); every member applies it in the same place of
the log; then tickets of the new service and calls; every member's chain is identical. A member whose own file
gives another setup stops applying, loudly."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time

import pytest

from devtools.cluster_harness import Cluster, chain, make_cluster
from smartqueue.local_broker import Broker
from sync.central import CentralReceiver
from tests.sync.conftest import BRANCH, ORG, central_config

from .test_failover import assert_identical_chains

PUSHED = {
    "services": [
        {"id": "accounts", "prefix": "A", "names": {"en": "Accounts"}},
        {"id": "cash", "prefix": "C", "names": {"en": "Cash"}},
        {"id": "loans", "prefix": "B", "names": {"en": "Loans"}},
        {"id": "insurance", "prefix": "I", "names": {"en": "Insurance"}},
    ],
    "counters": [  # counter 1 now serves insurance first: members on the old file would call another ticket
        {"id": "1", "names": {"en": "Counter 1"}, "services": ["insurance", "cash", "accounts"], "mode": "ordered"},
        {"id": "2", "names": {"en": "Counter 2"}, "services": ["cash", "accounts"], "mode": "ordered"},
        {"id": "3", "names": {"en": "Office 3"}, "services": ["loans", "accounts"]},
    ],
}


def wait_for(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def with_sync(cluster: Cluster, port: int) -> None:
    for member in cluster.members:
        text = member.config.read_text(encoding="utf-8")
        member.config.write_text(text + f"""
[sync]
enabled = true
host = "127.0.0.1"
port = {port}
keepalive_s = 5
reconnect_min_s = 0.1
reconnect_max_s = 0.5
""", encoding="utf-8")


def pushed_version(member) -> int | None:
    conn = sqlite3.connect(f"file:{member.db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT MAX(version) FROM sync_config").fetchone()
        return row[0]
    finally:
        conn.close()


def config_ack(central: CentralReceiver) -> dict | None:
    conn = sqlite3.connect(f"file:{central.config.db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT config_ack FROM sq_branch WHERE branch = ?", (BRANCH,)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return json.loads(row[0]) if row and row[0] else None


@pytest.fixture
def central(tmp_path):
    broker = Broker(tmp_path / "broker").start()
    receiver = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    receiver.start()
    wait_for(lambda: receiver.link.connected and receiver.events_link.connected, what="central connected")
    yield broker, receiver
    receiver.stop()
    broker.stop()


@pytest.mark.slow
def test_a_config_push_reaches_every_member_through_the_log_and_calls_agree(tmp_path, central):
    broker, receiver = central
    (tmp_path / "cluster").mkdir()
    cluster = make_cluster(tmp_path / "cluster")
    with_sync(cluster, broker.port)
    try:
        cluster.token = cluster.issue_token(cluster.members[0])
        keypad = cluster.issue_token(cluster.members[0], role="keypad", device_id="keypad-1", counter="1")
        cluster.start_all()
        cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        cluster.wait_token_everywhere(keypad)
        kiosk = cluster.client()
        for service in ("cash", "accounts"):
            kiosk.issue_ticket(service)

        receiver.publish_config(ORG, BRANCH, 7, PUSHED)
        wait_for(lambda: (a := config_ack(receiver)) and a["version"] == 7 and a["status"] == "applied",
                 what="the push acknowledged by the branch")
        wait_for(lambda: all(pushed_version(m) == 7 for m in cluster.members), what="the push on every member")

        issued = [kiosk.issue_ticket(s) for s in ("insurance", "cash", "insurance", "accounts")]
        assert issued[0]["number"].startswith("I")
        agent = cluster.client(retries=12)
        agent = agent.with_token(keypad)
        session = agent.login("alice", pin="1234", counter="1")["session"]
        desk = agent.with_token(session)
        called = [desk.counter_action("1", "call-next") for _ in range(3)]
        numbers = [c["counter"]["current"]["number"] if c["counter"].get("current") else None for c in called]
        assert numbers[0] is not None and numbers[0].startswith("I")  # the pushed order, on the leader
        cluster.wait_converged()
        assert_identical_chains(cluster.members)
        assert all(len(chain(m.db)) == len(chain(cluster.members[0].db)) for m in cluster.members)
    finally:
        cluster.close()


def _odd_cluster(tmp_path) -> tuple[Cluster, object]:
    """Three members, the third with another branch file; the two good ones started first and electing a leader."""
    cluster = make_cluster(tmp_path)
    odd = cluster.members[2]
    text = odd.config.read_text(encoding="utf-8")
    odd.config.write_text(text.replace('mode = "ordered"                   # cash first, then accounts',
                                       'mode = "fifo"'), encoding="utf-8")
    cluster.token = cluster.issue_token(cluster.members[0])
    good = cluster.members[:2]
    for member in good:
        cluster.start(member, wait=False)
    cluster.leader(among=good, timeout=30)
    cluster.wait_token_everywhere(cluster.token, members=good)
    return cluster, odd


def _exits(cluster: Cluster, member, code: int, *marks: str) -> None:
    got = member.process.wait(30)
    log = (cluster.root / f"{member.name}.log").read_text()
    assert got == code, log[-2000:]
    assert "CRITICAL" in log and all(mark in log for mark in marks), log[-2000:]
    member.process = None


@pytest.mark.slow
def test_a_member_whose_file_gives_another_setup_stops_applying_loudly(tmp_path):
    cluster, odd = _odd_cluster(tmp_path)
    try:
        cluster.start(odd)
        cluster.client(retries=3).issue_ticket("cash")
        _exits(cluster, odd, 4, "was decided under setup")  # at the first command it applies
        assert all(m.process.poll() is None for m in cluster.members[:2])
    finally:
        cluster.close()


@pytest.mark.slow
def test_a_member_with_another_branch_file_cannot_take_the_lead_and_stop_the_branch(tmp_path):
    """Review 16, finding 7: elected, the odd member's commands used to stop both others (exit 4): one bad machine
    took the branch down. Now the others do not vote for it, it stops, and the branch serves on."""
    from branch.cluster.replica import admin_command, raft_password
    from devtools.cluster_harness import SECRET

    cluster, odd = _odd_cluster(tmp_path)
    good = cluster.members[:2]
    try:
        cluster.start(odd)
        deadline = time.monotonic() + 20
        while odd.process.poll() is None:  # hand it the lead (Raft TimeoutNow) once it has caught up
            assert time.monotonic() < deadline, "the odd member never stood for election"
            assert (odd.health() or {}).get("role") != "leader", "the odd member was elected"
            leader = cluster.leader(among=good)
            with contextlib.suppress(ConnectionError):
                admin_command(leader.raft, raft_password(SECRET), ["transfer", odd.raft], 2.0)
            time.sleep(0.3)
        _exits(cluster, odd, 4, "refuse to elect this member")
        for good_log in (cluster.root / f"{m.name}.log" for m in good):
            assert f"not voting for {odd.raft}" in good_log.read_text()
        kiosk = cluster.client(retries=12)
        for _ in range(3):
            kiosk.issue_ticket("cash")
        assert cluster.leader(among=good) in good
        assert all(m.process.poll() is None for m in good)
        cluster.wait_converged(members=good)
        assert_identical_chains(good)
    finally:
        cluster.close()


def test_setups_are_compared_only_under_the_same_configuration_entry():
    from branch.cluster.replica import setups_differ

    assert setups_differ([7, "aaa"], (7, "bbb"))
    assert not setups_differ([7, "aaa"], (7, "aaa"))
    assert not setups_differ([7, "aaa"], (9, "bbb"))  # a push applied on one member and not yet on the other
    assert not setups_differ(None, (7, "aaa"))  # a member from before the stamp: Raft's rules alone
    assert not setups_differ([7, "aaa"], None)
