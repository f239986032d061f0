"""Revocation that bites at once: a device revoked anywhere (the API, `smartqueue node revoke` in another
process, a row replicated from another cluster member) loses its open event streams and the agent sessions
made through it within a fraction of a second.

Requests need nothing from here (each one reads the device row); what this adds is for what is already open.
It watches the database with `PRAGMA data_version` on a connection of its own — one cheap call per tick that
changes only when another connection committed — and reads the revoked ids only then.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from branch.archive import archived_rows

log = logging.getLogger(__name__)


class RevocationWatcher:
    def __init__(self, path: Path, on_revoked: Callable[[set[str]], Awaitable[None]], every_s: float = 0.2) -> None:
        self.path, self.on_revoked, self.every_s = path, on_revoked, every_s
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._revoked: set[str] = set()
        self._wake = asyncio.Event()

    def open(self) -> None:
        self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                                     isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout=1000")
        self._version = self._data_version()
        self._revoked = self._read_revoked()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def poke(self) -> None:
        """Look now (this process changed device rows, or replicated them in)."""
        self._wake.set()

    def _data_version(self) -> int:
        return self._conn.execute("PRAGMA data_version").fetchone()[0]

    def _read_revoked(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT id FROM devices WHERE revoked_ms IS NOT NULL")}

    def check(self) -> set[str]:
        """Ids revoked since the last check (empty when the database did not change)."""
        version = self._data_version()
        if version == self._version and not self._wake.is_set():
            return set()
        self._wake.clear()
        self._version = version
        revoked = self._read_revoked()
        new = revoked - self._revoked
        self._revoked = revoked
        return new

    async def run(self) -> None:
        while True:
            try:
                new = self.check()
                if new:
                    log.warning("devices revoked: %s; ending their streams and sessions", ", ".join(sorted(new)))
                    await self.on_revoked(new)
            except Exception:
                log.exception("checking for revoked devices failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.every_s)


def sessions_through(store, devices: set[str], sessions: dict[str, str]) -> list[str]:
    """The counters (of `sessions`: counter -> session id) whose session was opened through one of `devices`,
    read from the login events in the log (so it holds across restarts), or in the archive file for a session
    older than the retention (`[node] event_retention_days` may be shorter than a session)."""
    out = []
    sql = ("SELECT actor FROM events WHERE type = 'AgentLoggedIn' AND json_extract(data, '$.session_id') = ?"
           " ORDER BY seq DESC LIMIT 1")
    for counter, session_id in sessions.items():
        rows = [tuple(r) for r in store.query(sql, (session_id,))] or archived_rows(store, sql, (session_id,))
        if rows and json.loads(rows[0][0]).get("device") in devices:
            out.append(counter)
    return out
