"""Damaged Raft files stop a member with a clear message, never silently (review of issue 16, findings 3-5).

A crash can only tear what was written after the last fsync; the journal's meta keeps a durable watermark (`synced`)
so a damaged record among entries that had been made durable is told from a torn tail (journal.py's docstring).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

import pytest

from branch.cluster.journal import MAGIC, DurableJournal, JournalDamaged, read_records
from branch.cluster.preflight import EXIT_DAMAGED, PROCEDURE

ROOT = Path(__file__).resolve().parents[3]


def _journal(path: Path, entries: int = 6) -> None:
    journal = DurableJournal(path)
    journal.setCurrentTerm(2, "peer:1")
    for index in range(1, entries + 1):
        journal.add(b"\x01command %d" % index, index, 2)
    journal._destroy()  # synced: the meta's watermark is the last index


def _corrupt_record(path: Path, position: int) -> None:
    data = bytearray(path.read_bytes())
    _, offsets, _ = read_records(bytes(data))
    data[offsets[position] + 25] ^= 0xFF  # a byte of the command (after length, CRC, index, term): CRC fails
    path.write_bytes(bytes(data))


def _crash(journal: DurableJournal) -> None:
    os.close(journal._fd)  # the process dies: nothing more synced or stored


def test_a_damaged_record_among_durable_entries_refuses_and_keeps_the_file(tmp_path):
    path = tmp_path / "log"
    _journal(path)
    _corrupt_record(path, 2)  # index 3 of 6, all fsynced: damage, not a torn tail
    before = path.read_bytes()
    with pytest.raises(JournalDamaged, match=r"valid part ends at index 2 .* up to index 6 had been made durable"):
        DurableJournal(path)
    assert path.read_bytes() == before  # not cut: kept for support


def test_a_damaged_last_durable_record_is_damage_too(tmp_path):
    path = tmp_path / "log"
    _journal(path)
    _corrupt_record(path, 5)
    with pytest.raises(JournalDamaged):
        DurableJournal(path)


def test_a_bad_record_after_the_watermark_is_a_torn_tail_even_with_valid_records_after_it(tmp_path):
    """A disk may persist an unsynced tail's sectors in any order: a hole, then records that did reach the disk."""
    path = tmp_path / "log"
    journal = DurableJournal(path)
    journal.setCurrentTerm(2, "peer:1")
    for index in range(1, 4):
        journal.add(b"\x01c%d" % index, index, 2)
    journal.sync()
    journal.onOneSecondTimer()  # watermark 3
    for index in range(4, 8):
        journal.add(b"\x01c%d" % index, index, 2)  # never synced
    _crash(journal)
    _corrupt_record(path, 4)  # index 5 of the unsynced tail
    again = DurableJournal(path)
    assert [e[1] for e in again] == [1, 2, 3, 4] and again.torn_bytes > 0


def test_a_missing_meta_beside_a_non_empty_journal_refuses(tmp_path):
    path = tmp_path / "log"
    _journal(path)
    (tmp_path / "log.meta").unlink()
    with pytest.raises(JournalDamaged, match="term and vote are lost"):
        DurableJournal(path)


@pytest.mark.parametrize("content", [b'{"term": 3, "vo', b"[1, 2]", b"\x00" * 40])
def test_an_unreadable_meta_refuses(tmp_path, content):
    path = tmp_path / "log"
    _journal(path)
    (tmp_path / "log.meta").write_bytes(content)
    with pytest.raises(JournalDamaged):
        DurableJournal(path)


def test_a_wrong_header_refuses(tmp_path):
    path = tmp_path / "log"
    _journal(path)
    path.write_bytes(b"SQRJ9999" + path.read_bytes()[len(MAGIC):])
    with pytest.raises(JournalDamaged, match="journal header"):
        DurableJournal(path)


