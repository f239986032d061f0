"""Archiving events central has acknowledged, so the live database (and a cluster's dumps) stay bounded.

What is kept where (docs/architecture.md, "Event retention"):
- the live `events` table holds every event after the archive checkpoint (`event_archive`: last archived seq, its
  hash, the log id = the hash of seq 1); the chain goes on from the checkpoint's hash, so `verify` checks the live
  part from there and the archive file up to it;
- `data_dir/events-archive.sqlite3` holds the archived events, the same columns, never deleted by the node.

Only events central stored (at or below the watermark the leader's sync heard from central itself since it started,
never the one remembered in `meta 'sync.watermark'`: central may have been restored since) and older than
`[node] event_retention_days` are archived. A single node does it between two commands; in a cluster the leader
proposes "archive up to seq N" through the log and every member does the same at the same log position.

One step, crash-safe without a two-file transaction (WAL gives none across attached databases): first the events
are copied into the archive file and committed there (INSERT OR IGNORE: repeating it is harmless), then one
transaction of the live database deletes them, moves the checkpoint and writes a state snapshot at the current
seq (a restart rebuilds state from a snapshot plus the events after it, so a snapshot must sit at or after the
checkpoint). A cut between the two leaves the events in both places; the next attempt (or the replayed log entry)
finishes. Readers of the archive ignore rows past the checkpoint.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from branch.core import BranchCore
from branch.store import GENESIS, Batch, Store, VerifyReport, connect, stored_row_hash
from branch.writer import Writer
from ground.files import fsync_dir
from queue_engine.calendar import parse_iso_ms

log = logging.getLogger(__name__)

ARCHIVE_FILE = "events-archive.sqlite3"
DAY_MS = 24 * 3600 * 1000
#: events moved per step: one step is one transaction of the writer thread, kept short beside customers' commits
STEP_EVENTS = 5000

COLUMNS = "seq, id, type, at, at_ms, actor, data, prev_hash, hash"
ARCHIVE_SCHEMA = f"CREATE TABLE IF NOT EXISTS events ({COLUMNS.replace('seq', 'seq INTEGER PRIMARY KEY', 1)})"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # the last archived event (0: nothing archived)
    hash: str  # its hash: the live chain goes on from it
    log_id: str | None  # the hash of seq 1 (sync names the log by it)


def checkpoint(store: Store) -> Checkpoint:
    rows = store.query("SELECT seq, hash, log_id FROM event_archive WHERE id = 1")
    return Checkpoint(rows[0][0], rows[0][1], rows[0][2]) if rows else Checkpoint(0, GENESIS, None)


def archivable(store: Store, retention_days: float, now_ms: int, upto_seq: int, central_watermark: int) -> int:
    """The highest seq that may be archived now: at or below `central_watermark` (what central said it stored,
    heard fresh: see `BranchNode.central_ack`), older than the retention, at most `STEP_EVENTS` past the
    checkpoint, not past `upto_seq` (the last committed event). 0: nothing to do."""
    if retention_days <= 0:
        return 0
    done = checkpoint(store).seq
    limit = min(central_watermark, upto_seq, done + STEP_EVENTS)
    rows = store.query("SELECT MAX(seq) FROM events WHERE seq > ? AND seq <= ? AND at_ms < ?",
                       (done, limit, now_ms - retention_days * DAY_MS))
    return rows[0][0] or 0


def archive_path(store: Store) -> Path:
    return store.path.with_name(ARCHIVE_FILE)


def archived_rows(store: Store, sql: str, params: tuple) -> list[tuple]:
    """A read of the archive file's `events` (nothing when this machine has none)."""
    path = archive_path(store)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # created, not yet written
    finally:
        conn.close()


class ArchiveUnreadable(Exception):
    """The archive file cannot give the events asked for (missing, damaged, or holding only part of them)."""


def _read_archive(path: Path, sql: str, params: tuple) -> list[tuple]:
    if not path.exists():
        raise ArchiveUnreadable(f"{path} is missing")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise ArchiveUnreadable(f"{path} cannot be read ({err})") from err


