"""Events reach central exactly once and in order, across broker outages, broker amnesia and receiver downtime."""

from __future__ import annotations

from pathlib import Path

from smartqueue.local_broker import Broker
from sync.central import CentralReceiver
from sync.central_store import read_status

from .conftest import Branch, branch_row, central_config, central_events, wait_for


def _caught_up(branch: Branch, db: Path) -> bool:
    return branch_row(db).get("watermark") == branch.node.core.seq and branch.service.pump.watermark == \
        branch.node.core.seq


def test_events_flow_and_outbox_is_trimmed_by_central_ack(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.issue(5)
    wait_for(lambda: _caught_up(branch, db), what="central caught up")
    assert central_events(db) == branch.events()
    wait_for(lambda: branch.node.store.query("SELECT COUNT(*) FROM outbox")[0][0] == 0, what="outbox trimmed")
    assert branch.node.store.meta("sync.watermark") == str(branch.node.core.seq)


def test_broker_outage_loses_and_doubles_nothing(branch: Branch, central: CentralReceiver, broker: Broker) -> None:
    db = Path(central.config.db_path)
    branch.issue(3)
    wait_for(lambda: _caught_up(branch, db), what="first events")
    broker.stop()
    branch.issue(12)  # the branch keeps working while central is unreachable
    assert branch.service.pump.watermark < branch.node.core.seq
    broker.start()
    wait_for(lambda: _caught_up(branch, db), timeout=15, what="catch-up after the outage")
    assert central_events(db) == branch.events()


def test_broker_restarted_without_persistence_still_loses_nothing(tmp_path: Path, branch: Branch,
                                                                  central: CentralReceiver, broker: Broker) -> None:
    """The broker PUBACKs events queued for an absent receiver, then dies and comes back empty: the PUBACKs were
    worthless, and only central's end-to-end watermark brings the events over."""
    db = Path(central.config.db_path)
    branch.issue(4)
    wait_for(lambda: _caught_up(branch, db), what="first events")
    central.stop()  # its session stays at the broker, which queues the next events for it
    sent = branch.service.pump.sent_messages
    branch.issue(8)
    wait_for(lambda: branch.service.pump.sent_messages > sent and not branch.service.pump.inflight,
             what="the broker PUBACKed the new events")
    broker.kill()
    broker.wipe()
    broker.persistence = False
    broker.start()  # no sessions, no subscriptions, none of what it had PUBACKed
    branch.issue(4)
    replacement = CentralReceiver(central_config(broker.port, db))
    replacement.start()
    try:
        wait_for(lambda: _caught_up(branch, db), timeout=20, what="catch-up through end-to-end acks")
    finally:
        replacement.stop()
    assert central_events(db) == branch.events()


def test_receiver_down_for_a_while_catches_up(tmp_path: Path, branch: Branch, central: CentralReceiver,
                                              broker: Broker) -> None:
    db = Path(central.config.db_path)
    branch.issue(2)
    wait_for(lambda: _caught_up(branch, db), what="first events")
    central.stop()
    branch.issue(20)
    replacement = CentralReceiver(central_config(broker.port, db))
    replacement.start()
    try:
        wait_for(lambda: _caught_up(branch, db), timeout=15, what="catch-up after the receiver came back")
    finally:
        replacement.stop()
    assert central_events(db) == branch.events()
    status = read_status(db)["branches"][0]
    assert status["state"] == "online" and status["chain_error"] is None
