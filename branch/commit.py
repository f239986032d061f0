"""One command, all or nothing: decide, apply, answer, persist, publish.

Both command runners (the single node's and the replicated one) commit through here, so the rule holds for both:
whatever raises after `decide` — the caller's answer, the write, the COMMIT itself — memory is rebuilt from disk
before the error goes on, and the next command chains onto what the database really holds. Events reach live
subscribers only once committed.
"""

from __future__ import annotations

import asyncio
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


class Committer:
    def __init__(self, core: BranchCore, writer: Writer, publish: Callable[[list[StoredEvent]], None]) -> None:
        self.core = core
        self.writer = writer
        self._publish = publish
        self._broken: BaseException | None = None

    async def commit(self, command: cmd.Command, actor: dict[str, Any], command_id: str,
                     respond: Callable[[list[Event]], Any] | None = None,
                     idempotency: tuple[str, str, str] | None = None,
                     extra: list[tuple[str, tuple]] | None = None) -> Prepared:
        """Run `command` to the end. DomainError (the rules refuse it) changes nothing; any other failure is
        undone in memory and raised. The caller holds whatever lock orders commands."""
        if self._broken is not None and not self._restore():
            raise StateUnavailable("the node's state could not be rebuilt from its database") from self._broken
        events = self.core.decide(command)
        try:
            prepared = self.core.stage(command, events, actor, command_id, respond, idempotency)
            if extra:
                prepared.batch.extra = extra
        except Exception as err:
            log.error("preparing %s failed (%r); rebuilding state from the database", type(command).__name__, err)
            self._restore()
            raise CommandFailed(f"{type(command).__name__} could not be applied: {err!r}") from err
        except BaseException:
            self._restore()
            raise
        outcome = await self.writer.settle(partial(self.core.persist, prepared))
        if outcome.error is not None:
            log.error("writing %s failed (%r); rebuilding state from the database", type(command).__name__,
                      outcome.error)
            self._restore()
            raise outcome.error
        if prepared.stored:
            self._publish(prepared.stored)
        if outcome.cancelled:
            raise asyncio.CancelledError
        return prepared

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
