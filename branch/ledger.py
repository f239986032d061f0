"""The node's event log in memory and on disk, kept equal: stage a command, commit it, publish what was committed.

Both command runners (`branch.local_runner`, `branch.cluster.runtime`) are built from these public steps; neither
touches the core's or the store's insides. Threads: `stage` runs on the loop (the only thread that touches the
state); every write runs on the single writer thread. A runner serialises stage → commit (a lock alone, the Raft
apply order in a cluster), so events chain in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from branch.core import BranchCore, Prepared
from branch.hub import EventHub
from branch.store import Store
from queue_engine import commands as cmd
from queue_engine.events import Event
from queue_engine.state import BranchState

log = logging.getLogger(__name__)


class Ledger:
    def __init__(self, core: BranchCore, hub: EventHub) -> None:
        self.core = core
        self.hub = hub
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sq-writer")

    @property
    def store(self) -> Store:
        return self.core.store

    @property
    def state(self) -> BranchState:
        return self.core.state

    @property
    def seq(self) -> int:
        return self.core.seq

    def stage(self, command: cmd.Command, actor: dict[str, Any], command_id: str,
              respond: Callable[[list[Event]], tuple[int, Any]] | None = None,
              idempotency: tuple[str, str, str] | None = None,
              extra: list[tuple[str, tuple]] | None = None) -> Prepared:
        """Decide, apply and build the answer and the batch to write. Raises DomainError (or anything else) with
        memory left as it was (see `BranchCore.prepare`)."""
        prepared = self.core.prepare(command, actor, command_id, respond, idempotency)
        prepared.batch.extra = extra
        return prepared

    async def commit(self, prepared: Prepared) -> None:
        """Write the batch on the writer thread, then publish its events. If the caller is cancelled (an HTTP
        client went away), the write still completes and its outcome is handled here before the cancellation goes
        on: events are published only once committed, a failed write rebuilds memory from disk, and the client's
        retry with the same Idempotency-Key gets the stored answer."""
        try:
            future = asyncio.get_running_loop().run_in_executor(self._writer, self.core.persist, prepared)
        except BaseException as err:  # e.g. the writer is shut down: nothing was written
            log.error("a command could not be written (%s); rebuilding state from the database", err)
            self.core.reload()
            raise
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
        if prepared.stored:
            self.hub.publish(prepared.stored)
        if cancelled:
            raise asyncio.CancelledError

    async def write(self, fn: Callable[[], Any]) -> Any:
        """Run a small database write on the writer thread (devices, pairing, status, cluster bookkeeping)."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn)

    def reload(self) -> None:
        """Rebuild memory from disk."""
        self.core.reload()

    def replaced(self) -> None:
        """The database was replaced underneath (a cluster member installed a dump): rebuild memory and tell live
        streams to resume from their cursors (their backlog now comes from the new database)."""
        self.core.reload()
        self.hub.close_all()

    def close(self) -> None:
        """Finish queued writes, then close the database."""
        self._writer.shutdown(wait=True)
        self.store.close()
