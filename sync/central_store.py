"""Central's storage: one interface (`CentralStorage`), two implementations that share their SQL — SQLite
(`SqliteCentralStore`, the embedded default for one branch and the demo) and PostgreSQL (`sync.central_pg`,
several receivers on one database).

What is kept (tables named `sq_*`, mapped to Django models in docs/mqtt-contract.md, "Central's tables"):
events stored once (unique event id; unique branch + log + seq), each branch log's contiguous watermark with the
hash chain checked as it advances, tickets projected from the events in seq order as the watermark passes them,
branch and device status (last message wins), daily metrics in the shape of the central server's QueueMetrics,
commands sent and their answers, and central's epoch (its store's incarnation, carried by every ack).

An event is acknowledged only once its transaction is durable here (SQLite synchronous=FULL; PostgreSQL commit),
since the branch then forgets it. Every method is one transaction; a branch log's row is locked first, so several
receivers storing batches of the same branch at once serialise instead of racing on its watermark.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sync.central_sql import (
    DDL,
    GENESIS,
    CentralStorage,
    SqlCentralStore,
    Stored,
    TicketView,
    dumps,
)
from sync.central_tickets import ACTIVE_STATUSES


class SqliteCentralStore(SqlCentralStore):
    """The embedded default: one file, one writer (the receiver's worker thread), WAL for readers."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        if readonly:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                                        isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self._readonly = readonly
        if not readonly:
            self.conn.executescript(DDL.format(id="INTEGER PRIMARY KEY", json="TEXT", interval="REAL",
                                               times="TEXT", bigint="INTEGER", genesis=GENESIS))
            super().__init__()
        else:
            self.epoch = self._rows("SELECT value FROM sq_central WHERE key = 'epoch'")[0][0]

    def close(self) -> None:
        self.conn.close()

    def _begin(self) -> None:
        self.conn.execute("BEGIN" if self._readonly else "BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def _run(self, sql: str, params: tuple = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def _run_many(self, sql: str, rows: list[tuple]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(sql, rows)
        return self.conn.total_changes - before

    def _decode_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def _interval(self, seconds: float) -> Any:
        return float(seconds)

    def _times(self, hours: list[str]) -> Any:
        return dumps(hours)


def open_store(config: Any, *, readonly: bool = False) -> SqlCentralStore:
    """The store `[central]` names: PostgreSQL when `database_url` is set, else the SQLite file `db_path`."""
    if getattr(config, "database_url", None):
        from sync.central_pg import PostgresCentralStore

        return PostgresCentralStore(config.database_url.get_secret_value())
    return SqliteCentralStore(Path(config.db_path), readonly=readonly)


def read_status(config_or_path: Any) -> dict[str, Any]:
    """`smartqueue central status` and tests: a report from another process (SQLite read-only, or PostgreSQL)."""
    if isinstance(config_or_path, (str, Path)):
        store: SqlCentralStore = SqliteCentralStore(Path(config_or_path), readonly=True)
    elif getattr(config_or_path, "database_url", None):
        store = open_store(config_or_path)
    else:
        store = SqliteCentralStore(Path(config_or_path.db_path), readonly=True)
    try:
        return store.status_report()
    finally:
        store.close()


__all__ = ["ACTIVE_STATUSES", "CentralStorage", "SqlCentralStore", "SqliteCentralStore", "Stored", "TicketView",
           "open_store", "read_status"]
