"""Route handlers. Each one: authenticate, check the role, validate the body, run a command or read state."""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import re
import secrets
from datetime import date
from typing import Any

from aiohttp import web

from branch import bodies, views
from branch.api_errors import ApiError
from branch.auth import require, require_agent
from branch.devices import active_codes, create_pairing, revoke, use_code
from branch.http import body_of, json_response, node_of, principal_of, read_body, request_digest
from branch.prom import EXPOSITION_TYPE
from branch.runner import CommandRequest
from branch.security import AgentSession, hash_pin, verify_pin
from ground.hashing import pairing_key, pairing_mac
from queue_engine import commands as cmd
from queue_engine.metrics import daily_metrics as compute_daily_metrics
from queue_engine.state import Ticket

log = logging.getLogger(__name__)
ANY_DEVICE = ("kiosk", "display", "keypad", "admin")


@functools.cache
def _dummy_pin_hash() -> str:
    """Checked against when the agent is unknown, so timing reveals nothing (made once, on first use: ~50 ms)."""
    return hash_pin("0000")


async def health(request: web.Request) -> web.Response:
    return json_response(node_of(request).health())


async def prometheus(request: web.Request) -> web.Response:
    require(principal_of(request), "admin", "metrics")
    return web.Response(body=node_of(request).metrics.render(),
                        headers={"Content-Type": EXPOSITION_TYPE, "X-Content-Type-Options": "nosniff"})


async def services(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), *ANY_DEVICE)
    groups = [{"id": g.id, "names": g.names.as_dict(), "parent": g.parent} for g in node.config.groups]
    categories = [{"id": p.id, "level": p.level, "names": p.names.as_dict()} for p in node.config.priority_categories]
    return json_response({"services": views.services_view(node.core.state, node.setup, node.now_ms()),
                          "groups": groups, "priority_categories": categories,
                          "languages": list(node.config.branch.languages)})


def _idempotency_key(request: web.Request, required: bool) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        if required:
            raise ApiError(400, "idempotency_key_required",
                           "send an Idempotency-Key header (e.g. a UUID) so a retry never issues two tickets")
        return None
    if not 8 <= len(key) <= 100 or not key.isascii() or not key.isprintable():
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 8 to 100 printable ASCII characters")
    return key


async def issue_ticket(request: web.Request) -> web.Response:
    node = node_of(request)
    principal = principal_of(request)
    require(principal, "kiosk", "admin")
    key = _idempotency_key(request, required=True)
    raw = await read_body(request)
    body = await body_of(request, bodies.IssueTicketBody)
    found = node.store.idempotent_response(principal.scope, key) if key else None
    if found is None:  # a replay of an answered request is not rate limited
        wait = node.ticket_limiter.take(principal.device)
        if wait:
            raise ApiError(429, "rate_limited", "too many tickets from this device; try again shortly",
                           headers={"Retry-After": str(max(1, round(wait)))})
    category = body.priority if isinstance(body.priority, str) else None
    level = body.priority if isinstance(body.priority, int) else None
    appointment = body.appointment
    ticket_id = secrets.token_hex(8)

    def make(at_ms: int) -> cmd.Command:
        return cmd.IssueTicket(
            at_ms=at_ms, ticket_id=ticket_id, service=body.service, category=category, level=level,
            appointment_ref=appointment.ref if appointment else None,
            slot_ms=int(appointment.slot.timestamp() * 1000) if appointment else None, language=body.language)

    def respond(events) -> tuple[int, Any]:
        state = node.core.state
        return 201, views.ticket_view(state, node.setup, state.tickets[ticket_id])

    if appointment is not None and appointment.slot.tzinfo is None:
        raise ApiError(422, "invalid_body", "appointment.slot needs a time zone",
                       fields=[{"field": "appointment.slot", "problem": "time zone missing"}])
    status, payload, replayed = await node.commands.run(
        CommandRequest(principal, make, respond, key, request_digest("POST", request.path, raw)))
    return json_response(payload, status, replayed)


