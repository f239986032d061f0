"""The cluster's full dump (log compaction) is written off pysyncobj's thread (issue 16 left-out): the Raft thread
only pins the database (a read transaction at the dump's index), so heartbeats never wait on a SQLite backup, and
the dump is still the database exactly at that index although applies went on meanwhile. Real SQLite files."""

from __future__ import annotations

import sqlite3
import time

from pysyncobj.config import SERIALIZER_STATE

from branch.cluster.replica import NO_OP, BackgroundDump, read_dump_meta, write_dump
from branch.store import Store


def ballast(db, rows: int) -> None:
    store = Store(db)
    data = "x" * 600
    store.execute_write("BEGIN")
    for i in range(rows):
        store.execute_write("INSERT INTO tickets (id, day, number, service, status, issued_ms, data, updated_seq)"
                            " VALUES (?, '2020-01-01', ?, 'cash', 'done', 0, ?, 0)", (f"t{i}", f"C-{i}", data))
    store.execute_write("UPDATE cluster_state SET applied_index = 10 WHERE id = 1")
    store.execute_write("COMMIT")
    store.close()


def test_the_raft_thread_only_pins_the_database_and_the_dump_is_the_database_at_its_index(tmp_path):
    db = tmp_path / "branch.sqlite3"
    ballast(db, 40_000)  # ~30 MB: a backup takes long enough to see whose thread pays for it
    raft = tmp_path / "raft"
    raft.mkdir()
    meta = ((NO_OP, 10, 1), (NO_OP, 9, 1), set())
    started = time.perf_counter()
    write_dump(db, str(tmp_path / "inline.dump"), meta)  # what pysyncobj's thread used to do, same database
    inline_ms = (time.perf_counter() - started) * 1000

    pins = []  # the apply task's queue: the pin runs once the entries before it are applied
    (raft / "dump.tmp").write_bytes(b"a stale tmp file from a crash")
    dump = BackgroundDump(db, raft / "dump", lambda index, action: pins.append(action))
    started = time.perf_counter()
    dump.start(str(raft / "dump.tmp"), meta)
    blocked_ms = (time.perf_counter() - started) * 1000
    assert not (raft / "dump.tmp").exists()  # pysyncobj's rename after start() can never replace the dump
    assert dump.state() == SERIALIZER_STATE.SERIALIZING
    pins.pop()()  # the apply task reaches index 10 and pins the database there
    writer = sqlite3.connect(db)  # the apply task goes on: the next entry lands while the copy runs
    writer.execute("UPDATE cluster_state SET applied_index = 11")
    writer.execute("INSERT INTO tickets (id, day, number, service, status, issued_ms, data, updated_seq)"
                   " VALUES ('after', '2020-01-02', 'C-1', 'cash', 'waiting', 0, '{}', 0)")
    writer.commit()
    writer.close()
    deadline = time.monotonic() + 30
    while (state := dump.state()) == SERIALIZER_STATE.SERIALIZING:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert state == SERIALIZER_STATE.SUCCESS and dump.state() == SERIALIZER_STATE.NOT_SERIALIZING
    assert blocked_ms < inline_ms / 4, (blocked_ms, inline_ms)

    assert read_dump_meta(str(raft / "dump"))[0][1] == 10
    copy = sqlite3.connect(f"file:{raft / 'dump'}?mode=ro", uri=True)
    try:
        assert copy.execute("SELECT applied_index FROM cluster_state").fetchone()[0] == 10
        assert copy.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 40_000  # not the row applied after
    finally:
        copy.close()
    assert not (raft / "dump.bg").exists()


def test_a_dump_whose_database_is_not_at_its_index_says_failed_once_and_leaves_the_old_dump(tmp_path):
    db = tmp_path / "branch.sqlite3"
    ballast(db, 10)  # applied index 10
    raft = tmp_path / "raft"
    raft.mkdir()
    (raft / "dump").write_bytes(b"the previous dump")
    dump = BackgroundDump(db, raft / "dump", lambda index, action: action())
    dump.start(str(raft / "dump.tmp"), ((NO_OP, 12, 1), (NO_OP, 11, 1), set()))
    assert dump.state() == SERIALIZER_STATE.FAILED and dump.state() == SERIALIZER_STATE.NOT_SERIALIZING
    assert (raft / "dump").read_bytes() == b"the previous dump"
