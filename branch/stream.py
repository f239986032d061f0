"""GET /api/v1/events: Server-Sent Events, resumable with Last-Event-ID (the event sequence number).

Subscribe first, then send the backlog from the store, then live events, skipping any seq already sent:
so a client that reconnects sees every event exactly once, in order.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from branch.api_errors import ApiError
from branch.auth import require
from branch.http import node_of, principal_of
from branch.hub import CLOSE, EPHEMERAL, encode_sse


def _cursor(request: web.Request) -> int:
    raw = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_cursor", "Last-Event-ID must be an event sequence number") from None
    if value < 0:
        raise ApiError(400, "invalid_cursor", "Last-Event-ID must not be negative")
    return value


async def events(request: web.Request) -> web.StreamResponse:
    node = node_of(request)
    principal = principal_of(request)
    require(principal, "display", "keypad", "kiosk", "admin")
    cursor = _cursor(request)
    if cursor > node.core.seq:
        cursor = node.core.seq  # a cursor from another node's future (e.g. a wiped node): restart from here
    sub = node.hub.subscribe(principal.role, principal.device)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        while True:  # backlog, in chunks, until caught up with what the hub will deliver
            chunk = node.store.events_after(cursor, 500)
            if not chunk:
                break
            await response.write(b"".join(encode_sse(e) for e in chunk))
            cursor = chunk[-1].seq
        heartbeat = node.config.node.sse_heartbeat_seconds
        while True:
            try:
                seq, payload = await asyncio.wait_for(sub.queue.get(), timeout=heartbeat)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if payload == CLOSE:
                break
            if seq == EPHEMERAL:  # outside the event log: no cursor
                await response.write(payload)
                continue
            if seq <= cursor:
                continue
            cursor = seq
            await response.write(payload)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        node.hub.unsubscribe(sub)
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await response.write_eof()
    return response
