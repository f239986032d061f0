"""The branch node: the parts one branch's queue is made of, wired once, and their lifecycle.

Threads: the asyncio loop (HTTP, SSE, state reads, decide/apply) and one writer thread (SQLite commits, `Writer`).
Commands go through `self.commands`, the node's one command port (`branch.runner`): a `LocalRunner` unless the
composition root gives a replicated one. The HTTP server (`branch.server.NodeServer`) is built around the node,
so nothing here imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from branch import views
from branch.api_errors import ApiError
from branch.archive import archivable
from branch.auth import Authenticator
from branch.calls import CallAcks
from branch.commit import Committer
from branch.core import BranchCore
from branch.hub import EventHub
from branch.prom import Registry
from branch.revocation import RevocationWatcher, sessions_through
from branch.runner import CommandRequest, CommandRunner, LocalRunner, Respond, RunnerContext, stored_push
from branch.security import FailureThrottle, SessionSigner, TokenBucket
from branch.services import ServiceSupervisor
from branch.setup_build import build_setup, setup_digest
from branch.store import Store
from branch.tls import BranchTLS
from branch.writer import Writer
from config.overrides import OverrideError, merge
from config.schema import AppConfig
from ground.files import read_or_create
from ground.version import VERSION
from queue_engine import commands as cmd
from queue_engine.events import Event

log = logging.getLogger(__name__)

API_VERSION = "1"

#: Builds the node's command runner from what a runner may see of the node (the composition root's choice).
RunnerFactory = Callable[[RunnerContext], CommandRunner]


class BranchNode:
    def __init__(self, config: AppConfig, data_dir: Path, *, clock: Callable[[], float] = time.time,
                 runner: RunnerFactory = LocalRunner, session_secret: bytes | None = None,
                 tls_seed: bytes | None = None) -> None:
        self.base_config = config  # the local file; central's pushes replace some of its sections, never stack
        self.data_dir = data_dir
        self.clock = clock
        self.node_id = read_or_create(data_dir / "node-id", lambda: f"node-{uuid.uuid4().hex[:12]}".encode()).decode()
        secret = session_secret or read_or_create(data_dir / "session.key", lambda: secrets.token_hex(32).encode())
        self.tls_seed = tls_seed  # a cluster's members derive one branch CA from it (branch.tls)
        self.tls: BranchTLS | None = None  # set when the server speaks HTTPS
        self.store = Store(data_dir / "branch.sqlite3")
        config = self._with_stored_push(config)
        self.config = config
        self.setup = build_setup(config)
        self.setup_digest = setup_digest(self.setup)
        self.core = BranchCore(self.setup, self.store, config.node.snapshot_every)
        self.hub = EventHub()
        self.call_acks = CallAcks()
        self.state_cache = views.SnapshotCache()
        self.signer = SessionSigner(secret)
        self.auth = Authenticator(self.store, self.signer, config.node.session_idle_minutes * 60)
        node = config.node
        self.ticket_limiter = TokenBucket(node.ticket_rate_per_minute / 60, node.ticket_burst)
        self.pairing_limiter = TokenBucket(5 / 60, 5)  # per address
        self.pairing_global = TokenBucket(10 / 60, 10)  # the whole node: many addresses get no more guesses
        # failed logins: per (keypad, agent) and per keypad's fingerprint slots; per keypad overall (any agent)
        self.login_throttle = FailureThrottle(node.pin_attempts, 30.0, node.pin_lockout_minutes * 60)
        self.device_throttle = FailureThrottle(node.pin_attempts * 4, 30.0, node.pin_lockout_minutes * 60)
        self.login_locks: dict[str, list] = {}  # keypad -> [asyncio.Lock, users]: one login attempt at a time
        self.revocations = RevocationWatcher(self.store.path, self._revoked)
        self.metrics = Registry()
        self.metrics.describe("sq_http_requests_total", "counter", "HTTP requests by route and status")
        self.metrics.describe("sq_http_request_seconds", "histogram", "HTTP request latency by route")
        self.metrics.describe("sq_commands_total", "counter", "Queue commands by type and result")
        self.metrics.describe("sq_tickets_waiting", "gauge", "Tickets waiting, by service")
        self.metrics.describe("sq_event_seq", "gauge", "Sequence number of the last event")
        self.metrics.describe("sq_sse_subscribers", "gauge", "Open live-event streams")
        self.metrics.describe("sq_counters_open", "gauge", "Counters with an agent logged in")
        self.metrics.describe("sq_commits", "gauge", "SQLite transactions written by the command path (since start)")
        self.metrics.describe("sq_commit_commands", "gauge", "Commands those transactions carried (group commit)")
        self.zones = {c.id: c.zone for c in config.counters}
        self.agents = {a.id: a for a in config.agents}
        self.started_at = time.monotonic()
        self.writer = Writer()
        self.committer = Committer(self.core, self.writer, self.hub.publish)
        self.metrics.sample_gauges(self._gauges)
        self.commands: CommandRunner = runner(RunnerContext(
            committer=self.committer, store=self.store, writer=self.writer, metrics=self.metrics,
            node_id=self.node_id, data_dir=data_dir, now_ms=self.now_ms, answer_for=self._answer_for,
            devices_changed=self.revocations.poke, database_replaced=self._database_replaced,
            apply_pushed=self.apply_pushed, setup_digest=lambda: self.setup_digest))
        #: services started once the node serves and stopped before it closes (e.g. the MQTT sync link); added by
        #: the composition root, so the node depends on none of them. A service that fails to start is retried.
        self.services = ServiceSupervisor()
        #: more parts of the health answer (e.g. "sync": the MQTT link's state), added by the composition root too
        self.health_parts: dict[str, Callable[[], dict[str, Any]]] = {}
        #: central's watermark as this node's sync heard it from central since it started (None: not heard yet),
        #: set by the sync service while it runs (it receives the node; the node never imports sync). Archiving
        #: trusts only this, never the watermark stored in meta: central may have been restored since.
        self.central_ack: Callable[[], int | None] | None = None
        self._archive_waits: str | None = None  # why archiving waits, as last logged (logged once per reason)
        self._tasks: list[asyncio.Task] = []
        self.port: int | None = None

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def write(self, fn: Callable[[], Any]) -> Any:
        """Run a small database write on the writer thread (devices, pairing, status)."""
        return await self.writer.run(fn)

    # -- read models ------------------------------------------------------------------------------------------------

    def counter_view(self, counter_id: str) -> dict[str, Any]:
        return views.counter_view(self.core.state, self.setup, counter_id, self.zones.get(counter_id), self.call_acks,
                                  len(self.hub.devices("display")))

    def _gauges(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        state = self.core.state
        waiting: dict[str, int] = dict.fromkeys(self.setup.services, 0)
        for ticket_id in state.waiting:
            waiting[state.tickets[ticket_id].service] += 1
        return {
            "sq_tickets_waiting": [({"service": s}, float(n)) for s, n in waiting.items()],
            "sq_event_seq": [({}, float(self.core.seq))],
            "sq_sse_subscribers": [({}, float(len(self.hub)))],
            "sq_counters_open": [({}, float(sum(1 for c in state.counters.values() if c.open)))],
            "sq_commits": [({}, float(self.committer.commits))],
            "sq_commit_commands": [({}, float(self.committer.commands))],
        }

    # -- configuration ---------------------------------------------------------------------------------------------

    def _with_stored_push(self, config: AppConfig) -> AppConfig:
        """The local file with the last push from central (sync_config, replicated in a cluster) over it."""
        sections = stored_push(self.store)
        if sections is None:
            return config
        try:
            return merge(config, sections)
        except OverrideError as err:
            log.error("the stored configuration push no longer validates against the local file; running on the "
                      "local file: %s", err)
            return config

    def apply_pushed(self, sections: dict[str, Any] | None) -> None:
        """Run on the local file with `sections` over it (None: the file alone). OverrideError if they do not fit."""
        self.apply_config(self.base_config if sections is None else merge(self.base_config, sections))

    def apply_config(self, config: AppConfig) -> None:
        """Make `config` the node's in one step on the loop (no await: no command sees half of it). Rules'
        estimate_window applies to the state from the next restart."""
        setup = build_setup(config)
        self.config = config
        self.setup = setup
        self.core.setup = setup
        self.setup_digest = setup_digest(setup)
        self.zones = {c.id: c.zone for c in config.counters}
        self.agents = {a.id: a for a in config.agents}

    def _answer_for(self, command: cmd.Command) -> Respond:
        """What a member that did not serve the request stores for its idempotency key (the serving member stores
        its handler's own answer): the same shapes the handlers answer with."""

        def respond(events: list[Event]) -> tuple[int, Any]:
            try:
                if isinstance(command, cmd.IssueTicket):
                    state = self.core.state
                    return 201, views.ticket_view(state, self.setup, state.tickets[command.ticket_id])
                if isinstance(command, cmd.CounterCommand):
                    return 200, {"counter": self.counter_view(command.counter),
                                 "events": [{"type": e.type, **e.data()} for e in events]}
            except Exception:
                log.exception("building a stored answer failed")
            return 200, None

        return respond

    async def _revoked(self, devices: set[str]) -> None:
        """End what revoked devices still hold open: their event streams, and the agent sessions opened through
        them (logged out through the command path, so the counter closes on every display)."""
        self.hub.close_devices(devices)
        if not self.commands.is_leader:
            return  # the leader logs the agents out; its events reach this member through the log
        sessions = {c.id: c.session_id for c in self.core.state.counters.values() if c.agent and c.session_id}
        for counter in sessions_through(self.store, devices, sessions):
            agent = self.core.state.counters[counter].agent
            try:
                await self.commands.run(CommandRequest(
                    None, lambda at, c=counter, a=agent: cmd.LogoutAgent(at_ms=at, counter=c, agent=a),
                    lambda events: (200, None)))
            except Exception as err:
                log.error("logging out the session at counter %s after a revocation failed: %r", counter, err)

    def _database_replaced(self) -> None:
        self.revocations.poke()
        self.hub.close_all()  # live streams resume from their cursors (the backlog now comes from the new database)

    # -- lifecycle (driven by branch.server.NodeServer) ------------------------------------------------------------

    async def start(self, api_port: int, scheme: str = "http") -> None:
        """The node serves on `api_port` (`scheme`): start the command runner, housekeeping, checkpoints and
        services."""
        self.port = api_port
        await self.commands.start(api_port, scheme)
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="sq-housekeeping"))
        self.store.manual_checkpoints()
        self._tasks.append(asyncio.create_task(self._checkpoints(), name="sq-checkpoints"))
        self.revocations.open()
        self._tasks.append(asyncio.create_task(self.revocations.run(), name="sq-revocations"))
        self.services.start()

    async def close(self) -> None:
        """Release everything, whatever failed before: each step runs, and each failure is logged."""
        await self.services.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.hub.close_all()
        try:
            await self.commands.stop()
        except Exception as err:
            log.error("stopping the command runner failed: %r", err)
        self.writer.shutdown()
        self.revocations.close()
        self.store.close()

    async def _housekeeping(self) -> None:
        """Roll the business day over on time (not only on the next ticket) and purge old idempotency keys."""
        while True:
            try:
                if self.commands.is_leader:  # only the leader rolls the day over (through the log in a cluster)
                    await self.commands.run(CommandRequest(None, lambda at: cmd.StartDay(at_ms=at),
                                                           lambda events: (200, None)))
                await self.write(partial(self.store.purge_idempotency, self.now_ms() - 24 * 3600 * 1000))
                await self.write(partial(self.store.purge_history, self.now_ms()))
                self.forget_stale()
                await self.archive_events()
            except ApiError as err:
                log.warning("housekeeping waits: %s", err.message)  # e.g. the clock is not synchronised yet
            except Exception:
                log.exception("housekeeping failed; trying again in a minute")
            await asyncio.sleep(self.config.node.housekeeping_s)

    async def archive_events(self, steps: int = 10) -> int:
        """On the leader: move what central acknowledged and `event_retention_days` made old to the archive file
        (`branch.archive`), a bounded step at a time; the last seq archived (0: nothing)."""
        done = 0
        retention = self.config.node.event_retention_days
        for _ in range(steps):
            if not self.commands.is_leader or retention <= 0:
                break
            watermark = self.central_ack() if self.central_ack is not None else None
            if watermark is None:
                self._archive_wait("sync with central is not running on this node" if self.central_ack is None else
                                   "central has not answered since sync started (an ack the broker kept does not "
                                   "count: central may have been restored since)")
                break
            self._archive_wait(None)
            upto = archivable(self.store, retention, self.now_ms(), self.core.seq, watermark)
            if upto <= done:
                break
            await self.commands.archive(upto)
            done = upto
            log.info("events up to seq %d archived (acknowledged by central, older than %g days)", upto,
                     self.config.node.event_retention_days)
        return done

    def _archive_wait(self, why: str | None) -> None:
        """Say once (not every housekeeping round) why events that may be old enough are not archived."""
        if why is not None and why != self._archive_waits:
            log.info("archiving events waits: %s; nothing is archived until central says what it holds", why)
        self._archive_waits = why

    def forget_stale(self) -> None:
        """Bound what memory keeps per client over months: idle sessions, old login failures, full buckets."""
        self.auth.purge(self.core.state)
        for throttle in (self.login_throttle, self.device_throttle):
            throttle.purge()
        for bucket in (self.ticket_limiter, self.pairing_limiter, self.pairing_global):
            bucket.purge()

    async def _checkpoints(self, every_s: float = 2.0) -> None:
        """WAL checkpoints on a connection and thread of their own, beside the writer, never inside a commit."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await asyncio.to_thread(self.store.checkpoint)
            except Exception:
                log.exception("WAL checkpoint failed; trying again")

    def health(self) -> dict[str, Any]:
        out = {"status": "ok", "node_id": self.node_id, "branch": self.setup.branch_id, "api": API_VERSION,
               "seq": self.core.seq, "day": self.core.state.day, "version": VERSION,
               "uptime_s": round(time.monotonic() - self.started_at, 1)}
        out.update(self.commands.health())  # role (term, leader URL, Raft status in a cluster)
        out.update({name: part() for name, part in self.health_parts.items()})
        return out

    # -- leadership: what runs on the leader only (MQTT sync) subscribes here -----------------------------------------

    @property
    def is_leader(self) -> bool:
        return self.commands.is_leader

    def add_leadership_listener(self, callback: Callable[[bool], Any]) -> None:
        """`callback(is_leader)` on the loop: now if serving, then on every change (a single node always leads)."""
        self.commands.add_leadership_listener(callback)
