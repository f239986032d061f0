"""Who is calling: a device (token) or an agent at a counter (signed session). Checked on every request.

No cache: a device row is read from SQLite on every request (an indexed lookup, a few microseconds), so a token
revoked by `smartqueue node revoke` in another process is refused at its very next request. An agent session
also needs the keypad it was made through to be still paired.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from branch.api_errors import ApiError
from branch.security import AgentSession, SessionSigner, token_hash, well_formed_token
from branch.store import Store
from queue_engine.state import BranchState

INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@dataclass(frozen=True, slots=True)
class Principal:
    role: str  # kiosk | display | keypad | admin | metrics
    device: str
    counter: str | None = None
    agent: str | None = None
    session: AgentSession | None = None

    @property
    def scope(self) -> str:
        """Idempotency keys are unique per caller, not globally."""
        return f"{self.device}/{self.agent or ''}"


class Authenticator:
    def __init__(self, store: Store, signer: SessionSigner, idle_s: float) -> None:
        self.store, self.signer, self.idle_s = store, signer, idle_s
        self._last_used: dict[str, float] = {}  # session id -> monotonic time of its last request

    def device_row(self, token: str) -> tuple | None:
        rows = self.store.query("SELECT id, role, counter FROM devices WHERE token_hash = ? AND revoked_ms IS NULL",
                                (token_hash(token),))
        return tuple(rows[0]) if rows else None

    def device_active(self, device_id: str) -> bool:
        return bool(self.store.query("SELECT 1 FROM devices WHERE id = ? AND revoked_ms IS NULL", (device_id,)))

    def authenticate(self, request: web.Request, state: BranchState, now_ms: int) -> Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "unauthenticated", "send Authorization: Bearer <device token or agent session>",
                           headers={"WWW-Authenticate": 'Bearer realm="smartqueue"'})
        token = token.strip()
        if not well_formed_token(token):
            raise ApiError(401, "invalid_token", "unknown or revoked token", headers=INVALID_TOKEN)
        if token.startswith("sqs_"):
            return self._agent(token, state, now_ms)
        row = self.device_row(token)
        if row is None:
            raise ApiError(401, "invalid_token", "unknown or revoked token", headers=INVALID_TOKEN)
        device, role, counter = row
        return Principal(role=role, device=device, counter=counter)

    def _agent(self, token: str, state: BranchState, now_ms: int) -> Principal:
        session = self.signer.check(token, now_ms)
        if session is None:
            raise ApiError(401, "session_invalid", "the agent session is invalid or expired; log in again")
        cstate = state.counters.get(session.counter)
        if cstate is None or cstate.session_id != session.session_id or cstate.agent != session.agent:
            raise ApiError(401, "session_ended", "this session has ended (logged out or logged in elsewhere)")
        if not self.device_active(session.device):
            raise ApiError(401, "session_ended", "the keypad this session was opened on has been revoked")
        now = time.monotonic()
        last = self._last_used.get(session.session_id, now)
        if now - last > self.idle_s:
            raise ApiError(401, "session_idle", "the session expired after inactivity; log in again")
        self._last_used[session.session_id] = now
        return Principal(role="keypad", device=session.device, counter=session.counter, agent=session.agent,
                         session=session)

    def end_session(self, session_id: str) -> None:
        self._last_used.pop(session_id, None)

    def purge(self, state: BranchState) -> None:
        """Forget sessions no counter holds any more (logged out, replaced): the state check refuses them before
        their idle time is read, so what is kept is bounded by the number of counters (housekeeping)."""
        current = {c.session_id for c in state.counters.values() if c.session_id}
        for session_id in [s for s in self._last_used if s not in current]:
            del self._last_used[session_id]

    def __len__(self) -> int:
        return len(self._last_used)


def require(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"a {principal.role} may not do this (allowed: {', '.join(roles)})")


def require_agent(principal: Principal, counter: str) -> None:
    if principal.agent is None:
        raise ApiError(403, "agent_required", "this action needs an agent session (log in at the keypad)")
    if principal.counter != counter:
        raise ApiError(403, "wrong_counter", f"this session is for counter {principal.counter}, not {counter}")
