"""Event retention (issue 16, §3): a single node archives what central acknowledged and the retention made old —
never more — and stays whole: verify (archive + live), state after a restart, the SSE backlog, sync's log id and
watermark. Real node, real Mosquitto, real central receiver, real SQLite files."""

from __future__ import annotations

import sqlite3

import requests

from branch.archive import ARCHIVE_FILE, checkpoint
from branch.core import BranchCore
from branch.store import Store, verify_chain
from sync import branch_persistence
from tests.sync.conftest import wait_for
from tests.sync.retention_helpers import DAY_S, Central, Clock, SyncedNode, retention_config, verify


def test_a_node_archives_only_what_central_acknowledged_and_stays_whole(tmp_path, broker):
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, data, app = Clock(), tmp_path / "node", retention_config(30)
    synced = SyncedNode(data, app, broker.port, clock)
    try:
        node = synced.node
        synced.issue(20)
        acked = synced.seq
        wait_for(lambda: len(central.events()) == acked, what="central has every event")
        synced.wait_recorded(acked)
        log_id = node.store.query("SELECT hash FROM events WHERE seq = 1")[0][0]
        assert synced.archive() == 0  # acknowledged, but not older than the retention

        central.stop()  # central stops acknowledging: what follows must stay live
        synced.issue(5, "cash")
        before = node.core.state.to_dict()
        clock.shift = 31 * DAY_S  # a month later every event is older than the retention
        assert synced.archive() == acked
        assert checkpoint(node.store).seq == acked and checkpoint(node.store).log_id == log_id
        live = [r[0] for r in node.store.query("SELECT seq FROM events ORDER BY seq")]
        assert live == list(range(acked + 1, node.core.seq + 1))  # nothing central has not stored is gone
        assert [r[0] for r in node.store.query("SELECT seq FROM outbox ORDER BY seq")] == live
        archive = sqlite3.connect(data / ARCHIVE_FILE)
        assert [r[0] for r in archive.execute("SELECT seq FROM events ORDER BY seq")] == list(range(1, acked + 1))
        archive.close()
        assert synced.archive() == 0  # the rest is not acknowledged

        # the live-event backlog goes on from the checkpoint; verify checks archive + live; log id unchanged
        stream = requests.get(synced.running.url + "/api/v1/events", headers={
            "Authorization": f"Bearer {synced.running.tokens['display']}", "Last-Event-ID": "0"}, stream=True,
            timeout=5)
        ids = []
        for line in stream.iter_lines():
            if line.startswith(b"id: "):
                ids.append(int(line[4:]))
                if ids[-1] == node.core.seq:
                    break
        stream.close()
        assert ids == live
        assert branch_persistence.log_id(node.store) == log_id
        report = verify(data)
        assert f"ok: {node.core.seq} events" in report and f"archived up to seq {acked}" in report

        # state rebuilt from disk (the snapshot the archive step wrote + the live events) is the same
        synced.stop()
        store = Store(data / "branch.sqlite3")
        assert BranchCore(node.setup, store).state.to_dict() == before
        store.close()
        assert verify_chain(data / "branch.sqlite3").ok

        # central comes back: the unacknowledged rest reaches it, under the same log id
        central.start()
        synced = synced.restart(app, broker.port, clock)
        wait_for(lambda: len(central.events()) == synced.seq, timeout=20, what="central has the rest")
        assert central.events()[-1][0] == synced.seq
    finally:
        synced.stop()
        central.stop()
