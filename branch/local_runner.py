"""The command port for a single node: one lock from the idempotency check to the commit; always the leader."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from branch.api_errors import ApiError, from_domain
from branch.command_port import (
    CommandAnswer,
    CommandRequest,
    Role,
    RoleListeners,
    RunnerContext,
    count,
    replayed,
)
from queue_engine.errors import DomainError

LEADER = Role("leader", 0, True)


class LocalRunner:
    def __init__(self, context: RunnerContext) -> None:
        self.context = context
        self._lock = asyncio.Lock()
        self._roles = RoleListeners()
        self._stopped = False

    async def run(self, request: CommandRequest) -> CommandAnswer:
        ledger = self.context.ledger
        async with self._lock:  # commands are totally ordered: each event chains onto the previous one
            if self._stopped:
                raise ApiError(503, "stopping", "the node is stopping", headers={"Retry-After": "1"})
            if request.idempotency_key is not None:
                found = ledger.store.idempotent_response(request.scope, request.idempotency_key)
                if found is not None:
                    return replayed(found, request.request_hash)
            command = request.make(self.context.now_ms())
            try:
                prepared = ledger.stage(command, request.actor, uuid.uuid4().hex, request.respond,
                                        request.idempotency)
            except DomainError as err:
                count(self.context.metrics, command, err.code)
                raise from_domain(err) from None
            await ledger.commit(prepared)
        count(self.context.metrics, command, "ok")
        status, body = prepared.response
        return CommandAnswer(status, body)

    def check_writable(self) -> None:
        return None

    @property
    def is_leader(self) -> bool:
        return True

    @property
    def role(self) -> Role:
        return LEADER

    def add_role_listener(self, callback: Callable[[Role], Any]) -> None:
        self._roles.add(callback)

    async def start(self, api_port: int) -> None:
        self._roles.announce(LEADER)

    async def stop(self) -> None:
        async with self._lock:  # let a command being committed finish
            self._stopped = True
        await self._roles.close()

    def health(self) -> dict[str, Any]:
        return {}
