#!/usr/bin/env python3
"""A third party's central, written from docs/mqtt-contract.md and the published JSON Schemas ONLY.

It imports nothing from this repository: the broker is spoken to with Mosquitto's own clients
(`mosquitto_sub` / `mosquitto_pub`), payloads are checked with `jsonschema` against `sync/schemas/*.json`
(the contract says they are normative), the event hash is re-implemented from the contract's prose (its own
canonical JSON writer, not json.dumps(sort_keys=True)), and events are kept in a stdlib sqlite3 file.

    third_party_central.py --port 1883 --db tp.sqlite3 --schemas sync/schemas [--epoch c-xxxx] [--seconds N]

Prints one JSON line per decision (stored / gap / rejected / hello / status / device) on stdout.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema

GENESIS = "0" * 64
PREFIX = "smartqueue/v1/"  # default topic_prefix: smartqueue/v1/{organisation}/{branch}/


# -- the contract's "Event hash", from its prose ------------------------------------------------------------------

_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")  # lowercase hex
        else:
            out.append(ch)  # non-ASCII as itself
    out.append('"')
    return "".join(out)


def canonical(value) -> str:
    """No whitespace, keys sorted by code point, integers only (the contract: never fractional numbers)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError("fractional number in event data (the contract forbids them)")
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_string(k) + ":" + canonical(value[k]) for k in sorted(value)) + "}"
    raise ValueError(f"unexpected {type(value).__name__}")


def at_ms(at: str) -> int:
    parsed = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ")
    return calendar.timegm(parsed.timetuple()) * 1000 + parsed.microsecond // 1000


def event_hash(e: dict) -> str:
    text = canonical([e["prev_hash"], e["seq"], e["id"], e["type"], at_ms(e["at"]), e["actor"], e["data"]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- store -------------------------------------------------------------------------------------------------------

class Store:
    def __init__(self, path: str, epoch: str | None) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);
            CREATE TABLE IF NOT EXISTS ev (org TEXT, branch TEXT, log TEXT, seq INTEGER, id TEXT UNIQUE,
                   hash TEXT, prev_hash TEXT, type TEXT, body TEXT, PRIMARY KEY (org, branch, log, seq));
            CREATE TABLE IF NOT EXISTS wm (org TEXT, branch TEXT, log TEXT, watermark INTEGER, last_hash TEXT,
                   stored_max INTEGER, current INTEGER, PRIMARY KEY (org, branch, log));
        """)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('epoch', ?)", (epoch or f"c-{secrets.token_hex(6)}",))
        if epoch:
            self.db.execute("UPDATE meta SET v = ? WHERE k = 'epoch'", (epoch,))
        self.epoch = self.db.execute("SELECT v FROM meta WHERE k = 'epoch'").fetchone()[0]

    def store(self, org: str, branch: str, log: str, events: list[dict]) -> tuple[int, int, int, int]:
        """(watermark, stored_max, new, duplicates): one transaction, durable before the ack."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR IGNORE INTO wm VALUES (?, ?, ?, 0, ?, 0, 1)", (org, branch, log, GENESIS))
            db.execute("UPDATE wm SET current = (log = ?) WHERE org = ? AND branch = ?", (log, org, branch))
            new = 0
            for e in events:
                cur = db.execute("INSERT OR IGNORE INTO ev VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (org, branch, log, e["seq"], e["id"], e["hash"], e["prev_hash"], e["type"],
                                  json.dumps(e)))
                new += cur.rowcount
            watermark, last_hash, stored_max = db.execute(
                "SELECT watermark, last_hash, stored_max FROM wm WHERE org = ? AND branch = ? AND log = ?",
                (org, branch, log)).fetchone()
            for seq, prev_hash, digest in db.execute(
                    "SELECT seq, prev_hash, hash FROM ev WHERE org = ? AND branch = ? AND log = ? AND seq > ?"
                    " ORDER BY seq", (org, branch, log, watermark)).fetchall():
                if seq != watermark + 1 or prev_hash != last_hash:
                    break
                watermark, last_hash = seq, digest
            stored_max = max(stored_max, max(e["seq"] for e in events))
            db.execute("UPDATE wm SET watermark = ?, last_hash = ?, stored_max = ? WHERE org = ? AND branch = ?"
                       " AND log = ?", (watermark, last_hash, stored_max, org, branch, log))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return watermark, stored_max, new, len(events) - new

    def current(self) -> list[tuple]:
        return self.db.execute("SELECT org, branch, log, watermark, stored_max FROM wm WHERE current = 1").fetchall()

    def latest(self, org: str, branch: str):
        return self.db.execute("SELECT log, watermark FROM wm WHERE org = ? AND branch = ? AND current = 1",
                               (org, branch)).fetchone()


# -- the receiver ------------------------------------------------------------------------------------------------