def _ticket_or_404(node, ref: str) -> Ticket:
    ticket = views.find_ticket(node.core.state, ref)
    if ticket is None:
        rows = node.store.query("SELECT data FROM tickets WHERE id = ?", (ref,))
        if rows:
            return Ticket.from_dict(json.loads(rows[0]["data"]))
        raise ApiError(404, "unknown_ticket", f"no ticket {ref!r}", id=ref)
    return ticket


async def get_ticket(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), *ANY_DEVICE)
    ticket = _ticket_or_404(node, request.match_info["id"])
    return json_response(views.ticket_view(node.core.state, node.setup, ticket))


async def cancel_ticket(request: web.Request) -> web.Response:
    """Only an admin, or the agent whose counter the ticket is at: no kiosk or keypad device may cancel."""
    node = node_of(request)
    principal = principal_of(request)
    body = await body_of(request, bodies.CancelBody, optional=True)
    ticket = _ticket_or_404(node, request.match_info["id"])
    if principal.role != "admin" and (principal.agent is None or ticket.counter != principal.counter):
        raise ApiError(403, "forbidden", "only an admin, or the agent at the ticket's counter, may cancel it")

    def respond(events):
        return 200, views.ticket_view(node.core.state, node.setup, node.core.state.tickets[ticket.id])

    status, payload, _ = await node.commands.run(CommandRequest(
        principal, lambda at: cmd.CancelTicket(at_ms=at, ticket_id=ticket.id, reason=body.reason), respond))
    return json_response(payload, status)


async def state(request: web.Request) -> web.Response:
    """What a display or keypad starting up needs (bounded, `views.state_view`), built once per change."""
    node = node_of(request)
    require(principal_of(request), *ANY_DEVICE)

    def build() -> bytes:
        view = views.state_view(node.core.state, node.setup, node.core.seq, now_ms, node.zones,
                                node.config.branch.name.as_dict(), node.call_acks, len(node.hub.devices("display")))
        return json.dumps(view, ensure_ascii=False, separators=(",", ":")).encode()

    now_ms = node.now_ms()
    key = (node.core.seq, node.call_acks.version, len(node.hub.devices("display")), now_ms // 1000)
    return web.Response(body=node.state_cache.get(key, build), content_type="application/json")


async def get_counter(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), *ANY_DEVICE)
    counter_id = request.match_info["id"]
    if counter_id not in node.setup.counters:
        raise ApiError(404, "unknown_counter", f"no counter {counter_id!r}", id=counter_id)
    return json_response(node.counter_view(counter_id))


# -- agents ----------------------------------------------------------------------------------------------------


def _throttled(wait: float) -> ApiError:
    seconds = max(1, round(wait))
    return ApiError(429, "agent_locked", "too many failed attempts from this keypad; wait before trying again",
                    headers={"Retry-After": str(seconds)}, retry_after_s=seconds)


