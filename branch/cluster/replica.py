"""Raft through pysyncobj 0.3.17: the only module that imports pysyncobj.

What pysyncobj does, checked in its source (0.3.17) and relied on here:
- A replicated method runs on pysyncobj's own thread, once per committed entry, in log order. After a restart it
  replays its journal from the last full dump (`raftLastApplied` restarts at 1 or at the dump's index), so the
  applier skips every index already recorded in SQLite (`cluster_state.applied_index`, same transaction).
  `raftLastApplied + 1` is the index of the entry being applied.
- The apply hands the entry to the node's loop and returns at once (heartbeats never wait on SQLite). A full dump
  must be the database exactly at `raftLastApplied`: see `BackgroundDump` (the apply task pins it there).
- Log compaction with a custom `serializer(tmp_file, (last_entry, prev_entry, members))` is called synchronously (no
  fork) on that thread, then pysyncobj renames tmp_file over the dump; with a `serializeChecker` it waits for that
  checker to say SUCCESS before compacting the journal (`BackgroundDump` writes the dump on its own thread and
  renames it itself); the dump file is what the leader streams to a follower whose next index is below its log start
  (`logCompactionBatchSize` chunks), and `deserializer(file)` is called at start-up (if the dump exists) and when a
  streamed dump is complete. Our dump file is a SQLite database (a backup) with one extra table holding pysyncobj's
  tuple (pickled with pysyncobj's pickle: only trust your own members; the traffic is encrypted with the password).
- Its own journal is an mmap that is never fsynced (kept across kill -9, not across a power cut) and its term/vote
  file is renamed without fsync. `SyncObj.__init__` builds the journal with the module function
  `pysyncobj.syncobj.createJournal(path)`: this module points that function at `DurableJournal` (journal.py), and
  gives SyncObj a transport (`transportClass`) whose `send` makes the journal durable first, so nothing this member
  says (an acknowledgement, an append, a vote) can be taken back by a power cut.
- A follower handed entries it already holds truncates them and writes them again (`prevLogIdx + 1 <= lastApplied`
  logs CRITICAL "truncating already-applied log entries"): a leader that has sent 9 and 10 gets the answer for 9,
  moves its next index for that member back to 10 and sends 10 again. Raft (§5.3) truncates only on a conflict, and
  with a durable journal that needless truncation would open a window where an acknowledged entry is missing. The
  transport trims such a message first (`trim_known_entries`): entries the member already holds with the same term
  are dropped, and the follower keeps its tail when its last entry is of the leader's own term.
- `leaderFallbackTimeout` (default 30 s!) is how long a leader cut from the majority keeps believing it leads.
- **One machine with another branch file cannot lead** (its commands would stop every member that decides
  otherwise). A vote request carries the candidate's `[config index, setup digest]` (`sq_setup`, an extra key
  pysyncobj ignores); a member at the same config index with another digest does not vote (the request never
  reaches pysyncobj: its term is not raised either) and answers `sq_setup_refused`. A candidate refused by so many
  members that it can no longer win stops (exit 4, via `on_setup_refused`): the majority's setup is not its own.
  Stamps at different config indexes (a push being applied) are not compared: Raft's own rules decide.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pysyncobj.syncobj
from pysyncobj import SyncObj, SyncObjConf, replicated
from pysyncobj import pickle as raft_pickle
from pysyncobj.config import FAIL_REASON, SERIALIZER_STATE
from pysyncobj.journal import FileJournal, MemoryJournal
from pysyncobj.node import TCPNode
from pysyncobj.transport import TCPTransport
from pysyncobj.utility import TcpUtility, UtilityException

from branch.cluster.journal import DurableJournal, fsync_dir, read_records

log = logging.getLogger(__name__)

NO_OP = b"\x01"
REGULAR = b"\x00"  # pysyncobj's _COMMAND_TYPE.REGULAR: a replicated method's call
FOLLOWER, CANDIDATE, LEADER = 0, 1, 2
ROLE_NAMES = {FOLLOWER: "follower", CANDIDATE: "candidate", LEADER: "leader"}
FAILURES = {v: k.lower() for k, v in vars(FAIL_REASON).items() if not k.startswith("_")}
DUMP_TABLE = "cluster_dump"

Apply = Callable[[int, bytes], None]  # (raft index, payload) on pysyncobj's thread; returns once applied
Replayed = Callable[[int, bytes], None]  # an entry at or below the database's applied index, seen again
#: (index, action): run `action` on the apply task once the database stands exactly at `index` (for dumps)
AtApplied = Callable[[int, Callable[[], None]], None]


def _create_journal(path: str | None):
    return DurableJournal(path) if path else MemoryJournal()


pysyncobj.syncobj.createJournal = _create_journal  # see the module docstring: the journal is ours


def journal_paths(data_dir: Path) -> list[Path]:
    raft = data_dir / "raft"
    return [raft / "log", raft / "log.meta", raft / "dump", raft / "dump.tmp", raft / "dump.1.tmp", raft / "dump.bg",
            raft / "log.tmp", raft / "log.meta.tmp", raft / "journal", raft / "journal.meta", raft / "log.converting",
            raft / "log.converting.meta"]


def convert_old_journal(raft: Path) -> None:
    """A data dir from before the durable journal: copy pysyncobj's mmap journal and meta into ours, once.

    Built beside (`log.converting`, with its term and vote) and renamed into place meta first: a crash half way
    leaves the old journal, converted again at the next start, never a journal without its term and vote."""
    old, new = raft / "journal", raft / "log"
    if not old.exists() or new.exists():
        return
    building = raft / "log.converting"
    for path in (building, building.with_name(building.name + ".meta")):
        path.unlink(missing_ok=True)
    source = FileJournal(str(old))
    target = DurableJournal(building)
    target.setCurrentTerm(source.getCurrentTerm(), source.getVotedForNodeId())
    for i in range(len(source)):
        target.add(*source[i])
    target._destroy()
    source._destroy()
    os.replace(target.meta_path, raft / "log.meta")
    os.replace(building, new)
    fsync_dir(raft)
    old.unlink()
    (raft / "journal.meta").unlink(missing_ok=True)
    fsync_dir(raft)
    log.info("raft journal converted to the durable format (%d entries)", len(target))


def finish_interrupted_compaction(raft: Path) -> None:
    """A power cut between pysyncobj's dump rename and its journal compaction leaves a new dump beside a journal
    that still starts before it. pysyncobj's loader then *clears* the journal (its first two entries are not the
    dump's), losing the entries after the dump that this member had acknowledged. Finish the compaction instead:
    the journal is cut to start at the dump's previous entry, as pysyncobj would have done, keeping its tail."""
    dump, path = raft / "dump", raft / "log"
    if not dump.exists() or not path.exists():
        return
    try:
        last, prev = read_dump_meta(str(dump))[:2]
    except (sqlite3.Error, TypeError, ValueError, IndexError):
        return
    journal = DurableJournal(path)
    try:
        positions = {entry[1]: i for i, entry in enumerate(journal)}
        at = positions.get(prev[1])
        if at is None or at == 0 or journal[at][2] != prev[2] or positions.get(last[1]) != at + 1 \
                or journal[at + 1][2] != last[2]:
            return
        journal.deleteEntriesTo(at)
        log.warning("raft journal compaction interrupted by a crash: finished (journal now starts at index %d)",
                    prev[1])
    finally:
        journal._destroy()


