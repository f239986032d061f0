"""Central on a real PostgreSQL server: the same store behaviour as SQLite, QueueMetrics-shaped rows with the
central server's column types, tickets projected for the phone page, and several receivers on MQTT 5 shared
subscriptions where killing one (kill -9) mid-stream loses and doubles nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from branch.store import canonical, chain_hash
from queue_engine.calendar import iso_ms
from smartqueue.local_broker import Broker
from sync.central_pg import PostgresCentralStore
from sync.central_store import SqlCentralStore, SqliteCentralStore

from .conftest import BRANCH, ORG, Branch, start_branch, stop_branch, sync_config, wait_for

ROOT = Path(__file__).resolve().parents[2]
GENESIS = "0" * 64


def ticket_events(start_ms: int = 1_795_500_000_000) -> list[dict]:
    """A real-shaped log: a day, three tickets issued, the first called, served; the second called."""
    specs = [("BusinessDayStarted", {"day": "2026-11-24"})]
    for index, ticket in enumerate(("t1", "t2", "t3")):
        specs.append(("TicketIssued", {"ticket_id": ticket, "service": "accounts", "number": f"A-00{index + 1}",
                                       "day": "2026-11-24", "day_seq": index + 1, "level": 0, "category": None,
                                       "appointment_ref": None, "slot_ms": None, "late": False, "language": "fr",
                                       "queue_ms": start_ms + index}))
    specs += [("TicketCalled", {"ticket_id": "t1", "counter": "1", "agent": "alice"}),
              ("TicketServed", {"ticket_id": "t1", "counter": "1", "agent": "alice", "outcome": None,
                                "implicit": False}),
              ("TicketCalled", {"ticket_id": "t2", "counter": "3", "agent": "alice"})]
    events, prev = [], GENESIS
    for seq, (type_, data) in enumerate(specs, 1):
        at_ms = start_ms + seq * 60_000
        digest = chain_hash(prev, seq, f"ev-{seq}", type_, at_ms, "{}", canonical(data))
        events.append({"seq": seq, "id": f"ev-{seq}", "type": type_, "at": iso_ms(at_ms), "actor": {}, "data": data,
                       "hash": digest, "prev_hash": prev})
        prev = digest
    return events


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SqlCentralStore:
    if request.param == "sqlite":
        made: SqlCentralStore = SqliteCentralStore(tmp_path / "c.sqlite3")
    else:
        made = PostgresCentralStore(request.getfixturevalue("pg_url"))
    yield made
    made.close()


def test_both_stores_keep_events_once_in_order_and_project_tickets(store: SqlCentralStore) -> None:
    events = ticket_events()
    log = events[0]["hash"]
    later = store.store_events(ORG, BRANCH, "n1", log, events[4:])  # out of order: nothing projected yet
    assert (later.watermark, later.stored_max) == (0, 7)
    assert store.ticket_view(ORG, BRANCH, "t2") is None
    first = store.store_events(ORG, BRANCH, "n1", log, events[:5])  # seq 5 again: a duplicate
    assert (first.watermark, first.new, first.duplicates) == (7, 4, 1)
    assert store.count_events(ORG, BRANCH) == [(e["seq"], e["id"]) for e in events]
    called = store.ticket_view(ORG, BRANCH, "t2")
    assert (called.status, called.counter, called.number) == ("called", "3", "A-002")
    waiting = store.ticket_view(ORG, BRANCH, "t3")
    assert (waiting.status, waiting.people_ahead) == ("waiting", 0)
    assert waiting.estimated_wait_s == 60  # one served in 60 s at one counter, nobody ahead
    assert store.ticket_view(ORG, BRANCH, "t1").status == "served"
    epoch = store.epoch
    assert store.renew_epoch() != epoch
    assert store.watermarks() == [(ORG, BRANCH, log, 7, 7)]


def test_metrics_rows_have_the_queue_metrics_column_types(pg_url: str) -> None:
    store = PostgresCentralStore(pg_url)
    record = {"queue": "accounts", "date": "2026-11-24", "total_customers": 57, "average_wait_time_s": 412.5,
              "peak_hours": ["09:00:00", "10:00:00"], "served": 49}
    store.set_metrics(ORG, BRANCH, {"day": "2026-11-24", "final": False, "services": [record]})
    final = {**record, "total_customers": 60}
    store.set_metrics(ORG, BRANCH, {"day": "2026-11-24", "final": True, "services": [final]})
    rows = store.conn.execute("SELECT queue, date, average_wait_time, total_customers, peak_hours, final FROM"
                              " sq_queue_metrics").fetchall()
    assert rows == [("accounts", "2026-11-24", dt.timedelta(seconds=412.5), 60, [dt.time(9), dt.time(10)], True)]
    store.close()


def _receiver(tmp_path: Path, name: str, broker: Broker, pg_url: str) -> subprocess.Popen:
    config = tmp_path / f"{name}.toml"
    config.write_text(f'[central]\nhost = "127.0.0.1"\nport = {broker.port}\nclient_id = "{name}"\n'
                      f'database_url = "{pg_url}"\nreconnect_min_s = 0.1\nreconnect_max_s = 0.5\n'
                      f'keepalive_s = 5\n', encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "smartqueue", "central", "--config", str(config)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_two_receivers_share_the_stream_and_one_killed_mid_stream_loses_and_doubles_nothing(
        tmp_path: Path, broker: Broker, pg_url: str) -> None:
    receivers = [_receiver(tmp_path, name, broker, pg_url) for name in ("central-a", "central-b")]
    branch: Branch | None = None
    reader = None
    try:
        reader = wait_for(lambda: _try_store(pg_url), timeout=20, what="receivers created the tables")
        branch = start_branch(tmp_path / "node", sync_config(broker.port, batch_size=20))
        wait_for(lambda: branch.service.link.connected, what="branch connected")
        done = threading.Event()

        def customers() -> None:
            branch.issue(300)
            done.set()

        worker = threading.Thread(target=customers, name="customers")
        worker.start()
        wait_for(lambda: reader.latest_log(ORG, BRANCH) and reader.latest_log(ORG, BRANCH)[1] > 60,
                 timeout=30, what="both receivers busy")
        receivers[0].send_signal(signal.SIGKILL)  # mid-stream: its unacknowledged messages go to the other
        receivers[0].wait(10)
        worker.join(120)
        assert done.is_set()
        seq = branch.node.core.seq
        wait_for(lambda: reader.latest_log(ORG, BRANCH)[1] == seq and branch.service.pump.watermark == seq,
                 timeout=60, what="everything stored and acknowledged")
        assert reader.count_events(ORG, BRANCH) == branch.events()  # none lost, none twice (and in order)
        count = reader.conn.execute("SELECT COUNT(*) FROM sq_event").fetchone()[0]
        assert count == seq
        tickets = reader.conn.execute("SELECT COUNT(*) FROM sq_ticket").fetchone()[0]
        assert tickets == 300
    finally:
        if branch is not None:
            stop_branch(branch)
        for proc in receivers:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            proc.stderr.close()
        if reader is not None:
            reader.close()


def _try_store(url: str) -> PostgresCentralStore | None:
    try:
        store = PostgresCentralStore(url)
    except Exception:
        return None
    return store
