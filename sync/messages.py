"""Payload encoding and checked decoding. Every inbound payload passes size, JSON and schema checks here, so the
handlers only ever see a message that matches the contract (sync/schemas)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sync.errors import BadPayload
from sync.schema_check import validate

SCHEMA_VERSION = 1


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_from_ms(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def encode(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def decode(payload: bytes, schema: str, max_bytes: int) -> dict[str, Any]:
    """JSON object matching `schema`, else BadPayload naming what is wrong (never echoing the payload)."""
    if len(payload) > max_bytes:
        raise BadPayload([f"payload of {len(payload)} bytes exceeds the limit of {max_bytes}"])
    try:
        value = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadPayload(["payload is not UTF-8"]) from None
    except json.JSONDecodeError as err:
        raise BadPayload([f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}"]) from None
    except RecursionError:  # '[[[[...' deeper than the parser's stack: refused like any other bad JSON
        raise BadPayload(["invalid JSON: nested too deeply"]) from None
    if not isinstance(value, dict):
        raise BadPayload(["payload must be a JSON object"])
    if value.get("schema") != SCHEMA_VERSION:
        raise BadPayload([f"unsupported schema version {value.get('schema')!r}; this node speaks {SCHEMA_VERSION}"])
    problems = validate(schema, value)
    if problems:
        raise BadPayload(problems[:20])
    return value


def encode_events(header: dict[str, Any], rows: list[tuple], max_bytes: int) -> tuple[bytes, int, int]:
    """An `events` message from stored rows, splicing the stored canonical JSON of actor/data (no re-parsing).

    Returns (payload, first_seq, last_seq); stops before `max_bytes` (always at least one event).
    """
    dumps = json.dumps
    parts: list[str] = []
    size = 300
    first = last = rows[0][0]
    for seq, event_id, type_, at, actor, data, prev_hash, digest in rows:
        part = (f'{{"seq":{seq},"id":{dumps(event_id)},"type":{dumps(type_)},"at":{dumps(at)},"actor":{actor},'
                f'"data":{data},"hash":"{digest}","prev_hash":"{prev_hash}"}}')
        size += len(part) + 1
        if parts and size > max_bytes:
            break
        parts.append(part)
        last = seq
    head = dumps({**header, "schema": SCHEMA_VERSION, "first_seq": first, "last_seq": last,
                  "sent_at": utc_now_iso()}, separators=(",", ":"), ensure_ascii=False)
    return (head[:-1] + ',"events":[' + ",".join(parts) + "]}").encode(), first, last