async def agent_login(request: web.Request) -> web.Response:
    """PIN or fingerprint login at the keypad's counter.

    Failed attempts slow down the keypad that made them (per keypad and agent, and per keypad overall), never
    the agent elsewhere. A fingerprint is matched on the keypad's own reader, so the node trusts the keypad only
    for the agents allowed at its counter, and records the login as made by fingerprint.
    """
    node = node_of(request)
    principal = principal_of(request)
    require(principal, "keypad")
    if principal.agent is not None:
        raise ApiError(403, "device_token_required", "log in with the keypad's device token, not a session")
    body = await body_of(request, bodies.LoginBody)
    counter = body.counter or principal.counter
    if counter is None:
        raise ApiError(422, "counter_required", "this keypad has no counter; give one")
    if principal.counter is not None and counter != principal.counter:
        raise ApiError(403, "wrong_counter", f"this keypad belongs to counter {principal.counter}")
    if counter not in node.setup.counters:
        raise ApiError(404, "unknown_counter", f"no counter {counter!r}", id=counter)
    throttle = node.login_throttle
    device_key = f"{principal.device}|*"
    if body.pin is None and body.fingerprint_slot is None:
        raise ApiError(422, "credentials_required", "give a pin (with the agent) or a fingerprint_slot")
    if body.agent is not None and body.agent not in node.agents:  # a keypad has digits: the number stands for the id
        number_of = next((a.id for a in node.agents.values() if a.number is not None and a.number == body.agent), None)
        if number_of is not None:
            body = body.model_copy(update={"agent": number_of})
    if body.pin is not None:
        if body.agent is None:
            raise ApiError(422, "agent_required", "give the agent with a PIN")
        key = f"{principal.device}|{body.agent}"
        method = "pin"
    else:
        if principal.counter is None:
            raise ApiError(403, "fingerprint_needs_counter",
                           "only a keypad bound to a counter may log in by fingerprint")
        key = f"{principal.device}|#fingerprint"
        method = "fingerprint"
    # One attempt at a time per keypad: the throttle is read before the ~50 ms scrypt and written after it, so
    # parallel attempts would all pass the check before the first failure is recorded (30 guesses in one burst).
    entry = node.login_locks.setdefault(principal.device, [asyncio.Lock(), 0])  # [lock, requests using it]
    entry[1] += 1
    try:
        async with entry[0]:
            wait = max(throttle.wait_for(key), node.device_throttle.wait_for(device_key))
            if wait:
                raise _throttled(wait)
            if method == "pin":
                agent = node.agents.get(body.agent or "")
                encoded = agent.pin_hash.get_secret_value() if agent and agent.pin_hash else _dummy_pin_hash()
                # scrypt takes ~50 ms: off the loop, and off the writer thread so commands are not delayed
                ok = (await asyncio.to_thread(verify_pin, body.pin, encoded) and agent is not None
                      and bool(agent.pin_hash))
            else:
                agent = next((a for a in node.agents.values() if body.fingerprint_slot in a.fingerprint_slots
                              and (body.agent is None or a.id == body.agent)
                              and (a.counters is None or counter in a.counters)), None)
                ok = agent is not None
            if not ok or agent is None:
                throttle.failed(key)
                node.device_throttle.failed(device_key)
                raise ApiError(401, "bad_credentials", "unknown agent, wrong PIN or unknown fingerprint")
    finally:
        entry[1] -= 1
        if not entry[1]:  # nobody holds or waits for it: forget it (bounded by the keypads logging in now)
            del node.login_locks[principal.device]
    if agent.counters is not None and counter not in agent.counters:
        raise ApiError(403, "counter_not_allowed", f"agent {agent.id} may not work at counter {counter}")
    throttle.succeeded(key)
    session_id = secrets.token_hex(8)
    expires_ms = node.now_ms() + node.config.node.session_max_hours * 3600 * 1000
    session = AgentSession(agent.id, counter, principal.device, session_id, expires_ms)

    def respond(events):
        # now_ms: the keypad times the session with the node's clock, not its own (which may be skewed)
        return 200, {"session": node.signer.issue(session), "agent": agent.id, "agent_name": agent.name,
                     "counter": counter, "expires_at_ms": expires_ms, "now_ms": node.now_ms(),
                     "idle_minutes": node.config.node.session_idle_minutes}

    status, payload, _ = await node.commands.run(CommandRequest(
        principal, lambda at: cmd.LoginAgent(at_ms=at, counter=counter, agent=agent.id, session_id=session_id,
                                             method=method), respond))
    return json_response(payload, status)


async def agent_logout(request: web.Request) -> web.Response:
    node = node_of(request)
    principal = principal_of(request)
    if principal.agent is None or principal.session is None:
        raise ApiError(403, "agent_required", "log out with the agent session")
    await node.commands.run(CommandRequest(
        principal, lambda at: cmd.LogoutAgent(at_ms=at, counter=principal.counter, agent=principal.agent),
        lambda events: (200, None)))
    node.auth.end_session(principal.session.session_id)
    return json_response({"logged_out": True})


