#!/usr/bin/env python3
"""Hostile `events` payloads to a running central (any implementation), with Mosquitto's own clients.

For each payload it publishes to P/events of a branch and waits for central's answer on P/events/ack. The contract
(docs/mqtt-contract.md, "A batch central refuses is answered, never ignored") says every refused batch gets a
`rejected` ack. Prints one line per case: the answer seen or SILENT.

    hostile_central.py --port 1883 [--org acme-bank] [--branch BR999]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from third_party_central import event_hash  # the contract's hash, from its prose

GENESIS = "0" * 64


def batch(org: str, branch: str, specs: list[tuple[str, dict]], start_seq: int = 1, prev: str = GENESIS,
          log: str | None = None) -> dict:
    events = []
    for offset, (type_, data) in enumerate(specs):
        seq = start_seq + offset
        e = {"seq": seq, "id": f"hostile-{org}-{branch}-{seq}-{time.time_ns()}", "type": type_,
             "at": "2026-11-24T08:31:00.004Z", "actor": {"device": None, "agent": None}, "data": data,
             "prev_hash": prev}
        try:
            e["hash"] = event_hash(e)
        except ValueError:  # a float: hash as Python would
            import hashlib
            e["hash"] = hashlib.sha256(json.dumps([prev, seq, e["id"], type_, 1795509060004, e["actor"], data],
                                                  sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                                       .encode("utf-8", "surrogatepass")).hexdigest()
        prev = e["hash"]
        events.append(e)
    return {"schema": 1, "organisation": org, "branch": branch, "node": "node-hostile", "log": log or events[0]["hash"],
            "first_seq": start_seq, "last_seq": start_seq + len(specs) - 1, "sent_at": "2026-11-24T08:31:02.120Z",
            "events": events}


def ticket(**over) -> tuple[str, dict]:
    data = {"ticket_id": "t-hostile", "service": "accounts", "number": "A-001", "day": "2026-11-24", "day_seq": 1,
            "level": 0, "category": None, "appointment_ref": None, "slot_ms": None, "late": False, "language": "fr",
            "queue_ms": 1795509062101}
    data.update(over)
    return "TicketIssued", data


def cases(org: str, branch: str) -> dict[str, bytes]:
    def dump(body: dict, ascii_only: bool = False) -> bytes:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=ascii_only).encode()

    return {
        "not-json": b"\xff\xfe garbage",
        "deep-nesting": b'{"schema":1,"x":' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        "nan-seq": dump(batch(org, branch, [("BusinessDayStarted", {"day": "2026-11-24"})])).replace(
            b'"first_seq":1', b'"first_seq":NaN'),
        "nul-in-data": dump(batch(org, branch, [("BusinessDayStarted", {"day": "2026-11-24\u0000"})])),
        "nul-in-ticket-number": dump(batch(org, branch, [ticket(number="A\u0000001")])),
        "lone-surrogate": dump(batch(org, branch, [("BusinessDayStarted", {"day": "2026-11-24\ud800"})]), True),
        "bad-calendar-date": dump(batch(org, branch, [("BusinessDayStarted", {"day": "x"})])).replace(
            b"2026-11-24T08:31:00.004Z", b"2026-13-45T99:99:99.000Z"),
        "float-in-data": dump(batch(org, branch, [ticket(level=1.5)])),
        "level-not-int": dump(batch(org, branch, [ticket(level="high")])),
        "queue-ms-2^70": dump(batch(org, branch, [ticket(queue_ms=2**70)])),
        "int-2^70-in-data": dump(batch(org, branch, [("BusinessDayStarted", {"day": "2026-11-24", "n": 2**70})])),
        "seq-2^63": dump(batch(org, branch, [("BusinessDayStarted", {"day": "2026-11-24"})], start_seq=2**63)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--org", default="acme-bank")
    parser.add_argument("--branch", default="BR999")
    parser.add_argument("--wait", type=float, default=3)
    args = parser.parse_args()
    prefix = f"smartqueue/v1/{args.org}/{args.branch}/"
    silent = 0
    for name, payload in cases(args.org, args.branch).items():
        sub = subprocess.Popen(["mosquitto_sub", "-V", "mqttv5", "-p", str(args.port), "-t", prefix + "events/ack",
                                "-R",
                                "-W", str(int(args.wait)), "-C", "5"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        subprocess.run(["mosquitto_pub", "-V", "mqttv5", "-p", str(args.port), "-q", "1", "-t", prefix + "events",
                        "-s"], input=payload, check=True, timeout=10)
        out, _ = sub.communicate(timeout=args.wait + 5)
        answers = [json.loads(line) for line in out.splitlines() if line.strip()]
        answers = [a for a in answers if a.get("reason") != "hello"]
        answered = [a for a in answers if a.get("reason") in ("rejected", "stored", "gap")]
        fresh = [a for a in answered if a.get("reason") == "rejected" or a.get("stored_max", 0) >= 1]
        verdict = (f"{fresh[-1]['reason']}: {(fresh[-1].get('errors') or [''])[0][:90]}" if fresh else "SILENT")
        silent += not fresh
        print(f"{name:24s} {verdict}", flush=True)
    print(f"{silent} case(s) left without an answer")
    sys.exit(1 if silent else 0)


if __name__ == "__main__":
    main()
