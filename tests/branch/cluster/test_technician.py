"""What the technician touches (issue 16, part 5): `smartqueue node cluster status|add|remove` with the exit codes
and the table they promise, in both argument orders; a witness; force-single. Real processes on loopback."""

from __future__ import annotations

import time

import pytest

from devtools.cluster_harness import TIMINGS, make_cluster, smartqueue, write_member_config

from .test_failover import assert_identical_chains


def status(member, *order: str) -> tuple[int, str, str]:
    result = smartqueue("node", *order)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.slow
def test_status_table_in_both_argument_orders_then_add_and_remove_a_member(tmp_path):
    cluster = make_cluster(tmp_path)
    first, second, new = cluster.members
    keys = {**TIMINGS}
    write_member_config(first, [second.raft], keys, {"tls": '"off"'})  # a two-member branch, then a third
    write_member_config(second, [first.raft], keys, {"tls": '"off"'})
    write_member_config(new, [first.raft, second.raft], keys, {"tls": '"off"'})
    cluster.members = [first, second]
    try:
        cluster.token = cluster.issue_token(first)
        cluster.start_all()
        cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        cluster.client().issue_ticket("cash")
        for order in (["cluster", "status", "--config", str(first.config)],
                      ["cluster", "--config", str(first.config), "status"]):
            code, out, err = status(first, *order)
            assert code == 0, err
            header = out.splitlines()[0].split()
            assert header[:3] == ["member", "role", "term"] and "reachable" in header, out
            assert first.raft in out and second.raft in out and "leader" in out and "follower" in out

        cluster.members = [first, second, new]
        cluster.start(new)
        result = smartqueue("node", "cluster", "add", new.raft, "--config", str(first.config))
        assert result.returncode == 0, result.stderr
        assert "added to the cluster" in result.stderr and "failed" not in result.stderr
        cluster.wait_converged()
        code, out, _ = status(first, "cluster", "status", "--config", str(new.config))
        assert code == 0 and out.count(" yes") == 3, out
        assert_identical_chains(cluster.members)

        result = smartqueue("node", "cluster", "remove", first.raft, "--config", str(first.config))
        assert result.returncode == 1 and "the change failed: FAIL" in result.stderr  # a member cannot drop itself
        result = smartqueue("node", "cluster", "remove", new.raft, "--config", str(first.config))
        assert result.returncode == 0, result.stderr
        cluster.stop(new)
        cluster.members = [first, second]
        deadline = time.monotonic() + 15
        while True:
            code, out, _ = status(first, "cluster", "status", "--config", str(first.config))
            if new.raft not in out or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert code == 0 and new.raft not in out, out
        cluster.client().issue_ticket("cash")  # two members still make a majority of two
    finally:
        cluster.members = [first, second, new]
        cluster.close()


def test_status_of_a_member_that_does_not_answer_fails_with_a_reason(tmp_path):
    cluster = make_cluster(tmp_path, n=1)
    result = smartqueue("node", "cluster", "status", "--config", str(cluster.members[0].config))
    assert result.returncode == 1 and "no answer from" in result.stderr
    result = smartqueue("node", "cluster", "status")
    assert result.returncode == 2 and "--config FILE is required" in result.stderr


@pytest.mark.slow
def test_a_witness_breaks_ties_and_never_keeps_the_lead(tmp_path):
    cluster = make_cluster(tmp_path)
    witness = cluster.members[2]
    text = witness.config.read_text(encoding="utf-8")
    witness.config.write_text(text + "witness = true\n", encoding="utf-8")
    try:
        cluster.token = cluster.issue_token(cluster.members[0])
        cluster.start_all()
        leader = cluster.leader(among=cluster.members[:2])
        cluster.wait_token_everywhere(cluster.token)
        client = cluster.client()
        client.issue_ticket("cash")
        cluster.kill(leader)  # one node and the witness: still a majority
        survivor = next(m for m in cluster.members[:2] if m is not leader)
        assert cluster.leader(among=[survivor], timeout=20) is survivor
        client.issue_ticket("cash")
        assert witness.health()["role"] == "witness"
    finally:
        cluster.close()


@pytest.mark.slow
def test_force_single_lets_the_last_machine_run_alone(tmp_path):
    cluster = make_cluster(tmp_path)
    last = cluster.members[0]
    try:
        cluster.token = cluster.issue_token(last)
        cluster.start_all()
        cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        number = cluster.client().issue_ticket("cash")["number"]
        cluster.wait_converged()  # force-single keeps what the forced node's database applied (README: pick the
        for member in cluster.members:  # most advanced machine by `cluster status`'s applied index)
            cluster.kill(member)
        refused = smartqueue("node", "force-single", "--config", str(last.config), "--data-dir", str(last.data))
        assert refused.returncode == 2 and "--yes-the-other-members-are-gone-for-good" in refused.stderr
        done = smartqueue("node", "force-single", "--config", str(last.config), "--data-dir", str(last.data),
                          "--yes-the-other-members-are-gone-for-good")
        assert done.returncode == 0, done.stderr
        old = cluster.members[1:]
        cluster.members = [last]
        cluster.start(last)
        assert cluster.leader(among=[last], timeout=20) is last
        after = cluster.client().issue_ticket("cash")["number"]
        assert after != number and after > number

        # the two old members come back with their old data: they must not elect each other and hand out numbers
        cluster.members = [last, *old]
        for member in old:
            cluster.start(member)
        time.sleep(3)
        for member in old:
            health = member.health()
            assert health["role"] == "superseded" and health["generation"] == 0, health
            log = (tmp_path / f"{member.name}.log").read_text()
            assert "runs generation 1 (force-single)" in log and "CRITICAL" in log
            answer = __import__("requests").post(member.url + "/api/v1/tickets", json={"service": "cash"}, timeout=5,
                                                 headers={"Authorization": f"Bearer {cluster.token}",
                                                          "Idempotency-Key": "k-1"})
            assert answer.status_code == 503 and answer.json()["error"]["code"] == "superseded", answer.text
        code, out, _ = status(last, "cluster", "status", "--config", str(old[0].config))
        assert code == 0 and "superseded" in out and "takes no part any more" in out, out
    finally:
        cluster.close()


