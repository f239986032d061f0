"""Issue 16, part 1: whole-branch power cuts. Each member's data dir is a lazyfs mount (devtools/lazyfs.py: writes
held in memory until fsync, lost when the "power" goes); 20 random cuts of all three members under a ticket stream.
The scenario and its invariants are in devtools/power_cut.py (bench/chaos_power_cut.py runs 200)."""

from __future__ import annotations

import os
import shutil

import pytest

from branch.cluster.journal import MAGIC, DurableJournal, read_records
from branch.cluster.replica import trim_known_entries
from devtools import power_cut


def fuse_missing() -> str | None:
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    if os.geteuid() != 0 and shutil.which("fusermount") is None:
        return "not root and no fusermount"
    try:
        import fuse  # noqa: F401
    except (ImportError, OSError) as err:  # fusepy raises OSError when libfuse2 is missing
        return f"fusepy/libfuse2: {err}"
    return None


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_power_cuts_of_the_whole_branch_lose_no_acknowledged_ticket(tmp_path):
    """17 cuts over plain HTTP here and 3 with TLS below: the issue's 20 random cuts in the suite."""
    reason = fuse_missing()
    if reason is not None:
        pytest.skip(f"the power-cut layer needs FUSE: {reason}")
    report = power_cut.run(tmp_path, cuts=17, seed=16)
    assert report.rounds == 17 and report.device_followed == 18
    assert sum(1 for n in report.per_round if n > 0) >= 12, report.per_round  # the cuts hit a live stream
    assert len(report.acknowledged) > 170


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_power_cuts_with_tls_on_and_devices_pinning_the_branch_ca_follow_the_new_leader(tmp_path):
    """Every member serves HTTPS ([node] tls = "on"): after each restart the leaf certificates are new, and a device
    made before the first cut, pinning the branch CA, finds and uses the newly elected leader."""
    reason = fuse_missing()
    if reason is not None:
        pytest.skip(f"the power-cut layer needs FUSE: {reason}")
    report = power_cut.run(tmp_path, cuts=3, seed=1616, tls=True)
    assert report.rounds == 3 and report.device_followed == 4
    assert sum(1 for n in report.per_round if n > 0) >= 2, report.per_round
    assert len(report.acknowledged) > 20


def _crash(journal: DurableJournal) -> None:
    """The process dies: what was written stays in the file (the page cache), nothing more is synced or stored."""
    os.close(journal._fd)


def test_journal_keeps_what_was_synced_and_cuts_a_torn_tail(tmp_path):
    path = tmp_path / "log"
    journal = DurableJournal(path)
    for index in range(1, 5):
        journal.add(b"\x01cmd%d" % index, index, 1)
    journal.sync()
    journal.setCurrentTerm(2, "a:1")  # the meta's durable watermark: 4
    journal.add(b"\x01cmd5", 5, 1)  # written, never synced
    _crash(journal)
    data = path.read_bytes()
    path.write_bytes(data[:-3])  # the unsynced record torn by a cut
    again = DurableJournal(path)
    assert [e[1] for e in again] == [1, 2, 3, 4]
    assert again.torn_bytes > 0 and (again.getCurrentTerm(), again.getVotedForNodeId()) == (2, "a:1")
    again.deleteEntriesFrom(2)
    again.add(b"\x01other", 3, 2)
    again.sync()
    again.deleteEntriesTo(1)
    again._destroy()
    entries, _, _ = read_records(path.read_bytes())
    assert path.read_bytes().startswith(MAGIC)
    assert [(e[1], e[2]) for e in entries] == [(2, 1), (3, 2)]
    assert [e[1] for e in DurableJournal(path)] == [2, 3]


def test_a_record_whose_term_goes_back_ends_the_log(tmp_path):
    journal = DurableJournal(tmp_path / "log")
    journal.add(b"a", 1, 3)
    journal.add(b"b", 2, 2)  # never in a valid Raft log: what a torn tail could leave behind
    _crash(journal)
    assert [e[1] for e in DurableJournal(tmp_path / "log")] == [1]


def test_entries_already_held_are_trimmed_not_truncated():
    log = [(b"n", 1, 1), (b"a", 2, 1), (b"b", 3, 2), (b"c", 4, 2)]
    # a leader resends 3 after this member acknowledged 3 and 4 (pysyncobj moves its next index back)
    message = {"type": "append_entries", "term": 2, "prevLogIdx": 2, "prevLogTerm": 1, "entries": [log[2]],
               "commit_index": 3}
    trimmed = trim_known_entries(log, message)
    assert trimmed["entries"] == [] and trimmed["prevLogIdx"] == 4  # 4 is of the leader's own term: kept
    # a heartbeat from a newer leader whose log ends at 3: 4 (term 2) is not the new leader's, so it may go
    assert trim_known_entries(log, {**message, "term": 3, "entries": []})["prevLogIdx"] == 2
    # a conflict: the first differing entry and what follows are handed on, after the matching ones
    conflict = trim_known_entries(log, {**message, "term": 3, "entries": [log[2], (b"x", 4, 3)]})
    assert conflict["entries"] == [(b"x", 4, 3)] and conflict["prevLogIdx"] == 3
    # no match at prevLogIdx: untouched (pysyncobj answers reset)
    assert trim_known_entries(log, {**message, "prevLogTerm": 9}) == {**message, "prevLogTerm": 9}


