"""Review of issue 16's event retention (round 2): attacks from outside, with a real node, Mosquitto and central.

A quiet day (no ticket since the last acknowledged event, `event_retention_days` below a day, which the setting
allows) archives *every* live event. The node must then go on from the checkpoint, not from seq 0."""

from __future__ import annotations

from tests.sync.conftest import wait_for
from tests.sync.retention_helpers import DAY_S, Central, Clock, SyncedNode, retention_config, verify


def test_a_node_whose_every_event_was_archived_goes_on_from_the_checkpoint_after_a_restart(tmp_path, broker):
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, app = Clock(), retention_config(0.5)
    synced = SyncedNode(tmp_path / "node", app, broker.port, clock)
    try:
        synced.issue(5)
        acked = synced.seq
        synced.wait_recorded(acked)
        clock.shift = 0.6 * DAY_S  # the same business day or the next: nothing happened since, all acknowledged
        synced.archive()
        assert synced.checkpoint() == acked
        assert synced.node.store.query("SELECT COUNT(*) FROM events")[0][0] == 0  # every event archived

        synced = synced.restart(app, broker.port, clock)
        assert synced.seq == acked, f"after a restart the node goes on from seq {synced.seq}, not {acked}"
        synced.issue(1, "cash")
        assert synced.seq > acked
        wait_for(lambda: len(central.events()) == synced.seq, timeout=20,
                 what="central has the new events under the same log")
        verify(synced.data)
    finally:
        synced.stop()
        central.stop()


def test_an_archive_file_left_from_an_older_log_never_swallows_the_new_logs_events(tmp_path, broker):
    """A technician "wipes" a node by deleting its database and Raft files but keeps events-archive.sqlite3 (the
    docs call it the ledger, never deleted). The new log starts again at seq 1: archiving it must not keep the old
    log's rows at the same seqs (INSERT OR IGNORE) while the new events are deleted from the live table."""
    central = Central(broker.port, tmp_path / "central" / "central.sqlite3").start()
    clock, data, app = Clock(), tmp_path / "node", retention_config(0.5)
    synced = None
    try:
        for round_ in range(2):
            synced = SyncedNode(data, app, broker.port, clock)
            synced.issue(3 + round_)
            acked = synced.seq
            synced.wait_recorded(acked)
            clock.shift += 0.6 * DAY_S
            synced.archive()
            assert synced.checkpoint() == acked
            synced.stop()
            synced = None
            if round_ == 0:
                for name in ("branch.sqlite3", "branch.sqlite3-wal", "branch.sqlite3-shm"):
                    (data / name).unlink(missing_ok=True)  # the "wipe", archive file kept
        verify(data)
        assert len(list(data.glob("events-archive.other-log-*.sqlite3"))) == 1  # the old log's, kept aside
    finally:
        if synced is not None:
            synced.stop()
        central.stop()
