"""GET /api/v1/openapi.json: the LAN API described for integrators, with request schemas from the models."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from branch import bodies
from branch.http import json_response

ERROR = {"type": "object", "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}}}


def _op(summary: str, roles: str, body: type[bodies.Body] | None = None, ok: int = 200, *,
        idempotent: bool = False, auth: bool = True) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "description": f"Allowed: {roles}.",
                          "responses": {str(ok): {"description": "OK"}, **{
                              str(code): {"description": text, "content": {"application/json": {"schema": ERROR}}}
                              for code, text in ((400, "bad request"), (401, "no or bad credentials"),
                                                 (403, "role not allowed"), (404, "unknown id"),
                                                 (409, "refused by the queue's rules"), (422, "invalid body"))}}}
    if not auth:
        op["security"] = []
    if body is not None:
        op["requestBody"] = {"required": body is not bodies.EmptyBody,
                             "content": {"application/json": {"schema": body.model_json_schema()}}}
    if idempotent:
        op["parameters"] = [{"name": "Idempotency-Key", "in": "header", "required": ok == 201,
                             "schema": {"type": "string", "minLength": 8, "maxLength": 100},
                             "description": "A retry with the same key returns the first answer."}]
    return op


def build_document() -> dict[str, Any]:
    from branch.handlers import COUNTER_ACTIONS

    paths: dict[str, Any] = {
        "/api/v1/health": {"get": _op("Node health, role and event sequence", "anyone", auth=False)},
        "/api/v1/openapi.json": {"get": _op("This document", "anyone", auth=False)},
        "/metrics": {"get": _op("Prometheus metrics (text exposition)", "anyone", auth=False)},
        "/api/v1/services": {"get": _op("Services with waiting counts and estimates", "any device")},
        "/api/v1/tickets": {"post": _op("Issue a ticket", "kiosk, admin", bodies.IssueTicketBody, 201,
                                        idempotent=True)},
        "/api/v1/tickets/{id}": {"get": _op("A ticket, with people ahead and estimated wait", "any device")},
        "/api/v1/tickets/{id}/cancel": {"post": _op("Cancel a ticket", "kiosk, admin, keypad", bodies.CancelBody)},
        "/api/v1/state": {"get": _op("Snapshot for a display or keypad starting up", "any device")},
        "/api/v1/events": {"get": {**_op("Server-Sent Events; resume with Last-Event-ID", "any device"),
                                   "parameters": [{"name": "Last-Event-ID", "in": "header",
                                                   "schema": {"type": "integer"}}]}},
        "/api/v1/agents/login": {"post": _op("Agent login at the keypad's counter (agent id or number); returns a "
                                             "session, its expiry and the node's clock (now_ms)",
                                             "keypad (device token)", bodies.LoginBody)},
        "/api/v1/agents/logout": {"post": _op("End the agent session", "agent session")},
        "/api/v1/counters/{id}": {"get": _op("A counter's state", "any device")},
        "/api/v1/pairing/codes": {"post": _op("Create a one-time pairing code", "admin", bodies.PairingCodeBody, 201)},
        "/api/v1/pairing": {"post": _op("Exchange a pairing code for a device token", "anyone (rate limited)",
                                        bodies.PairBody, 201, auth=False)},
        "/api/v1/devices": {"get": _op("Devices and their reported health", "admin")},
        "/api/v1/whoami": {"get": _op("The caller's device id, role, counter and agent", "any token")},
        "/api/v1/devices/{id}/status": {"post": _op("Report a device's health ({id} may be `me`)", "the device itself",
                                                    bodies.DeviceStatusBody)},
        "/api/v1/metrics/daily": {"get": _op("Daily metrics per service (?day=YYYY-MM-DD)", "admin, display")},
        "/api/v1/displays/ack": {"post": _op("A display showed/announced a call (answered live as CallShown)",
                                             "display", bodies.CallAckBody)},
        "/api/v1/staff/alerts": {"get": _op(
            "Device alerts for staff: printer out of paper / low / needing a person, kiosk or display offline, "
            "display without audio ({alerts: [{kind, severity, device, role, name, detail}]}); a "
            "DeviceStatusChanged message on the event stream says when to read again", "keypad, admin")},
        "/api/v1/counters/{id}/agents": {"get": _op(
            "Agents who may log in at this counter ({agents: [{id, name, number}]}), for the keypad's login list",
            "keypad of this counter, admin")},
        "/api/v1/agents/me/today": {"get": _op(
            "The logged-in agent's figures for the business day (served, no_shows, average_service_s) and the "
            "node's clock (now_ms)", "an agent session")},
    }
    for action, (model, _) in COUNTER_ACTIONS.items():
        paths[f"/api/v1/counters/{{id}}/{action}"] = {
            "post": _op(f"Counter action: {action}", "the agent session of this counter", model, idempotent=True)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "SmartQueue Edge branch node", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


_DOCUMENT: dict[str, Any] | None = None


async def document(request: web.Request) -> web.Response:
    global _DOCUMENT
    if _DOCUMENT is None:
        _DOCUMENT = build_document()
    return json_response(_DOCUMENT)
