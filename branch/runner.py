"""The node's one port for running a command — decide, persist, answer — and the single node's implementation.

Handlers, housekeeping and central's commands (sync) run commands only through `CommandRunner.run`. There are
two implementations, chosen by the composition root (`smartqueue/node_cli.py`):

- `LocalRunner` (here): one node; a lock orders commands, the node's clock stamps them.
- `branch.cluster.runtime.ReplicatedRunner`: the Raft log orders commands and every member applies them.

Both commit through `branch.commit.Committer` (all or nothing) and see the node only through `RunnerContext`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from branch.api_errors import ApiError, from_domain
from branch.archive import archive_step
from branch.auth import Principal
from branch.commit import Committer
from branch.prom import Registry
from branch.store import Store
from branch.writer import Writer
from queue_engine import commands as cmd
from queue_engine.errors import DomainError
from queue_engine.events import Event

log = logging.getLogger(__name__)

#: Builds the answer a client gets from the events its command produced: (HTTP status, JSON body).
Respond = Callable[[list[Event]], tuple[int, Any]]


@dataclass(frozen=True, slots=True)
class CommandRequest:
    """One client's command: who asks, how to build it once the runner fixes the time, how to answer."""

    principal: Principal | None
    make: Callable[[int], cmd.Command]
    respond: Respond
    idempotency_key: str | None = None
    request_hash: str = ""

    @property
    def scope(self) -> str:
        return self.principal.scope if self.principal else "anonymous"

    @property
    def actor(self) -> dict[str, Any]:
        return {"device": self.principal.device if self.principal else None,
                "agent": self.principal.agent if self.principal else None}

    def idempotency(self) -> tuple[str, str, str] | None:
        return (self.scope, self.idempotency_key, self.request_hash) if self.idempotency_key else None


class CommandResult(NamedTuple):
    status: int
    body: Any
    replayed: bool  # True when an earlier request with the same Idempotency-Key already ran it


@dataclass(slots=True)
class RunnerContext:
    """All a runner may use of its node: public parts and callbacks, never the node's private state."""

    committer: Committer
    store: Store
    writer: Writer
    metrics: Registry
    node_id: str
    data_dir: Path
    now_ms: Callable[[], int]
    #: the answer a member that did not serve the request stores for its idempotency key
    answer_for: Callable[[cmd.Command], Respond]
    #: device or pairing rows changed underneath the node (replicated from another member)
    devices_changed: Callable[[], None]
    #: the database was replaced by a dump: live streams must resume from their cursors
    database_replaced: Callable[[], None]
    #: run on the local file with central's pushed sections over it (None: the file alone); OverrideError if
    #: they do not fit this node's file
    apply_pushed: Callable[[dict[str, Any] | None], None]
    #: the digest of the setup the engine decides with now (branch.setup_build.setup_digest)
    setup_digest: Callable[[], str]


SAVE_PUSH = "INSERT OR REPLACE INTO sync_config (version, sections, applied_ms) VALUES (?, ?, ?)"


def stored_push(store: Store) -> dict[str, Any] | None:
    """The sections of central's last configuration push stored here (sync_config), if any."""
    rows = store.query("SELECT sections FROM sync_config ORDER BY version DESC LIMIT 1")
    return json.loads(rows[0][0]) if rows else None


class CommandRunner(Protocol):
    """The port. `check_writable` raises the documented 503 when this node may not take writes now."""

    @property
    def is_leader(self) -> bool: ...

    async def start(self, api_port: int, scheme: str = "http") -> None:
        """Serving on `api_port` with `scheme` (what other members tell clients as this node's address)."""

    async def stop(self) -> None: ...

    async def run(self, request: CommandRequest) -> CommandResult: ...

    def check_writable(self) -> None: ...

    async def apply_config(self, version: int, sections: dict[str, Any], at_ms: int) -> None:
        """Store central's push and run on it, between two commands (on every member of a cluster)."""
        ...

    async def archive(self, upto_seq: int) -> None:
        """Move the events up to `upto_seq` to the archive file, between two commands (on every member of a
        cluster, at the same log position). `branch.archive` says what may be archived."""
        ...

    def health(self) -> dict[str, Any]: ...

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None: ...

    def add_role_listener(self, callback: Callable[[str, int], Any]) -> None: ...


