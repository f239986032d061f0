"""Credentials: agent PINs (scrypt), device tokens (random, stored hashed), agent sessions (HMAC-signed).

Agent sessions are signed rather than stored: any node holding the branch secret can check one, and the
engine's state (the session id of the agent logged in at the counter) decides whether it is still valid, so a
logout or a login elsewhere revokes it everywhere at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from ground.hashing import hash_pin, token_hash, verify_pin

__all__ = ["ROLES", "AgentSession", "SessionSigner", "hash_pin", "new_device_token", "new_pairing_code",
           "token_hash", "verify_pin"]

ROLES = ("kiosk", "display", "keypad", "admin")

def new_device_token() -> str:
    return "sqd_" + secrets.token_urlsafe(32)




def new_pairing_code() -> str:
    """Eight digits, easy to type on a kiosk; single use, short-lived, attempts rate-limited."""
    return f"{secrets.randbelow(10**8):08d}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class AgentSession:
    agent: str
    counter: str
    device: str
    session_id: str
    expires_ms: int


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, session: AgentSession) -> str:
        body = _b64(json.dumps([session.agent, session.counter, session.device, session.session_id,
                                session.expires_ms], separators=(",", ":")).encode())
        mac = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        return f"sqs_{body}.{mac}"

    def check(self, token: str, now_ms: int) -> AgentSession | None:
        """The session a token carries if it is authentic and not expired; None otherwise."""
        if not token.startswith("sqs_") or token.count(".") != 1 or len(token) > 1024:
            return None
        body, mac = token[4:].split(".")
        expected = _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(mac, expected):
            return None
        try:
            agent, counter, device, session_id, expires_ms = json.loads(_unb64(body))
        except (ValueError, TypeError):
            return None
        if expires_ms <= now_ms:
            return None
        return AgentSession(agent, counter, device, session_id, expires_ms)


class TokenBucket:
    """Per-key rate limit: `rate` tokens per second, `burst` at most. Clock injectable for tests."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 if allowed, else the seconds to wait before the next request would be."""
        now = self.clock()
        tokens, stamp = self._buckets.get(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 10_000:  # bound memory against many keys
            self._buckets.clear()
        return (1 - tokens) / self.rate


class PinGuard:
    """Locks an agent out after too many wrong PINs, so a 4-digit PIN cannot be guessed from a keypad."""

    def __init__(self, attempts: int, lockout_s: float, clock=time.monotonic) -> None:
        self.attempts, self.lockout_s, self.clock = attempts, lockout_s, clock
        self._failures: dict[str, list[float]] = {}

    def locked_for(self, agent: str) -> float:
        failures = [t for t in self._failures.get(agent, []) if self.clock() - t < self.lockout_s]
        self._failures[agent] = failures
        if len(failures) >= self.attempts:
            return self.lockout_s - (self.clock() - failures[-self.attempts])
        return 0.0

    def failed(self, agent: str) -> None:
        self._failures.setdefault(agent, []).append(self.clock())

    def succeeded(self, agent: str) -> None:
        self._failures.pop(agent, None)
