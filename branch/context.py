"""What the API handlers and the node's services use: configuration, the read models, the command port, security.

`BranchNode` (branch/node.py) adds the lifecycle (serve, advertise, services, stop) on top. Handlers import this
module, never the node's, so the node → server → handlers chain has no way back.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from branch import views
from branch.auth import Authenticator
from branch.calls import CallAcks
from branch.command_port import CommandRunner, RunnerContext
from branch.core import BranchCore
from branch.hub import EventHub
from branch.ledger import Ledger
from branch.local_runner import LocalRunner
from branch.prom import Registry
from branch.security import PinGuard, SessionSigner, TokenBucket
from branch.setup_build import build_setup
from branch.store import Store
from config.schema import AppConfig
from ground.files import read_or_create
from queue_engine import commands as cmd
from queue_engine.events import Event

#: builds the node's command runner from what the node gives it (LocalRunner, or a ReplicatedRunner bound to a
#: [cluster] section by the composition root)
RunnerFactory = Callable[[RunnerContext], CommandRunner]


class NodeContext:
    def __init__(self, config: AppConfig, data_dir: Path, *, clock: Callable[[], float] = time.time,
                 runner: RunnerFactory = LocalRunner, session_key: bytes | None = None) -> None:
        """`session_key`: the agent-session signing key when it is shared (every cluster member signs with the
        same); by default each node keeps its own random key in `data_dir/session.key`."""
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.node_id = read_or_create(data_dir / "node-id", lambda: f"node-{uuid.uuid4().hex[:12]}".encode()).decode()
        secret = session_key or read_or_create(data_dir / "session.key", lambda: secrets.token_hex(32).encode())
        self.setup = build_setup(config)
        self.store = Store(data_dir / "branch.sqlite3")
        self.core = BranchCore(self.setup, self.store, config.node.snapshot_every)
        self.hub = EventHub()
        self.ledger = Ledger(self.core, self.hub)
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
        #: the command port: every command goes through `commands.run`
        self.commands: CommandRunner = runner(RunnerContext(
            ledger=self.ledger, node_id=self.node_id, data_dir=data_dir, now_ms=self.now_ms, metrics=self.metrics,
            stored_answer=self.stored_answer, forget_devices=self.auth.forget_devices))

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def write(self, fn: Callable[[], Any]) -> Any:
        """Run a small database write on the writer thread (devices, pairing, status)."""
        return await self.ledger.write(fn)

    # -- read models: the answers commands give, built from the state just after they are applied -------------------

    def ticket_answer(self, ticket_id: str) -> tuple[int, dict[str, Any]]:
        state = self.core.state
        return 201, views.ticket_view(state, self.setup, state.tickets[ticket_id])

    def counter_view(self, counter_id: str) -> dict[str, Any]:
        return views.counter_view(self.core.state, self.setup, counter_id, self.zones.get(counter_id),
                                  self.call_acks, len(self.hub.devices("display")))

    def counter_answer(self, counter_id: str, events: list[Event]) -> tuple[int, dict[str, Any]]:
        return 200, {"counter": self.counter_view(counter_id),
                     "events": [{"type": e.type, **e.data()} for e in events]}

    def stored_answer(self, command: cmd.Command, events: list[Event]) -> tuple[int, Any]:
        """What a member that did not take the request stores for its idempotency key: the same answer the
        handler gives (ticket view, counter view)."""
        if isinstance(command, cmd.IssueTicket):
            return self.ticket_answer(command.ticket_id)
        if isinstance(command, cmd.CounterCommand):
            return self.counter_answer(command.counter, events)
        return 200, None