class Leadership:
    """Who listens for leadership and role changes; callbacks run on the loop, coroutines become tasks."""

    def __init__(self, role: str, term: int = 0) -> None:
        self.role, self.term = role, term
        self.leading = False
        self.started = False
        self._on_leading: list[Callable[[bool], Any]] = []
        self._on_role: list[Callable[[str, int], Any]] = []
        self._tasks: set[asyncio.Task] = set()

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None:
        """`callback(is_leader)`: now if started, then on every change."""
        self._on_leading.append(callback)
        if self.started:
            self._call(callback, self.leading)

    def add_role_listener(self, callback: Callable[[str, int], Any]) -> None:
        self._on_role.append(callback)

    def set(self, role: str, term: int, leading: bool) -> None:
        changed_lead = leading != self.leading or not self.started
        changed_role = (role, term) != (self.role, self.term)
        self.role, self.term, self.leading, self.started = role, term, leading, True
        if changed_role:
            for callback in list(self._on_role):
                self._call(callback, role, term)
        if changed_lead:
            for callback in list(self._on_leading):
                self._call(callback, leading)

    def _call(self, callback: Callable[..., Any], *args: Any) -> None:
        try:
            result = callback(*args)
            if asyncio.iscoroutine(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._finished)
        except Exception:
            log.exception("a leadership listener failed")

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a leadership listener failed: %r", task.exception())

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def stored_answer(found: tuple[str, int, str], request_hash: str) -> CommandResult:
    """The first answer to an Idempotency-Key; 422 when the key comes back with a different request."""
    stored_hash, status, body = found
    if stored_hash != request_hash:
        raise ApiError(422, "idempotency_key_reused", "this Idempotency-Key was used for a different request")
    return CommandResult(status, json.loads(body), True)


def count(metrics: Registry, command: cmd.Command, result: str) -> None:
    metrics.inc("sq_commands_total", type=type(command).__name__, result=result)


#: how far the clock may be behind the last event before the node refuses to stamp anything (a clock stepping back
#: a little, NTP slewing, is absorbed by stamping the last event's time; a board booting in the past is not)
CLOCK_SLACK_MS = 5 * 60 * 1000


def clock_behind(now_ms: int, last_at_ms: int) -> bool:
    return now_ms < last_at_ms - CLOCK_SLACK_MS


class LocalRunner:
    """A single node: the command lock orders commands up to staging; staged commands share commits.

    The clock rule: a command is stamped `max(now, last event's time)`, so time never runs backwards in the log
    and no business day earlier than the last event's is ever stamped; with a clock more than 5 minutes behind
    the last event (a board without RTC that started before NTP), commands are refused (503 clock_behind) until
    the clock catches up."""

    def __init__(self, context: RunnerContext) -> None:
        self.context = context
        self.leadership = Leadership("leader")
        self._lock = asyncio.Lock()

    @property
    def is_leader(self) -> bool:
        return True

    async def start(self, api_port: int, scheme: str = "http") -> None:
        self.leadership.set("leader", 0, True)

    async def stop(self) -> None:
        await self.leadership.close()
        async with self._lock:  # the commands being committed finish first
            await self.context.committer.settle()

    async def run(self, request: CommandRequest) -> CommandResult:
        """Ordered by the lock up to staging; the commit itself is shared with the commands staged alongside
        (group commit), so the lock is released while this one's group is written."""
        context = self.context
        committer = context.committer
        while True:
            async with self._lock:
                if request.idempotency_key is not None:
                    found = context.store.idempotent_response(request.scope, request.idempotency_key)
                    if found is not None:
                        return stored_answer(found, request.request_hash)
                    racing = committer.in_flight(request.scope, request.idempotency_key)
                else:
                    racing = None
                if racing is None:
                    command = request.make(self._stamp())
                    try:
                        pending = await committer.stage(command, request.actor, uuid.uuid4().hex,
                                                        request.respond, request.idempotency())
                    except DomainError as err:
                        count(context.metrics, command, err.code)
                        raise from_domain(err) from None
                    break
            with contextlib.suppress(Exception):  # the same key is being committed: then read its stored answer
                await committer.durable(racing)
        prepared = await committer.durable(pending)
        count(context.metrics, command, "ok")
        status, body = prepared.response
        return CommandResult(status, body, False)

    async def apply_config(self, version: int, sections: dict[str, Any], at_ms: int) -> None:
        context = self.context
        data = json.dumps(sections, separators=(",", ":"), ensure_ascii=False)
        async with self._lock:  # no command is being decided while the setup changes
            await context.writer.run(lambda: context.store.execute_write(SAVE_PUSH, (version, data, at_ms)))
            context.apply_pushed(sections)  # after it is stored: a crash in between re-applies it at start

    async def archive(self, upto_seq: int) -> None:
        context = self.context
        async with self._lock:  # between two commands, once the staged ones are written: memory equals disk
            await context.committer.settle()
            await archive_step(context.store, context.writer, context.committer.core, upto_seq, context.now_ms())

    def _stamp(self) -> int:
        now, last = self.context.now_ms(), self.context.committer.core.last_at_ms
        if clock_behind(now, last):
            raise ApiError(503, "clock_behind", "the node's clock is behind its last event (not synchronised yet): "
                           "it takes no command until it is", headers={"Retry-After": "30"})
        return max(now, last)

    def check_writable(self) -> None:
        return None  # a single node takes writes; the clock rule is checked where commands are stamped

    def health(self) -> dict[str, Any]:
        behind = clock_behind(self.context.now_ms(), self.context.committer.core.last_at_ms)
        return {"role": "leader", "clock": "behind" if behind else "ok"}

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None:
        self.leadership.add_leadership_listener(callback)

    def add_role_listener(self, callback: Callable[[str, int], Any]) -> None:
        self.leadership.add_role_listener(callback)
