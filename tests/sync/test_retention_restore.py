"""Event retention when central's store is restored from a backup (issue 16, review findings 5 and 6): a node
archives only up to what central itself said since sync started — never a watermark remembered in its database or
kept by the broker — and when central lacks events the node already archived, the pump resends them from the archive
file until central's watermark reaches the live head. Real node, Mosquitto, central receiver and SQLite files."""

from __future__ import annotations

import logging
import math
import shutil

from commissioning.doctor import check_sync
from smartqueue.node_cli import _sync_health
from tests.sync.conftest import wait_for
from tests.sync.retention_helpers import (
    DAY_S,
    Central,
    Clock,
    SyncedNode,
    archived_past_a_backup,
    retention_config,
    verify,
)


def test_a_node_restarted_after_central_was_restored_archives_only_what_central_says_now(tmp_path, broker):
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, app = Clock(), retention_config(0.5)
    synced = SyncedNode(tmp_path / "node", app, broker.port, clock)
    try:
        synced.issue(4)
        kept = synced.seq
        synced.wait_recorded(kept)
        central.backup(tmp_path / "backup.sqlite3")
        synced.issue(4)
        acked = synced.seq
        synced.wait_recorded(acked)
        synced.stop()
        # while the node is stopped central is restored from the older backup (new epoch, watermark `kept`); the
        # node's meta still says `acked`, and so does the ack the broker kept (retained, of the old epoch)
        central.restore(tmp_path / "backup.sqlite3")
        clock.shift = 0.6 * DAY_S  # every event is older than the retention now
        synced = synced.restart(app, broker.port, clock)
        pump = synced.service.pump
        wait_for(lambda: pump.heard, what="the broker's retained ack heard")
        assert pump.watermark == acked  # the contract believes it (same epoch)...
        assert synced.archive() == 0 and synced.checkpoint() == 0  # ...archiving does not: central did not say it

        pump.halted_until = math.inf  # sending paused (as after a dead letter): central's answer stays its own
        central.start()
        wait_for(lambda: pump.fresh_watermark() == kept, what="central's hello of the restored store")
        assert synced.archive() == kept and synced.checkpoint() == kept  # only what central holds now

        pump.halted_until = None  # the pump goes on: central gets the rest, then the rest may be archived
        wait_for(lambda: pump.fresh_watermark() == synced.seq, timeout=20, what="central caught up")
        assert synced.archive() == acked  # (an event of the restart, if any, is not old enough)
        assert central.hashes() == synced.hashes()
        verify(synced.data)
    finally:
        synced.stop()
        central.stop()


def test_central_restored_below_the_checkpoint_gets_the_archived_events_again(tmp_path, broker, caplog):
    caplog.set_level(logging.INFO)
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, app = Clock(), retention_config(0.5)
    synced = SyncedNode(tmp_path / "node", app, broker.port, clock)
    node = synced.node
    node.health_parts["sync"] = lambda: _sync_health(node, synced.service)  # as the composition root wires it
    archive = synced.data / "events-archive.sqlite3"
    try:
        kept, acked = archived_past_a_backup(synced, central, clock, tmp_path / "backup.sqlite3", 30)
        synced.issue(3, "cash")  # live, after the checkpoint
        wait_for(lambda: central.log_row()[0] == synced.seq, what="central acknowledged the live ones")

        central.restore(tmp_path / "backup.sqlite3")  # now central lacks kept+1..acked, archived on the node
        central.start()
        wait_for(lambda: central.log_row()[0] == synced.seq, timeout=20, what="central's watermark at the live head")
        assert central.hashes() == synced.hashes()  # every event once, with the node's hashes
        assert central.log_row()[2:] == (None, 0)  # central's chain check passed, no conflicting events
        lacks = [r for r in caplog.records if "archived events (seq" in r.getMessage()]
        assert [r.getMessage() for r in lacks] == [
            f"central lacks {acked - kept} archived events (seq {kept + 1}-{acked}): resending from the archive"]

        # the archive file gone (moved off the machine): said in the log and in /health, the pump goes on
        shutil.move(archive, tmp_path / "moved-archive.sqlite3")
        central.restore(tmp_path / "backup.sqlite3")
        central.start()
        synced.issue(2, "cash")
        wait_for(lambda: central.log_row()[1] == synced.seq, timeout=20, what="central stored the live events")
        assert central.log_row()[0] == kept  # what the node cannot resend keeps central's watermark down
        health = wait_for(lambda: (h := synced.running.http("GET", "/api/v1/health", role=None).json())["sync"][
            "archive_problem"] and h, what="the problem in /health")
        assert "events-archive.sqlite3 is missing" in health["sync"]["archive_problem"]
        doctor = check_sync(health)  # what `smartqueue doctor` tells the technician
        assert doctor.ok is False and "events-archive.sqlite3" in doctor.fix
        assert any(r.levelno == logging.ERROR and "cannot resend" in r.getMessage() for r in caplog.records)

        shutil.move(tmp_path / "moved-archive.sqlite3", archive)  # a technician brings it back
        wait_for(lambda: central.log_row()[0] == synced.seq, timeout=20, what="central caught up from the archive")
        assert central.hashes() == synced.hashes()
        assert synced.running.http("GET", "/api/v1/health", role=None).json()["sync"]["archive_problem"] is None
    finally:
        synced.stop()
        central.stop()
