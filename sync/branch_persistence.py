"""SQL persistence of sync in the node's SQLite: central's watermark, seen command ids, config pushes, dead letters.

Writes (`*_tx`, `record_*`, `finish_*`) run on the node's single writer thread through `BranchNode.write`, never
on another connection: one writer means no lock contention with ticket commits, and each write here is one short
transaction. Reads run on the event-loop thread through `Store.query` (the reader connection).
"""

from __future__ import annotations

import json
from typing import Any

from branch.archive import checkpoint
from branch.store import Store

WATERMARK_KEY = "sync.watermark"  # central stored every seq <= it (as last heard; it may have been restored since)
EPOCH_KEY = "sync.central_epoch"  # central's store incarnation the watermark was acknowledged by


def _transaction(store: Store, statements: list[tuple[str, tuple]]) -> None:
    store.execute_write("BEGIN IMMEDIATE")
    try:
        for sql, params in statements:
            store.execute_write(sql, params)
        store.execute_write("COMMIT")
    except BaseException:
        store.execute_write("ROLLBACK")
        raise


# -- watermark and outbox -----------------------------------------------------------------------------------------


def load_watermark(store: Store) -> tuple[str | None, int]:
    """(central's epoch, watermark) as last durably recorded; (None, 0) before the first ack."""
    value = store.meta(WATERMARK_KEY)
    return store.meta(EPOCH_KEY), int(value) if value is not None else 0


def log_id(store: Store) -> str | None:
    """The id of this node's event log: the hash of its event seq 1 (the same on every member of a cluster, new
    when a data dir is wiped and the log starts again). None while the log is empty. Kept by the archive
    checkpoint once seq 1 is archived (branch.archive)."""
    rows = store.query("SELECT hash FROM events WHERE seq = 1")
    return rows[0][0] if rows else checkpoint(store).log_id


def _meta_rows(epoch: str | None, watermark: int) -> list[tuple[str, tuple]]:
    upsert = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
    rows = [(upsert, (WATERMARK_KEY, str(watermark)))]
    if epoch is not None:
        rows.append((upsert, (EPOCH_KEY, epoch)))
    return rows


def trim_tx(store: Store, epoch: str | None, watermark: int) -> None:
    """Central stored everything up to `watermark`: those outbox rows are done."""
    _transaction(store, [("DELETE FROM outbox WHERE seq <= ?", (watermark,)), *_meta_rows(epoch, watermark)])


def refill_tx(store: Store, epoch: str | None, watermark: int) -> None:
    """Central went back (a new epoch: its store was replaced or restored): queue every event after its watermark
    again."""
    _transaction(store, [("INSERT OR IGNORE INTO outbox (seq) SELECT seq FROM events WHERE seq > ?", (watermark,)),
                         *_meta_rows(epoch, watermark)])


def outbox_size(store: Store) -> int:
    return store.query("SELECT COUNT(*) FROM outbox")[0][0]


def read_batch(store: Store, after: int, limit: int) -> list[tuple]:
    """Outbox events after `after`, in seq order, as stored (actor and data are canonical JSON text)."""
    return store.query(
        "SELECT e.seq, e.id, e.type, e.at, e.actor, e.data, e.prev_hash, e.hash FROM outbox o"
        " JOIN events e ON e.seq = o.seq WHERE o.seq > ? ORDER BY o.seq LIMIT ?", (after, limit))


def archived_upto(store: Store) -> int:
    """The last archived seq (0: nothing archived): events up to it are in the archive file, not the outbox."""
    return checkpoint(store).seq


def oldest_unacked_ms(store: Store, watermark: int) -> int | None:
    rows = store.query("SELECT at_ms FROM events WHERE seq > ? ORDER BY seq LIMIT 1", (watermark,))
    return rows[0][0] if rows else None


# -- commands -------------------------------------------------------------------------------------------------------


def seen_command(store: Store, command_id: str) -> tuple[str, Any] | None:
    """(status, response) of a command id already received, or None."""
    rows = store.query("SELECT status, response FROM sync_commands WHERE id = ?", (command_id,))
    if not rows:
        return None
    return rows[0][0], json.loads(rows[0][1]) if rows[0][1] else None


def record_command(store: Store, command_id: str, command: str, now_ms: int) -> bool:
    """Remember the id before running the command (at most once); False if it was already there."""
    changed = store.execute_write(
        "INSERT OR IGNORE INTO sync_commands (id, command, received_ms, status) VALUES (?, ?, ?, 'running')",
        (command_id, command, now_ms))
    return changed == 1


def finish_command(store: Store, command_id: str, status: str, response: dict[str, Any]) -> None:
    store.execute_write("UPDATE sync_commands SET status = ?, response = ? WHERE id = ?",
                        (status, json.dumps(response, separators=(",", ":")), command_id))


# -- configuration pushes ---------------------------------------------------------------------------------------------


def applied_config(store: Store) -> tuple[int, dict[str, Any]] | None:
    rows = store.query("SELECT version, sections FROM sync_config ORDER BY version DESC LIMIT 1")
    return (rows[0][0], json.loads(rows[0][1])) if rows else None


def save_config(store: Store, version: int, sections: dict[str, Any], now_ms: int) -> None:
    store.execute_write("INSERT OR REPLACE INTO sync_config (version, sections, applied_ms) VALUES (?, ?, ?)",
                        (version, json.dumps(sections, separators=(",", ":"), ensure_ascii=False), now_ms))


# -- dead letters ------------------------------------------------------------------------------------------------------


def record_dead_letter(store: Store, now_ms: int, topic: str, code: int, reason: str,
                       first_seq: int | None = None, last_seq: int | None = None) -> None:
    store.execute_write(
        "INSERT INTO sync_dead_letters (at_ms, topic, reason_code, reason, first_seq, last_seq)"
        " VALUES (?, ?, ?, ?, ?, ?)", (now_ms, topic, code, reason, first_seq, last_seq))


def dead_letter_count(store: Store) -> int:
    return store.query("SELECT COUNT(*) FROM sync_dead_letters")[0][0]
