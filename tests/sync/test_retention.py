"""Event retention (issue 16, §3): a single node archives what central acknowledged and the retention made old —
never more — and stays whole: verify (archive + live), state after a restart, the SSE backlog, sync's log id and
watermark. Real node, real Mosquitto, real central receiver, real SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import requests

from branch.archive import ARCHIVE_FILE, checkpoint
from branch.core import BranchCore
from branch.store import Store, verify_chain
from sync.central import CentralReceiver
from sync.service import SyncService
from tests.branch.conftest import example_config, start_node, stop_node
from tests.sync.conftest import central_config, central_events, sync_config, wait_for

DAY_S = 24 * 3600


def test_a_node_archives_only_what_central_acknowledged_and_stays_whole(tmp_path, broker):
    central = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    central.start()
    shift = [0.0]
    data = tmp_path / "node"
    app = example_config(ticket_rate_per_minute=6000, ticket_burst=1000, event_retention_days=30)
    running = start_node(data, app, clock=lambda: time.time() + shift[0])
    node = running.node
    service = SyncService(node, sync_config(broker.port))
    running.call(service.start())
    try:
        kiosk = running.client("kiosk")
        for _ in range(20):
            kiosk.issue_ticket("accounts")
        acked = node.core.seq
        wait_for(lambda: len(central_events(central.config.db_path)) == acked, what="central has every event")
        wait_for(lambda: node.store.meta("sync.watermark") == str(acked), what="the ack recorded")
        log_id = node.store.query("SELECT hash FROM events WHERE seq = 1")[0][0]
        assert running.call(node.archive_events()) == 0  # acknowledged, but not older than the retention

        central.stop()  # central stops acknowledging: what follows must stay live
        for _ in range(5):
            kiosk.issue_ticket("cash")
        before = node.core.state.to_dict()
        shift[0] = 31 * DAY_S  # a month later every event is older than the retention
        assert running.call(node.archive_events()) == acked
        assert checkpoint(node.store).seq == acked and checkpoint(node.store).log_id == log_id
        live = [r[0] for r in node.store.query("SELECT seq FROM events ORDER BY seq")]
        assert live == list(range(acked + 1, node.core.seq + 1))  # nothing central has not stored is gone
        assert [r[0] for r in node.store.query("SELECT seq FROM outbox ORDER BY seq")] == live
        archive = sqlite3.connect(data / ARCHIVE_FILE)
        assert [r[0] for r in archive.execute("SELECT seq FROM events ORDER BY seq")] == list(range(1, acked + 1))
        archive.close()
        assert running.call(node.archive_events()) == 0  # the rest is not acknowledged

        # the live-event backlog goes on from the checkpoint; verify checks archive + live; log id unchanged
        stream = requests.get(running.url + "/api/v1/events", headers={
            "Authorization": f"Bearer {running.tokens['display']}", "Last-Event-ID": "0"}, stream=True, timeout=5)
        ids = []
        for line in stream.iter_lines():
            if line.startswith(b"id: "):
                ids.append(int(line[4:]))
                if ids[-1] == node.core.seq:
                    break
        stream.close()
        assert ids == live
        from sync import branch_persistence

        assert branch_persistence.log_id(node.store) == log_id
        report = subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", "--data-dir", str(data)],
                                capture_output=True, text=True, timeout=60)
        assert report.returncode == 0, report.stdout + report.stderr
        assert f"ok: {node.core.seq} events" in report.stdout and f"archived up to seq {acked}" in report.stdout

        # state rebuilt from disk (the snapshot the archive step wrote + the live events) is the same
        port = int(running.url.rsplit(":", 1)[1])
        running.call(service.stop())
        stop_node(running)
        store = Store(data / "branch.sqlite3")
        assert BranchCore(node.setup, store).state.to_dict() == before
        store.close()
        assert verify_chain(data / "branch.sqlite3").ok
        running = start_node(data, app, port=port, register=False, clock=lambda: time.time() + shift[0])
        node = running.node

        # central comes back: the unacknowledged rest reaches it, under the same log id
        central = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
        central.start()
        service = SyncService(node, sync_config(broker.port))
        running.call(service.start())
        wait_for(lambda: len(central_events(central.config.db_path)) == node.core.seq, timeout=20,
                 what="central has the rest")
        assert central_events(central.config.db_path)[-1][0] == node.core.seq
    finally:
        if running.loop.is_running():
            running.call(service.stop())
            stop_node(running)
        central.stop()
