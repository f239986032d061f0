"""Event retention in a 3-member cluster (issue 16, §3), with a real Mosquitto and central receiver: the leader
proposes "archive up to seq N" once central acknowledged N and the events are old enough; every member archives
the same at the same log position. Afterwards chains verify and are identical, nothing central has not stored is
gone, the full dump is smaller, and a member restored from it catches up and verifies."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest

from devtools.cluster_harness import chain, make_cluster, smartqueue
from tests.sync.conftest import central_events

from .test_config_push import central, wait_for, with_sync  # noqa: F401 - `central` is a fixture
from .test_failover import assert_identical_chains

RETENTION_DAYS = 0.00005  # 4.3 s: old enough soon after central acknowledged


def read(db, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def archived(member) -> tuple | None:
    rows = read(member.db, "SELECT seq, hash, log_id, archived_ms FROM event_archive")
    return rows[0] if rows else None


def unarchived_size(dump, archive, target) -> int:
    """The size the same dump would have without archiving: its archived events put back, vacuumed."""
    shutil.copyfile(dump, target)
    conn = sqlite3.connect(target)
    conn.execute("ATTACH ? AS archive", (str(archive),))
    conn.execute("INSERT INTO events SELECT * FROM archive.events")
    conn.commit()
    conn.execute("DETACH archive")
    conn.execute("VACUUM")
    conn.close()
    return target.stat().st_size


@pytest.mark.slow
def test_every_member_archives_what_central_acknowledged_and_a_restored_member_catches_up(tmp_path, central):  # noqa: F811
    broker, receiver = central
    (tmp_path / "cluster").mkdir()
    cluster = make_cluster(tmp_path / "cluster", node_keys={"event_retention_days": RETENTION_DAYS,
                                                           "housekeeping_s": 0.5},
                           cluster_keys={"log_compaction_entries": 100})
    with_sync(cluster, broker.port)
    try:
        leader = cluster.start_serving()
        kiosk = cluster.client()
        for i in range(150):
            kiosk.issue_ticket("cash" if i % 2 else "accounts")
        first = cluster.wait_converged()
        wait_for(lambda: len(central_events(receiver.config.db_path)) >= first, what="central stored everything")

        receiver.stop()  # what comes now is never acknowledged: it must stay live on every member
        for _ in range(5):
            kiosk.issue_ticket("cash")
        last = cluster.wait_converged()
        wait_for(lambda: all((a := archived(m)) and a[0] == first for m in cluster.members), timeout=40,
                 what="every member archived what central stored")
        time.sleep(2 * RETENTION_DAYS * 86400)  # old enough too, but not acknowledged: still live
        assert len({archived(m) for m in cluster.members}) == 1 and archived(leader)[0] == first
        for member in cluster.members:
            assert [r[0] for r in read(member.db, "SELECT seq FROM events ORDER BY seq")] == \
                list(range(first + 1, last + 1))
            archive = member.data / "events-archive.sqlite3"
            assert [r[0] for r in read(archive, "SELECT seq FROM events ORDER BY seq")] == list(range(1, first + 1))
            verify = smartqueue("node", "verify", "--data-dir", str(member.data))
            assert verify.returncode == 0 and f"archived up to seq {first}" in verify.stdout, verify.stdout
        assert_identical_chains(cluster.members)

        for _ in range(120):  # the next compaction dumps the archived database
            kiosk.issue_ticket("accounts")
        cluster.wait_converged()
        dump = leader.data / "raft" / "dump"
        wait_for(lambda: dump.exists() and read(dump, "SELECT MIN(seq) FROM events")[0][0] == first + 1,
                 timeout=30, what="a dump taken after the archive step")
        without = unarchived_size(dump, leader.data / "events-archive.sqlite3", tmp_path / "without.sqlite3")
        assert dump.stat().st_size < without * 0.95, (dump.stat().st_size, without)  # tickets and idempotency
        # records of the day dominate a test's database; over months the events do (about four per ticket)

        restored = next(m for m in cluster.members if m is not cluster.leader())
        cluster.stop(restored)
        shutil.move(restored.data, tmp_path / "old-data")  # the technician's procedure: start it empty
        cluster.start(restored)
        kiosk.issue_ticket("cash")
        cluster.wait_converged(timeout=40)
        assert archived(restored) == archived(leader)
        assert chain(restored.db) == chain(leader.db)
        verify = smartqueue("node", "verify", "--data-dir", str(restored.data))
        assert verify.returncode == 0 and "not on this machine" in verify.stdout, verify.stdout
    finally:
        cluster.close()
