"""What the node tells staff and never the public: who may log in at a counter, an agent's day, device alerts.

Kept apart from the command path (handlers.py): these are reads of the engine's state and of the devices' own
reports. Who sees what (docs/architecture.md, "Staff alerts"): keypads (agents) and admins read alerts; displays
and kiosks are refused, so nothing about a device's trouble can reach a public screen; central gets the same
alerts inside each device's retained health message (sync/health.py).

Alerts, from each device's last report (`POST /devices/me/status`) and liveness:
- printer out of paper, near its end, or needing a person (cover open, error, not answering) — kiosks;
- a kiosk silent for `[node] device_offline_s` (it reports every minute), a display with no live event stream
  whose last report is older than `DISPLAY_GRACE_S`;
- a display whose audio is not working (no output, clips missing, player error): calls are not heard.
Devices that never reported (not installed yet) and revoked ones raise nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from branch.api_errors import ApiError
from branch.auth import Principal, require
from queue_engine.state import TicketStatus

DISPLAY_GRACE_S = 30  # a display reconnecting (node restart, Wi-Fi blip) is not "offline" at once
PRINTER_ALERTS = {"paper_out": ("printer_paper_out", "action"), "paper_near_end": ("printer_paper_low", "soon"),
                  "cover_open": ("printer_attention", "action"), "error": ("printer_attention", "action"),
                  "offline": ("printer_attention", "action")}
AUDIO_ALERTS = frozenset({"no_output", "no_clips", "error"})


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # printer_paper_out | printer_paper_low | printer_attention | device_offline | display_no_audio
    severity: str  # action: someone must go now; soon: plan for it
    device: str
    role: str
    name: str
    detail: str = ""  # the component's own state word (e.g. "cover_open", "no_output")


def device_alerts(device: str, role: str, name: str, report: dict[str, Any] | None, updated_ms: int | None,
                  live: bool, now_ms: int, offline_after_ms: int) -> list[Alert]:
    """The alerts one device raises now. Pure: the caller reads the store and the hub."""
    if updated_ms is None:
        return []
    alerts: list[Alert] = []
    age = now_ms - updated_ms
    offline = (role == "kiosk" and age > offline_after_ms) or (
        role == "display" and not live and age > DISPLAY_GRACE_S * 1000)
    if offline:
        alerts.append(Alert("device_offline", "action", device, role, name))
    components = (report or {}).get("components") or {}
    printer = components.get("printer")
    if role == "kiosk" and printer in PRINTER_ALERTS and not offline:
        kind, severity = PRINTER_ALERTS[printer]
        alerts.append(Alert(kind, severity, device, role, name, printer))
    audio = components.get("audio")
    if role == "display" and audio in AUDIO_ALERTS and not offline:
        alerts.append(Alert("display_no_audio", "action", device, role, name, audio))
    return alerts


def branch_alerts(node: Any) -> list[Alert]:
    """Every device's alerts, most urgent first (then by device)."""
    rows = node.store.query(
        "SELECT d.id, d.role, d.name, d.revoked_ms, s.status, s.updated_ms"
        " FROM devices d LEFT JOIN device_status s ON s.device_id = d.id ORDER BY d.id")
    live = node.hub.devices("display") | node.hub.devices("kiosk")
    now, offline_after = node.now_ms(), int(node.config.node.device_offline_s * 1000)
    alerts: list[Alert] = []
    for device, role, name, revoked_ms, status, updated_ms in rows:
        if revoked_ms is not None or role not in ("kiosk", "display"):
            continue
        alerts += device_alerts(device, role, name or device, json.loads(status) if status else None, updated_ms,
                                device in live, now, offline_after)
    return sorted(alerts, key=lambda a: (a.severity != "action", a.device, a.kind))


def agent_day(state: Any, agent: str) -> dict[str, Any]:
    """An agent's figures for the business day, from the engine's state (exact, whatever the event backlog).

    A service lasts from its start (or its call, when the agent never pressed start) to its end.
    """
    served = no_shows = 0
    durations: list[int] = []
    for ticket in state.tickets.values():
        if ticket.agent != agent:
            continue
        if ticket.status is TicketStatus.SERVED:
            served += 1
            began = ticket.started_ms or ticket.called_ms
            if began is not None and ticket.finished_ms is not None:
                durations.append(max(0, ticket.finished_ms - began))
        elif ticket.status is TicketStatus.NO_SHOW:
            no_shows += 1
    average = sum(durations) / len(durations) / 1000 if durations else None
    return {"agent": agent, "day": state.day, "served": served, "no_shows": no_shows, "average_service_s": average}


def add_routes(router: web.UrlDispatcher, node: Any) -> None:
    """The staff reads, bound to `node` (this module does not import the server: no import cycle)."""

    def principal(request: web.Request) -> Principal:
        return node.auth.authenticate(request, node.core.state, node.now_ms())

    async def staff_alerts(request: web.Request) -> web.Response:
        """GET /api/v1/staff/alerts: keypads and admins only (never a display or a kiosk: they face the public)."""
        require(principal(request), "keypad", "admin")
        return web.json_response({"alerts": [asdict(a) for a in branch_alerts(node)], "at_ms": node.now_ms()})

    async def counter_agents(request: web.Request) -> web.Response:
        """GET /api/v1/counters/{id}/agents: who may log in here (id, name, number), for the keypad's list."""
        caller = principal(request)
        require(caller, "keypad", "admin")
        counter = request.match_info["id"]
        if counter not in node.setup.counters:
            raise ApiError(404, "unknown_counter", f"no counter {counter!r}", id=counter)
        if caller.role == "keypad" and caller.counter not in (None, counter):
            raise ApiError(403, "wrong_counter", f"this keypad belongs to counter {caller.counter}")
        agents = [{"id": a.id, "name": a.name, "number": a.number} for a in node.agents.values()
                  if (a.counters is None or counter in a.counters) and a.pin_hash is not None]
        return web.json_response({"counter": counter, "agents": agents})

    async def my_day(request: web.Request) -> web.Response:
        """GET /api/v1/agents/me/today: the logged-in agent's figures, with the node's clock (`now_ms`)."""
        caller = principal(request)
        if caller.agent is None:
            raise ApiError(403, "agent_required", "read your figures with your agent session")
        return web.json_response({**agent_day(node.core.state, caller.agent), "now_ms": node.now_ms()})

    router.add_get("/api/v1/staff/alerts", staff_alerts)
    router.add_get("/api/v1/counters/{id}/agents", counter_agents)
    router.add_get("/api/v1/agents/me/today", my_day)
