"""GET /api/v1/openapi.json: the LAN API described well enough for a fuzzer to drive it (schemathesis does, in
the tests): every path parameter declared, request schemas from the body models (their `$defs` hoisted into
`components`), every status an operation can answer with a schema, and links for stateful sequences."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from branch import bodies
from branch.api_schemas import COMPONENTS, I, N, S, arr, nullable, obj, ref
from branch.http import json_response

STATUS_TEXT = {400: "bad request (bad JSON, missing header)", 401: "no or bad credentials",
               403: "role not allowed", 404: "unknown id", 405: "method not allowed (see Allow)",
               408: "the body did not arrive in time",
               409: "refused by the queue's rules", 413: "body too large", 415: "body is not JSON",
               422: "invalid body or parameter", 429: "rate limited (see Retry-After)",
               503: "a cluster member that may not take this now (not the leader, no quorum)"}
READ_ERRORS = (400, 401, 403, 404, 405, 429)
WRITE_ERRORS = (400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 503)
ID = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"}
TICKET_REF = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}


def _body_schema(model: type[bodies.Body], defs: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs.update(schema.pop("$defs", {}))
    return schema


def _op(summary: str, roles: str, answer: dict[str, Any] | None, defs: dict[str, Any], *,
        body: type[bodies.Body] | None = None, ok: int = 200, write: bool = False, auth: bool = True,
        params: list[dict[str, Any]] | None = None, media: str = "application/json",
        errors: tuple[int, ...] = ()) -> dict[str, Any]:
    content = {media: {"schema": answer}} if answer is not None else {media: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(ok): {"description": "OK", "content": content}}
    for code in sorted({*(WRITE_ERRORS if write or body is not None else READ_ERRORS), *errors}):
        if code == 401 and not auth and body is None:
            continue
        responses[str(code)] = {"description": STATUS_TEXT[code],
                                "content": {"application/json": {"schema": ref("Error")}}}
    op: dict[str, Any] = {"summary": summary, "description": f"Allowed: {roles}.", "responses": responses}
    if not auth:
        op["security"] = []
    if body is not None:
        op["requestBody"] = {"required": body is not bodies.EmptyBody,
                             "content": {"application/json": {"schema": _body_schema(body, defs)}}}
    if params:
        op["parameters"] = params
    return op


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "schema": {
    "type": "string", "minLength": 8, "maxLength": 100, "pattern": "^[!-~]+$"},
    "description": "A retry with the same key returns the first answer."}


def build_document() -> dict[str, Any]:
    from branch.handlers import COUNTER_ACTIONS

    defs: dict[str, Any] = {}
    ticket_id = _path("id", TICKET_REF)
    counter_id = _path("id", ID)
    ticket_links = {"GetTicket": {"operationId": "getTicket", "parameters": {"id": "$response.body#/id"}},
                    "CancelTicket": {"operationId": "cancelTicket", "parameters": {"id": "$response.body#/id"}}}
    issue = _op("Issue a ticket", "kiosk, admin", ref("Ticket"), defs, body=bodies.IssueTicketBody, ok=201,
                params=[{**IDEMPOTENCY, "required": True}])
    issue["responses"]["201"]["links"] = ticket_links
    issue["operationId"] = "issueTicket"
    code = _op("Create a one-time pairing code", "admin", ref("PairingCode"), defs, body=bodies.PairingCodeBody,
               ok=201)
    code["operationId"] = "createPairingCode"
    pair = _op("Exchange a pairing code for a device token", "anyone (rate limited)", ref("Paired"), defs,
               body=bodies.PairBody, ok=201, auth=False)
    pair["operationId"] = "pair"
    get_ticket = _op("A ticket, with people ahead and estimated wait", "any device", ref("Ticket"), defs,
                     params=[ticket_id])
    get_ticket["operationId"] = "getTicket"
    cancel = _op("Cancel a ticket", "admin, or the agent at the ticket's counter", ref("Ticket"), defs,
                 body=bodies.CancelBody, params=[ticket_id])
    cancel["operationId"] = "cancelTicket"
    events = _op("Server-Sent Events; resume with Last-Event-ID (below the archive checkpoint: an EventsArchived "
                 "notice first)", "any device or agent session", None, defs,
                 media="text/event-stream", params=[{"name": "Last-Event-ID", "in": "header",
                                                     "schema": {"type": "integer", "minimum": 0}}])
    paths: dict[str, Any] = {
        "/api/v1/health": {"get": _op("Node health, role and event sequence", "anyone", ref("Health"), defs,
                                      auth=False)},
        "/api/v1/openapi.json": {"get": _op("This document", "anyone", {"type": "object"}, defs, auth=False)},
        "/metrics": {"get": _op("Prometheus metrics (text exposition)", "admin, metrics", None, defs,
                                media="text/plain")},
        "/api/v1/services": {"get": _op("Services with waiting counts and estimates", "any device",
                                        ref("Services"), defs)},
        "/api/v1/tickets": {"post": issue},
        "/api/v1/tickets/{id}": {"get": get_ticket},
        "/api/v1/tickets/{id}/cancel": {"post": cancel},
        "/api/v1/state": {"get": _op("What a display or keypad starting up needs: counters, services, recent "
                                     "calls, the first waiting tickets", "any device", ref("State"), defs)},
        "/api/v1/events": {"get": events},
        "/api/v1/agents/login": {"post": _op("Agent login at the keypad's counter (agent id or number); returns a "
                                             "session, its expiry and the node's clock (now_ms)",
                                             "keypad (device token)", ref("Login"), defs, body=bodies.LoginBody)},
        "/api/v1/agents/logout": {"post": _op("End the agent session", "agent session", obj_logged_out(), defs,
                                              write=True)},
        "/api/v1/counters/{id}": {"get": _op("A counter's state", "any device", ref("Counter"), defs,
                                             params=[counter_id])},
        "/api/v1/pairing/codes": {"post": code},
        "/api/v1/pairing": {"post": pair},
        "/api/v1/devices": {"get": _op("Devices and their reported health", "admin", ref("Devices"), defs)},
        "/api/v1/whoami": {"get": _op("The caller's device id, role, counter and agent", "any token",
                                      ref("WhoAmI"), defs)},
        "/api/v1/devices/me/setup": {"get": _op(
            "What a freshly paired device writes into its configuration: organisation, branch, time zone, "
            "languages; a kiosk also gets the appointment and phone link keys", "kiosk, display, keypad",
            ref("DeviceSetup"), defs)},
        "/api/v1/devices/me": {"delete": _op(
            "Retire the caller's own device token (a re-paired device retires its previous token); every later "
            "request with it is refused", "the token's own device (no agent session)", ref("Retired"), defs,
            write=True)},
        "/api/v1/devices/{id}/status": {"post": _op(
            "Report a device's health ({id} may be `me`)", "the device itself, admin", {
                "type": "object", "required": ["stored"], "properties": {"stored": {"type": "boolean"}}}, defs,
            body=bodies.DeviceStatusBody, params=[_path("id", ID)])},
        "/api/v1/metrics/daily": {"get": _op(
            "Daily metrics per service", "admin, display", ref("DailyMetrics"), defs,
            params=[{"name": "day", "in": "query", "schema": {"type": "string", "format": "date"}}],
            errors=(422,))},
        "/api/v1/displays/ack": {"post": _op("A display showed/announced a call (answered live as CallShown)",
                                             "display", ref("CallAck"), defs, body=bodies.CallAckBody)},
        "/api/v1/staff/alerts": {"get": _op(
            "Device alerts for staff: printer out of paper / low / needing a person, kiosk or display offline, "
            "display without audio; a DeviceStatusChanged message on the event stream says when to read again",
            "keypad, admin", obj({"alerts": arr(obj({"kind": S, "severity": S, "device": S, "role": S, "name": S,
                                                     "detail": S})), "at_ms": I}), defs)},
        "/api/v1/counters/{id}/agents": {"get": _op(
            "Agents who may log in at this counter, for the keypad's login list", "keypad of this counter, admin",
            obj({"counter": S, "agents": arr(obj({"id": S, "name": S, "number": nullable(S)}))}), defs,
            params=[counter_id])},
        "/api/v1/agents/me/today": {"get": _op(
            "The logged-in agent's figures for the business day and the node's clock (now_ms)", "an agent session",
            obj({"agent": S, "day": S, "served": I, "no_shows": I, "average_service_s": nullable(N),
                 "now_ms": I}), defs)},
    }
    for action, (model, _) in COUNTER_ACTIONS.items():
        paths[f"/api/v1/counters/{{id}}/{action}"] = {"post": _op(
            f"Counter action: {action}", "the agent session of this counter", ref("CounterAction"), defs,
            body=model, params=[counter_id, IDEMPOTENCY])}
    return {
        "openapi": "3.1.0",
        "info": {"title": "SmartQueue Edge branch node", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {**COMPONENTS, **defs}},
        "security": [{"bearer": []}],
        "paths": paths,
    }


def obj_logged_out() -> dict[str, Any]:
    return {"type": "object", "required": ["logged_out"], "properties": {"logged_out": {"type": "boolean"}}}


_DOCUMENT: dict[str, Any] | None = None


async def document(request: web.Request) -> web.Response:
    global _DOCUMENT
    if _DOCUMENT is None:
        _DOCUMENT = build_document()
    return json_response(_DOCUMENT)
