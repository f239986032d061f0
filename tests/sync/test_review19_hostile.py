"""Review of issue 19: hostile MQTT payloads, from the outside (a raw paho client on the broker).

* central (SQLite and PostgreSQL) answers every `events` batch (stored, or a `rejected` ack — the contract's
  "answered, never ignored"), including bytes the database cannot hold (U+0000, integers beyond 64 bits), fields of
  the wrong type for the ticket projection, JSON nested deeper than the parser's stack and lone surrogates;
* the branch refuses a deeply nested command/config like any bad JSON: before, each one stayed unacknowledged and,
  once Mosquitto's in-flight window to the branch was full of them, no `events/ack` reached the branch any more
  (sync stalled until a reconnect, which redelivered them).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from sync.central import CentralReceiver
from sync.errors import BadPayload
from sync.messages import decode

from .conftest import BRANCH, ORG, Branch, central_config, wait_for

GENESIS = "0" * 64
DEEP = b'{"schema":1,"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def _hash(prev: str, seq: int, event_id: str, type_: str, at_ms: int, actor: dict, data: dict) -> str:
    text = json.dumps([prev, seq, event_id, type_, at_ms, actor, data], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _batch(branch: str, data: dict, type_: str = "TicketIssued", seq: int = 1) -> dict:
    actor = {"device": None, "agent": None}
    event_id = f"ev-{branch}-{time.time_ns()}"
    digest = _hash(GENESIS, seq, event_id, type_, 1795509060004, actor, data)
    event = {"seq": seq, "id": event_id, "type": type_, "at": "2026-11-24T08:31:00.004Z", "actor": actor,
             "data": data, "hash": digest, "prev_hash": GENESIS}
    return {"schema": 1, "organisation": ORG, "branch": branch, "node": "node-x", "log": digest, "first_seq": seq,
            "last_seq": seq, "sent_at": "2026-11-24T08:31:02.120Z", "events": [event]}


def _ticket(**over) -> dict:
    data = {"ticket_id": "t1", "service": "accounts", "number": "A-001", "day": "2026-11-24", "day_seq": 1,
            "level": 0, "category": None, "appointment_ref": None, "slot_ms": None, "late": False, "language": "fr",
            "queue_ms": 1795509062101}
    return {**data, **over}


def _dump(body: dict, ascii_only: bool = False) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=ascii_only).encode()


CASES = {
    "nul-in-data": lambda b: _dump(_batch(b, {"day": "2026-11-24\u0000"}, "BusinessDayStarted")),
    "nul-in-ticket-number": lambda b: _dump(_batch(b, _ticket(number="A\u0000001"))),
    "level-not-an-integer": lambda b: _dump(_batch(b, _ticket(level="high"))),
    "queue-ms-beyond-64-bits": lambda b: _dump(_batch(b, _ticket(queue_ms=2**70))),
    "lone-surrogate": lambda b: _dump(_batch(b, {"day": "2026-11-24\ud800"}, "BusinessDayStarted"), True),
    "deep-nesting": lambda b: DEEP,
    "impossible-date": lambda b: _dump(_batch(b, {"day": "x"}, "BusinessDayStarted")).replace(
        b"2026-11-24T08:31:00.004Z", b"2026-13-45T99:99:99.000Z"),
}


class RawClient:
    """A bare MQTT 5 client: what any party on the broker can send."""

    def __init__(self, port: int) -> None:
        self.messages: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-{time.time_ns()}",
                                  protocol=mqtt.MQTTv5)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message) -> None:
        with self.lock:
            self.messages.append((message.topic, bytes(message.payload)))

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic, qos=1)
        time.sleep(0.3)

    def publish(self, topic: str, payload: bytes, **kwargs) -> None:
        self.client.publish(topic, payload, qos=1, **kwargs).wait_for_publish(10)

    def json_on(self, topic: str) -> list[dict]:
        with self.lock:
            return [json.loads(p) for t, p in self.messages if t == topic and p]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def _receiver(tmp_path: Path, port: int, request: pytest.FixtureRequest, kind: str) -> CentralReceiver:
    extra = {"database_url": request.getfixturevalue("pg_url")} if kind == "postgresql" else {}
    receiver = CentralReceiver(central_config(port, tmp_path / "central" / "c.sqlite3", **extra))
    receiver.start()
    wait_for(lambda: receiver.link.connected and receiver.events_link.connected, what="central connected")
    return receiver


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_central_answers_every_hostile_batch_and_stays_up(tmp_path: Path, broker, request, kind: str) -> None:
    receiver = _receiver(tmp_path, broker.port, request, kind)
    raw = RawClient(broker.port)
    try:
        silent = []
        for index, (name, make) in enumerate(CASES.items()):
            branch = f"BRX{index}"
            ack_topic = f"smartqueue/v1/{ORG}/{branch}/events/ack"
            raw.subscribe(ack_topic)
            raw.publish(f"smartqueue/v1/{ORG}/{branch}/events", make(branch))
            try:
                wait_for(lambda topic=ack_topic: any(a.get("reason") in ("rejected", "stored")
                                                     for a in raw.json_on(topic)), timeout=5, what=f"{name} answered")
            except AssertionError:
                silent.append(name)
        assert not silent, f"left without an answer (the branch would probe them forever): {silent}"
        # and central still stores a good batch
        good = _batch("BRGOOD", _ticket())
        raw.subscribe(f"smartqueue/v1/{ORG}/BRGOOD/events/ack")
        raw.publish(f"smartqueue/v1/{ORG}/BRGOOD/events", _dump(good))
        wait_for(lambda: any(a.get("watermark") == 1 for a in raw.json_on(f"smartqueue/v1/{ORG}/BRGOOD/events/ack")),
                 what="a good batch stored after the hostile ones")
    finally:
        raw.close()
        receiver.stop()


def test_decode_refuses_json_nested_deeper_than_the_parser() -> None:
    with pytest.raises(BadPayload) as refused:
        decode(DEEP, "command", 1 << 20)
    assert "nested too deeply" in refused.value.problems[0]


def test_deeply_nested_commands_do_not_stall_the_branchs_acks(branch: Branch, central: CentralReceiver,
                                                            broker) -> None:
    branch.issue(2)
    wait_for(lambda: branch.service.pump.watermark == branch.node.core.seq, what="first events acknowledged")
    raw = RawClient(broker.port)
    try:
        prefix = f"smartqueue/v1/{ORG}/{BRANCH}/"
        for _ in range(25):  # more than Mosquitto's default in-flight window (20) towards one client
            raw.publish(prefix + "commands", DEEP)
        time.sleep(1)
        branch.issue(3)
        seq = branch.node.core.seq
        wait_for(lambda: branch.service.pump.watermark == seq, timeout=15,
                 what="central's acks still reach the branch after bad commands")
    finally:
        raw.close()
