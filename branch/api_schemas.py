"""JSON Schemas of the LAN API's answers, for the OpenAPI document (and so for the fuzzer that checks every
answer against them). Kept beside the views they describe (`branch.views`, handlers' dict answers)."""

from __future__ import annotations

from typing import Any

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741 - read as "integer"
B = {"type": "boolean"}
N = {"type": "number"}
NAMES = {"type": "object", "additionalProperties": S}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


def arr(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR = obj({"error": obj({"code": S, "message": S}, {"details": {"type": "object"}})})

TICKET = obj({
    "id": S, "number": S, "service": S, "service_names": NAMES, "status": S, "day": S, "level": I,
    "category": nullable(S), "appointment_ref": nullable(S), "late": B, "language": S, "issued_at": S,
    "counter": nullable(S), "called_at": nullable(S), "recalls": I, "people_ahead": nullable(I),
    "estimated_wait_s": nullable(I)})

CURRENT = obj({"id": S, "number": S, "service": S, "status": S, "called_at": nullable(S), "issued_at": S,
               "recalls": I, "shown_on": I, "announced_on": I, "displays": I})

COUNTER = obj({"id": S, "names": NAMES, "zone": nullable(S), "services": arr(S), "agent": nullable(S),
               "paused": nullable(S), "open": B, "current": nullable(ref("CurrentCall")), "waiting": I})

SERVICE = obj({"id": S, "prefix": S, "names": NAMES, "group": nullable(S), "open_now": B, "waiting": I,
               "open_counters": I, "estimated_wait_s": nullable(I)})

CATEGORY = obj({"id": S, "level": I, "names": NAMES})

STATE = obj({
    "seq": I, "day": nullable(S), "now": S,
    "branch": obj({"id": S, "names": NAMES, "timezone": S}),
    "services": arr(ref("Service")), "counters": arr(ref("Counter")),
    "recent_calls": arr(obj({"ticket_id": S, "number": S, "service": S, "counter": S, "at": S, "recalls": I,
                             "status": S})),
    "waiting": arr(obj({"id": S, "number": S, "service": S, "level": I, "issued_at": S,
                        "target_counter": nullable(S)})),
    "waiting_total": I,
    "parked": arr(obj({"id": S, "number": S, "service": S})),
    "priority_categories": arr(ref("PriorityCategory")), "pause_reasons": arr(S), "outcomes": arr(S)})

HEALTH = obj({"status": S, "node_id": S, "branch": S, "api": S, "seq": I, "day": nullable(S), "version": S,
              "uptime_s": {"type": "number"}, "role": S},
             {"term": I, "leader": nullable(S), "cluster": {"type": "object"}, "clock": S,
              "sync": obj({"state": {"type": "string", "enum": ["connected", "disconnected", "standby"]},
                           "lag_events": I, "halted": {"type": "boolean"}},
                          {"archive_problem": nullable(S)})})

SERVICES = obj({"services": arr(ref("Service")),
                "groups": arr(obj({"id": S, "names": NAMES, "parent": nullable(S)})),
                "priority_categories": arr(ref("PriorityCategory")), "languages": arr(S)})

LOGIN = obj({"session": S, "agent": S, "agent_name": S, "counter": S, "expires_at_ms": I})

COUNTER_ACTION = obj({"counter": ref("Counter"), "events": arr(obj({"type": S}))})

PAIRING_CODE = obj({"code": S, "role": S, "counter": nullable(S), "expires_at_ms": I})

PAIRED = obj({"token": S, "role": S, "device_id": S, "counter": nullable(S), "branch": S, "node_id": S},
             {"tls": {"type": "object"}})

DEVICES = obj({"devices": arr(obj({
    "id": S, "role": S, "name": S, "counter": nullable(S), "revoked": B, "status": nullable({"type": "object"}),
    "status_updated_ms": nullable(I)}))})

WHOAMI = obj({"device": S, "role": S, "counter": nullable(S), "agent": nullable(S), "branch": S, "node_id": S})

DEVICE_SETUP = obj({"device": S, "role": S, "counter": nullable(S), "organisation": S,
                    "branch": obj({"id": S, "names": NAMES, "timezone": S, "day_starts_at": S, "languages": arr(S)})},
                   {"kiosk": obj({"appointment_key": nullable(S), "public_base_url": nullable(S),
                                  "phone_link_key": nullable(S)})})

RETIRED = obj({"device": S, "revoked": B})

DAILY = obj({"branch": S, "day": nullable(S), "services": arr({"type": "object"})})

CALL_ACK = obj({"ticket_id": S, "number": S, "counter": S, "recalls": I, "shown_on": I, "announced_on": I,
                "displays": I})

COMPONENTS = {"Error": ERROR, "Ticket": TICKET, "CurrentCall": CURRENT, "Counter": COUNTER, "Service": SERVICE,
              "PriorityCategory": CATEGORY, "State": STATE, "Health": HEALTH, "Services": SERVICES, "Login": LOGIN,
              "CounterAction": COUNTER_ACTION, "PairingCode": PAIRING_CODE, "Paired": PAIRED, "Devices": DEVICES,
              "WhoAmI": WHOAMI, "DeviceSetup": DEVICE_SETUP, "Retired": RETIRED,
              "DailyMetrics": DAILY, "CallAck": CALL_ACK}