def file_state(store: Store) -> tuple[int, int, int] | None:
    """The archive file's identity as the filesystem gives it (inode, size, mtime; None: absent): a file put back
    or replaced by a technician is a different one, to be checked again (`check_chain`)."""
    try:
        stat = archive_path(store).stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def check_chain(store: Store, after: int) -> None:
    """Raises ArchiveUnreadable unless the archive's events after `after` follow each other gaplessly, each linked
    to the one before, up to the checkpoint's event with the checkpoint's hash: the file holds this log's events,
    not another's (another node's or branch's, one left from before a data dir was wiped, or a splice of both, e.g.
    a member that installed a dump on top of an old file) — central would store those for good under this log's
    id. Only links are read here, row by row (memory stays flat); `resend_rows` checks each event's content."""
    made = checkpoint(store)
    path = archive_path(store)
    if not path.exists():
        raise ArchiveUnreadable(f"{path} is missing")
    expected, prev = after + 1, None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for seq, prev_hash, digest in conn.execute(
                    "SELECT seq, prev_hash, hash FROM events WHERE seq > ? AND seq <= ? ORDER BY seq",
                    (after, made.seq)):
                if seq != expected:
                    raise ArchiveUnreadable(f"{path} lacks event {expected}")
                if prev is not None and prev_hash != prev:
                    raise ArchiveUnreadable(f"{path}: the chain is broken at event {seq} (not this log's events)")
                prev, expected = digest, expected + 1
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise ArchiveUnreadable(f"{path} cannot be read ({err})") from err
    if expected - 1 != made.seq:
        raise ArchiveUnreadable(f"{path} lacks event {expected}")
    if prev != made.hash:
        raise ArchiveUnreadable(f"{path} holds another log's events (its event {made.seq} is not the checkpoint "
                                f"the live log goes on from)")


def resend_rows(store: Store, after: int, upto: int, limit: int) -> list[tuple]:
    """Archived events after `after`, up to `upto` (the checkpoint), at most `limit`, in seq order, in sync's
    outbox form (seq, id, type, at, actor, data, prev_hash, hash): for central, when it lacks archived events (its
    store was restored from a backup older than the checkpoint). Raises ArchiveUnreadable unless they are all
    there, gapless from `after + 1`, each linked to the one before and matching its hash (a damaged event would be
    rejected by central again and again). That they are this log's is `check_chain`'s part."""
    path = archive_path(store)
    rows = _read_archive(path, "SELECT seq, id, type, at, actor, data, prev_hash, hash FROM events"
                               " WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", (after, upto, limit))
    if not rows:
        raise ArchiveUnreadable(f"{path} lacks event {after + 1}")
    prev = rows[0][6]
    for expected, (seq, event_id, type_, at, actor, data, prev_hash, digest) in enumerate(rows, after + 1):
        if seq != expected:
            raise ArchiveUnreadable(f"{path} lacks event {expected}")
        try:
            computed = stored_row_hash(prev_hash, seq, event_id, type_, parse_iso_ms(at), actor, data)
        except (TypeError, ValueError) as err:
            raise ArchiveUnreadable(f"{path}: event {seq} is damaged ({err})") from err
        if prev_hash != prev or computed != digest:
            raise ArchiveUnreadable(f"{path}: event {seq} is damaged (it does not match its hash)")
        prev = digest
    return rows


