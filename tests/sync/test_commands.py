"""Commands from central: run through the node's command path, answered with correlation data, replays ignored."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from pathlib import Path

from branch.hub import EPHEMERAL
from smartqueue.local_broker import Broker
from sync.branch_persistence import seen_command
from sync.central import CentralReceiver
from sync.messages import encode, utc_now_iso

from .conftest import BRANCH, ORG, Branch, wait_for


def _answer(db: Path, command_id: str) -> dict | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT response FROM sq_command WHERE command_id = ?", (command_id,)).fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if row and row[0] else None


def test_close_day_runs_once_and_a_replay_is_answered_duplicate(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.issue(3)
    seq = branch.node.core.seq
    command_id = central.send_command(ORG, BRANCH, "close_day", {"reason": "storm"})
    answer = wait_for(lambda: _answer(db, command_id), what="close_day answered")
    assert answer["status"] == "done" and answer["result"] == {"expired": 3}
    expired = [e for e in branch.node.store.events_after(seq) if e.type == "TicketExpired"]
    assert len(expired) == 3 and expired[0].actor == {"device": "central", "agent": None}
    assert expired[0].data["reason"] == "storm"

    branch.issue(1)
    seq = branch.node.core.seq
    central.call(lambda store: store.conn.execute("UPDATE sq_command SET response = NULL WHERE command_id = ?",
                                                  (command_id,)))
    central.send_command(ORG, BRANCH, "close_day", {"reason": "storm"}, command_id=command_id)
    answer = wait_for(lambda: _answer(db, command_id), what="replay answered")
    assert answer["status"] == "duplicate" and answer["result"]["first_status"] == "done"
    assert branch.node.core.seq == seq  # the open ticket was not expired a second time


def test_display_message_reaches_the_event_stream_as_a_transient_event(branch: Branch,
                                                                       central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    node, loop = branch.node, branch.running.loop
    sub = asyncio.run_coroutine_threadsafe(_subscribe(node), loop).result(5)
    command_id = central.send_command(ORG, BRANCH, "display_message",
                                      {"text": {"fr": "Fermeture à 15h", "ar": "الإغلاق على الساعة 15"},
                                       "level": "warning", "duration_s": 600})
    answer = wait_for(lambda: _answer(db, command_id), what="display_message answered")
    assert answer["status"] == "done" and answer["result"]["delivered_to"] >= 1
    seq, payload = asyncio.run_coroutine_threadsafe(sub.queue.get(), loop).result(5)
    assert seq == EPHEMERAL and payload.startswith(b"event: DisplayMessage\n") and b"id:" not in payload
    assert "Fermeture à 15h" in payload.decode()
    loop.call_soon_threadsafe(node.hub.unsubscribe, sub)


async def _subscribe(node):
    return node.hub.subscribe()


def test_reload_of_an_unknown_device_fails_and_malformed_commands_are_rejected(branch: Branch,
                                                                               central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    command_id = central.send_command(ORG, BRANCH, "reload_device", {"device": "no-such-device"})
    answer = wait_for(lambda: _answer(db, command_id), what="reload answered")
    assert answer["status"] == "failed" and "no active device" in answer["errors"][0]
    bad = central.send_command(ORG, BRANCH, "display_message", {"text": {"de": "Hallo"}})
    answer = wait_for(lambda: _answer(db, bad), what="rejection")
    assert answer["status"] == "rejected" and any("$.args.text.de: unknown field" in e for e in answer["errors"])
    assert branch.node.store.query("SELECT COUNT(*) FROM sync_commands WHERE id = ?", (bad,))[0][0] == 0


def test_publish_metrics_command_sends_the_daily_metrics(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.issue(2, service="cash")
    command_id = central.send_command(ORG, BRANCH, "publish_metrics")
    answer = wait_for(lambda: _answer(db, command_id), what="metrics answered")
    day = answer["result"]["day"]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = wait_for(lambda: conn.execute("SELECT queue, record FROM sq_queue_metrics WHERE date = ?",
                                         (day,)).fetchall(), what="metrics stored")
    conn.close()
    records = {queue: json.loads(record) for queue, record in rows}
    assert records["cash"]["total_customers"] == 2 and records["cash"]["date"] == day


def test_an_answer_is_never_sent_outside_the_branch_tree(branch: Branch, central: CentralReceiver) -> None:
    """The ACL lets a branch write only P commands/response and P commands/ack: another response topic would be
    refused (0x87) and the answer lost, so the branch answers on commands/ack."""
    db = Path(central.config.db_path)
    command_id = "cmd-elsewhere-1"
    central.call(lambda store: store.add_command(command_id, ORG, BRANCH, "publish_metrics", {}))
    payload = encode({"schema": 1, "id": command_id, "command": "publish_metrics", "issued_at": utc_now_iso(),
                      "args": {}})
    central.link.publish(central.topic(ORG, BRANCH, "commands"), payload, correlation_data=command_id.encode(),
                         response_topic="somewhere/else/entirely")
    answer = wait_for(lambda: _answer(db, command_id), what="answer on commands/ack")
    assert answer["status"] == "done"


def test_a_command_the_node_could_not_store_is_delivered_again(branch: Branch, central: CentralReceiver,
                                                               broker: Broker) -> None:
    """Manual PUBACK: the node acknowledges a command only once it is stored; one whose write failed stays with the
    broker and comes again after a reconnect (with automatic acks it was acknowledged on arrival, and lost)."""
    db = Path(central.config.db_path)
    store = branch.node.store
    fail = ("CREATE TRIGGER refuse_commands BEFORE INSERT ON sync_commands"
            " BEGIN SELECT RAISE(ABORT, 'injected: disk full'); END")
    branch.running.call(branch.node.write(lambda: store.execute_write(fail)))
    command_id = central.send_command(ORG, BRANCH, "display_message", {"text": {"fr": "Bonjour"}})
    wait_for(lambda: branch.service.link is not None and branch.service.link.connected, what="link up")
    time.sleep(1.5)
    assert _answer(db, command_id) is None and seen_command(store, command_id) is None
    branch.running.call(branch.node.write(lambda: store.execute_write("DROP TRIGGER refuse_commands")))
    broker.stop()  # the link reconnects: the broker delivers what was never acknowledged
    broker.start()
    answer = wait_for(lambda: _answer(db, command_id), timeout=30, what="the command delivered again")
    assert answer["status"] == "done"