def journal_end(data_dir: Path) -> int:
    """The last Raft index this member holds durably: its journal's end, or its dump's if that is further."""
    raft = data_dir / "raft"
    end = 0
    if (raft / "log").exists():
        entries, _, _ = read_records((raft / "log").read_bytes())
        end = entries[-1][1] if entries else 0
    if (raft / "dump").exists():
        try:
            end = max(end, read_dump_meta(str(raft / "dump"))[0][1])
        except (sqlite3.Error, TypeError, IndexError):
            log.warning("raft dump %s is unreadable", raft / "dump")
    return end


def trim_known_entries(journal, message: dict) -> dict:
    """An append_entries message without the entries this member already holds (see the module docstring).

    Safe by Raft's Log Matching property: two logs holding an entry with the same index and term are identical up
    to it. prevLogIdx is moved only onto entries that match the leader's (ones it sent, or this member's last entry
    when it carries the leader's own term: only that leader makes entries of its term).
    """
    entries = message.get("entries")
    prev = message.get("prevLogIdx")
    if prev is None or "transmission" in message or len(journal) == 0:
        return message
    first = journal[0][1]

    def term_at(index: int) -> int | None:
        position = index - first
        return journal[position][2] if 0 <= position < len(journal) else None

    if term_at(prev) != message.get("prevLogTerm"):
        return message  # no match at prevLogIdx: pysyncobj answers "reset"
    entries = entries or []
    known = 0
    while known < len(entries) and term_at(entries[known][1]) == entries[known][2]:
        known += 1
    if known < len(entries):
        if known == 0:
            return message
        last = entries[known - 1]
        return {**message, "entries": entries[known:], "prevLogIdx": last[1], "prevLogTerm": last[2]}
    last_index, last_term = journal[-1][1], journal[-1][2]
    if last_term == message["term"] and last_index > (entries[-1][1] if entries else prev):
        return {**message, "entries": [], "prevLogIdx": last_index, "prevLogTerm": last_term}
    if entries:
        return {**message, "entries": [], "prevLogIdx": entries[-1][1], "prevLogTerm": entries[-1][2]}
    return message