def _ticket_id(node, ref: str) -> str:
    ticket = views.find_ticket(node.core.state, ref)
    if ticket is None:
        raise ApiError(404, "unknown_ticket", f"no ticket {ref!r} today", id=ref)
    return ticket.id


#: action → (its body model, build(node, body, fields) → the command); `fields` = at_ms, counter and agent
COUNTER_ACTIONS: dict[str, tuple[type[bodies.Body], Any]] = {
    "call-next": (bodies.EmptyBody, lambda node, body, fields: cmd.CallNext(**fields)),
    "call": (bodies.CallBody, lambda node, body, fields: cmd.CallTicket(
        **fields, ticket_id=_ticket_id(node, body.ticket))),
    "recall": (bodies.EmptyBody, lambda node, body, fields: cmd.Recall(**fields)),
    "start": (bodies.EmptyBody, lambda node, body, fields: cmd.StartServing(**fields)),
    "finish": (bodies.FinishBody, lambda node, body, fields: cmd.FinishServing(**fields, outcome=body.outcome)),
    "no-show": (bodies.EmptyBody, lambda node, body, fields: cmd.MarkNoShow(**fields)),
    "transfer": (bodies.TransferBody, lambda node, body, fields: cmd.Transfer(
        **fields, to_service=body.service, to_counter=body.counter, position=body.position)),
    "park": (bodies.EmptyBody, lambda node, body, fields: cmd.Park(**fields)),
    "return": (bodies.ReturnBody, lambda node, body, fields: cmd.ReturnParked(
        **fields, ticket_id=_ticket_id(node, body.ticket), position=body.position)),
    "pause": (bodies.PauseBody, lambda node, body, fields: cmd.PauseCounter(**fields, reason=body.reason)),
    "resume": (bodies.EmptyBody, lambda node, body, fields: cmd.ResumeCounter(**fields)),
}


async def counter_action(request: web.Request) -> web.Response:
    node = node_of(request)
    counter_id, action = request.match_info["id"], request.match_info["action"]
    if action not in COUNTER_ACTIONS:
        raise ApiError(404, "unknown_action", f"no counter action {action!r}",
                       actions=sorted(COUNTER_ACTIONS))
    principal = principal_of(request)
    if counter_id not in node.setup.counters:
        raise ApiError(404, "unknown_counter", f"no counter {counter_id!r}", id=counter_id)
    require_agent(principal, counter_id)
    key = _idempotency_key(request, required=False)
    raw = await read_body(request)
    model, build = COUNTER_ACTIONS[action]
    body = await body_of(request, model, optional=model in (bodies.EmptyBody, bodies.FinishBody))

    def make(at_ms: int) -> cmd.Command:
        return build(node, body, {"at_ms": at_ms, "counter": counter_id, "agent": principal.agent})

    def respond(events) -> tuple[int, Any]:
        return 200, {"counter": node.counter_view(counter_id),
                     "events": [{"type": e.type, **e.data()} for e in events]}

    status, payload, replayed = await node.commands.run(
        CommandRequest(principal, make, respond, key, request_digest("POST", request.path, raw)))
    return json_response(payload, status, replayed)


# -- devices and pairing ------------------------------------------------------------------------------------------


async def create_pairing_code(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), "admin")
    body = await body_of(request, bodies.PairingCodeBody)
    if body.role == "keypad" and body.counter is None:
        raise ApiError(422, "counter_required", "a keypad's pairing code needs its counter (a keypad acts for it)")
    if body.counter is not None and body.counter not in node.setup.counters:
        raise ApiError(404, "unknown_counter", f"no counter {body.counter!r}", id=body.counter)
    code, expires_ms = await node.write(lambda: create_pairing(
        node.store, node.config.node.pairing_code_minutes, body.role, body.counter, body.name))
    return json_response({"code": code, "role": body.role, "counter": body.counter, "expires_at_ms": expires_ms}, 201)


