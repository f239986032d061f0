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

__all__ = ["ROLES", "AgentSession", "FailureThrottle", "SessionSigner", "TokenBucket", "hash_pin",
           "new_device_token", "new_pairing_code", "token_hash", "verify_pin", "well_formed_token"]

ROLES = ("kiosk", "display", "keypad", "admin", "metrics")

def new_device_token() -> str:
    return "sqd_" + secrets.token_urlsafe(32)


def well_formed_token(token: str) -> bool:
    """Tokens are printable ASCII (urlsafe base64 with a prefix): anything else is refused before it is hashed,
    so no byte a client sends can raise while checking it."""
    return 0 < len(token) <= 1024 and token.isascii() and token.isprintable()


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
        if len(self._buckets) > 10_000:  # bound memory against many keys, never by forgetting an empty bucket
            self.purge()
        return (1 - tokens) / self.rate

    def reserve(self, key: str) -> float:
        """Take a token even when there is none (the balance goes negative): the seconds until it would have been
        there. Parallel requests queue behind each other instead of all waiting the same short while."""
        now = self.clock()
        tokens, stamp = self._buckets.get(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate) - 1
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > 10_000:
            self.purge()
        return max(0.0, -tokens / self.rate)

    def purge(self) -> None:
        """Forget keys whose bucket has refilled: they behave exactly like a key never seen."""
        now = self.clock()
        full = [k for k, (tokens, stamp) in self._buckets.items() if tokens + (now - stamp) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


class FailureThrottle:
    """Growing delays after failed credentials, per key (a keypad and an agent; a keypad's fingerprint slots).

    The first `free` failures cost nothing (a person mistypes); each one after that makes the key wait
    `base_s`, then twice as long, up to `max_s`. Keyed by the device as well as the agent, so a keypad guessing
    alice's PIN slows itself down and never locks alice out of the keypad she really uses. A success clears the
    key; keys whose last failure is older than `max_s` are forgotten (`purge`), so memory stays bounded.
    """

    def __init__(self, free: int, base_s: float, max_s: float, clock=time.monotonic) -> None:
        self.free, self.base_s, self.max_s, self.clock = free, base_s, max_s, clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (failures, when the last one happened)

    def wait_for(self, key: str) -> float:
        """Seconds `key` must still wait before its next attempt (0: it may try now)."""
        count, last = self._failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        return max(0.0, last + self.delay(count) - self.clock())

    def delay(self, count: int) -> float:
        """The wait after the `count`-th consecutive failure."""
        return 0.0 if count < self.free else min(self.max_s, self.base_s * 2 ** (count - self.free))

    def failed(self, key: str) -> float:
        """Record a failure; returns the wait it now costs."""
        count = self._failures.get(key, (0, 0.0))[0] + 1
        self._failures[key] = (count, self.clock())
        if len(self._failures) > 10_000:
            self.purge()
        return self.delay(count)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def purge(self) -> None:
        """Forget keys whose last failure is long past (called by the node's housekeeping)."""
        now = self.clock()
        for key in [k for k, (_, last) in self._failures.items() if now - last > self.max_s]:
            del self._failures[key]

    def __len__(self) -> int:
        return len(self._failures)
