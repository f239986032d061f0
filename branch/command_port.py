"""The node's command port: run one command — decide, persist, answer — on a single node or through the cluster.

Handlers, housekeeping and sync call `node.commands.run(CommandRequest(...))`. The composition root
(`smartqueue/node_cli.py`) chooses the implementation: `branch.local_runner.LocalRunner` for a single node,
`branch.cluster.runtime.ReplicatedRunner` for a node with a [cluster] section. Both are built from the public steps
of `branch.ledger.Ledger` (stage, commit) and get everything else from the `RunnerContext` below.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from branch.api_errors import ApiError
from branch.auth import Principal
from branch.ledger import Ledger
from branch.prom import Registry
from queue_engine import commands as cmd
from queue_engine.events import Event

log = logging.getLogger(__name__)

Respond = Callable[[list[Event]], tuple[int, Any]]


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """One command as a caller asks for it. The runner fixes the time (`make(at_ms)` builds the command), so a
    replicated command carries the leader's time to every member."""

    make: Callable[[int], cmd.Command]
    #: the answer (status, JSON body), built from the state just after the command's events are applied; it is
    #: stored with the idempotency key in the same transaction
    respond: Respond
    principal: Principal | None = None
    idempotency_key: str | None = None
    request_hash: str = ""

    @property
    def scope(self) -> str:
        return self.principal.scope if self.principal else "anonymous"

    @property
    def actor(self) -> dict[str, Any]:
        p = self.principal
        return {"device": p.device if p else None, "agent": p.agent if p else None}

    @property
    def idempotency(self) -> tuple[str, str, str] | None:
        return (self.scope, self.idempotency_key, self.request_hash) if self.idempotency_key else None


@dataclass(frozen=True, slots=True)
class CommandAnswer:
    status: int
    body: Any
    replayed: bool = False  # the stored answer to an Idempotency-Key already used


@dataclass(frozen=True, slots=True)
class Role:
    name: str  # leader | follower | candidate (Raft's), "leader" for a single node
    term: int
    leading: bool  # this node takes writes and runs leader-only services (sync)


@dataclass(frozen=True, slots=True)
class RunnerContext:
    """What a runner gets from its node: nothing more, so neither implementation reaches into the node."""

    ledger: Ledger
    node_id: str
    data_dir: Path
    now_ms: Callable[[], int]
    metrics: Registry
    #: the answer a member that did not receive the request stores for its idempotency key (a cluster follower)
    stored_answer: Callable[[cmd.Command, list[Event]], tuple[int, Any]]
    #: device rows changed underneath (replicated, or a dump installed): drop cached device lookups
    forget_devices: Callable[[], None]


class CommandRunner(Protocol):
    """The port. `run` raises ApiError for refusals (409 from the engine, 422 for a reused idempotency key, 503 when
    this node may not write now); any failure leaves memory and disk equal."""

    async def run(self, request: CommandRequest) -> CommandAnswer: ...

    def check_writable(self) -> None:
        """Raise the documented 503 unless this node may accept a write now (called before a write is read)."""

    @property
    def is_leader(self) -> bool: ...

    @property
    def role(self) -> Role: ...

    def add_role_listener(self, callback: Callable[[Role], Any]) -> None:
        """`callback(role)` on the loop: at once if started, then on every change. A coroutine's result runs as a
        task (its failure is logged)."""

    async def start(self, api_port: int) -> None:
        """Called once the node serves HTTP on `api_port` (a cluster member tells the others its API URL)."""

    async def stop(self) -> None: ...

    def health(self) -> dict[str, Any]:
        """Fields added to /api/v1/health (role, term, leader, Raft status); none for a single node."""


class RoleListeners:
    """The role-change fan-out both runners share."""

    def __init__(self) -> None:
        self.current: Role | None = None
        self._listeners: list[Callable[[Role], Any]] = []
        self._tasks: set[asyncio.Task] = set()

    def add(self, callback: Callable[[Role], Any]) -> None:
        self._listeners.append(callback)
        if self.current is not None:
            self._call(callback, self.current)

    def announce(self, role: Role) -> None:
        if role == self.current:
            return
        self.current = role
        for callback in list(self._listeners):
            self._call(callback, role)

    def _call(self, callback: Callable[[Role], Any], role: Role) -> None:
        try:
            result = callback(role)
        except Exception:
            log.exception("a role listener failed")
            return
        if asyncio.iscoroutine(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a role listener failed", exc_info=task.exception())

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def replayed(found: tuple[str, int, str], request_hash: str) -> CommandAnswer:
    """The stored answer for an Idempotency-Key, if it was used for this same request."""
    stored_hash, status, body = found
    if stored_hash != request_hash:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used for a different request")
    return CommandAnswer(status, json.loads(body), True)


def count(metrics: Registry, command: cmd.Command, result: str) -> None:
    metrics.inc("sq_commands_total", type=type(command).__name__, result=result)