@pytest.mark.slow
def test_losing_two_of_three_answers_no_quorum_at_once(tmp_path):
    import uuid

    import requests

    cluster = make_cluster(tmp_path)
    try:
        leader = cluster.start_serving()
        cluster.client().issue_ticket("cash")
        for member in cluster.members:
            if member is not leader:
                cluster.kill(member)
        time.sleep(0.2)
        started = time.monotonic()
        answer = requests.post(leader.url + "/api/v1/tickets", json={"service": "cash"}, timeout=10,
                               headers={"Authorization": f"Bearer {cluster.token}",
                                        "Idempotency-Key": str(uuid.uuid4())})
        elapsed = time.monotonic() - started
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "no_quorum", answer.text
        assert elapsed < 1.0, f"no_quorum after {elapsed:.2f} s"
    finally:
        cluster.close()


@pytest.mark.slow
def test_a_device_configured_with_every_member_follows_the_leader(tmp_path):
    import re
    import uuid

    from appkit.device import make_client
    from config.loader import load_config
    from devtools.cluster_harness import ROOT
    from nodeclient.client import NodeError

    cluster = make_cluster(tmp_path)
    try:
        leader = cluster.start_serving()
        text = (ROOT / "config" / "examples" / "kiosk.toml").read_text(encoding="utf-8")
        urls = ", ".join(f'"{m.url}"' for m in cluster.members)
        text = re.sub(r'(?m)^node_url = .*$', f"node_urls = [{urls}]", text)
        path = tmp_path / "kiosk.toml"
        path.write_text(text, encoding="utf-8")
        client = make_client(load_config(path), cluster.token)
        cluster.clients.append(client)
        client.issue_ticket("cash")
        cluster.kill(leader)
        key, deadline = str(uuid.uuid4()), time.monotonic() + 15
        while True:  # the client asks the other members and follows the new leader (a kiosk retries the same key)
            try:
                client.issue_ticket("cash", idempotency_key=key)
                break
            except NodeError:
                assert time.monotonic() < deadline, "the client never reached the new leader"
        assert client.known_url != leader.url
    finally:
        cluster.close()


@pytest.mark.slow
def test_force_single_applies_the_entries_its_journal_held_but_had_not_applied(tmp_path):
    import shutil
    import sqlite3

    from devtools.cluster_harness import chain

    cluster = make_cluster(tmp_path)
    last = cluster.members[0]
    try:
        cluster.token = cluster.issue_token(last)
        cluster.start_all()
        cluster.leader()
        cluster.wait_token_everywhere(cluster.token)
        client = cluster.client()
        client.issue_ticket("cash")
        cluster.wait_converged()
        cluster.stop(last)  # keep its database as it is now; its journal will go on without it below
        behind = tmp_path / "behind.sqlite3"
        source = sqlite3.connect(last.db)
        source.backup(sqlite3.connect(behind))
        source.close()
        cluster.start(last)
        numbers = [client.issue_ticket("cash")["number"] for _ in range(4)]
        cluster.wait_converged()
        full = chain(last.db)
        for member in cluster.members:
            cluster.kill(member)
        # the database now lags its journal, as after a crash between the journal's fsync and the apply
        for suffix in ("-wal", "-shm"):
            (last.data / f"branch.sqlite3{suffix}").unlink(missing_ok=True)
        shutil.copyfile(behind, last.db)
        assert len(chain(last.db)) < len(full)

        done = smartqueue("node", "force-single", "--config", str(last.config), "--data-dir", str(last.data),
                          "--yes-the-other-members-are-gone-for-good")
        assert done.returncode == 0 and "had not applied yet are kept" in done.stderr, done.stderr
        cluster.members = [last]
        cluster.start(last)
        assert cluster.leader(among=[last], timeout=20) is last
        deadline = time.monotonic() + 15
        while chain(last.db)[:len(full)] != full:
            assert time.monotonic() < deadline, "the entries its journal held were not applied"
            time.sleep(0.1)
        after = client.issue_ticket("cash")["number"]
        assert after not in numbers and after > numbers[-1]
        verify = smartqueue("node", "verify", "--data-dir", str(last.data))
        assert verify.returncode == 0, verify.stdout
    finally:
        cluster.close()