async def pair(request: web.Request) -> web.Response:
    """A new device's token for a proof of a pairing code (`branch.bodies.PairBody`). Attempts are limited per
    address and for the whole node, so many addresses get no more guesses at the 8 digits than one; the answer
    carries the branch CA the device then pins, signed with the code's key (`confirm`)."""
    node = node_of(request)
    wait = node.pairing_limiter.take(request.remote or "?") or node.pairing_global.take("*")
    if wait:
        raise ApiError(429, "rate_limited", "too many pairing attempts; wait",
                       headers={"Retry-After": str(max(1, round(wait)))})
    body = await body_of(request, bodies.PairBody)
    tls = node.tls if request.transport is not None and request.transport.get_extra_info("ssl_object") else None
    seen = tls.leaf_fingerprint if tls is not None else ""
    candidates = await node.write(lambda: active_codes(node.store))

    def match() -> tuple[str, bytes] | None:
        for code_hash, code in candidates:
            key = pairing_key(code, body.nonce)
            if hmac.compare_digest(pairing_mac(key, "device", body.nonce, seen), body.proof):
                return code_hash, key
        return None

    found = await asyncio.to_thread(match)  # one scrypt per active code: off the loop
    result = await node.write(lambda: use_code(node.store, found[0], body.name)) if found else None
    if result is None:
        raise ApiError(401, "invalid_pairing_code", "this pairing code is unknown, used or expired")
    device_id, token, role, counter = result
    answer: dict[str, Any] = {"token": token, "role": role, "device_id": device_id, "counter": counter,
                              "branch": node.setup.branch_id, "node_id": node.node_id}
    pin = tls.ca_pin if tls is not None else ""
    if tls is not None:
        answer["tls"] = {"ca_pem": tls.ca_pem, "ca_pin": pin}
    answer["confirm"] = pairing_mac(found[1], "node", body.nonce, seen, pin, device_id, token)
    log.info("paired new %s %s", role, device_id)
    return json_response(answer, 201)


async def device_status(request: web.Request) -> web.Response:
    node = node_of(request)
    principal = principal_of(request)
    device_id = request.match_info["id"]
    if device_id == "me":
        device_id = principal.device
    if principal.device != device_id and principal.role != "admin":
        raise ApiError(403, "forbidden", "a device reports only its own status")
    body = await body_of(request, bodies.DeviceStatusBody)
    if not node.store.query("SELECT 1 FROM devices WHERE id = ?", (device_id,)):
        raise ApiError(404, "unknown_device", f"no device {device_id!r}", id=device_id)
    payload = json.dumps(body.model_dump(), separators=(",", ":"))
    now = node.now_ms()
    await node.write(lambda: node.store.execute_write(
        "INSERT OR REPLACE INTO device_status (device_id, status, updated_ms) VALUES (?, ?, ?)",
        (device_id, payload, now)))
    node.hub.publish_ephemeral("DeviceStatusChanged", {"device": device_id})  # keypads refresh their staff alerts
    return json_response({"stored": True})


async def whoami(request: web.Request) -> web.Response:
    """The caller as the node sees it: a device learns its id and role from its token."""
    node = node_of(request)
    principal = principal_of(request)
    return json_response({"device": principal.device, "role": principal.role, "counter": principal.counter,
                          "agent": principal.agent, "branch": node.setup.branch_id, "node_id": node.node_id})