class DurableTransport(TCPTransport):
    """pysyncobj's TCP transport, making the journal durable before any message leaves (see module docstring)."""

    def __init__(self, syncObj, selfNode, otherNodes) -> None:
        self._journal = syncObj._SyncObj__raftLog  # built just before the transport in SyncObj.__init__
        self._replica: Replica | None = getattr(syncObj, "_replica", None)
        #: set when this member belongs to an older generation (force-single elsewhere): it then neither sends nor
        #: hears Raft messages (no vote, no append, no leadership) but still answers utility messages (status)
        self.silenced = getattr(syncObj, "_replica", None) is not None and syncObj._replica.start_silenced
        super().__init__(syncObj, selfNode, otherNodes)

    def send(self, node, message) -> bool:
        if self.silenced:
            return False
        self._journal.sync()
        if isinstance(message, dict) and message.get("type") == "request_vote" and self._replica is not None:
            stamp = self._replica.setup_stamp()
            if stamp is not None:
                message = {**message, "sq_setup": list(stamp)}
        return super().send(node, message)

    def _onMessageReceived(self, node, message) -> None:
        if self.silenced:
            return
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "append_entries":
            message = trim_known_entries(self._journal, message)
        elif kind == "request_vote" and self._replica is not None:
            mine = self._replica.setup_stamp()
            if setups_differ(message.get("sq_setup"), mine):
                self._replica.refuse_vote(node.address, message)
                self.send(node, {"type": "sq_setup_refused", "term": message.get("term"), "sq_setup": list(mine)})
                return
        elif kind == "sq_setup_refused":
            if self._replica is not None:
                self._replica.refused(node.address, message)
            return
        super()._onMessageReceived(node, message)


def setups_differ(theirs, mine) -> bool:
    """Two `[config index, setup digest]` stamps under the same configuration entry but with other digests."""
    return (isinstance(theirs, list | tuple) and len(theirs) == 2 and mine is not None
            and theirs[0] == mine[0] and theirs[1] != mine[1])


def has_raft_state(data_dir: Path) -> bool:
    return any(p.exists() for p in journal_paths(data_dir)[:3])


