"""The SQL of central's store, written once for SQLite and PostgreSQL (`SqlCentralStore`), and the interface both
implement (`CentralStorage`). The implementations: `sync.central_store.SqliteCentralStore`, `sync.central_pg`.
See `sync/central_store.py` for what is kept and why.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sync.central_tickets import project

GENESIS = "0" * 64
logger = logging.getLogger(__name__)


def now_ms() -> int:
    return int(time.time() * 1000)


def new_epoch() -> str:
    return f"c-{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class Stored:
    log: str
    watermark: int
    stored_max: int
    new: int
    duplicates: int
    chain_error: str | None


@dataclass(frozen=True, slots=True)
class TicketView:
    """What the customer's phone page shows: no personal data, only the queue."""

    organisation: str
    branch: str
    ticket_id: str
    number: str
    service: str
    status: str
    counter: str | None
    people_ahead: int
    estimated_wait_s: int | None
    updated_ms: int
    #: when central last heard from the branch (its status or this ticket), its time zone, and whether the branch is
    #: connected now (the contract's staleness rule): what the phone page says its figures are worth
    heard_ms: int | None = None
    timezone: str | None = None
    branch_live: bool = True


class CentralStorage(Protocol):
    """What the receiver, the status command and the phone pages need from central's database."""

    epoch: str

    def store_events(self, org: str, branch: str, node: str, log: str, events: list[dict[str, Any]]) -> Stored: ...
    def watermarks(self) -> list[tuple[str, str, str, int, int]]: ...
    def latest_log(self, org: str, branch: str) -> tuple[str, int, int] | None: ...
    def set_status(self, org: str, branch: str, status: dict[str, Any]) -> None: ...
    def set_config_ack(self, org: str, branch: str, ack: dict[str, Any]) -> None: ...
    def set_device(self, org: str, branch: str, device: str, status: dict[str, Any]) -> None: ...
    def set_metrics(self, org: str, branch: str, message: dict[str, Any]) -> None: ...
    def add_command(self, command_id: str, org: str, branch: str, command: str, args: dict[str, Any]) -> None: ...
    def answer_command(self, command_id: str, response: dict[str, Any]) -> None: ...
    def ticket_view(self, org: str, branch: str, ticket_id: str) -> TicketView | None: ...
    def status_report(self) -> dict[str, Any]: ...
    def close(self) -> None: ...


