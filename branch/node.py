"""The branch node process: owns the store, the in-memory state, the command lock and the event hub.

Threads: the asyncio loop (HTTP, SSE, state reads, decide/apply) and one writer thread (SQLite commits).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from branch.api_errors import ApiError, from_domain
from branch.auth import Authenticator, Principal
from branch.calls import CallAcks
from branch.core import BranchCore
from branch.hub import EventHub
from branch.prom import Registry
from branch.security import PinGuard, SessionSigner, TokenBucket
from branch.setup_build import build_setup
from branch.store import Store, canonical
from config.schema import AppConfig
from ground.files import read_or_create
from queue_engine import commands as cmd
from queue_engine.errors import DomainError
from queue_engine.events import Event

log = logging.getLogger(__name__)

API_VERSION = "1"


class BranchNode:
    def __init__(self, config: AppConfig, data_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.node_id = read_or_create(data_dir / "node-id", lambda: f"node-{uuid.uuid4().hex[:12]}".encode()).decode()
        secret = read_or_create(data_dir / "session.key", lambda: secrets.token_hex(32).encode())
        # [cluster, issue 8] with a [cluster] section every member signs agent sessions with the same key
        from config.cluster import cluster_of

        self.cluster_config = cluster_of(config)
        if self.cluster_config is not None:
            from branch.cluster.runtime import session_key

            secret = session_key(self.cluster_config)
        self.cluster = None  # a branch.cluster.runtime.ClusterRuntime once started
        self._leadership_listeners: list[Callable[[bool], Any]] = []
        self.setup = build_setup(config)
        self.store = Store(data_dir / "branch.sqlite3")
        self.core = BranchCore(self.setup, self.store, config.node.snapshot_every)
        self.hub = EventHub()
        self.call_acks = CallAcks()
        self.signer = SessionSigner(secret)
        self.auth = Authenticator(self.store, self.signer, config.node.session_idle_minutes * 60)
        node = config.node
        self.ticket_limiter = TokenBucket(node.ticket_rate_per_minute / 60, node.ticket_burst)
        self.pairing_limiter = TokenBucket(5 / 60, 5)
        self.pin_guard = PinGuard(node.pin_attempts, node.pin_lockout_minutes * 60)
        self.metrics = Registry()
        self.metrics.describe("sq_http_requests_total", "counter", "HTTP requests by route and status")
        self.metrics.describe("sq_http_request_seconds", "histogram", "HTTP request latency by route")
        self.metrics.describe("sq_commands_total", "counter", "Queue commands by type and result")
        self.zones = {c.id: c.zone for c in config.counters}
        self.agents = {a.id: a for a in config.agents}
        self.started_at = time.monotonic()
        self._lock = asyncio.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sq-writer")
        self._tasks: list[asyncio.Task] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.advertiser = None
        #: services started after the node serves and stopped before it closes (e.g. the MQTT sync link);
        #: added by the composition root, so the node itself depends on none of them
        self.services: list[Any] = []

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # -- the command path ---------------------------------------------------------------------------------------

    async def run_command(
        self, principal: Principal | None, make: Callable[[int], cmd.Command],
        respond: Callable[[list[Event]], tuple[int, Any]], *, idempotency_key: str | None = None,
        request_hash: str = "",
    ) -> tuple[int, Any, bool]:
        """Run one command: (status, body, replayed). A retried idempotency key returns the first answer."""
        if self.cluster is not None:  # [cluster, issue 8] proposed to the Raft log, applied by every member
            return await self.cluster.run_command(principal, make, respond, idempotency_key=idempotency_key,
                                                  request_hash=request_hash)
        scope = principal.scope if principal else "anonymous"
        async with self._lock:
            if idempotency_key is not None:
                found = self.store.idempotent_response(scope, idempotency_key)
                if found is not None:
                    stored_hash, status, body = found
                    if stored_hash != request_hash:
                        raise ApiError(422, "idempotency_key_reused",
                                       "this Idempotency-Key was used for a different request")
                    return status, _json_loads(body), True
            command = make(self.now_ms())
            actor = {"device": principal.device if principal else None,
                     "agent": principal.agent if principal else None}
            try:
                prepared = self.core.prepare(
                    command, actor, uuid.uuid4().hex, respond,
                    (scope, idempotency_key, request_hash) if idempotency_key else None)
            except DomainError as err:
                self.metrics.inc("sq_commands_total", type=type(command).__name__, result=err.code)
                raise from_domain(err) from None
            await self._persist(prepared)
        self.metrics.inc("sq_commands_total", type=type(command).__name__, result="ok")
        status, body = prepared.response
        return status, body, False

    async def _persist(self, prepared) -> None:
        """Commit on the writer thread, then publish. If the caller is cancelled (an HTTP client went away),
        the write still completes and its outcome is handled here before the cancellation goes on: events are
        published only once committed, a failed write still rebuilds memory from disk, and the client's retry with
        the same Idempotency-Key gets the stored answer."""
        future = asyncio.get_running_loop().run_in_executor(self._writer, self.core.persist, prepared)
        cancelled = False
        while not future.done():
            try:
                await asyncio.shield(future)
            except asyncio.CancelledError:
                cancelled = True  # keep waiting: the write's outcome must be known before anything else runs
            except BaseException:
                break
        error = future.exception()
        if error is not None:
            log.error("writing a command failed (%s); rebuilding state from the database", error)
            self.core.reload()
            raise error
        self._publish(prepared)
        if cancelled:
            raise asyncio.CancelledError

    def _publish(self, prepared) -> None:
        if prepared.stored:
            self.hub.publish(prepared.stored)

    async def write(self, fn: Callable[[], Any]) -> Any:
        """Run a small database write on the writer thread (devices, pairing, status)."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn)

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self, host: str, port: int, *, advertise: bool | None = None) -> int:
        from branch.server import build_app

        app = build_app(self)
        if self.cluster_config is not None:  # [cluster, issue 8] followers refuse writes (503 not_leader/no_quorum)
            from branch.cluster.runtime import ClusterRuntime

            self.cluster = ClusterRuntime(self, self.cluster_config)
            app.middlewares.append(self.cluster.middleware)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if self.cluster is not None:  # [cluster, issue 8]
            await self.cluster.start()
        else:
            self._leadership_changed(True)
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="sq-housekeeping"))
        self.store.manual_checkpoints()
        self._tasks.append(asyncio.create_task(self._checkpoints(), name="sq-checkpoints"))
        if advertise if advertise is not None else self.config.node.advertise:
            from branch.advertise import Advertiser

            self.advertiser = Advertiser(self, host)
            await self.advertiser.start()
        for service in self.services:
            await service.start()
        log.info("node %s of branch %s serving on %s:%s", self.node_id, self.setup.branch_id, host, self.port)
        return self.port

    async def stop(self) -> None:
        for service in reversed(self.services):
            await service.stop()
        if self.advertiser is not None:
            await self.advertiser.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
        if self.cluster is not None:  # [cluster, issue 8]
            await self.cluster.stop()
        async with self._lock:
            self._writer.shutdown(wait=True)
            self.store.close()

    async def _housekeeping(self) -> None:
        """Roll the business day over on time (not only on the next ticket) and purge old idempotency keys."""
        while True:
            try:
                if self.is_leader:  # [cluster, issue 8] only the leader rolls the day over (through the log)
                    await self.run_command(None, lambda at: cmd.StartDay(at_ms=at), lambda events: (200, None))
                await self.write(partial(self.store.purge_idempotency, self.now_ms() - 24 * 3600 * 1000))
            except Exception:
                log.exception("housekeeping failed; trying again in a minute")
            await asyncio.sleep(60)

    async def _checkpoints(self, every_s: float = 2.0) -> None:
        """WAL checkpoints on the writer thread, between commands, instead of inside one customer's commit."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.write(self.store.checkpoint)
            except Exception:
                log.exception("WAL checkpoint failed; trying again")

    def health(self) -> dict[str, Any]:
        out = {"status": "ok", "node_id": self.node_id, "branch": self.setup.branch_id, "role": "leader",
               "api": API_VERSION, "seq": self.core.seq, "day": self.core.state.day,
               "version": _version(), "uptime_s": round(time.monotonic() - self.started_at, 1)}
        if self.cluster is not None:  # [cluster, issue 8] role, term, leader URL, Raft status
            out.update(self.cluster.health())
        return out

    # -- [cluster, issue 8] leadership: what runs on the leader only (MQTT sync) subscribes here ---------------------

    @property
    def is_leader(self) -> bool:
        return self.cluster is None or self.cluster.is_leader

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None:
        """`callback(is_leader)` on the loop: now with the current value, then on every change (a single node is
        always the leader). A coroutine function's result is scheduled as a task."""
        self._leadership_listeners.append(callback)
        if self.port is not None:
            self._call_listener(callback, self.is_leader)

    def _leadership_changed(self, leading: bool) -> None:
        for callback in list(self._leadership_listeners):
            self._call_listener(callback, leading)

    def _call_listener(self, callback: Callable[[bool], Any], leading: bool) -> None:
        try:
            result = callback(leading)
            if asyncio.iscoroutine(result):
                self._tasks.append(asyncio.ensure_future(result))
        except Exception:
            log.exception("a leadership listener failed")


def request_digest(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(canonical([method, path, body.decode("utf-8", "replace")]).encode()).hexdigest()


def _json_loads(text: str) -> Any:
    import json

    return json.loads(text)


def _version() -> str:
    from ground.version import VERSION as __version__

    return __version__