def wipe_raft_state(data_dir: Path) -> None:
    for path in journal_paths(data_dir):
        path.unlink(missing_ok=True)


def raft_password(secret: str) -> str:
    import hashlib
    import hmac

    return hmac.new(secret.encode(), b"smartqueue raft password", hashlib.sha256).hexdigest()


# -- dumps: a SQLite backup plus pysyncobj's (last entry, previous entry, members) ---------------------------------


def write_dump(db_path: Path, target: str, meta: tuple) -> None:
    """Back the database up into `target` and store pysyncobj's tuple in it."""
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        write_dump_from(source, target, meta)
    finally:
        source.close()


def write_dump_from(source: sqlite3.Connection, target: str, meta: tuple, compact: bool = False) -> None:
    """Back `source` up into `target` (within the read transaction `source` holds, if any: a pinned snapshot) and
    store pysyncobj's tuple in it. `compact`: VACUUM the copy, so the free pages archived events left in the live
    database are not streamed to followers."""
    Path(target).unlink(missing_ok=True)
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
        dest.execute(f"CREATE TABLE IF NOT EXISTS {DUMP_TABLE} (meta BLOB NOT NULL)")
        dest.execute(f"DELETE FROM {DUMP_TABLE}")
        dest.execute(f"INSERT INTO {DUMP_TABLE} VALUES (?)", (raft_pickle.dumps(meta),))
        dest.execute("UPDATE cluster_state SET applied_index = ?", (meta[0][1],))
        if compact:
            dest.execute("VACUUM")
    finally:
        dest.close()


class BackgroundDump:
    """Log compaction's full dump, written off pysyncobj's thread (heartbeats never wait on a SQLite backup).

    pysyncobj calls `start` (its `serializer`) on its thread and polls `state` (its `serializeChecker`) every tick;
    it compacts the journal once `state` says SUCCESS. `start` returns at once: it asks the apply task to pin the
    database when it stands exactly at the dump's index (`at_applied`: a marker queued behind the entries already
    handed over, before any later one), i.e. to open a read transaction there. The copy is then the database at
    that index even though entries go on being applied (WAL readers see the snapshot they began with). A thread
    copies it to `dump.bg`, renames that over `dump` and fsyncs the directory. pysyncobj renames its own tmp file
    after `start` returns: there is none (removed, so a stale one from a crash can never replace the dump), its
    rename fails and it waits on `state` instead.
    """

    def __init__(self, db_path: Path, dump_path: Path, at_applied: AtApplied) -> None:
        self.db_path, self.path = db_path, dump_path
        self.work_path = dump_path.with_name(dump_path.name + ".bg")
        self._at_applied = at_applied
        self._state = SERIALIZER_STATE.NOT_SERIALIZING
        self._thread: threading.Thread | None = None
        self.last_ms: float | None = None  # how long the last dump took (pinning, copy, rename)

    def state(self) -> int:
        state = self._state
        if state in (SERIALIZER_STATE.SUCCESS, SERIALIZER_STATE.FAILED):
            self._state = SERIALIZER_STATE.NOT_SERIALIZING  # reported once, as pysyncobj expects
        return state

    def start(self, filename: str, data: tuple) -> None:
        """On pysyncobj's thread: returns at once."""
        Path(filename).unlink(missing_ok=True)
        self._state = SERIALIZER_STATE.SERIALIZING
        started = time.perf_counter()
        self._at_applied(data[0][1], lambda: self._pin(data, started))

    def _pin(self, data: tuple, started: float) -> None:
        """On the apply task, the database exactly at the dump's index: a read transaction, then the copy's thread."""
        index = data[0][1]
        try:
            source = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, check_same_thread=False,
                                     isolation_level=None)
            try:
                source.execute("BEGIN")
                at = source.execute("SELECT applied_index FROM cluster_state WHERE id = 1").fetchone()[0]
                if at != index:
                    raise RuntimeError(f"the database is at index {at}, not at the dump's {index}")
            except BaseException:
                source.close()
                raise
        except Exception as err:
            log.warning("raft log compaction at index %d postponed: %s", index, err)
            self._state = SERIALIZER_STATE.FAILED
            return
        self._thread = threading.Thread(target=self._write, args=(source, data, started), name="sq-raft-dump",
                                        daemon=True)
        self._thread.start()

    def _write(self, source: sqlite3.Connection, data: tuple, started: float) -> None:
        try:
            write_dump_from(source, str(self.work_path), data, compact=True)
            source.close()
            os.replace(self.work_path, self.path)
            fsync_dir(self.path.parent)
            self.last_ms = (time.perf_counter() - started) * 1000
            log.info("raft log compacted at index %d (SQLite backup off the Raft thread, %.0f ms)", data[0][1],
                     self.last_ms)
            self._state = SERIALIZER_STATE.SUCCESS
        except Exception:
            log.exception("writing the raft dump at index %d failed; pysyncobj tries again later", data[0][1])
            source.close()
            self._state = SERIALIZER_STATE.FAILED

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def read_dump_meta(path: str) -> tuple:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return raft_pickle.loads(conn.execute(f"SELECT meta FROM {DUMP_TABLE}").fetchone()[0])
    finally:
        conn.close()