# The DDL, written once for both databases: {id} {json} {interval} {times} {bigint} differ.
DDL = """
CREATE TABLE IF NOT EXISTS sq_central (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sq_branch (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, current_log TEXT,
    status {json}, status_ms {bigint}, config_ack {json},
    UNIQUE (organisation, branch)
);
CREATE TABLE IF NOT EXISTS sq_branch_log (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, log TEXT NOT NULL,
    watermark {bigint} NOT NULL DEFAULT 0, last_hash TEXT NOT NULL DEFAULT '{genesis}',
    stored_max {bigint} NOT NULL DEFAULT 0, received {bigint} NOT NULL DEFAULT 0,
    duplicates {bigint} NOT NULL DEFAULT 0, conflicts {bigint} NOT NULL DEFAULT 0, chain_error TEXT,
    first_ms {bigint} NOT NULL, last_event_ms {bigint},
    UNIQUE (organisation, branch, log)
);
CREATE TABLE IF NOT EXISTS sq_event (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, log TEXT NOT NULL, seq {bigint} NOT NULL,
    event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, at TEXT NOT NULL, actor {json} NOT NULL,
    data {json} NOT NULL, hash TEXT NOT NULL, prev_hash TEXT NOT NULL, node TEXT NOT NULL,
    received_ms {bigint} NOT NULL,
    UNIQUE (organisation, branch, log, seq)
);
CREATE TABLE IF NOT EXISTS sq_ticket (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, ticket_id TEXT NOT NULL, log TEXT NOT NULL,
    day TEXT NOT NULL, service TEXT NOT NULL, number TEXT NOT NULL, level INTEGER NOT NULL,
    queue_ms {bigint} NOT NULL, language TEXT, status TEXT NOT NULL, counter TEXT,
    issued_ms {bigint} NOT NULL, called_ms {bigint}, started_ms {bigint}, finished_ms {bigint},
    recalls INTEGER NOT NULL DEFAULT 0, updated_ms {bigint} NOT NULL, seq {bigint} NOT NULL,
    UNIQUE (organisation, branch, ticket_id)
);
CREATE INDEX IF NOT EXISTS sq_ticket_waiting ON sq_ticket (organisation, branch, service, status);
CREATE TABLE IF NOT EXISTS sq_device_status (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, device TEXT NOT NULL, role TEXT,
    state TEXT NOT NULL, status {json} NOT NULL, received_ms {bigint} NOT NULL,
    UNIQUE (organisation, branch, device)
);
CREATE TABLE IF NOT EXISTS sq_queue_metrics (
    id {id}, organisation TEXT NOT NULL, branch TEXT NOT NULL, queue TEXT NOT NULL, date TEXT NOT NULL,
    average_wait_time {interval} NOT NULL, total_customers INTEGER NOT NULL, peak_hours {times} NOT NULL,
    final BOOLEAN NOT NULL, record {json} NOT NULL, received_ms {bigint} NOT NULL,
    UNIQUE (organisation, branch, queue, date)
);
CREATE TABLE IF NOT EXISTS sq_command (
    id {id}, command_id TEXT NOT NULL UNIQUE, organisation TEXT NOT NULL, branch TEXT NOT NULL,
    command TEXT NOT NULL, args {json} NOT NULL, sent_ms {bigint} NOT NULL, status TEXT, response {json},
    answered_ms {bigint}
);
"""


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class SqlCentralStore:
    """The SQL both databases run. Subclasses give the connection, placeholders and the few dialect differences.

    Statements are written with `?` placeholders; `_sql` turns them into the driver's style.
    """

    LOCK = ""  # PostgreSQL: " FOR UPDATE"
    PLACEHOLDER = "?"

    def __init__(self) -> None:
        self.epoch = self._load_epoch()

    # -- plumbing (subclasses) ------------------------------------------------------------------------------------

    def _begin(self) -> None: ...
    def _commit(self) -> None: ...
    def _rollback(self) -> None: ...
    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]: ...
    def _run(self, sql: str, params: tuple = ()) -> int: ...
    def _run_many(self, sql: str, rows: list[tuple]) -> int: ...
    def _decode_json(self, value: Any) -> Any: ...
    def _interval(self, seconds: float) -> Any: ...
    def _times(self, hours: list[str]) -> Any: ...

    def _pipeline(self):
        """A context in which statements need not wait for their results (PostgreSQL's pipeline mode)."""
        return contextlib.nullcontext()

    def _sql(self, sql: str) -> str:
        return sql if self.PLACEHOLDER == "?" else sql.replace("?", self.PLACEHOLDER)

    def _tx(self, work):
        self._begin()
        try:
            result = work()
        except BaseException:
            self._rollback()
            raise
        self._commit()
        return result

    def _load_epoch(self) -> str:
        def work() -> str:
            self._run("INSERT INTO sq_central (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO NOTHING",
                      (new_epoch(),))
            return self._rows("SELECT value FROM sq_central WHERE key = 'epoch'")[0][0]
        return self._tx(work)

    def renew_epoch(self) -> str:
        """After restoring this database from a backup: acks carry a new epoch, so every branch accepts the
        (lower) watermarks and resends what the backup lacks."""
        epoch = new_epoch()
        self._tx(lambda: self._run("UPDATE sq_central SET value = ? WHERE key = 'epoch'", (epoch,)))
        self.epoch = epoch
        return epoch

    # -- events ---------------------------------------------------------------------------------------------------

    def _branch_row(self, org: str, branch: str) -> None:
        self._run("INSERT INTO sq_branch (organisation, branch) VALUES (?, ?) ON CONFLICT DO NOTHING", (org, branch))

    def _lock_log(self, org: str, branch: str, log: str) -> tuple[int, str, int]:
        self._run("INSERT INTO sq_branch_log (organisation, branch, log, first_ms) VALUES (?, ?, ?, ?)"
                  " ON CONFLICT DO NOTHING", (org, branch, log, now_ms()))
        row = self._rows("SELECT watermark, last_hash, stored_max FROM sq_branch_log WHERE organisation = ? AND"
                         " branch = ? AND log = ?" + self.LOCK, (org, branch, log))[0]
        return int(row[0]), row[1], int(row[2])

    def _insert_events(self, rows: list[tuple]) -> int:
        return self._run_many(
            "INSERT INTO sq_event (organisation, branch, log, seq, event_id, type, at, actor, data, hash, prev_hash,"
            " node, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)

    def store_events(self, org: str, branch: str, node: str, log: str, events: list[dict[str, Any]]) -> Stored:
        """Insert what is new, advance the log's contiguous watermark through the chain, project the tickets the
        watermark passed; one transaction."""
        def work() -> Stored:
            now = now_ms()
            watermark, last_hash, stored_max = self._lock_log(org, branch, log)
            self._branch_row(org, branch)
            self._run("UPDATE sq_branch SET current_log = ? WHERE organisation = ? AND branch = ?",
                      (log, org, branch))
            rows = [(org, branch, log, e["seq"], e["id"], e["type"], e["at"], dumps(e["actor"]), dumps(e["data"]),
                     e["hash"], e["prev_hash"], node, now) for e in events]
            new = self._insert_events(rows)
            conflicts = self._conflicts(org, branch, log, events) if new < len(events) else 0
            start = watermark
            watermark, last_hash, chain_error = self._advance(org, branch, log, watermark, last_hash)
            if watermark > start:
                self._project(org, branch, log, start, watermark)
            stored_max = max(stored_max, max(e["seq"] for e in events))
            self._run("UPDATE sq_branch_log SET watermark = ?, last_hash = ?, stored_max = ?, received = received"
                      " + ?, duplicates = duplicates + ?, conflicts = conflicts + ?, chain_error = ?, last_event_ms"
                      " = ? WHERE organisation = ? AND branch = ? AND log = ?",
                      (watermark, last_hash, stored_max, new, len(events) - new - conflicts, conflicts, chain_error,
                       now, org, branch, log))
            return Stored(log, watermark, stored_max, new, len(events) - new, chain_error)
        return self._tx(work)

    def _conflicts(self, org: str, branch: str, log: str, events: list[dict[str, Any]]) -> int:
        """Events whose seq this log already holds under a *different* id, or whose id another seq holds."""
        low, high = min(e["seq"] for e in events), max(e["seq"] for e in events)
        held = dict(self._rows("SELECT seq, event_id FROM sq_event WHERE organisation = ? AND branch = ? AND log = ?"
                               " AND seq BETWEEN ? AND ?", (org, branch, log, low, high)))
        return sum(1 for e in events if held.get(e["seq"]) != e["id"])

    def _advance(self, org: str, branch: str, log: str, watermark: int, last_hash: str) -> tuple[int, str, str | None]:
        while True:
            rows = self._rows("SELECT seq, prev_hash, hash FROM sq_event WHERE organisation = ? AND branch = ? AND"
                              " log = ? AND seq > ? ORDER BY seq LIMIT 5000", (org, branch, log, watermark))
            for seq, prev_hash, digest in rows:
                if seq != watermark + 1:
                    return watermark, last_hash, None
                if prev_hash != last_hash:
                    return watermark, last_hash, f"hash chain broken at seq {seq}"
                watermark, last_hash = int(seq), digest
            if len(rows) < 5000:
                return watermark, last_hash, None

    def _project(self, org: str, branch: str, log: str, after: int, upto: int) -> None:
        rows = self._rows("SELECT seq, type, at, data FROM sq_event WHERE organisation = ? AND branch = ? AND log = ?"
                          " AND seq > ? AND seq <= ? ORDER BY seq", (org, branch, log, after, upto))
        with self._pipeline():  # PostgreSQL: one round trip for the batch's changes, not one per event
            self._apply_changes(org, branch, log, rows)

    def _apply_changes(self, org: str, branch: str, log: str, rows: list[tuple]) -> None:
        for seq, type_, at, data in rows:
            try:
                change = project(type_, self._decode_json(data), at)
            except (KeyError, TypeError, ValueError) as err:  # stored all the same; only the projection lacks it
                logger.warning("%s/%s seq %s: %s not projected (missing or bad field %s)", org, branch, seq, type_, err)
                continue
            if change is None:
                continue
            if change.insert is not None:
                columns = ["organisation", "branch", "log", "seq", *change.insert]
                values = (org, branch, log, int(seq), *change.insert.values())
                self._run(f"INSERT INTO sq_ticket ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                          " ON CONFLICT DO NOTHING", values)
            else:
                sets = ", ".join(f"{name} = {expr}" for name, expr in change.update_sql.items())
                self._run(f"UPDATE sq_ticket SET {sets}, seq = ? WHERE organisation = ? AND branch = ? AND"
                          " ticket_id = ?", (*change.update_params, int(seq), org, branch, change.ticket_id))

    def watermarks(self) -> list[tuple[str, str, str, int, int]]:
        """(organisation, branch, current log, watermark, stored_max) of every branch, for the hello acks."""
        return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in self._tx(lambda: self._rows(
            "SELECT l.organisation, l.branch, l.log, l.watermark, l.stored_max FROM sq_branch b JOIN sq_branch_log l"
            " ON l.organisation = b.organisation AND l.branch = b.branch AND l.log = b.current_log"))]

    def latest_log(self, org: str, branch: str) -> tuple[str, int, int] | None:
        rows = self._tx(lambda: self._rows(
            "SELECT l.log, l.watermark, l.stored_max FROM sq_branch b JOIN sq_branch_log l ON l.organisation ="
            " b.organisation AND l.branch = b.branch AND l.log = b.current_log WHERE b.organisation = ? AND"
            " b.branch = ?", (org, branch)))
        return (rows[0][0], int(rows[0][1]), int(rows[0][2])) if rows else None

    # -- health, metrics, commands (last message wins) -----------------------------------------------------------

    def set_status(self, org: str, branch: str, status: dict[str, Any]) -> None:
        def work() -> None:
            self._branch_row(org, branch)
            self._run("UPDATE sq_branch SET status = ?, status_ms = ? WHERE organisation = ? AND branch = ?",
                      (dumps(status), now_ms(), org, branch))
        self._tx(work)

    def set_config_ack(self, org: str, branch: str, ack: dict[str, Any]) -> None:
        def work() -> None:
            self._branch_row(org, branch)
            self._run("UPDATE sq_branch SET config_ack = ? WHERE organisation = ? AND branch = ?",
                      (dumps(ack), org, branch))
        self._tx(work)

    def set_device(self, org: str, branch: str, device: str, status: dict[str, Any]) -> None:
        self._tx(lambda: self._run(
            "INSERT INTO sq_device_status (organisation, branch, device, role, state, status, received_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (organisation, branch, device) DO UPDATE SET role ="
            " excluded.role, state = excluded.state, status = excluded.status, received_ms = excluded.received_ms",
            (org, branch, device, status.get("role"), status["state"], dumps(status), now_ms())))

    def set_metrics(self, org: str, branch: str, message: dict[str, Any]) -> None:
        """One QueueMetrics-shaped row per (branch, queue, date); re-sent figures replace the earlier ones."""
        rows = [(org, branch, r["queue"], r["date"], self._interval(r["average_wait_time_s"] or 0),
                 r["total_customers"], self._times(r["peak_hours"]), bool(message["final"]), dumps(r), now_ms())
                for r in message["services"]]
        if rows:
            self._tx(lambda: self._run_many(
                "INSERT INTO sq_queue_metrics (organisation, branch, queue, date, average_wait_time, total_customers,"
                " peak_hours, final, record, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT"
                " (organisation, branch, queue, date) DO UPDATE SET average_wait_time = excluded.average_wait_time,"
                " total_customers = excluded.total_customers, peak_hours = excluded.peak_hours, final ="
                " excluded.final, record = excluded.record, received_ms = excluded.received_ms", rows))

    def add_command(self, command_id: str, org: str, branch: str, command: str, args: dict[str, Any]) -> None:
        self._tx(lambda: self._run(
            "INSERT INTO sq_command (command_id, organisation, branch, command, args, sent_ms) VALUES (?, ?, ?, ?,"
            " ?, ?) ON CONFLICT DO NOTHING", (command_id, org, branch, command, dumps(args), now_ms())))

    def answer_command(self, command_id: str, response: dict[str, Any]) -> None:
        self._tx(lambda: self._run("UPDATE sq_command SET status = ?, response = ?, answered_ms = ? WHERE"
                                   " command_id = ?", (response["status"], dumps(response), now_ms(), command_id)))

    # -- reading ---------------------------------------------------------------------------------------------------

    def ticket_view(self, org: str, branch: str, ticket_id: str) -> TicketView | None:
        def work() -> TicketView | None:
            rows = self._rows("SELECT number, service, status, counter, level, queue_ms, updated_ms, day FROM"
                              " sq_ticket WHERE organisation = ? AND branch = ? AND ticket_id = ?",
                              (org, branch, ticket_id))
            if not rows:
                return None
            number, service, status, counter, level, queue_ms, updated_ms, day = rows[0]
            ahead = 0
            wait: int | None = None
            if status == "waiting":
                ahead = int(self._rows(
                    "SELECT COUNT(*) FROM sq_ticket WHERE organisation = ? AND branch = ? AND service = ? AND"
                    " status = 'waiting' AND day = ? AND ticket_id <> ? AND (level > ? OR (level = ? AND"
                    " queue_ms < ?))", (org, branch, service, day, ticket_id, level, level, queue_ms))[0][0])
                wait = self._estimate_wait(org, branch, service, day, ahead)
            heard, timezone, live = int(updated_ms), None, True
            branch_rows = self._rows("SELECT status, status_ms FROM sq_branch WHERE organisation = ? AND branch = ?",
                                     (org, branch))
            if branch_rows and branch_rows[0][0]:
                status_doc, status_ms = self._decode_json(branch_rows[0][0]), branch_rows[0][1]
                timezone = status_doc.get("timezone") if isinstance(status_doc.get("timezone"), str) else None
                live = _live(status_doc, status_ms)
                if live and status_ms is not None:
                    heard = max(heard, int(status_ms))
            return TicketView(org, branch, ticket_id, number, service, status, counter, ahead, wait, int(updated_ms),
                              heard, timezone, live)
        return self._tx(work)

    def _estimate_wait(self, org: str, branch: str, service: str, day: str, ahead: int) -> int | None:
        """People ahead (and this one) x the mean service time today, shared among the counters that served the
        service today: the branch's own estimate needs its live counter state, which central does not have."""
        mean, counters = self._rows(
            "SELECT AVG(finished_ms - COALESCE(started_ms, called_ms)), COUNT(DISTINCT counter) FROM sq_ticket"
            " WHERE organisation = ? AND branch = ? AND service = ? AND day = ? AND status = 'served' AND"
            " finished_ms IS NOT NULL", (org, branch, service, day))[0]
        mean_s = float(mean) / 1000 if mean else 300.0
        return round((ahead + 1) * mean_s / max(1, int(counters or 0)))

    def status_report(self) -> dict[str, Any]:
        """Branches (current log, watermark, lag, staleness) and devices, for `smartqueue central status`."""
        def work() -> dict[str, Any]:
            branches = []
            for row in self._rows(
                    "SELECT b.organisation, b.branch, b.status, b.status_ms, b.config_ack, l.log, l.watermark,"
                    " l.stored_max, l.received, l.duplicates, l.conflicts, l.chain_error, l.last_event_ms"
                    " FROM sq_branch b LEFT JOIN sq_branch_log l ON l.organisation = b.organisation AND"
                    " l.branch = b.branch AND l.log = b.current_log ORDER BY b.organisation, b.branch"):
                branches.append(_branch_report(row, self._decode_json))
            devices = [{"organisation": r[0], "branch": r[1], "device": r[2], **self._decode_json(r[3]),
                        "received_age_s": _age(r[4])} for r in self._rows(
                "SELECT organisation, branch, device, status, received_ms FROM sq_device_status"
                " ORDER BY organisation, branch, device")]
            return {"epoch": self.epoch, "branches": branches, "devices": devices}
        return self._tx(work)

    def count_events(self, org: str, branch: str) -> list[tuple[int, str]]:
        """(seq, event id) of a branch's current log (tests, benches)."""
        return [(int(r[0]), r[1]) for r in self._tx(lambda: self._rows(
            "SELECT e.seq, e.event_id FROM sq_event e JOIN sq_branch b ON b.organisation = e.organisation AND"
            " b.branch = e.branch AND b.current_log = e.log WHERE e.organisation = ? AND e.branch = ?"
            " ORDER BY e.seq", (org, branch)))]


def _live(status: dict[str, Any], status_ms: int | None) -> bool:
    """The branch is connected now: its retained status says online and is not stale (the contract's rule)."""
    return _state(status, status_ms) == "online"


def _state(status: dict[str, Any], status_ms: int | None) -> str:
    """online / offline / stale (a retained "online" older than 2 x status interval + 1.5 x keepalive) / unknown."""
    state = status.get("state", "unknown")
    age = _age(status_ms)
    limit = 2 * status.get("status_interval_s", 30) + 1.5 * status.get("keepalive_s", 30)
    return "stale" if state == "online" and age is not None and age > limit else state


def _branch_report(row: tuple, decode) -> dict[str, Any]:
    (org, branch, status, status_ms, config_ack, log, watermark, stored_max, received, duplicates, conflicts,
     chain_error, last_event_ms) = row
    status = decode(status) if status else {}
    seq = status.get("seq")
    watermark = int(watermark or 0)
    age = _age(status_ms)
    state = _state(status, status_ms)
    return {"organisation": org, "branch": branch, "state": state, "node": status.get("node"),
            "role": status.get("role"), "reason": status.get("reason"), "log": log, "watermark": watermark,
            "stored_max": int(stored_max or 0), "received": int(received or 0), "duplicates": int(duplicates or 0),
            "conflicts": int(conflicts or 0), "chain_error": chain_error, "branch_seq": seq,
            "lag_events": max(0, seq - watermark) if isinstance(seq, int) and status.get("log") == log else None,
            "lag_s": status.get("sync_lag_s"), "status_age_s": age, "last_event_age_s": _age(last_event_ms),
            "config": decode(config_ack) if config_ack else None}


def _age(ms: int | None) -> float | None:
    return None if ms is None else round((now_ms() - int(ms)) / 1000, 1)
