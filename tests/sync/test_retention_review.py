"""Review of issue 16's event retention (round 2): attacks from outside, with a real node, Mosquitto and central.

A quiet day (no ticket since the last acknowledged event, `event_retention_days` below a day, which the setting
allows) archives *every* live event. The node must then go on from the checkpoint, not from seq 0."""

from __future__ import annotations

import subprocess
import sys
import time

from branch.archive import checkpoint
from sync.central import CentralReceiver
from sync.service import SyncService
from tests.branch.conftest import example_config, start_node, stop_node
from tests.sync.conftest import central_config, central_events, sync_config, wait_for

DAY_S = 24 * 3600


def test_a_node_whose_every_event_was_archived_goes_on_from_the_checkpoint_after_a_restart(tmp_path, broker):
    central = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    central.start()
    shift = [0.0]
    data = tmp_path / "node"
    app = example_config(ticket_rate_per_minute=6000, ticket_burst=1000, event_retention_days=0.5)
    running = start_node(data, app, clock=lambda: time.time() + shift[0])
    node = running.node
    service = SyncService(node, sync_config(broker.port))
    running.call(service.start())
    try:
        kiosk, token = running.client("kiosk"), running.tokens["kiosk"]
        for _ in range(5):
            kiosk.issue_ticket("accounts")
        acked = node.core.seq
        wait_for(lambda: node.store.meta("sync.watermark") == str(acked), what="the ack recorded")
        shift[0] = 0.6 * DAY_S  # the same business day or the next: nothing happened since, all acknowledged
        running.call(node.archive_events())
        assert checkpoint(node.store).seq == acked
        assert node.store.query("SELECT COUNT(*) FROM events")[0][0] == 0  # every event archived
        port = int(running.url.rsplit(":", 1)[1])
        running.call(service.stop())
        stop_node(running)

        running = start_node(data, app, port=port, register=False, clock=lambda: time.time() + shift[0])
        node = running.node
        assert node.core.seq == acked, f"after a restart the node goes on from seq {node.core.seq}, not {acked}"
        service = SyncService(node, sync_config(broker.port))
        running.call(service.start())
        running.client_with(token).issue_ticket("cash")
        assert node.core.seq > acked
        wait_for(lambda: len(central_events(central.config.db_path)) == node.core.seq, timeout=20,
                 what="central has the new events under the same log")
        report = subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", "--data-dir", str(data)],
                                capture_output=True, text=True, timeout=60)
        assert report.returncode == 0, report.stdout + report.stderr
    finally:
        if running.loop.is_running():
            running.call(service.stop())
            stop_node(running)
        central.stop()



def test_an_archive_file_left_from_an_older_log_never_swallows_the_new_logs_events(tmp_path, broker):
    """A technician "wipes" a node by deleting its database and Raft files but keeps events-archive.sqlite3 (the
    docs call it the ledger, never deleted). The new log starts again at seq 1: archiving it must not keep the old
    log's rows at the same seqs (INSERT OR IGNORE) while the new events are deleted from the live table."""
    central = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    central.start()
    shift = [0.0]
    data = tmp_path / "node"
    app = example_config(ticket_rate_per_minute=6000, ticket_burst=1000, event_retention_days=0.5)
    running = service = None
    try:
        for round_ in range(2):
            running = start_node(data, app, clock=lambda: time.time() + shift[0])
            node = running.node
            service = SyncService(node, sync_config(broker.port))
            running.call(service.start())
            kiosk = running.client("kiosk")
            for _ in range(3 + round_):
                kiosk.issue_ticket("accounts")
            acked = node.core.seq
            wait_for(lambda n=node, a=acked: n.store.meta("sync.watermark") == str(a), what="the ack recorded")
            shift[0] += 0.6 * DAY_S
            running.call(node.archive_events())
            assert checkpoint(node.store).seq == acked
            running.call(service.stop())
            stop_node(running)
            running = None
            if round_ == 0:
                for name in ("branch.sqlite3", "branch.sqlite3-wal", "branch.sqlite3-shm"):
                    (data / name).unlink(missing_ok=True)  # the "wipe", archive file kept
        report = subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", "--data-dir", str(data)],
                                capture_output=True, text=True, timeout=60)
        assert report.returncode == 0, report.stdout + report.stderr
        assert len(list(data.glob("events-archive.other-log-*.sqlite3"))) == 1  # the old log's, kept aside
    finally:
        if running is not None:
            running.call(service.stop())
            stop_node(running)
        central.stop()