def copy_to_archive(store: Store, upto: int) -> Checkpoint | None:
    """Writer thread: copy the live events up to `upto` into the archive file, durably. The checkpoint they will
    make, or None when nothing is left to archive."""
    done = store.writer_query("SELECT seq FROM event_archive WHERE id = 1")
    after = done[0][0] if done else 0
    rows = store.writer_query(f"SELECT {COLUMNS} FROM events WHERE seq > ? AND seq <= ? ORDER BY seq", (after, upto))
    if not rows:
        return None
    first = store.writer_query("SELECT hash FROM events WHERE seq = 1")
    log_id = first[0][0] if first else store.writer_query("SELECT log_id FROM event_archive WHERE id = 1")[0][0]
    path = archive_path(store)
    set_aside_other_log(path, rows)
    created = not path.exists()
    archive = sqlite3.connect(path, isolation_level=None)
    try:
        # rollback journal, committed by unlinking it: EXTRA also fsyncs the directory after that unlink (FULL does
        # not), or a power cut could bring the journal back and roll these rows back once the live ones are gone
        archive.execute("PRAGMA synchronous=EXTRA")
        archive.execute(ARCHIVE_SCHEMA)
        archive.execute("BEGIN IMMEDIATE")
        archive.executemany(f"INSERT OR IGNORE INTO events ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        archive.execute("COMMIT")
    finally:
        archive.close()
    if created:
        fsync_dir(path.parent)  # the new file's name too must survive a power cut before the live rows go
    return Checkpoint(rows[-1][0], rows[-1][8], log_id)


def set_aside_other_log(path: Path, rows: list[tuple]) -> None:
    """An archive file holding *other* events at the seqs about to be archived (left from an older log: a data dir
    wiped without it) would keep them through INSERT OR IGNORE while the live ones are deleted: it is renamed
    aside (kept, never deleted) and a new one started."""
    if not path.exists():
        return
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        held = dict(conn.execute("SELECT seq, hash FROM events WHERE seq >= ? AND seq <= ?", (rows[0][0], rows[-1][0])))
    except sqlite3.OperationalError:
        return  # created, not yet written
    finally:
        conn.close()
    if all(held.get(row[0], row[8]) == row[8] for row in rows):
        return
    aside = path.with_name(f"{path.stem}.other-log-{int(time.time())}{path.suffix}")
    os.replace(path, aside)
    fsync_dir(path.parent)
    log.warning("%s holds other events than this log at the seqs being archived (left from an older log, e.g. a "
                "data dir wiped without it): renamed to %s, a new archive file is started", path, aside.name)


def archive_statements(made: Checkpoint, at_ms: int, snapshot_seq: int, snapshot: str) -> list[tuple[str, tuple]]:
    """The live database's half of a step (one transaction, with whatever the caller adds, e.g. the Raft index)."""
    return [
        ("DELETE FROM events WHERE seq <= ?", (made.seq,)),
        ("DELETE FROM outbox WHERE seq <= ?", (made.seq,)),  # central has them (followers never trim theirs)
        ("INSERT OR REPLACE INTO event_archive (id, seq, hash, log_id, archived_ms) VALUES (1, ?, ?, ?, ?)",
         (made.seq, made.hash, made.log_id, at_ms)),
        ("INSERT OR REPLACE INTO snapshots (seq, state) VALUES (?, ?)", (snapshot_seq, snapshot)),
        ("DELETE FROM snapshots WHERE seq < ?", (snapshot_seq,)),
    ]


# -- verify: the archive up to the checkpoint, then the live chain from it ------------------------------------------


def verify_archive(db_path: Path, live: VerifyReport) -> VerifyReport:
    """`live` (the live chain, checked from the checkpoint) completed with the archive file, if this machine has
    one. A member that received a dump holds only what it archived itself: the rest is at central (and on the
    members that archived it)."""
    conn = connect(db_path, readonly=True)
    try:
        rows = conn.execute("SELECT seq, hash FROM event_archive WHERE id = 1").fetchall()
    finally:
        conn.close()
    if not rows:
        return live
    upto, upto_hash = rows[0]
    path = db_path.with_name(ARCHIVE_FILE)
    if not path.exists():
        return VerifyReport(live.events, live.ok, live.problem,
                            f"events up to seq {upto} are archived, not on this machine (central has them)")
    archive = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        events = archive.execute(f"SELECT {COLUMNS} FROM events WHERE seq <= ? ORDER BY seq", (upto,))
        count, prev, expected, first = 0, None, None, None
        for seq, event_id, type_, _at, at_ms, actor, data, prev_hash, stored in events:
            if expected is not None and seq != expected:  # a member that installed a dump, then archived on
                prev = None
            if prev is None:
                first = first or seq
                prev = GENESIS if seq == 1 else prev_hash
            if prev_hash != prev:
                return VerifyReport(live.events, False, f"archived event {seq}: previous hash does not match")
            if stored_row_hash(prev, seq, event_id, type_, at_ms, actor, data) != stored:
                return VerifyReport(live.events, False, f"archived event {seq}: content does not match its hash")
            prev, expected, count = stored, seq + 1, count + 1
    finally:
        archive.close()
    if count and expected - 1 == upto and prev != upto_hash:
        return VerifyReport(live.events, False, f"the archive's event {upto} is not the checkpoint the live log "
                                                f"goes on from")
    held = f"seq {first}-{expected - 1}" if count else "nothing"
    return VerifyReport(live.events + count, live.ok, live.problem,
                        f"{count} archived events checked ({held}; archived up to seq {upto})")


async def archive_step(store: Store, writer: Writer, core: BranchCore, upto: int, at_ms: int,
                       extra: list[tuple[str, tuple]] | None = None) -> Checkpoint | None:
    """One step, between two commands (memory equal to disk): the archive file first, then the live database
    (with `extra`, e.g. the Raft index, in the same transaction). Deterministic from (`upto`, `at_ms`) and the
    database, so every member of a cluster applying it at the same log position does the same."""
    made = await writer.run(lambda: copy_to_archive(store, min(upto, core.seq)))
    state, seq = core.state.snapshot_copy(), core.seq  # on the loop, which owns the state

    def write() -> None:
        statements = list(extra or ())
        if made is not None:
            snapshot = json.dumps(state.to_dict(), separators=(",", ":"))
            statements = archive_statements(made, at_ms, seq, snapshot) + statements
        if statements:
            store.write(Batch([], [], [], extra=statements))

    await writer.run(write)
    return made
