"""The node's optional services (e.g. the MQTT sync link): started under supervision, some on the leader only.

A service is anything with `async start()` and `async stop()`. One that fails to start is logged at once with
the reason and tried again with backoff, instead of the node either dying or staying silent until shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def service_name(service: Any) -> str:
    return getattr(service, "name", None) or type(service).__name__


class Supervised:
    """Start a service; if that fails, log the reason at once and retry after 1, 2, 4 … `max_delay_s` seconds.

    A failed attempt is followed by the service's own `stop()` (to release what it opened on the way) before the
    next one. `stop()` ends the retries and stops the service if it runs.
    """

    def __init__(self, service: Service, *, first_delay_s: float = 1.0, max_delay_s: float = 60.0) -> None:
        self.service = service
        self.name = service_name(service)
        self.first_delay_s, self.max_delay_s = first_delay_s, max_delay_s
        self.running = False
        self.failures = 0
        self._retry: asyncio.Task | None = None

    async def start(self) -> None:
        """One attempt now (a service that starts is running when this returns); retries in the background."""
        if self.running or self._retry is not None:
            return
        if not await self._attempt():
            self._retry = asyncio.create_task(self._keep_trying(), name=f"sq-retry-{self.name}")

    async def _attempt(self) -> bool:
        try:
            await self.service.start()
        except Exception as err:
            self.failures += 1
            delay = min(self.max_delay_s, self.first_delay_s * 2 ** (self.failures - 1))
            log.error("%s failed to start (attempt %d): %s: %s; trying again in %.0f s", self.name, self.failures,
                      type(err).__name__, err, delay)
            log.debug("%s: the failed start", self.name, exc_info=True)
            try:
                await self.service.stop()
            except Exception as stop_err:
                log.warning("%s: releasing a failed start failed too: %s", self.name, stop_err)
            return False
        if self.failures:
            log.info("%s started after %d failed attempt(s)", self.name, self.failures)
        self.running = True
        return True

    async def _keep_trying(self) -> None:
        while True:
            await asyncio.sleep(min(self.max_delay_s, self.first_delay_s * 2 ** (self.failures - 1)))
            if await self._attempt():
                self._retry = None
                return

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
            self._retry = None
        if self.running:
            self.running = False
            await self.service.stop()


class LeaderOnly:
    """Runs a service only while this node leads the branch (always, for a single node): sync must have one
    writer, and a new leader carries on from central's acknowledged watermark."""

    def __init__(self, add_leadership_listener: Callable[[Callable[[bool], Awaitable[None]]], None],
                 service: Service, **supervision: float) -> None:
        self._listen = add_leadership_listener
        self.supervised = Supervised(service, **supervision)
        self.name = f"{self.supervised.name} (leader only)"
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self._listen(self._changed)

    async def _changed(self, leading: bool) -> None:
        async with self._lock:
            if leading:
                await self.supervised.start()
            else:
                await self.supervised.stop()

    async def stop(self) -> None:
        await self._changed(False)
