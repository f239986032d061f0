"""The branch node process: the node's parts (`NodeContext`) plus its lifecycle — serve the LAN API, run the
command port, advertise, roll the day over, checkpoint the WAL, run the optional services, stop cleanly.

Threads: the asyncio loop (HTTP, SSE, state reads, decide/apply) and one writer thread (SQLite commits, in
`branch.ledger`). How a command runs is the command port's business (`branch.command_port`), chosen by the
composition root: the node has one command path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web

from branch.advertise import Advertiser
from branch.command_port import CommandRequest, Role
from branch.context import NodeContext
from branch.server import build_app
from branch.services import Supervised
from ground.version import VERSION
from queue_engine import commands as cmd

log = logging.getLogger(__name__)

API_VERSION = "1"


class BranchNode(NodeContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The parameters are `NodeContext`'s (configuration, data dir, clock, runner factory, session key)."""
        super().__init__(*args, **kwargs)
        self.started_at = time.monotonic()
        self.port: int | None = None
        self.advertiser: Advertiser | None = None
        #: services started after the node serves and stopped before it closes (e.g. the MQTT sync link); added by
        #: the composition root, so the node itself depends on none of them
        self.services: list[Any] = []
        self._supervised: list[Supervised] = []
        self._tasks: list[asyncio.Task] = []
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self, host: str, port: int, *, advertise: bool | None = None) -> int:
        self._runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await self.commands.start(self.port)
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="sq-housekeeping"))
        self.store.manual_checkpoints()
        self._tasks.append(asyncio.create_task(self._checkpoints(), name="sq-checkpoints"))
        if advertise if advertise is not None else self.config.node.advertise:
            self.advertiser = Advertiser(self.setup.branch_id, self.node_id, self.port, host,
                                         self.config.node.interfaces)
            await self.advertiser.start(self.commands.role)
            self.commands.add_role_listener(self.advertiser.update)  # zeroconf TXT role/term follow Raft
        for service in self.services:  # one that fails is logged at once and retried; the node serves anyway
            supervised = Supervised(service)
            self._supervised.append(supervised)
            await supervised.start()
        log.info("node %s of branch %s serving on %s:%s", self.node_id, self.setup.branch_id, host, self.port)
        return self.port

    async def stop(self) -> None:
        """Release everything, whatever failed before or fails now: each failure is logged and the next step runs."""
        services = reversed(self._supervised)
        results = await asyncio.gather(*(s.stop() for s in services), return_exceptions=True)
        for supervised, result in zip(reversed(self._supervised), results, strict=True):
            if isinstance(result, BaseException):
                log.error("stopping %s failed: %s: %s", supervised.name, type(result).__name__, result,
                          exc_info=result)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._step("zeroconf advertising", self.advertiser.stop() if self.advertiser else None)
        self.hub.close_all()
        await self._step("the HTTP server", self._runner.cleanup() if self._runner else None)
        await self._step("the command port", self.commands.stop())
        await self._step("the database", asyncio.to_thread(self.ledger.close))

    @staticmethod
    async def _step(what: str, awaitable: Awaitable[Any] | None) -> None:
        if awaitable is None:
            return
        try:
            await awaitable
        except Exception:
            log.exception("stopping %s failed; going on with the rest", what)

    async def _housekeeping(self) -> None:
        """Roll the business day over on time (not only on the next ticket) and purge old idempotency keys."""
        while True:
            try:
                if self.commands.is_leader:  # a cluster's leader rolls the day over for every member (the log)
                    await self.commands.run(CommandRequest(lambda at: cmd.StartDay(at_ms=at), _no_answer))
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
        return {"status": "ok", "node_id": self.node_id, "branch": self.setup.branch_id, "role": "leader",
                "api": API_VERSION, "seq": self.core.seq, "day": self.core.state.day, "version": VERSION,
                "uptime_s": round(time.monotonic() - self.started_at, 1), **self.commands.health()}

    # -- leadership: what runs on the leader only (MQTT sync) subscribes here -----------------------------------------

    @property
    def is_leader(self) -> bool:
        return self.commands.is_leader

    def add_leadership_listener(self, callback: Callable[[bool], Awaitable[Any] | Any]) -> None:
        """`callback(is_leader)` on the loop: now (once started) with the current value, then on every change (a
        single node is always the leader). A coroutine function's result runs as a task."""
        last: list[bool] = []

        def on_role(role: Role) -> Any:
            if last and last[0] == role.leading:
                return None
            last[:] = [role.leading]
            return callback(role.leading)

        self.commands.add_role_listener(on_role)


def _no_answer(events: list) -> tuple[int, None]:
    return 200, None