def test_truncating_entries_lowers_the_watermark_first(tmp_path):
    """pysyncobj deletes conflicting (uncommitted) entries: a crash right after must not look like damage."""
    path = tmp_path / "log"
    _journal(path)
    journal = DurableJournal(path)
    journal.deleteEntriesFrom(3)  # keeps 1..3
    journal.add(b"\x01other", 4, 3)
    _crash(journal)
    assert [(e[1], e[2]) for e in DurableJournal(path)] == [(1, 2), (2, 2), (3, 2), (4, 3)]
    journal = DurableJournal(path)
    journal.clear()
    _crash(journal)
    assert len(DurableJournal(path)) == 0


def test_a_meta_left_alone_keeps_its_vote_and_claims_no_entry(tmp_path):
    """A wipe cut short (the journal removed first, then its meta): the next start begins an empty journal."""
    path = tmp_path / "log"
    _journal(path)
    path.unlink()
    journal = DurableJournal(path)
    assert len(journal) == 0 and (journal.getCurrentTerm(), journal.getVotedForNodeId()) == (2, "peer:1")


def test_a_fresh_journal_has_its_meta_from_the_start(tmp_path):
    journal = DurableJournal(tmp_path / "log")
    journal.add(b"\x01a", 1, 1)
    journal.sync()
    _crash(journal)  # before any term or timer wrote the meta
    assert [e[1] for e in DurableJournal(tmp_path / "log")] == [1]


def test_the_unit_does_not_restart_a_member_that_refused():
    text = (ROOT / "packaging" / "systemd" / "smartqueue-node.service").read_text()
    codes = set(re.search(r"^RestartPreventExitStatus=(.+)$", text, re.M).group(1).split())
    assert {"3", "4", str(EXIT_DAMAGED)} <= codes


def _exit_without_answering(cluster, member) -> tuple[int, str, bool]:
    """Start the member; return its exit code, its output and whether its API ever answered meanwhile."""
    log_path = cluster.root / f"{member.name}.log"
    log_path.write_bytes(b"")
    cluster.start(member, wait=False)
    answered = False
    deadline = time.monotonic() + 60
    while member.process.poll() is None and time.monotonic() < deadline:
        answered = answered or member.health(timeout=0.2) is not None
        time.sleep(0.01)
    code = member.process.wait(10)
    member.process = None
    return code, log_path.read_text(), answered


def test_a_node_with_damaged_raft_files_stops_with_a_message_not_a_traceback(tmp_path):
    from devtools.cluster_harness import make_cluster

    cluster = make_cluster(tmp_path, n=1)
    cluster.token = cluster.issue_token(cluster.members[0])
    member = cluster.members[0]
    try:
        cluster.start_all()
        cluster.leader()
        client = cluster.client()
        for _ in range(5):
            client.issue_ticket("cash")
        cluster.stop(member)
        raft = member.data / "raft"
        journal, meta = raft / "log", raft / "log.meta"
        good_journal, good_meta = journal.read_bytes(), meta.read_bytes()
        assert json.loads(good_meta)["synced"] >= 5

        _corrupt_record(journal, 3)  # a record in the middle
        digest = hashlib.sha256(journal.read_bytes()).hexdigest()
        code, log, answered = _exit_without_answering(cluster, member)
        assert code == EXIT_DAMAGED, log[-3000:]
        assert not answered, "the API answered before the journal was checked"
        assert "Traceback" not in log and PROCEDURE in log
        assert re.search(rf"CRITICAL .*Raft file {re.escape(str(journal))} is damaged", log)
        assert hashlib.sha256(journal.read_bytes()).hexdigest() == digest  # untouched

        journal.write_bytes(good_journal)
        meta.unlink()  # a journal of entries without its term and vote
        code, log, answered = _exit_without_answering(cluster, member)
        assert code == EXIT_DAMAGED and not answered, log[-3000:]
        assert f"Raft file {meta} is damaged" in log and "Traceback" not in log

        meta.write_bytes(good_meta)
        cluster.start(member)  # whole again: it serves
        assert cluster.leader(timeout=20) is member
    finally:
        cluster.close()
