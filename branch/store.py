"""The node's SQLite store: append-only, hash-chained event log plus projections, written in one transaction.

Durability: WAL with synchronous=FULL. Every acknowledged command's transaction is fsynced before the client
hears "201", so it survives kill -9 *and* power loss. (WAL+NORMAL is 7x faster here but may drop the last
commits on power loss: a ticket already printed for a customer must not vanish.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from branch.migrations import migrate

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, seq: int, event_id: str, type_: str, at_ms: int, actor_json: str,
               data_json: str) -> str:
    """sha256 over the previous hash and the event's canonical form: changing any stored byte breaks the chain.

    Takes the canonical JSON of actor and data (as stored), so the body equals
    canonical([prev_hash, seq, id, type, at_ms, actor, data]) without serialising them twice.
    """
    head = canonical([prev_hash, seq, event_id, type_, at_ms])[:-1]
    body = f"{head},{actor_json},{data_json}]"
    return hashlib.sha256(body.encode()).hexdigest()


def stored_row_hash(prev_hash: str, seq: int, event_id: str, type_: str, at_ms: int, actor: str, data: str) -> str:
    """The hash a stored row (live or archived) must carry, recomputed from its columns: actor and data are read
    back and made canonical again, so a byte changed in them is found even if it is still valid JSON."""
    return chain_hash(prev_hash, seq, event_id, type_, at_ms, canonical(json.loads(actor)),
                      canonical(json.loads(data)))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    id: str
    type: str
    at: str
    at_ms: int
    actor: dict[str, Any]
    data: dict[str, Any]
    prev_hash: str
    hash: str
    actor_json: str = ""  # canonical JSON, as stored and hashed (filled when the event is created)
    data_json: str = ""

    def envelope(self) -> dict[str, Any]:
        """The form sent to clients and to central."""
        return {"seq": self.seq, "id": self.id, "type": self.type, "at": self.at, "actor": self.actor,
                "data": self.data, "hash": self.hash, "prev_hash": self.prev_hash}


@dataclass(slots=True)
class Batch:
    """Everything one command writes, prepared off the database and committed at once."""

    events: list[StoredEvent]
    tickets: list[dict[str, Any]]
    counters: list[dict[str, Any]]
    snapshot: Any = None  # a BranchState copy, serialised on the writer thread
    idempotency: tuple[str, str, str, int, str, int] | None = None  # scope, key, hash, status, response, ms
    # [cluster, issue 8] statements committed in the same transaction (the applied Raft index, replicated rows)
    extra: list[tuple[str, tuple]] | None = None


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
    else:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class Store:
    """Owns the database file. `write` is called from one writer thread; reads use their own connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = connect(path)
        migrate(self._writer)
        self._reader = connect(path)
        self._checkpointer: sqlite3.Connection | None = None

    def close(self) -> None:
        self._writer.close()
        self._reader.close()
        if self._checkpointer is not None:
            self._checkpointer.close()

    # -- writes (the writer thread) ------------------------------------------------------------------------

    def write(self, batch: Batch) -> None:
        self.write_many([batch])

    def write_many(self, batches: list[Batch]) -> None:
        """Several commands' batches in one transaction, one fsync (group commit): all of them or none."""
        conn = self._writer
        conn.execute("BEGIN IMMEDIATE")
        try:
            for batch in batches:
                self._write_batch(conn, batch)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _write_batch(conn: sqlite3.Connection, batch: Batch) -> None:
        conn.executemany(
            "INSERT INTO events (seq, id, type, at, at_ms, actor, data, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(e.seq, e.id, e.type, e.at, e.at_ms, e.actor_json or canonical(e.actor),
              e.data_json or canonical(e.data), e.prev_hash, e.hash) for e in batch.events],
        )
        conn.executemany("INSERT INTO outbox (seq) VALUES (?)", [(e.seq,) for e in batch.events])
        last_seq = batch.events[-1].seq if batch.events else 0
        conn.executemany(
            "INSERT INTO tickets (id, day, number, service, status, issued_ms, data, updated_seq)"
            " VALUES (:id, :day, :number, :service, :status, :issued_ms, :data, :seq)"
            " ON CONFLICT(id) DO UPDATE SET service=excluded.service, status=excluded.status,"
            " data=excluded.data, updated_seq=excluded.updated_seq",
            [{**{k: t[k] for k in ("id", "day", "number", "service", "status", "issued_ms")},
              "data": canonical(t), "seq": last_seq} for t in batch.tickets],
        )
        conn.executemany(
            "INSERT INTO counters (id, data, updated_seq) VALUES (?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET data=excluded.data, updated_seq=excluded.updated_seq",
            [(c["id"], canonical(c), last_seq) for c in batch.counters],
        )
        if batch.snapshot is not None:
            state = json.dumps(batch.snapshot.to_dict(), separators=(",", ":"))
            conn.execute("INSERT OR REPLACE INTO snapshots (seq, state) VALUES (?, ?)", (last_seq, state))
            conn.execute("DELETE FROM snapshots WHERE seq < (SELECT MIN(seq) FROM"
                         " (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT 2))")
        if batch.idempotency is not None:
            conn.execute("INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?, ?, ?)", batch.idempotency)
        for sql, params in batch.extra or ():  # [cluster, issue 8]
            conn.execute(sql, params)

    def restore_from(self, filename: str) -> None:
        """Replace the whole database with a copy (a cluster member's dump), then bring its schema up to date."""
        source = sqlite3.connect(f"file:{filename}?mode=ro", uri=True)
        try:
            source.backup(self._writer)
        finally:
            source.close()
        self._writer.execute("DROP TABLE IF EXISTS cluster_dump")
        self._writer.execute("PRAGMA journal_mode=WAL")
        migrate(self._writer)

    def execute_write(self, sql: str, params: tuple | dict = ()) -> int:
        """A small write outside the event log (devices, pairing, status). Returns the changed row count.

        Like `write`, only on the writer thread (BranchNode.write) while a node runs: the connection is shared.
        """
        cursor = self._writer.execute(sql, params)
        return cursor.rowcount

    def manual_checkpoints(self) -> None:
        """Stop SQLite's automatic WAL checkpoints on the writer connection: a running node checkpoints from a
        connection of its own every few seconds instead, so no customer's commit pays for copying the WAL and
        its fsyncs (it made the p99, and on a slow card it would stall the writer for two fsyncs)."""
        self._writer.execute("PRAGMA wal_autocheckpoint=0")
        if self._checkpointer is None:
            self._checkpointer = connect(self.path)

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the database without waiting for readers or blocking the writer (PASSIVE,
        on its own connection: commits go on appending to the WAL meanwhile). Off the writer thread."""
        conn = self._checkpointer or self._writer
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def writer_query(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        """A read on the writer connection, for read-then-write steps done on the writer thread."""
        return self._writer.execute(sql, params).fetchall()

    def purge_idempotency(self, older_than_ms: int) -> None:
        self._writer.execute("DELETE FROM idempotency WHERE created_ms < ?", (older_than_ms,))

    #: how long bookkeeping rows outside the event log are kept (milliseconds)
    KEEP_PAIRING_MS = 24 * 3600 * 1000  # used or expired codes: a day, for the technician's questions
    KEEP_SYNC_COMMANDS_MS = 30 * 24 * 3600 * 1000  # central replays within minutes; a month is plenty
    KEEP_DEAD_LETTERS_MS = 90 * 24 * 3600 * 1000

    def purge_history(self, now_ms: int) -> dict[str, int]:
        """Delete bookkeeping rows nobody needs any more, so the tables stay bounded over months; an expired
        pairing code forgets its digits at once. Returns the rows deleted per table."""
        conn = self._writer
        conn.execute("UPDATE pairing_codes SET code = NULL WHERE expires_ms < ? AND code IS NOT NULL", (now_ms,))
        deleted = {
            "pairing_codes": conn.execute(
                "DELETE FROM pairing_codes WHERE expires_ms < ? OR used_ms < ?",
                (now_ms - self.KEEP_PAIRING_MS, now_ms - self.KEEP_PAIRING_MS)).rowcount,
            "sync_commands": conn.execute("DELETE FROM sync_commands WHERE received_ms < ?",
                                          (now_ms - self.KEEP_SYNC_COMMANDS_MS,)).rowcount,
            "sync_dead_letters": conn.execute("DELETE FROM sync_dead_letters WHERE at_ms < ?",
                                              (now_ms - self.KEEP_DEAD_LETTERS_MS,)).rowcount,
        }
        return deleted

    # -- reads ----------------------------------------------------------------------------------------------

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        self._reader.row_factory = sqlite3.Row
        return self._reader.execute(sql, params).fetchall()

    def last_event(self) -> tuple[int, str]:
        """(seq, hash) of the last event: the live table's, or the archive checkpoint's when every event was
        archived (a quiet day under a short retention, branch.archive); (0, GENESIS) for an empty log."""
        row = self._reader.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            row = self._reader.execute("SELECT seq, hash FROM event_archive WHERE id = 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def last_at_ms(self) -> int:
        """The time stamped on the last event (0 for an empty log). Every event archived: the archive step's time
        (the last event is no later than it)."""
        row = self._reader.execute("SELECT at_ms FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            row = self._reader.execute("SELECT archived_ms FROM event_archive WHERE id = 1").fetchone()
        return row[0] if row else 0

    def latest_snapshot(self) -> tuple[int, dict[str, Any]] | None:
        row = self._reader.execute("SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def events_after(self, seq: int, limit: int = 1000) -> list[StoredEvent]:
        rows = self._reader.execute(
            "SELECT seq, id, type, at, at_ms, actor, data, prev_hash, hash FROM events WHERE seq > ?"
            " ORDER BY seq LIMIT ?", (seq, limit)).fetchall()
        return [StoredEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), json.loads(r[6]), r[7], r[8])
                for r in rows]

    def iter_events(self, after: int = 0, batch: int = 5000) -> Iterator[StoredEvent]:
        while True:
            chunk = self.events_after(after, batch)
            if not chunk:
                return
            yield from chunk
            after = chunk[-1].seq

    def idempotent_response(self, scope: str, key: str) -> tuple[str, int, str] | None:
        row = self._reader.execute(
            "SELECT request_hash, status, response FROM idempotency WHERE scope = ? AND key = ?", (scope, key)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def meta(self, key: str) -> str | None:
        row = self._reader.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events: int
    ok: bool
    problem: str | None = None
    note: str | None = None  # e.g. what the archive holds (branch.archive)


def verify_chain(path: Path) -> VerifyReport:
    """Recompute the hash chain from the first live event (seq 1, or the one after the archive checkpoint, whose
    hash it must go on from); report the first break (a tampered or lost row)."""
    conn = connect(path, readonly=True)
    try:
        archived = conn.execute("SELECT seq, hash FROM event_archive WHERE id = 1").fetchall()
        prev, expected_seq, count = GENESIS, 1, 0
        if archived:
            expected_seq, prev = archived[0][0] + 1, archived[0][1]
        rows = conn.execute("SELECT seq, id, type, at_ms, actor, data, prev_hash, hash FROM events ORDER BY seq")
        for seq, event_id, type_, at_ms, actor, data, prev_hash, stored in rows:
            if seq != expected_seq:
                return VerifyReport(count, False, f"sequence gap: expected {expected_seq}, found {seq}")
            if prev_hash != prev:
                return VerifyReport(count, False, f"event {seq}: previous hash does not match event {seq - 1}")
            if stored_row_hash(prev, seq, event_id, type_, at_ms, actor, data) != stored:
                return VerifyReport(count, False, f"event {seq}: content does not match its hash")
            prev, expected_seq, count = stored, seq + 1, count + 1
        return VerifyReport(count, True)
    finally:
        conn.close()