def write_bootstrap_dump(db_path: Path, data_dir: Path, self_address: str, members: list[str]) -> int:
    """A founder's (or force-single's) starting point: a dump of this database at log index 3, term 1.

    The log then starts at index 2, so any member that joins with an empty database gets this dump first instead
    of replaying a log that does not hold the history made before the cluster (or before force-single).
    """
    raft = data_dir / "raft"
    raft.mkdir(parents=True, exist_ok=True)
    wipe_raft_state(data_dir)
    cluster = {TCPNode(address) for address in [self_address, *members]}
    meta = ((NO_OP, 3, 1), (NO_OP, 2, 1), cluster)
    write_dump(db_path, str(raft / "dump.tmp"), meta)
    os.replace(raft / "dump.tmp", raft / "dump")
    return 3


def unapplied_commands(data_dir: Path, applied_index: int) -> list[bytes]:
    """The commands (pysyncobj's REGULAR entries: our replicated method's calls) this member's journal holds past
    `applied_index`, in log order. No-ops and membership changes are left out: they belong to the old membership."""
    path = data_dir / "raft" / "log"
    if not path.exists():
        return []
    entries, _, _ = read_records(path.read_bytes())
    return [command for command, index, _ in entries if index > applied_index and command[:1] == REGULAR]


def write_forced_log(data_dir: Path, commands: list[bytes]) -> int:
    """After `write_bootstrap_dump` (force-single): a journal that starts with the dump's two entries and goes on
    with `commands` (index 4 on, term 1). Started alone, the node is elected in term 1 and, as any new Raft
    leader, commits and applies what its log holds. The last index written."""
    journal = DurableJournal(data_dir / "raft" / "log")
    try:
        journal.clear()
        journal.add(NO_OP, 2, 1)
        journal.add(NO_OP, 3, 1)
        for index, command in enumerate(commands, start=4):
            journal.add(command, index, 1)
        journal.sync()
        return 3 + len(commands)
    finally:
        journal._destroy()


class _Raft(SyncObj):
    def __init__(self, replica: Replica, self_address: str, peers: list[str], conf: SyncObjConf) -> None:
        self._replica = replica
        super().__init__(self_address, peers, conf, transportClass=DurableTransport)

    @replicated
    def apply_entry(self, payload: bytes) -> None:
        self._replica._on_entry(self.raftLastApplied + 1, payload)

    @property
    def journal(self) -> DurableJournal:
        return self._SyncObj__raftLog  # type: ignore[attr-defined]


