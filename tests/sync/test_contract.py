"""The published contract: every example validates against its schema, our payloads match the schemas, and the
validator refuses what the schemas forbid. Config sections in SyncConfig are checked where they are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from branch.store import GENESIS, canonical, chain_hash
from config.central import load_central_config
from config.loader import ConfigError
from config.sync import SyncConfig
from queue_engine.events import EVENT_TYPES
from sync.errors import BadPayload
from sync.event_catalogue import catalogue
from sync.event_hash import event_hash, hash_problems
from sync.messages import decode, encode_events
from sync.schema_check import SCHEMA_DIR, validate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((SCHEMA_DIR / "examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_match_their_schema(path: Path) -> None:
    schema = "status" if path.stem == "status-will" else path.stem
    assert validate(schema, json.loads(path.read_text(encoding="utf-8"))) == []


def test_every_schema_has_an_example() -> None:
    schemas = {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert schemas <= {p.stem for p in EXAMPLES}


def test_encoded_events_splice_stored_json_and_validate() -> None:
    actor, data = {"device": "kiosk-1", "agent": None}, {"ticket_id": "t1", "number": "A-001", "note": "é ع"}
    digest = chain_hash(GENESIS, 1, "id-1", "TicketIssued", 5, canonical(actor), canonical(data))
    row = (1, "id-1", "TicketIssued", "1970-01-01T00:00:00.005Z", canonical(actor), canonical(data), GENESIS, digest)
    header = {"organisation": "acme-bank", "branch": "BR042", "node": "n", "log": digest}
    payload, first, last = encode_events(header, [row], 10**6)
    body = json.loads(payload)
    assert (first, last) == (1, 1) and validate("events", body) == []
    assert body["events"][0]["data"] == data and body["events"][0]["hash"] == digest
    assert event_hash(body["events"][0]) == digest  # what central recomputes from the message alone


def test_a_batch_is_cut_to_the_message_size_limit() -> None:
    rows = [(seq, f"id-{seq}", "TicketIssued", "t", "{}", canonical({"pad": "x" * 400}), GENESIS, GENESIS)
            for seq in range(1, 51)]
    payload, first, last = encode_events({"organisation": "o", "branch": "b", "node": "n"}, rows, 5000)
    assert first == 1 and 1 <= last < 50 and len(payload) <= 5000


@pytest.mark.parametrize(("payload", "problem"), [
    (b"[1, 2]", "must be a JSON object"),
    (b'{"schema": 1, "watermark": 3}', "$.reason: required"),
    (b'{"schema": 1, "watermark": 3, "reason": "stored", "at": "x", "extra": 1}', "$.extra: unknown field"),
    (b'{"schema": 1, "watermark": true, "reason": "stored", "at": "x"}', "$.watermark: expected integer"),
    (b'{"schema": 1, "watermark": 3, "reason": "maybe", "at": "x"}', "must be one of"),
])
def test_decode_names_the_problem(payload: bytes, problem: str) -> None:
    with pytest.raises(BadPayload) as err:
        decode(payload, "events-ack", 10_000)
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_sync_config_is_checked_where_it_is_read() -> None:
    assert SyncConfig().prefix_for("acme", "BR1") == "smartqueue/v1/acme/BR1/"
    for bad in ({"topic_prefix": "smartqueue/+/x/"}, {"topic_prefix": "no-slash"}, {"topic_prefix": "a/{site}/"},
                {"password": "x"}, {"username": "u", "password": "x", "password_file": "/f"},
                {"inflight_window": 0}, {"colour": "red"}, {"tls": {"cert_file": "c.pem"}}):
        with pytest.raises(ValidationError):
            SyncConfig(**bad)
    assert "secret" not in repr(SyncConfig(username="u", password="secret"))


def test_central_config_errors_name_file_section_and_key(tmp_path: Path) -> None:
    path = tmp_path / "central.toml"
    path.write_text('[central]\nport = 70000\nshare_grup = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_central_config(path)
    text = str(err.value)
    assert f"{path}: central.port:" in text and f"{path}: central.share_grup: unknown key" in text


def test_the_example_batch_carries_real_hashes() -> None:
    body = json.loads((SCHEMA_DIR / "examples" / "events.json").read_text(encoding="utf-8"))
    assert [event_hash(e) for e in body["events"]] == [e["hash"] for e in body["events"]]
    assert body["log"] == body["events"][0]["hash"] and body["events"][0]["prev_hash"] == GENESIS
    assert hash_problems([{**body["events"][1], "data": {"number": "A-002"}}]) != []


def test_the_contract_lists_every_event_type_as_the_engine_defines_it() -> None:
    text = (ROOT / "docs" / "mqtt-contract.md").read_text(encoding="utf-8")
    table = text.split("<!-- event-catalogue -->\n")[1].split("<!-- /event-catalogue -->")[0]
    assert table == catalogue(), "run: python -m sync.event_catalogue and paste it into docs/mqtt-contract.md"
    assert all(f"`{name}`" in table for name in EVENT_TYPES)