def _single_member(tmp_path):
    from devtools.cluster_harness import make_cluster

    cluster = make_cluster(tmp_path, n=1)
    cluster.token = cluster.issue_token(cluster.members[0])
    cluster.start_all()
    cluster.leader()
    client = cluster.client()
    for _ in range(5):
        client.issue_ticket("cash")
    cluster.stop(cluster.members[0])
    return cluster, cluster.members[0]


def _start_and_wait_exit(cluster, member) -> tuple[int, str]:
    cluster.start(member, wait=False)
    code = member.process.wait(30)
    member.process = None
    return code, (cluster.root / f"{member.name}.log").read_text()


def test_a_replayed_entry_that_differs_from_the_applied_one_stops_the_member(tmp_path):
    import sqlite3

    cluster, member = _single_member(tmp_path)
    try:
        with sqlite3.connect(member.db) as conn:
            index = conn.execute("SELECT MAX(raft_index) FROM cluster_applied").fetchone()[0]
            conn.execute("UPDATE cluster_applied SET digest = 'not-this-entry' WHERE raft_index = ?", (index,))
        code, log = _start_and_wait_exit(cluster, member)
        assert code == 3, log[-2000:]
        assert f"raft index {index} replayed from the journal is not the entry this database applied" in log
        assert "CRITICAL" in log
    finally:
        cluster.close()


def test_a_database_past_its_journal_refuses_to_start(tmp_path):
    import json

    from branch.cluster.preflight import PROCEDURE

    cluster, member = _single_member(tmp_path)
    try:
        raft = member.data / "raft"
        (raft / "log").write_bytes(MAGIC)  # the journal lost what the database applied ...
        meta = json.loads((raft / "log.meta").read_bytes())
        meta.pop("synced")  # ... and its meta the watermark that would tell (or a meta from before it existed)
        (raft / "log.meta").write_text(json.dumps(meta))
        code, log = _start_and_wait_exit(cluster, member)
        assert code == 3, log[-2000:]
        assert "this member's journal ends at 0" in log and "will not vote or serve" in log
        assert PROCEDURE in log and "Traceback" not in log
    finally:
        cluster.close()


def test_a_compaction_cut_short_by_a_crash_is_finished_not_cleared(tmp_path):
    """Found by bench/chaos_power_cut.py: a cut between the dump's rename and the journal's compaction made
    pysyncobj clear the journal at start-up (its first entries were not the dump's), losing acknowledged entries."""
    import sqlite3

    from branch.cluster.replica import finish_interrupted_compaction, write_dump

    raft = tmp_path / "raft"
    raft.mkdir()
    db = tmp_path / "branch.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE cluster_state (id INTEGER PRIMARY KEY, applied_index INTEGER)")
        conn.execute("INSERT INTO cluster_state VALUES (1, 6)")
    journal = DurableJournal(raft / "log")
    for index in range(1, 11):
        journal.add(b"\x01c%d" % index, index, 1)
    journal._destroy()
    write_dump(db, str(raft / "dump"), ((b"\x01c6", 6, 1), (b"\x01c5", 5, 1), set()))
    finish_interrupted_compaction(raft)
    assert [e[1] for e in DurableJournal(raft / "log")] == [5, 6, 7, 8, 9, 10]
    finish_interrupted_compaction(raft)  # already done: unchanged
    assert [e[1] for e in DurableJournal(raft / "log")] == [5, 6, 7, 8, 9, 10]


def test_a_data_dir_from_before_the_durable_journal_is_converted_once(tmp_path):
    from pysyncobj.journal import FileJournal

    from branch.cluster.replica import convert_old_journal

    old = FileJournal(str(tmp_path / "journal"))
    for index in range(1, 5):
        old.add(b"\x01c%d" % index, index, 2)
    old.setCurrentTerm(3, "peer:1")
    old._destroy()
    convert_old_journal(tmp_path)
    assert not (tmp_path / "journal").exists() and not (tmp_path / "journal.meta").exists()
    new = DurableJournal(tmp_path / "log")
    assert [(e[1], e[2]) for e in new] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    assert (new.getCurrentTerm(), new.getVotedForNodeId()) == (3, "peer:1")


def test_lost_and_duplicated_tickets_are_found(tmp_path):
    """What bench/bench_cluster.py checks after every failover trial and the power cuts on every member."""
    import sqlite3

    db = tmp_path / "branch.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE tickets (id TEXT PRIMARY KEY, day TEXT, number TEXT)")
        conn.executemany("INSERT INTO tickets VALUES (?, '2026-12-01', ?)", [("t1", "C001"), ("t2", "C002"),
                                                                              ("t3", "C002")])
    lost, duplicated = power_cut.lost_and_duplicated(db, {"t1": "C001", "t2": "C002", "t4": "C004", "t3": "C009"})
    assert lost == {"t4": "C004", "t3": "C009"}
    assert duplicated == [("2026-12-01", "C002", 2)]
    assert power_cut.lost_and_duplicated(db, {"t1": "C001"})[0] == {}
