"""Versioned schema migrations (PRAGMA user_version). Append a step; never edit a released one."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: the event log, projections, outbox, snapshots, idempotency, devices and pairing.
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        day TEXT NOT NULL,
        number TEXT NOT NULL,
        service TEXT NOT NULL,
        status TEXT NOT NULL,
        issued_ms INTEGER NOT NULL,
        data TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
    );
    CREATE INDEX tickets_day ON tickets(day, service);
    CREATE TABLE counters (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        updated_seq INTEGER NOT NULL
    );
    CREATE TABLE outbox (seq INTEGER PRIMARY KEY);
    CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, state TEXT NOT NULL);
    CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        counter TEXT,
        token_hash TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER
    );
    CREATE TABLE device_status (
        device_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
    );
    CREATE TABLE pairing_codes (
        code_hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        counter TEXT,
        name TEXT,
        expires_ms INTEGER NOT NULL,
        used_ms INTEGER
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: MQTT sync (issue 7): commands already seen from central, applied config pushes, refused messages.
    #    Central's watermark lives in meta ('sync.watermark').
    """
    CREATE TABLE sync_commands (
        id TEXT PRIMARY KEY,
        command TEXT NOT NULL,
        received_ms INTEGER NOT NULL,
        status TEXT NOT NULL,
        response TEXT
    );
    CREATE TABLE sync_config (
        version INTEGER PRIMARY KEY,
        sections TEXT NOT NULL,
        applied_ms INTEGER NOT NULL
    );
    CREATE TABLE sync_dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        topic TEXT NOT NULL,
        reason_code INTEGER NOT NULL,
        reason TEXT NOT NULL,
        first_seq INTEGER,
        last_seq INTEGER
    );
    """,
    # 3: the cluster (issue 8): the last Raft log index applied to this database (written in the same transaction
    #    as the command it applies, so a replayed journal never applies twice), the members' API addresses (leader
    #    hints), and local device/pairing rows waiting to be replicated through the log.
    """
    CREATE TABLE cluster_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        applied_index INTEGER NOT NULL,
        generation INTEGER NOT NULL
    );
    INSERT INTO cluster_state (id, applied_index, generation) VALUES (1, 0, 0);
    CREATE TABLE cluster_members (
        raft_address TEXT PRIMARY KEY,
        api_url TEXT,
        node_id TEXT,
        witness INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE cluster_pending (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL
    );
    """,
    # 4: the LAN API over TLS (issue 13): a pairing code is kept (until used or purged, minutes) so the node can
    #    check a device's proof of it without the code ever crossing the network.
    """
    ALTER TABLE pairing_codes ADD COLUMN code TEXT;
    """,
    # 5: the cluster's applied entries (issue 16): each Raft index with a digest of the entry applied there, written
    #    in the entry's own transaction, so a journal replayed after a crash is checked entry by entry.
    """
    CREATE TABLE cluster_applied (
        raft_index INTEGER PRIMARY KEY,
        digest TEXT NOT NULL
    );
    """,
    # 6: event retention (issue 16): the archive checkpoint — the last event moved to the archive file, its hash
    #    (the live chain goes on from it) and the log id (the hash of seq 1, which sync names the log by).
    """
    CREATE TABLE event_archive (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        log_id TEXT NOT NULL,
        archived_ms INTEGER NOT NULL
    );
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to the latest version; returns it. Each step is its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise RuntimeError(f"database schema v{version} is newer than this program (v{len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
