"""The node stays on the air whatever a client does with its connections.

Every accepted connection passes through `ConnectionGuard`: above `per_client` open connections from one address
(this machine's own 127.0.0.1 aside), or `max_total` in all, a new one is reset at once (the descriptors stay for
real clients). A sweeper closes what holds a descriptor without doing anything: a connection that has not
completed a request's headers `header_timeout_s` after it opened (idle, slow-header), and one idle between requests
for `idle_timeout_s`. TCP keepalive with short timers (and TCP_USER_TIMEOUT) finds half-open peers, live event
streams included. A request in progress (an SSE stream, a body being read under its own timeout) is never swept.
Above `requests_per_s` from one address, its requests wait before they are handled (429 beyond 2 s): a client
hammering /state in a loop slows itself down, not the kiosks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from asyncio import sslproto
from collections.abc import Callable
from typing import Any

from aiohttp import web

from branch.security import TokenBucket

log = logging.getLogger(__name__)


#: this machine's own address: its local tools and apps are not capped per client (the total cap still holds);
#: every other address, other loopback ones (127.0.0.2…, which tests use as other machines) included, is
LOCAL = frozenset({"127.0.0.1", "::1"})


class _Tracked(asyncio.Protocol):
    """aiohttp's protocol with the guard's bookkeeping around it (asyncio's public protocol interface only)."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol) -> None:
        self.guard, self.inner = guard, inner
        self.peer = "?"
        self.transport: asyncio.BaseTransport | None = None
        self.key: int | None = None
        self.opened = self.idle_since = time.monotonic()
        self.requests = 0  # in progress
        self.served = 0  # completed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.key = _socket_key(transport)
        peer = transport.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "?"
        if not self.guard.admit(self):
            transport.abort()
            return
        _keepalive(transport.get_extra_info("socket"))
        self.inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.guard.forget(self):
            self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _TrackedTLS(_Tracked, asyncio.BufferedProtocol):
    """The same around asyncio's TLS protocol (a buffered protocol): the guard sees the TCP connection before its
    handshake, so a client that opens connections and never sends a ClientHello meets the caps and the header
    deadline like any other (it used to be counted only once its handshake was done: never)."""

    def get_buffer(self, sizehint: int) -> Any:
        return self.inner.get_buffer(sizehint)  # type: ignore[attr-defined]

    def buffer_updated(self, nbytes: int) -> None:
        self.inner.buffer_updated(nbytes)  # type: ignore[attr-defined]


def _socket_key(transport: asyncio.BaseTransport | None) -> int | None:
    """One key for a connection whether seen from its TCP transport or from the TLS transport over it (which
    hands out the same socket object)."""
    if transport is None:
        return None
    sock = transport.get_extra_info("socket")
    return id(sock) if sock is not None else id(transport)


def _keepalive(sock: Any) -> None:
    """Find a peer that vanished (power cut, cable pulled) in about 30 s instead of hours."""
    if sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 15)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, 30_000)


class ConnectionGuard:
    def __init__(self, *, per_client: int, max_total: int, header_timeout_s: float, idle_timeout_s: float,
                 requests_per_s: float = 20.0, request_burst: int = 40,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_client, self.max_total = per_client, max_total
        self.header_timeout_s, self.idle_timeout_s = header_timeout_s, idle_timeout_s
        self.clock = clock
        # requests per address: over the rate, answers are delayed (see request_started)
        self.requests = TokenBucket(requests_per_s, request_burst, clock=clock)
        self.delayed = 0
        self._open: set[_Tracked] = set()
        self._by_transport: dict[int, _Tracked] = {}
        self._per_peer: dict[str, int] = {}
        self.refused = self.swept = 0
        self._reported = 0.0

    def __len__(self) -> int:
        return len(self._open)

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _Tracked(self, factory())

    def admit(self, conn: _Tracked) -> bool:
        over_client = conn.peer not in LOCAL and self._per_peer.get(conn.peer, 0) >= self.per_client
        if len(self._open) >= self.max_total or over_client:
            self.refused += 1
            self._report(f"refusing connections from {conn.peer}: over the limit "
                         f"({self.per_client} per client, {self.max_total} in all)")
            return False
        self._open.add(conn)
        self._by_transport[conn.key] = conn
        self._per_peer[conn.peer] = self._per_peer.get(conn.peer, 0) + 1
        return True

    def forget(self, conn: _Tracked) -> bool:
        """True when the connection had been admitted (its protocol must hear that it is gone)."""
        if conn not in self._open:
            return False
        self._open.discard(conn)
        self._by_transport.pop(conn.key, None)
        left = self._per_peer.get(conn.peer, 1) - 1
        if left:
            self._per_peer[conn.peer] = left
        else:
            self._per_peer.pop(conn.peer, None)
        return True

    def _find(self, request: web.Request) -> _Tracked | None:
        key = _socket_key(request.transport)
        return self._by_transport.get(key) if key is not None else None

    def request_started(self, request: web.Request) -> float:
        """Count the request on its connection; the seconds it should wait first (its address is over its rate:
        the answer is delayed, so a client hammering in a loop slows itself down, at the cost of a sleeping
        coroutine rather than of the work its requests would make)."""
        conn = self._find(request)
        if conn is None:
            return 0.0
        conn.requests += 1
        if conn.peer in LOCAL:
            return 0.0
        wait = self.requests.reserve(conn.peer)
        if wait:
            self.delayed += 1
        return wait

    def request_finished(self, request: web.Request) -> None:
        conn = self._find(request)
        if conn is not None:
            conn.requests = max(0, conn.requests - 1)
            conn.served += 1
            conn.idle_since = self.clock()

    def sweep(self) -> int:
        """Close connections that hold a descriptor and do nothing; returns how many."""
        now = self.clock()
        stale = [c for c in self._open if c.requests == 0 and (
            (c.served == 0 and now - c.opened > self.header_timeout_s)
            or (c.served and now - c.idle_since > self.idle_timeout_s))]
        for conn in stale:
            if conn.transport is not None:
                conn.transport.abort()
        self.swept += len(stale)
        return len(stale)

    async def run(self, every_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                if self.sweep() >= 100:
                    self._report(f"closed idle or slow connections ({self.swept} so far)")
            except Exception:
                log.exception("sweeping idle connections failed")

    def _report(self, text: str) -> None:
        now = self.clock()
        if now - self._reported >= 60:  # one line a minute, whatever the flood
            self._reported = now
            log.warning("%s; %d refused so far", text, self.refused)


class GuardedSite(web.TCPSite):
    """aiohttp's TCP site with every connection passing through a `ConnectionGuard`."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(runner, host, port, **kwargs)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        factory = self.guard.wrap(server)
        if self._ssl_context is not None:
            # TLS inside the guard, not around it: what asyncio's create_server(ssl=...) builds, with the guard's
            # protocol outside, so the caps and the header deadline apply from the TCP accept on
            context, deadline = self._ssl_context, self.guard.header_timeout_s

            def factory() -> asyncio.Protocol:
                tls = sslproto.SSLProtocol(loop, server(), context, None, server_side=True,
                                           ssl_handshake_timeout=deadline)
                return _TrackedTLS(self.guard, tls)

        self._server = await loop.create_server(
            factory, self._host, self._port, backlog=self._backlog,
            reuse_address=self._reuse_address, reuse_port=self._reuse_port)
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port
