"""GET /api/v1/events: Server-Sent Events, resumable with Last-Event-ID (the event sequence number).

Subscribe first, then send the backlog from the store, then live events, skipping any seq already sent:
so a client that reconnects sees every event exactly once, in order.

Events central acknowledged and the retention made old are archived (branch.archive) and no longer streamed: a
client resuming below the archive checkpoint first gets an `EventsArchived` notice (no id) saying which seqs it
will not see, then the live backlog. The apps re-read the state on every connection and need none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from branch.api_errors import ApiError
from branch.archive import checkpoint
from branch.auth import require
from branch.http import node_of, principal_of
from branch.hub import CLOSE, EPHEMERAL, Subscriber, encode_ephemeral, encode_sse

log = logging.getLogger(__name__)

#: A client that has not taken a write for this long (it stopped reading: its TCP window is full) is dropped.
STALLED_WRITE_S = 30.0


class _Closed(Exception):
    """The stream ends: its subscriber was closed (revoked, too far behind, node stopping) or its client stalled."""


async def _send(response: web.StreamResponse, sub: Subscriber, data: bytes) -> None:
    """Write, unless the subscriber is closed first or the client takes nothing for STALLED_WRITE_S: a write to a
    client that stopped reading waits forever, and the CLOSE put in its queue (revocation) would never be read."""
    write = asyncio.ensure_future(response.write(data))
    closed = asyncio.ensure_future(sub.closed.wait())
    try:
        done, _ = await asyncio.wait({write, closed}, timeout=STALLED_WRITE_S, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the handler itself is cancelled (the client went away): leave no write task behind
        write.cancel()
        raise
    finally:
        closed.cancel()
    if write in done:
        write.result()
        return
    write.cancel()
    raise _Closed


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
    stalled = False
    try:
        await response.prepare(request)
        await _send(response, sub, b"retry: 2000\n\n")
        archived = checkpoint(node.store).seq
        if cursor < archived:
            log.info("%s %s resumes its event stream after seq %d; seqs %d-%d are archived: told so, streaming from "
                     "seq %d", principal.role, principal.device or "-", cursor, cursor + 1, archived, archived + 1)
            await _send(response, sub, encode_ephemeral("EventsArchived", {"after": cursor, "archived_to": archived}))
            cursor = archived
        while True:  # backlog, in chunks, until caught up with what the hub will deliver
            chunk = node.store.events_after(cursor, 500)
            if not chunk:
                break
            await _send(response, sub, b"".join(encode_sse(e) for e in chunk))
            cursor = chunk[-1].seq
        heartbeat = node.config.node.sse_heartbeat_seconds
        while True:
            try:
                seq, payload = await asyncio.wait_for(sub.queue.get(), timeout=heartbeat)
            except TimeoutError:
                await _send(response, sub, b": keep-alive\n\n")
                continue
            if payload == CLOSE:
                break
            if seq == EPHEMERAL:  # outside the event log: no cursor
                await _send(response, sub, payload)
                continue
            if seq <= cursor:
                continue
            cursor = seq
            await _send(response, sub, payload)
    except _Closed:
        stalled = True
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        node.hub.unsubscribe(sub)
    if stalled:  # a write is stuck in the transport: drop the connection, buffers and all
        if request.transport is not None:
            request.transport.abort()
        return response
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await response.write_eof()
    return response
