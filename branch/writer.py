"""The node's single writer thread: every SQLite write runs here, one at a time, in submission order.

A caller on the event loop awaits the write. If the caller is cancelled (an HTTP client went away), the write still
completes and its outcome is known before the cancellation goes on: a command half-way between memory and disk is
never left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Writer:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sq-writer")

    async def run(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the writer thread; its result or its exception. Cancellation waits for the outcome, then
        raises CancelledError (the write itself is never abandoned half-way)."""
        outcome = await self.settle(fn)
        if outcome.cancelled:
            raise asyncio.CancelledError
        return outcome.result()

    async def settle(self, fn: Callable[[], Any]) -> Outcome:
        """Run `fn` and report how it ended, including whether the caller was cancelled meanwhile."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, fn)
        cancelled = False
        while not future.done():
            try:
                await asyncio.shield(future)
            except asyncio.CancelledError:
                cancelled = True  # keep waiting: the write's outcome must be known before anything else runs
            except BaseException:
                break
        return Outcome(future.exception(), None if future.exception() else future.result(), cancelled)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class Outcome:
    """How a write ended: `error` (None when it committed), its `value`, and whether its caller was cancelled."""

    __slots__ = ("cancelled", "error", "value")

    def __init__(self, error: BaseException | None, value: Any, cancelled: bool) -> None:
        self.error, self.value, self.cancelled = error, value, cancelled

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value
