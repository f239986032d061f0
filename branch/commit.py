"""One command, all or nothing: decide, apply, answer, persist, publish — with group commit.

Both command runners (the single node's and the replicated one) commit through here, so the rule holds for both:
whatever raises after `decide` — the caller's answer, the write, the COMMIT itself — memory is rebuilt from disk
before the error goes on, and the next command chains onto what the database really holds. Events reach live
subscribers only once committed.

Group commit: `stage` decides and applies a command in memory and queues its batch; one flusher task writes every
queued batch in one SQLite transaction (one fsync) while the next commands are being staged, so concurrent kiosks
share a commit instead of queueing behind one fsync each. A caller hears its answer (`durable`) only once its
group is committed. Atomicity per command is kept: a group whose write fails fails every command in it and every
command staged after it (they were decided on top of it), and memory is rebuilt from disk; a command whose
staging fails waits until what was staged before it is on disk, then memory is rebuilt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from branch.core import BranchCore, Prepared
from branch.store import StoredEvent
from branch.writer import Writer
from queue_engine import commands as cmd
from queue_engine.events import Event

log = logging.getLogger(__name__)


class CommandFailed(RuntimeError):
    """Deciding or applying a command failed for another reason than the rules (an engine or answer bug); memory
    is back to what the database holds and nothing was written."""


class StateUnavailable(RuntimeError):
    """Memory could not be rebuilt from disk after a failed command: no command may run until it is."""


class Pending:
    """A staged command waiting for its group's commit."""

    __slots__ = ("done", "idempotency", "prepared")

    def __init__(self, prepared: Prepared, idempotency: tuple[str, str, str] | None) -> None:
        self.prepared = prepared
        self.idempotency = idempotency
        self.done: asyncio.Future[Prepared] = asyncio.get_running_loop().create_future()


class Committer:
    def __init__(self, core: BranchCore, writer: Writer, publish: Callable[[list[StoredEvent]], None]) -> None:
        self.core = core
        self.writer = writer
        self._publish = publish
        self._broken: BaseException | None = None
        self._queued: list[Pending] = []
        self._flusher: asyncio.Task | None = None
        self._in_flight: dict[tuple[str, str], Pending] = {}
        self.commits = 0  # transactions written
        self.commands = 0  # commands they carried

    async def commit(self, command: cmd.Command, actor: dict[str, Any], command_id: str,
                     respond: Callable[[list[Event]], Any] | None = None,
                     idempotency: tuple[str, str, str] | None = None,
                     extra: list[tuple[str, tuple]] | None = None) -> Prepared:
        """Run `command` to the end (staged, then durable). DomainError (the rules refuse it) changes nothing;
        any other failure is undone in memory and raised. The caller holds whatever lock orders commands."""
        return await self.durable(await self.stage(command, actor, command_id, respond, idempotency, extra))

    async def stage(self, command: cmd.Command, actor: dict[str, Any], command_id: str,
                    respond: Callable[[list[Event]], Any] | None = None,
                    idempotency: tuple[str, str, str] | None = None,
                    extra: list[tuple[str, tuple]] | None = None) -> Pending:
        """Decide and apply `command` in memory and queue its batch for the next group. Called under the lock
        that orders commands; the lock may be released once this returns."""
        if self._broken is not None:
            await self.settle()
            if not self._restore():
                raise StateUnavailable("the node's state could not be rebuilt from its database") from self._broken
        events = self.core.decide(command)
        try:
            prepared = self.core.stage(command, events, actor, command_id, respond, idempotency)
            if extra:
                prepared.batch.extra = extra
        except Exception as err:
            log.error("preparing %s failed (%r); rebuilding state from the database", type(command).__name__, err)
            await self._settle_then_restore()  # what was staged before is written (or failed) first
            raise CommandFailed(f"{type(command).__name__} could not be applied: {err!r}") from err
        except BaseException:
            self._restore()
            raise
        pending = Pending(prepared, idempotency)
        self._queued.append(pending)
        if idempotency is not None:
            self._in_flight[idempotency[:2]] = pending
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="sq-group-commit")
        return pending

    async def durable(self, pending: Pending) -> Prepared:
        """The command once its group is committed (its events published); its group's error otherwise. The write
        goes on if the caller is cancelled (an HTTP client that went away)."""
        return await asyncio.shield(pending.done)

    def in_flight(self, scope: str, key: str) -> Pending | None:
        """A staged, not yet durable command with this idempotency key (a retry racing its first attempt)."""
        return self._in_flight.get((scope, key))

    async def settle(self) -> None:
        """Wait until every staged command is committed or failed."""
        while self._flusher is not None and not self._flusher.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._flusher)

    async def _settle_then_restore(self) -> None:
        """Wait for what was staged before, then rebuild memory from disk — even if the caller is cancelled while
        waiting (a service stopping, the node shutting down): memory ahead of disk would leave a sequence gap in the
        hash chain at the next command. A cancellation goes on once memory is rebuilt."""

        async def settle_then_restore() -> None:
            await self.settle()
            self._restore()

        task = asyncio.ensure_future(settle_then_restore())
        cancelled = False
        while not task.done():
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                cancelled = True
        if cancelled:
            raise asyncio.CancelledError

    async def _flush(self) -> None:
        while self._queued:
            group, self._queued = self._queued, []
            outcome = await self.writer.settle(partial(self.core.persist_group, [p.prepared for p in group]))
            if outcome.error is not None:
                failed = group + self._queued  # those staged meanwhile were decided on top of this group
                self._queued = []
                log.error("writing %d command(s) failed (%r); rebuilding state from the database", len(failed),
                          outcome.error)
                self._restore()
                for pending in failed:
                    self._finish(pending, error=outcome.error)
                continue
            self.commits += 1
            self.commands += len(group)
            for pending in group:
                if pending.prepared.stored:
                    try:
                        self._publish(pending.prepared.stored)
                    except Exception:  # committed: the command stands and its caller hears; a live stream may miss it
                        log.exception("publishing committed events failed")
                self._finish(pending)

    def _finish(self, pending: Pending, error: BaseException | None = None) -> None:
        if pending.idempotency is not None:
            self._in_flight.pop(pending.idempotency[:2], None)
        if pending.done.done():
            return
        if error is not None:
            pending.done.set_exception(error)
            pending.done.exception()  # retrieved: a caller that went away leaves no "never retrieved" warning
        else:
            pending.done.set_result(pending.prepared)

    def _restore(self) -> bool:
        try:
            self.core.reload()
        except Exception as err:
            log.critical("the state cannot be rebuilt from the database (%r): commands are refused until it can",
                         err)
            self._broken = err
            return False
        self._broken = None
        return True
