"""Central's store on PostgreSQL (psycopg 3): the only module that imports psycopg.

Same SQL as SQLite (`sync.central_sql.SqlCentralStore`); here JSON columns are `jsonb` (psycopg sends the JSON
text untyped and PostgreSQL casts it), `average_wait_time` an `interval` and `peak_hours` a `time[]` (the types of
the central server's QueueMetrics), and a branch log's row is locked `FOR UPDATE` so that several receivers storing
batches of the same branch serialise on its watermark.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import psycopg

from sync.central_sql import DDL, GENESIS, SqlCentralStore

StoreUnavailable = psycopg.OperationalError  # what a caller may catch: the database is down or unreachable


class PostgresCentralStore(SqlCentralStore):
    LOCK = " FOR UPDATE"
    PLACEHOLDER = "%s"

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self._setup()
        super().__init__()

    def _setup(self) -> None:
        ddl = DDL.format(id="BIGSERIAL PRIMARY KEY", json="JSONB", interval="INTERVAL", times="TIME[]",
                         bigint="BIGINT", genesis=GENESIS)
        with self.conn.transaction():
            # one creator at a time when several receivers start together (CREATE IF NOT EXISTS races otherwise)
            self.conn.execute("SELECT pg_advisory_xact_lock(1936813175)")
            for statement in ddl.split(";"):
                if statement.strip():
                    self.conn.execute(statement)

    def close(self) -> None:
        self.conn.close()

    def _pipeline(self):
        return self.conn.pipeline()

    def _begin(self) -> None:
        self.conn.execute("BEGIN")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if not self.conn.closed:
            self.conn.execute("ROLLBACK")

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.conn.execute(self._sql(sql), params).fetchall()

    def _run(self, sql: str, params: tuple = ()) -> int:
        return self.conn.execute(self._sql(sql), params).rowcount

    def _run_many(self, sql: str, rows: list[tuple]) -> int:
        with self.conn.cursor() as cursor:
            cursor.executemany(self._sql(sql), rows)
            return cursor.rowcount

    def _decode_json(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def _interval(self, seconds: float) -> Any:
        return dt.timedelta(seconds=seconds)

    def _times(self, hours: list[str]) -> Any:
        return [dt.time.fromisoformat(hour) for hour in hours]



def probe(url: str, timeout: float = 3.0) -> str | None:
    """None when PostgreSQL at `url` accepts a connection and a query (nothing is written), else why not."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(timeout))) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, ValueError) as err:
        return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return None
