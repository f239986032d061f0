"""Review 16c (adversarial, issue 16 third round): the pump's resend from the archive file when central lacks
archived events. Real node, Mosquitto, central receiver and SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from branch.archive import ARCHIVE_SCHEMA, COLUMNS
from tests.branch.conftest import start_node, stop_node
from tests.sync.conftest import wait_for
from tests.sync.retention_helpers import Central, Clock, SyncedNode, archived_past_a_backup, retention_config


def _foreign_archive(tmp: Path, target: Path, events: int) -> None:
    """An archive file of *another* event log (another node's, or this one's before its data dir was wiped): valid
    events with valid hashes, at the same seqs. What a technician may put back when told "put
    events-archive.sqlite3 back (from a backup or another member)"."""
    other = start_node(tmp / "other-node", retention_config(0.5))
    try:
        kiosk = other.client("kiosk")
        for _ in range(events):
            kiosk.issue_ticket("accounts")
        rows = other.node.store.query(f"SELECT {COLUMNS} FROM events ORDER BY seq")
    finally:
        stop_node(other)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute(ARCHIVE_SCHEMA)
    conn.executemany(f"INSERT INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def test_an_archive_file_of_another_log_is_never_resent_to_central(tmp_path, broker):
    """Central restored below the checkpoint, the node's archive file is another log's (same seqs, valid hashes):
    the pump must refuse it (archive_problem), not send foreign events that central would store for good under
    this log's id (its chain then breaks at the first of them and the right events are refused as conflicts)."""
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, app = Clock(), retention_config(0.5)
    synced = SyncedNode(tmp_path / "node", app, broker.port, clock)
    archive = synced.data / "events-archive.sqlite3"
    try:
        kept, acked = archived_past_a_backup(synced, central, clock, tmp_path / "backup.sqlite3", 10)
        own = synced.hashes()

        shutil.move(archive, tmp_path / "own-archive.sqlite3")
        _foreign_archive(tmp_path, archive, acked)  # the wrong file put back
        central.restore(tmp_path / "backup.sqlite3")  # central lacks kept+1..acked
        central.start()
        pump = synced.service.pump
        wait_for(lambda: pump.archive_problem is not None or central.log_row()[1] >= acked, timeout=15,
                 what="the pump's answer to central's lower watermark")
        foreign = [row for row in central.hashes() if row not in own]
        assert foreign == [], f"central stored {len(foreign)} events of another log under this one"
        assert central.log_row()[0] == kept and central.log_row()[2] is None  # no chain error at central
        assert "another log" in pump.archive_problem

        archive.unlink()
        shutil.move(tmp_path / "own-archive.sqlite3", archive)  # the right file put back: central catches up
        wait_for(lambda: central.log_row()[0] == synced.seq, timeout=20, what="central caught up from the archive")
        assert central.hashes() == synced.hashes() and central.log_row()[2:] == (None, 0)
    finally:
        synced.stop()
        central.stop()


def test_a_damaged_archived_event_does_not_stop_the_live_events_reaching_central(tmp_path, broker):
    """One archived event's bytes changed (a bad sector, a hand edit): the file still opens. Central rejects the
    batch holding it; the pump must treat it as an archive that cannot give the events (archive_problem, the live
    events sent meanwhile), not pause sync and resend the same rejected batch for ever."""
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, app = Clock(), retention_config(0.5)
    synced = SyncedNode(tmp_path / "node", app, broker.port, clock)
    archive = synced.data / "events-archive.sqlite3"
    try:
        kept, _acked = archived_past_a_backup(synced, central, clock, tmp_path / "backup.sqlite3", 10)

        conn = sqlite3.connect(archive, isolation_level=None)
        conn.execute("UPDATE events SET at = ? WHERE seq = ?", ("2001-01-01T00:00:00.000Z", kept + 2))
        conn.close()
        central.restore(tmp_path / "backup.sqlite3")
        central.start()
        pump = synced.service.pump
        wait_for(lambda: pump.archive_problem is not None or pump.halted_until is not None, timeout=15,
                 what="the pump's answer to central's lower watermark")
        assert pump.archive_problem is not None  # said in /health and by the doctor
        assert pump.halted_until is None  # sync goes on
        synced.issue(3, "cash")  # live events, after the checkpoint
        wait_for(lambda: central.log_row()[1] == synced.seq, timeout=15, what="central stored the live events")
    finally:
        synced.stop()
        central.stop()
