"""The event hash as the contract defines it (docs/mqtt-contract.md, "Event hash"), checked by central.

`hash` = lowercase hex SHA-256 of the UTF-8 bytes of the canonical JSON array
`[prev_hash, seq, id, type, at_ms, actor, data]`, where `at_ms` is `at` in epoch milliseconds. The branch computes
it with `branch.store.chain_hash` when the event is written; this recomputes it from the message alone, the way
an independent central would.
"""

from __future__ import annotations

from typing import Any

from branch.store import canonical, chain_hash
from queue_engine.calendar import parse_iso_ms


def event_hash(event: dict[str, Any]) -> str:
    """The hash `event` (an element of an `events` message) must carry."""
    return chain_hash(event["prev_hash"], event["seq"], event["id"], event["type"], parse_iso_ms(event["at"]),
                      canonical(event["actor"]), canonical(event["data"]))


def hash_problems(events: list[dict[str, Any]]) -> list[str]:
    """One line per event whose hash does not match its content (first 20)."""
    return [f"$.events[{index}].hash: does not match the event's content (seq {event['seq']})"
            for index, event in enumerate(events) if event_hash(event) != event["hash"]][:20]
