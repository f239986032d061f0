"""The reference receiver: stored once whatever the duplicates, gaps found by seq, the chain checked, bad and
spoofed messages dropped; `smartqueue central status`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from branch.store import GENESIS, canonical, chain_hash
from queue_engine.calendar import iso_ms
from sync.central import CentralReceiver
from sync.central_store import SqliteCentralStore, read_status
from sync.messages import encode

from .conftest import BRANCH, ORG, Branch, branch_row, central_events, central_sql, wait_for

ROOT = Path(__file__).resolve().parents[2]


def chain(count: int, start: int = 1, prev: str = GENESIS, tag: str = "e") -> list[dict]:
    events = []
    for seq in range(start, start + count):
        data = {"ticket_id": f"t{seq}"}
        digest = chain_hash(prev, seq, f"{tag}{seq}", "TicketIssued", 1000 + seq, "{}", canonical(data))
        events.append({"seq": seq, "id": f"{tag}{seq}", "type": "TicketIssued", "at": iso_ms(1000 + seq),
                       "actor": {}, "data": data, "hash": digest, "prev_hash": prev})
        prev = digest
    return events


def test_store_dedupes_orders_and_finds_gaps(tmp_path: Path) -> None:
    store = SqliteCentralStore(tmp_path / "c.sqlite3")
    events = chain(10)
    log = events[0]["hash"]
    assert store.store_events(ORG, BRANCH, "n1", log, events[:3]).watermark == 3
    gap = store.store_events(ORG, BRANCH, "n1", log, events[5:8])
    assert (gap.watermark, gap.stored_max) == (3, 8)  # 4 and 5 missing: a gap
    again = store.store_events(ORG, BRANCH, "n1", log, events[:3] + events[5:8])
    assert (again.new, again.duplicates) == (0, 6)
    filled = store.store_events(ORG, BRANCH, "n1", log, events[3:5])
    assert filled.watermark == 8
    assert store.store_events(ORG, BRANCH, "n1", log, events[8:]).watermark == 10
    assert [seq for seq, _ in store.count_events(ORG, BRANCH)] == list(range(1, 11))
    store.close()


def test_store_refuses_a_broken_chain_and_keeps_logs_apart(tmp_path: Path) -> None:
    store = SqliteCentralStore(tmp_path / "c.sqlite3")
    events = chain(4)
    log = events[0]["hash"]
    events[2] = {**events[2], "prev_hash": "f" * 64}
    result = store.store_events(ORG, BRANCH, "n1", log, events)
    assert result.watermark == 2 and result.chain_error == "hash chain broken at seq 3"
    other = chain(2, tag="other")  # seq 1 and 2 again, other ids, under the same log id: refused as conflicts
    assert store.store_events(ORG, BRANCH, "n1", log, other).new == 0
    assert store.conn.execute("SELECT conflicts FROM sq_branch_log").fetchone()[0] == 2
    restarted = store.store_events(ORG, BRANCH, "n1", other[0]["hash"], other)  # a new log: starts at seq 1
    assert (restarted.new, restarted.watermark) == (2, 2)
    assert store.latest_log(ORG, BRANCH) == (other[0]["hash"], 2, 2)
    store.close()


def test_duplicate_deliveries_through_the_broker_are_stored_once(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.issue(3)
    wait_for(lambda: branch_row(db).get("watermark") == branch.node.core.seq, what="stored")
    envelopes = [e.envelope() for e in branch.node.store.iter_events(0)]
    batch = {"schema": 1, "organisation": ORG, "branch": BRANCH, "node": "replayer", "log": envelopes[0]["hash"],
             "first_seq": 1,
             "last_seq": len(envelopes), "sent_at": "2026-11-24T08:00:00.000Z", "events": envelopes}
    for _ in range(3):
        central.send_raw(ORG, BRANCH, "events", encode(batch))
    wait_for(lambda: branch_row(db).get("duplicates", 0) >= 3 * len(envelopes), what="duplicates counted")
    assert central_events(db) == branch.events()


def test_malformed_and_spoofed_messages_are_dropped(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    rejected = central.rejected
    central.send_raw(ORG, BRANCH, "events", b"\xff\xfe not json")
    central.send_raw(ORG, BRANCH, "events", json.dumps({"schema": 1, "hello": True}).encode())
    events = chain(1)
    spoof = {"schema": 1, "organisation": ORG, "branch": "BR001", "node": "x", "log": events[0]["hash"],
             "first_seq": 1, "last_seq": 1, "sent_at": "x", "events": events}
    central.send_raw(ORG, BRANCH, "events", encode(spoof))
    wait_for(lambda: central.rejected >= rejected + 3, what="three rejections")
    # and the branch shrugs off a malformed ack from central
    central.send_raw(ORG, BRANCH, "events/ack", b'{"schema":1,"watermark":-5}')
    branch.issue(1)
    wait_for(lambda: branch_row(db).get("watermark") == branch.node.core.seq, what="sync still working")
    assert all(b["branch"] == BRANCH for b in read_status(db)["branches"])


def test_central_status_command_lists_branches_and_devices(tmp_path: Path, branch: Branch,
                                                           central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    branch.running.client("kiosk").report_status("dev-kiosk", {"state": "degraded", "components": {
        "printer": "paper_out"}, "paper_left_estimate": 0})
    branch.issue(2)
    wait_for(lambda: any(d["device"] == "dev-kiosk" and d.get("report")
                         for d in read_status(db)["devices"]), what="device status")
    # the staff alert rides up with the device's health (issue 15): central sees what the keypads show
    kiosk = next(d for d in read_status(db)["devices"] if d["device"] == "dev-kiosk")
    assert kiosk["alerts"] == [{"kind": "printer_paper_out", "severity": "action"}]
    config = tmp_path / "central.toml"
    config.write_text(f'[central]\nhost = "127.0.0.1"\nport = {central.config.port}\ndb_path = "{db}"\n')
    out = subprocess.run([sys.executable, "-m", "smartqueue", "central", "status", "--config", str(config)],
                         cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert f"{ORG}/{BRANCH}" in out.stdout and "online" in out.stdout
    assert "printer=paper_out" in out.stdout


def test_status_says_single_and_how_to_judge_it_stale(branch: Branch, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    row = wait_for(lambda: (r := branch_row(db)).get("role") and r, what="status stored")
    assert row["role"] == "single" and row["state"] == "online"
    status = json.loads(central_sql(db, "SELECT status FROM sq_branch")[0][0])
    assert (status["keepalive_s"], status["status_interval_s"]) == (5, 0.5)
    branch.stop_sync()  # a clean stop publishes offline; make it look like a silent one instead
    wait_for(lambda: branch_row(db).get("state") == "offline", what="offline stored")
    central.call(lambda store: store.conn.execute(
        "UPDATE sq_branch SET status = json_set(status, '$.state', 'online'), status_ms = status_ms - 10000"))
    assert branch_row(db)["state"] == "stale"  # older than 2 x 0.5 s + 1.5 x 5 s
    branch.start_sync()