class ThirdPartyCentral:
    def __init__(self, args) -> None:
        self.args = args
        schemas = Path(args.schemas)
        self.validators = {name: jsonschema.Draft202012Validator(json.loads(
            (schemas / f"{name}.schema.json").read_text(encoding="utf-8")))
            for name in ("events", "events-ack", "status", "device-status")}
        self.store = Store(args.db, args.epoch)
        self.out_lock = threading.Lock()

    def say(self, **fields) -> None:
        with self.out_lock:
            print(json.dumps(fields, ensure_ascii=False), flush=True)

    def problems(self, schema: str, body) -> list[str]:
        return [f"{e.json_path}: {e.message}"[:300] for e in self.validators[schema].iter_errors(body)]

    def publish(self, topic: str, body: dict, retain: bool) -> None:
        assert not self.problems("events-ack", body), self.problems("events-ack", body)  # our own acks obey too
        args = ["mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", str(self.args.port), "-q", "1", "-t",
                topic, "-m", json.dumps(body, separators=(",", ":"))]
        if retain:
            args.insert(1, "-r")
        subprocess.run(args, check=True, timeout=10)

    def ack(self, org, branch, log, watermark, stored_max, reason) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self.publish(f"{PREFIX}{org}/{branch}/events/ack", {"schema": 1, "log": log, "epoch": self.store.epoch,
                     "watermark": watermark, "reason": reason, "stored_max": stored_max, "at": now}, retain=True)

    def nack(self, org, branch, body, problems) -> None:
        latest = self.store.latest(org, branch)
        log = body.get("log") if isinstance(body, dict) and isinstance(body.get("log"), str) else None
        log = log or (latest[0] if latest else None)
        watermark = latest[1] if latest and latest[0] == log else 0
        first = body.get("first_seq") if isinstance(body, dict) and isinstance(body.get("first_seq"), int) else None
        last = body.get("last_seq") if isinstance(body, dict) and isinstance(body.get("last_seq"), int) else None
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        self.publish(f"{PREFIX}{org}/{branch}/events/ack", {
            "schema": 1, "log": log, "epoch": self.store.epoch, "watermark": watermark, "reason": "rejected",
            "first_seq": first if first and first >= 1 else None, "last_seq": last if last and last >= 1 else None,
            "errors": [p[:500] for p in problems[:20]], "at": now}, retain=False)
        self.say(decision="rejected", org=org, branch=branch, errors=problems[:3])

    def on_events(self, org: str, branch: str, raw: bytes) -> None:
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            return self.nack(org, branch, None, [f"invalid JSON: {err}"])
        problems = self.problems("events", body)
        if not problems and (body["organisation"], body["branch"]) != (org, branch):
            problems.append("$.organisation/$.branch: does not match the topic")
        if not problems:
            for i, e in enumerate(body["events"]):
                try:
                    if event_hash(e) != e["hash"]:
                        problems.append(f"$.events[{i}].hash: does not match the event's content (seq {e['seq']})")
                except ValueError as err:
                    problems.append(f"$.events[{i}]: {err}")
        if problems:
            return self.nack(org, branch, body, problems)
        watermark, stored_max, new, dups = self.store.store(org, branch, body["log"], body["events"])
        reason = "gap" if stored_max > watermark else "stored"
        self.ack(org, branch, body["log"], watermark, stored_max, reason)
        self.say(decision=reason, org=org, branch=branch, log=body["log"][:12], first=body["first_seq"],
                 last=body["last_seq"], watermark=watermark, stored_max=stored_max, new=new, duplicates=dups)

    def on_health(self, org: str, branch: str, suffix: str, raw: bytes) -> None:
        if not raw:
            return
        schema = "status" if suffix == "status" else "device-status"
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self.say(decision="bad-health", org=org, branch=branch, suffix=suffix)
        problems = self.problems(schema, body)
        self.say(decision=schema, org=org, branch=branch, valid=not problems, problems=problems[:3],
                 state=body.get("state") if isinstance(body, dict) else None,
                 role=body.get("role") if isinstance(body, dict) else None)

    def run(self) -> None:
        for org, branch, log, watermark, stored_max in self.store.current():  # the contract's hello
            self.ack(org, branch, log, watermark, stored_max, "hello")
            self.say(decision="hello", org=org, branch=branch, watermark=watermark)
        sub = subprocess.Popen(
            ["mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", str(self.args.port), "-q", "1",
             "-i", "tp-central", "-c", "-x", "604800", "-F", "%t\t%x",
             "-t", f"{PREFIX}+/+/events", "-t", f"{PREFIX}+/+/status", "-t", f"{PREFIX}+/+/devices/+/status"],
            stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.args.seconds if self.args.seconds else None
        try:
            for line in sub.stdout:
                topic, _, hexed = line.rstrip("\n").partition("\t")
                levels = topic.split("/")
                org, branch, suffix = levels[2], levels[3], "/".join(levels[4:])
                raw = bytes.fromhex(hexed)
                if suffix == "events":
                    self.on_events(org, branch, raw)
                elif suffix == "status" or (suffix.startswith("devices/") and suffix.endswith("/status")):
                    self.on_health(org, branch, suffix, raw)
                if deadline and time.monotonic() > deadline:
                    break
        finally:
            sub.terminate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--db", required=True)
    parser.add_argument("--schemas", required=True)
    parser.add_argument("--epoch")
    parser.add_argument("--seconds", type=float, default=0)
    ThirdPartyCentral(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
