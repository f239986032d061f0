"""What the event-retention tests share: a node with its sync service on a clock the test moves forward, and central
as an operator runs it (stopped, backed up, restored with a new epoch). Real node, Mosquitto, central receiver and
SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from branch.archive import checkpoint
from config.schema import AppConfig
from sync.central import CentralReceiver
from sync.central_store import SqliteCentralStore
from sync.service import SyncService
from tests.branch.conftest import RunningNode, example_config, start_node, stop_node
from tests.sync.conftest import BRANCH, ORG, central_config, central_events, sync_config, wait_for

DAY_S = 24 * 3600


def retention_config(days: float) -> AppConfig:
    return example_config(ticket_rate_per_minute=6000, ticket_burst=1000, event_retention_days=days)


class Clock:
    """The node's wall clock, `shift` seconds ahead of the real one (days pass in a test)."""

    def __init__(self) -> None:
        self.shift = 0.0

    def __call__(self) -> float:
        return time.time() + self.shift


class SyncedNode:
    """A node serving on loopback with its SyncService started (as the composition root does on the leader)."""

    def __init__(self, data: Path, app: AppConfig, broker_port: int, clock: Clock, *, port: int = 0,
                 kiosk_token: str | None = None) -> None:
        self.data = data
        self.running: RunningNode = start_node(data, app, port=port, register=kiosk_token is None, clock=clock)
        self.kiosk_token = kiosk_token or self.running.tokens["kiosk"]
        self.service = SyncService(self.node, sync_config(broker_port))
        self.running.call(self.service.start())

    @property
    def node(self):
        return self.running.node

    @property
    def seq(self) -> int:
        return self.node.core.seq

    @property
    def port(self) -> int:
        return int(self.running.url.rsplit(":", 1)[1])

    def issue(self, count: int, service: str = "accounts") -> None:
        kiosk = self.running.client_with(self.kiosk_token)
        for _ in range(count):
            kiosk.issue_ticket(service)

    def archive(self) -> int:
        """One housekeeping round's archiving; the last seq archived (0: nothing)."""
        return self.running.call(self.node.archive_events())

    def checkpoint(self) -> int:
        return checkpoint(self.node.store).seq

    def wait_recorded(self, seq: int) -> None:
        """Until the node recorded central's ack of `seq` (the outbox trimmed up to it)."""
        wait_for(lambda: self.node.store.meta("sync.watermark") == str(seq), what=f"central's ack of {seq} recorded")

    def stop(self) -> None:
        if self.running.loop.is_running():
            self.running.call(self.service.stop())
            stop_node(self.running)

    def restart(self, app: AppConfig, broker_port: int, clock: Clock) -> SyncedNode:
        port = self.port
        self.stop()
        return SyncedNode(self.data, app, broker_port, clock, port=port, kiosk_token=self.kiosk_token)

    def hashes(self) -> list[tuple[int, str, str]]:
        """(seq, event id, hash) of the whole log on this machine: the archive file, then the live events."""
        archive = self.data / "events-archive.sqlite3"
        rows = []
        if archive.exists():
            conn = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
            rows = conn.execute("SELECT seq, id, hash FROM events WHERE seq <= ? ORDER BY seq",
                                (self.checkpoint(),)).fetchall()
            conn.close()
        return rows + [tuple(r) for r in self.node.store.query("SELECT seq, id, hash FROM events ORDER BY seq")]


class Central:
    """The reference central receiver on its SQLite file, as its operator runs it."""

    def __init__(self, broker_port: int, db: Path) -> None:
        self.broker_port, self.db = broker_port, db
        self.receiver: CentralReceiver | None = None

    def start(self) -> Central:
        self.receiver = CentralReceiver(central_config(self.broker_port, self.db))
        self.receiver.start()
        return self

    def stop(self) -> None:
        if self.receiver is not None:
            self.receiver.stop()
            self.receiver = None

    def backup(self, target: Path) -> None:
        """An online backup of central's store (SQLite's backup API, as `sqlite3 .backup` takes it)."""
        source, copy = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True), sqlite3.connect(target)
        source.backup(copy)
        copy.close()
        source.close()

    def restore(self, backup: Path) -> str:
        """The operator's restore: central stopped, its store replaced by the backup, a new epoch
        (`smartqueue central new-epoch`). Central is left stopped; the broker still holds its last retained ack."""
        self.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(backup, self.db)
        store = SqliteCentralStore(self.db)
        try:
            return store.renew_epoch()
        finally:
            store.close()

    def events(self) -> list[tuple[int, str]]:
        return central_events(self.db)

    def log_row(self) -> tuple[int, int, str | None, int]:
        """(watermark, stored_max, chain_error, conflicts) of the branch's current log at central."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return conn.execute(
                "SELECT l.watermark, l.stored_max, l.chain_error, l.conflicts FROM sq_branch_log l JOIN sq_branch b"
                " ON b.organisation = l.organisation AND b.branch = l.branch AND b.current_log = l.log"
                " WHERE l.organisation = ? AND l.branch = ?", (ORG, BRANCH)).fetchone()
        finally:
            conn.close()

    def hashes(self) -> list[tuple[int, str, str]]:
        """(seq, event id, hash) of every row central holds for the branch (all logs: a double would show)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT seq, event_id, hash FROM sq_event WHERE organisation = ? AND branch = ?"
                                " ORDER BY seq", (ORG, BRANCH)).fetchall()
        finally:
            conn.close()


def verify(data: Path) -> str:
    """`smartqueue node verify` on a data dir (archive + live); its report, asserting it passed."""
    report = subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", "--data-dir", str(data)],
                            capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stdout + report.stderr
    return report.stdout


def archived_past_a_backup(synced: SyncedNode, central: Central, clock: Clock, backup: Path,
                           count: int) -> tuple[int, int]:
    """`count` events acknowledged, central backed up to `backup`, `count` more acknowledged, then everything
    archived (the clock moved past the retention): (seq the backup holds, seq archived). Restoring `backup` then
    makes central lack archived events."""
    synced.issue(count)
    synced.wait_recorded(kept := synced.seq)
    central.backup(backup)
    synced.issue(count)
    synced.wait_recorded(acked := synced.seq)
    clock.shift = 0.6 * DAY_S
    assert synced.archive() == acked  # central held them all when they were archived
    return kept, acked
