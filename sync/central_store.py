"""The reference central receiver's SQLite: events stored once (dedupe by event id, order and gaps by seq per
branch), the contiguous watermark (with the hash chain checked as it advances), and the branches' health.

One writer connection, used only on the receiver's worker thread; `read_status` opens its own read connection
(the `central status` command runs in another process). synchronous=FULL: an event is acknowledged to the branch
only once it is durably here, since the branch then forgets it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS branches (
    organisation TEXT NOT NULL, branch TEXT NOT NULL,
    watermark INTEGER NOT NULL DEFAULT 0, last_hash TEXT NOT NULL DEFAULT '{genesis}',
    stored_max INTEGER NOT NULL DEFAULT 0,
    received INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0, conflicts INTEGER NOT NULL DEFAULT 0,
    chain_error TEXT, last_event_ms INTEGER, status TEXT, status_ms INTEGER, config_ack TEXT,
    PRIMARY KEY (organisation, branch)
);
CREATE TABLE IF NOT EXISTS events (
    organisation TEXT NOT NULL, branch TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL, node TEXT NOT NULL, received_ms INTEGER NOT NULL,
    PRIMARY KEY (organisation, branch, seq)
);
CREATE TABLE IF NOT EXISTS devices (
    organisation TEXT NOT NULL, branch TEXT NOT NULL, device TEXT NOT NULL, status TEXT NOT NULL,
    received_ms INTEGER NOT NULL, PRIMARY KEY (organisation, branch, device)
);
CREATE TABLE IF NOT EXISTS metrics (
    organisation TEXT NOT NULL, branch TEXT NOT NULL, day TEXT NOT NULL, queue TEXT NOT NULL, record TEXT NOT NULL,
    final INTEGER NOT NULL, received_ms INTEGER NOT NULL, PRIMARY KEY (organisation, branch, day, queue)
);
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY, organisation TEXT NOT NULL, branch TEXT NOT NULL, command TEXT NOT NULL, args TEXT NOT NULL,
    sent_ms INTEGER NOT NULL, status TEXT, response TEXT, answered_ms INTEGER
);
""".replace("{genesis}", GENESIS)


def _now_ms() -> int:
    return int(time.time() * 1000)


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=5000")
    conn.executescript(SCHEMA)
    return conn


@dataclass(frozen=True, slots=True)
class Stored:
    watermark: int
    stored_max: int
    new: int
    duplicates: int
    chain_error: str | None


class CentralStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn = connect(path)

    def close(self) -> None:
        self.conn.close()

    def _branch(self, org: str, branch: str) -> tuple[int, str, int]:
        self.conn.execute("INSERT OR IGNORE INTO branches (organisation, branch) VALUES (?, ?)", (org, branch))
        return self.conn.execute("SELECT watermark, last_hash, stored_max FROM branches WHERE organisation = ?"
                                 " AND branch = ?", (org, branch)).fetchone()

    def store_events(self, org: str, branch: str, node: str, events: list[dict[str, Any]]) -> Stored:
        """Insert what is new (one transaction), then advance the contiguous watermark through the chain."""
        conn, now = self.conn, _now_ms()
        conn.execute("BEGIN IMMEDIATE")
        try:
            watermark, last_hash, stored_max = self._branch(org, branch)
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(org, branch, e["seq"], e["id"], e["type"], e["at"], json.dumps(e["actor"], separators=(",", ":")),
                  json.dumps(e["data"], separators=(",", ":"), ensure_ascii=False), e["hash"], e["prev_hash"], node,
                  now) for e in events])
            new = conn.total_changes - before
            conflicts = self._conflicts(org, branch, events) if new < len(events) else 0
            watermark, last_hash, chain_error = self._advance(org, branch, watermark, last_hash)
            stored_max = max(stored_max, max(e["seq"] for e in events))
            conn.execute(
                "UPDATE branches SET watermark = ?, last_hash = ?, stored_max = ?, received = received + ?,"
                " duplicates = duplicates + ?, conflicts = conflicts + ?, chain_error = ?, last_event_ms = ?"
                " WHERE organisation = ? AND branch = ?",
                (watermark, last_hash, stored_max, new, len(events) - new - conflicts, conflicts, chain_error, now,
                 org, branch))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return Stored(watermark, stored_max, new, len(events) - new, chain_error)

    def _conflicts(self, org: str, branch: str, events: list[dict[str, Any]]) -> int:
        """Events whose seq is already held by a *different* id: a different log (a wiped node). Kept out."""
        low, high = min(e["seq"] for e in events), max(e["seq"] for e in events)
        held = dict(self.conn.execute("SELECT seq, id FROM events WHERE organisation = ? AND branch = ? AND seq"
                                      " BETWEEN ? AND ?", (org, branch, low, high)))
        return sum(1 for e in events if held.get(e["seq"], e["id"]) != e["id"])

    def _advance(self, org: str, branch: str, watermark: int, last_hash: str) -> tuple[int, str, str | None]:
        while True:
            rows = self.conn.execute(
                "SELECT seq, prev_hash, hash FROM events WHERE organisation = ? AND branch = ? AND seq > ?"
                " ORDER BY seq LIMIT 5000", (org, branch, watermark)).fetchall()
            for seq, prev_hash, digest in rows:
                if seq != watermark + 1:
                    return watermark, last_hash, None
                if prev_hash != last_hash:
                    return watermark, last_hash, f"hash chain broken at seq {seq}"
                watermark, last_hash = seq, digest
            if len(rows) < 5000:
                return watermark, last_hash, None

    def watermarks(self) -> list[tuple[str, str, int, int]]:
        return self.conn.execute("SELECT organisation, branch, watermark, stored_max FROM branches").fetchall()

    def set_status(self, org: str, branch: str, status: dict[str, Any]) -> None:
        self._branch(org, branch)
        self.conn.execute("UPDATE branches SET status = ?, status_ms = ? WHERE organisation = ? AND branch = ?",
                          (json.dumps(status), _now_ms(), org, branch))

    def set_config_ack(self, org: str, branch: str, ack: dict[str, Any]) -> None:
        self._branch(org, branch)
        self.conn.execute("UPDATE branches SET config_ack = ? WHERE organisation = ? AND branch = ?",
                          (json.dumps(ack), org, branch))

    def set_device(self, org: str, branch: str, device: str, status: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR REPLACE INTO devices VALUES (?, ?, ?, ?, ?)",
                          (org, branch, device, json.dumps(status), _now_ms()))

    def set_metrics(self, org: str, branch: str, message: dict[str, Any]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(org, branch, message["day"], r["queue"], json.dumps(r), int(message["final"]), _now_ms())
             for r in message["services"]])

    def add_command(self, command_id: str, org: str, branch: str, command: str, args: dict[str, Any]) -> None:
        self.conn.execute("INSERT OR IGNORE INTO commands (id, organisation, branch, command, args, sent_ms)"
                          " VALUES (?, ?, ?, ?, ?, ?)", (command_id, org, branch, command, json.dumps(args), _now_ms()))

    def answer_command(self, command_id: str, response: dict[str, Any]) -> None:
        self.conn.execute("UPDATE commands SET status = ?, response = ?, answered_ms = ? WHERE id = ?",
                          (response["status"], json.dumps(response), _now_ms(), command_id))


def read_status(path: Path) -> dict[str, Any]:
    """Branches (with sync lag) and devices, for `smartqueue central status` and tests; opens its own connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        branches = []
        for r in conn.execute("SELECT * FROM branches ORDER BY organisation, branch"):
            status = json.loads(r["status"]) if r["status"] else {}
            seq = status.get("seq")
            branches.append({
                "organisation": r["organisation"], "branch": r["branch"], "state": status.get("state", "unknown"),
                "node": status.get("node"), "reason": status.get("reason"), "watermark": r["watermark"],
                "stored_max": r["stored_max"], "received": r["received"], "duplicates": r["duplicates"],
                "conflicts": r["conflicts"], "chain_error": r["chain_error"],
                "branch_seq": seq, "lag_events": max(0, seq - r["watermark"]) if isinstance(seq, int) else None,
                "lag_s": status.get("sync_lag_s"), "status_age_s": _age(r["status_ms"]),
                "last_event_age_s": _age(r["last_event_ms"]),
                "config": json.loads(r["config_ack"]) if r["config_ack"] else None,
            })
        devices = [{"organisation": r["organisation"], "branch": r["branch"], "device": r["device"],
                    **json.loads(r["status"]), "received_age_s": _age(r["received_ms"])}
                   for r in conn.execute("SELECT * FROM devices ORDER BY organisation, branch, device")]
        return {"branches": branches, "devices": devices}
    finally:
        conn.close()


def _age(ms: int | None) -> float | None:
    return None if ms is None else round((_now_ms() - ms) / 1000, 1)