class Replica:
    """A member of the branch's Raft group. Proposals are thread-safe; applies run on pysyncobj's thread."""

    def __init__(self, *, data_dir: Path, db_path: Path, self_address: str, peers: list[str], password: str,
                 apply: Apply, replayed: Replayed, applied_index: Callable[[], int],
                 wait_applied: Callable[[int, float], bool], install_dump: Callable[[str, int], None],
                 settings: Any, witness: bool = False, bind_address: str | None = None,
                 start_silenced: bool = False, at_applied: AtApplied | None = None,
                 setup_stamp: Callable[[], tuple[int, str] | None] = lambda: None,
                 on_setup_refused: Callable[[str], None] | None = None,
                 cannot_apply: Callable[[], bool] = lambda: False) -> None:
        self.data_dir, self.db_path = data_dir, db_path
        self.self_address = self_address
        self.witness = witness
        self._apply, self._replayed, self._applied_index, self._install = apply, replayed, applied_index, install_dump
        self._wait_applied = wait_applied
        self.start_silenced = start_silenced
        #: [config index, setup digest] this member decides under (read on pysyncobj's thread: a tuple, swapped whole)
        self.setup_stamp = setup_stamp
        self._on_setup_refused = on_setup_refused
        self._refusals: dict[int, set[str]] = {}  # term -> members that refused this member's vote request
        self._refused_logged: dict[str, float] = {}
        raft = data_dir / "raft"
        raft.mkdir(parents=True, exist_ok=True)
        convert_old_journal(raft)
        finish_interrupted_compaction(raft)
        self._last_transfer = 0.0
        #: True while this member has been failing to apply an entry for a while (read on pysyncobj's thread): a
        #: leader then hands the lead over, as a witness does, or it would hold the branch without answering
        self._cannot_apply = cannot_apply
        self._leader_gone_since: float | None = None
        self.fast_failover = getattr(settings, "fast_failover", True)
        self.installs = 0
        #: None: dumps on pysyncobj's thread (`_serialize`, the way before; the benchmark's baseline)
        self.dump = BackgroundDump(db_path, raft / "dump", at_applied) if at_applied is not None else None
        (raft / "dump.bg").unlink(missing_ok=True)  # a dump a crash interrupted
        conf = SyncObjConf(
            password=password, journalFile=str(raft / "log"), fullDumpFile=str(raft / "dump"),
            dynamicMembershipChange=True, appendEntriesUseBatch=False,
            raftMinTimeout=settings.election_timeout_min_s, raftMaxTimeout=settings.election_timeout_max_s,
            appendEntriesPeriod=settings.heartbeat_s, leaderFallbackTimeout=settings.leader_fallback_s,
            connectionTimeout=settings.connection_timeout_s, connectionRetryTime=settings.connection_retry_s,
            logCompactionMinEntries=settings.log_compaction_entries, logCompactionMinTime=10 ** 9,
            logCompactionBatchSize=2 ** 20, commandsWaitLeader=False, bindAddress=bind_address,
            serializer=self.dump.start if self.dump else self._serialize, deserializer=self._deserialize,
            serializeChecker=self.dump.state if self.dump else None)
        self._raft = _Raft(self, self_address, peers, conf)
        self._raft.journal.on_stall = self._after_stall
        self._raft.addOnTickCallback(self._tick)
        self.member_status: Callable[[], dict[str, Any]] = self.status  # what `sq_status` answers (the runtime's)
        self._raft._SyncObj__transport.setOnUtilityMessageCallback(  # type: ignore[attr-defined]
            "sq_status", lambda args, callback: callback(self.member_status(), None))

    # -- pysyncobj's thread ---------------------------------------------------------------------------------------

    def _on_entry(self, index: int, payload: bytes) -> None:
        if index <= self._applied_index():
            self._replayed(index, payload)  # replayed from the journal: already in SQLite (checked, never re-applied)
            return
        self._raft.journal.sync()  # the database never gets ahead of this member's durable journal
        self._apply(index, payload)

    def _serialize(self, filename: str, data: tuple) -> None:
        """The dump written on pysyncobj's thread (before BackgroundDump; kept as the benchmark's baseline)."""
        started = time.perf_counter()
        if not self._wait_applied(data[0][1], 0.2):  # bounded: this thread answers heartbeats
            raise RuntimeError("the database is not at the dump's index yet; the dump is taken later")
        write_dump(self.db_path, filename, data)
        log.info("raft log compacted at index %d (SQLite backup, %.0f ms)", data[0][1],
                 (time.perf_counter() - started) * 1000)

    def _deserialize(self, filename: str) -> tuple:
        fd = os.open(filename, os.O_RDONLY)  # a dump streamed from the leader was written without fsync
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        meta = read_dump_meta(filename)
        index = meta[0][1]
        if self._applied_index() < index:
            log.info("installing a full dump at raft index %d (local database at %d)", index, self._applied_index())
            self._install(filename, index)
            self.installs += 1
        return meta

    def refuse_vote(self, candidate: str, message: dict) -> None:
        """Not voting for a candidate that would decide under another setup (said once a minute per candidate)."""
        now = time.monotonic()
        if now - self._refused_logged.get(candidate, -60.0) >= 60.0:
            self._refused_logged[candidate] = now
            log.error("not voting for %s: it runs setup %s under configuration entry %s, this member %s. Give every "
                      "member the same branch configuration file", candidate, message["sq_setup"][1],
                      message["sq_setup"][0], self.setup_stamp()[1])

    def refused(self, voter: str, message: dict) -> None:
        """A member refused this candidate over its setup: once it can no longer win, it stops for good."""
        term = message.get("term")
        if term != self._raft.raftCurrentTerm:
            return
        refusals = self._refusals.setdefault(term, set())
        refusals.add(voter)
        for old in [t for t in self._refusals if t < term]:
            del self._refusals[old]
        members = len(self._raft.otherNodes) + 1
        if members - len(refusals) <= members / 2 and self._on_setup_refused is not None:
            theirs = message.get("sq_setup") or ["?", "?"]
            self._on_setup_refused(
                f"{len(refusals)} of the {members} members ({', '.join(sorted(refusals))}) run setup {theirs[1]} "
                f"under configuration entry {theirs[0]} and refuse to elect this member, whose setup is "
                f"{self.setup_stamp()[1]}")

    def _after_stall(self, blocked: float) -> None:
        """This thread just spent `blocked` s in an fsync (a slow disk) without reading its sockets: the leader's
        heartbeats may be waiting there unread. pysyncobj checks the election deadline before it reads them, so a
        follower would start an election (no pre-vote: the healthy leader steps down). Give it the read first: the
        deadline moves to at least one minimum election timeout from now; a leader really gone is still detected
        (one timeout later, or at once by `_elect_soon_when_the_leader_is_gone` when its connection closes)."""
        raft = self._raft
        if raft._SyncObj__raftState != FOLLOWER:  # type: ignore[attr-defined]
            return
        soon = time.monotonic() + raft._SyncObj__conf.raftMinTimeout  # type: ignore[attr-defined]
        if raft._SyncObj__raftElectionDeadline < soon:  # type: ignore[attr-defined]
            raft._SyncObj__raftElectionDeadline = soon  # type: ignore[attr-defined]

    def _tick(self) -> None:
        if (self.witness or self._cannot_apply()) and self._raft._isLeader() and \
                time.monotonic() - self._last_transfer > 0.3:
            self._last_transfer = time.monotonic()
            # a witness only breaks ties; a leader stuck applying answers no command: hand the lead to a caught-up
            # node (a stuck leader still heartbeats, so no follower would ever take over by itself)
            self._raft.transferLeadership()
        if self.fast_failover:
            self._elect_soon_when_the_leader_is_gone()

    def _elect_soon_when_the_leader_is_gone(self) -> None:
        """A follower whose connection to the leader closed (its process or machine went away: the peer's kernel
        closed it, or no data for connection_timeout_s) starts an election within 50-250 ms instead of waiting out
        its election timeout, and again every 0.3 s (random 50-250 ms later) while no leader is elected (a split
        vote). Raft allows an election at any time; the random spread separates the candidates."""
        raft = self._raft
        leader = raft._getLeader()
        now = time.monotonic()
        if raft._isLeader() or (leader is not None and raft.isNodeConnected(leader)):
            self._leader_gone_since = None
            return
        if leader is None and self._leader_gone_since is None:
            return  # no leader known yet (start-up): the normal election timeout
        if self._leader_gone_since is None or (leader is None and now - self._leader_gone_since > 0.3):
            # the leader just went, or the election it triggered split the votes: try again soon, at random
            self._leader_gone_since = now
            soon = now + random.uniform(0.05, 0.25)
            if soon < raft._SyncObj__raftElectionDeadline:  # type: ignore[attr-defined]
                raft._SyncObj__raftElectionDeadline = soon  # type: ignore[attr-defined]

    # -- any thread -------------------------------------------------------------------------------------------------

    def propose(self, payload: bytes, on_failure: Callable[[str], None] | None = None) -> None:
        """Append to the log (forwarded to the leader by a follower). `on_failure(reason)` if it is not applied."""

        def callback(result, error) -> None:
            if error != FAIL_REASON.SUCCESS and on_failure is not None:
                on_failure(FAILURES.get(error, str(error)))

        self._raft.apply_entry(payload, callback=callback)

    @property
    def is_leader(self) -> bool:
        return self._raft._isLeader()

    @property
    def role(self) -> str:
        return ROLE_NAMES.get(self._raft._SyncObj__raftState, "follower")  # type: ignore[attr-defined]

    @property
    def term(self) -> int:
        return self._raft.raftCurrentTerm

    @property
    def leader(self) -> str | None:
        leader = self._raft._getLeader()
        return leader.address if leader is not None else None

    def members(self) -> list[str]:
        return sorted([self.self_address, *(n.address for n in self._raft.otherNodes)])

    def connected_majority(self) -> bool:
        return self._raft.hasQuorum

    def leader_has_quorum(self, within_s: float) -> bool:
        """A leader heard from a majority (itself included) in the last `within_s` seconds."""
        if not self._raft._isLeader():
            return False
        others = self._raft.otherNodes
        responses = self._raft._SyncObj__lastResponseTime  # type: ignore[attr-defined]
        deadline = time.monotonic() - within_s
        heard = 1 + sum(1 for node in others if responses.get(node, 0) > deadline)
        return heard > (len(others) + 1) / 2

    def status(self) -> dict[str, Any]:
        status = self._raft.getStatus()
        return {"role": self.role, "term": self.term, "leader": self.leader, "members": self.members(),
                "commit_index": status["commit_idx"], "last_applied": status["last_applied"],
                "log_entries": status["log_len"], "has_quorum": status["has_quorum"]}

    def silence(self) -> None:
        """Stop taking part in Raft for good (this process): no votes, no appends; utility messages still answered."""
        self._raft._SyncObj__transport.silenced = True  # type: ignore[attr-defined]

    def stop(self) -> None:
        self._raft.destroy_synchronous()
        if self.dump is not None:
            self.dump.join(30)  # a dump being written finishes (or fails) before the node closes its database


def admin_command(address: str, password: str, command: list, timeout: float = 5.0) -> Any:
    """A pysyncobj utility message (status, add, remove, transfer) to a member's Raft port."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = TcpUtility(password, timeout).executeCommand(address, command)
        except UtilityException as err:
            result["error"] = str(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout + 1)
    if "error" in result or "value" not in result:
        raise ConnectionError(result.get("error") or f"no answer from {address}")
    return result["value"]