async def device_setup(request: web.Request) -> web.Response:
    """What a freshly paired device writes into its configuration: the branch as central knows it (organisation,
    id, names, time zone, languages) and, for a kiosk, the keys it checks appointment codes and prints phone links
    with. Read with the device's own token, over the CA it pinned at pairing."""
    node = node_of(request)
    principal = principal_of(request)
    require(principal, "kiosk", "display", "keypad")
    branch = node.config.branch
    answer: dict[str, Any] = {
        "device": principal.device, "role": principal.role, "counter": principal.counter,
        "organisation": branch.organisation,
        "branch": {"id": branch.id, "names": branch.name.as_dict(), "timezone": branch.timezone,
                   "day_starts_at": branch.day_starts_at, "languages": list(branch.languages)}}
    if principal.role == "kiosk":
        secret = lambda value: value.get_secret_value() if value is not None else None  # noqa: E731
        answer["kiosk"] = {"appointment_key": secret(branch.appointment_key),
                           "public_base_url": branch.public_base_url, "phone_link_key": secret(branch.phone_link_key)}
    response = json_response(answer)
    response.headers["Cache-Control"] = "no-store"  # keys
    return response


async def retire_device(request: web.Request) -> web.Response:
    """DELETE /devices/me: a device retires its own token — a re-paired device, proven to hold it, retires the
    token it had before (a copy on an old SD card or config backup then stops working). Only the token's own
    device: no admin needed, no other device reachable; an agent session may not retire its keypad."""
    node = node_of(request)
    principal = principal_of(request)
    if principal.agent is not None:
        raise ApiError(403, "forbidden", "an agent session may not retire its keypad; use the keypad's own token")
    retired = await node.write(lambda: revoke(node.store, principal.device))
    if retired:
        log.info("device %s (%s) retired its own token (re-paired)", principal.device, principal.role)
    return json_response({"device": principal.device, "revoked": True})


async def list_devices(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), "admin")
    rows = node.store.query(
        "SELECT d.id, d.role, d.name, d.counter, d.created_ms, d.revoked_ms, s.status, s.updated_ms"
        " FROM devices d LEFT JOIN device_status s ON s.device_id = d.id ORDER BY d.id")
    return json_response({"devices": [
        {"id": r["id"], "role": r["role"], "name": r["name"], "counter": r["counter"],
         "revoked": r["revoked_ms"] is not None, "status": json.loads(r["status"]) if r["status"] else None,
         "status_updated_ms": r["updated_ms"]} for r in rows]})


async def daily_metrics(request: web.Request) -> web.Response:
    node = node_of(request)
    require(principal_of(request), "admin", "display")
    day = request.query.get("day", node.core.state.day)
    if day is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                raise ValueError(day)
            date.fromisoformat(day)
        except ValueError:
            raise ApiError(422, "invalid_day", "day must be YYYY-MM-DD") from None
    if day == node.core.state.day:
        tickets = list(node.core.state.tickets.values())
    else:
        rows = node.store.query("SELECT data FROM tickets WHERE day = ?", (day,))
        tickets = [Ticket.from_dict(json.loads(r["data"])) for r in rows]
    records = compute_daily_metrics(tickets, day, node.setup.services, node.setup.timezone)
    return json_response({"branch": node.setup.branch_id, "day": day, "services": records})


async def display_ack(request: web.Request) -> web.Response:
    """A display showed (and maybe announced) a call; the keypad learns it live through a CallShown message."""
    node = node_of(request)
    principal = principal_of(request)
    require(principal, "display")
    body = await body_of(request, bodies.CallAckBody)
    ticket = node.core.state.tickets.get(body.ticket_id)
    if ticket is None or ticket.counter is None:
        raise ApiError(404, "unknown_call", "no current call for this ticket", ticket_id=body.ticket_id)
    tally = node.call_acks.record(ticket.id, body.recalls, principal.device, shown=body.shown,
                                  announced=body.announced)
    info = {"ticket_id": ticket.id, "number": ticket.number, "counter": ticket.counter, "recalls": body.recalls,
            "shown_on": len(tally.shown), "announced_on": len(tally.announced),
            "displays": len(node.hub.devices("display"))}
    node.hub.publish_ephemeral("CallShown", info)
    return json_response(info)
