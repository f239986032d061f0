"""The node's optional services (e.g. the MQTT sync link): started once the node serves, retried when they fail
to start, stopped before it closes — each failure logged at once with its reason, none hiding another.

A service is anything with `async start()` and `async stop()`. `LeaderOnly` runs one only while this node leads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

RETRY_FIRST_S = 1.0
RETRY_MAX_S = 60.0


class Service(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def service_name(service: Any) -> str:
    return getattr(service, "name", None) or type(service).__name__


async def start_with_retry(service: Service, *, first_s: float = RETRY_FIRST_S, max_s: float = RETRY_MAX_S) -> None:
    """Start `service`, retrying with a doubling delay until it starts (or the caller cancels)."""
    delay = first_s
    while True:
        try:
            await service.start()
        except asyncio.CancelledError:
            raise
        except Exception as err:
            log.error("service %s failed to start: %s; retrying in %.0f s", service_name(service), err or repr(err),
                      delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_s)
            continue
        log.info("service %s started", service_name(service))
        return


class ServiceSupervisor:
    """Starts each service in its own task (one failing never delays another) and stops them all."""

    def __init__(self, *, first_s: float = RETRY_FIRST_S, max_s: float = RETRY_MAX_S) -> None:
        self._services: list[Service] = []
        self._starting: dict[int, asyncio.Task] = {}
        self._first_s, self._max_s = first_s, max_s

    def append(self, service: Service) -> None:
        self._services.append(service)

    def __iter__(self):
        return iter(self._services)

    def __len__(self) -> int:
        return len(self._services)

    def start(self) -> None:
        for service in self._services:
            self._starting[id(service)] = asyncio.create_task(
                start_with_retry(service, first_s=self._first_s, max_s=self._max_s),
                name=f"sq-start-{service_name(service)}")

    def started(self, service: Service) -> bool:
        task = self._starting.get(id(service))
        return task is not None and task.done() and not task.cancelled() and task.exception() is None

    async def stop(self) -> None:
        """Stop every service that started, in reverse order; a failure is logged and the others still stop."""
        pending = [task for task in self._starting.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for service in reversed(self._services):
            if not self.started(service):
                continue
            try:
                await service.stop()
            except Exception as err:
                log.error("service %s failed to stop: %r", service_name(service), err)
        self._starting.clear()


class LeaderOnly:
    """Runs a service only while this node leads the branch (always, for a single node): sync must have one
    writer, and a new leader carries on from central's acknowledged watermark. Starting is retried while leading."""

    def __init__(self, add_leadership_listener: Callable[[Callable[[bool], Any]], None], service: Service,
                 *, first_s: float = RETRY_FIRST_S, max_s: float = RETRY_MAX_S) -> None:
        self._listen = add_leadership_listener
        self.service = service
        self.name = service_name(service)
        self.running = False
        self._lock = asyncio.Lock()
        self._starting: asyncio.Task | None = None
        self._first_s, self._max_s = first_s, max_s

    async def start(self) -> None:
        self._listen(self._changed)

    async def _changed(self, leading: bool) -> None:
        async with self._lock:
            if leading and not self.running and self._starting is None:
                self._starting = asyncio.create_task(self._start(), name=f"sq-start-{self.name}")
            elif not leading:
                await self._halt()

    async def _start(self) -> None:
        await start_with_retry(self.service, first_s=self._first_s, max_s=self._max_s)
        self.running = True

    async def _halt(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        self._starting = None
        if self.running:
            self.running = False
            await self.service.stop()

    async def stop(self) -> None:
        async with self._lock:
            await self._halt()
