"""Domain events: named Noun + past verb, immutable, serialised as {"type", "data"}.

`at_ms` on every event is the instant the leader fixed for the command (epoch milliseconds, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar, TypeVar

_REGISTRY: dict[str, type[Event]] = {}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    at_ms: int
    TYPE: ClassVar[str] = ""

    @property
    def type(self) -> str:
        return self.TYPE

    def data(self) -> dict[str, Any]:
        """The payload without `at_ms` (the envelope carries the time). Fields are scalars or tuples of scalars."""
        names = _FIELD_NAMES.get(type(self))
        if names is None:
            names = _FIELD_NAMES[type(self)] = tuple(f.name for f in fields(self) if f.name != "at_ms")
        out = {}
        for name in names:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


E = TypeVar("E", bound=type)


def _event(cls: E) -> E:
    """Make an event class a frozen dataclass and register it under its name."""
    made = dataclass(frozen=True, slots=True, kw_only=True)(cls)
    made.TYPE = made.__name__
    _REGISTRY[made.__name__] = made
    return made


def event_from_dict(type_: str, data: dict[str, Any], at_ms: int) -> Event:
    """Rebuild an event from its stored form; unknown types or fields raise ValueError."""
    cls = _REGISTRY.get(type_)
    if cls is None:
        raise ValueError(f"unknown event type {type_!r}")
    names = {f.name for f in fields(cls)}
    extra = set(data) - names
    if extra:
        raise ValueError(f"{type_}: unknown fields {sorted(extra)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return cls(at_ms=at_ms, **values)


@_event
class BusinessDayStarted(Event):
    day: str  # ISO date of the business day


@_event
class TicketIssued(Event):
    ticket_id: str
    service: str
    number: str  # "A-042"
    day: str
    day_seq: int  # order of issue within the business day, all services
    level: int
    category: str | None
    appointment_ref: str | None
    slot_ms: int | None
    late: bool  # an appointment checked in after its grace window: queued as a walk-in
    language: str
    queue_ms: int  # the instant that places it in the queue (issue time, or slot - early window)


@_event
class TicketCalled(Event):
    ticket_id: str
    counter: str
    agent: str
    #: the pick's bookkeeping, so replay updates the fairness credits exactly as the leader did
    level: int
    levels: tuple[int, ...]  # priority levels that had candidates; empty for a direct call or an aged pick
    level_weights: tuple[int, ...]  # the weights the leader used for `levels` (config may change later)
    services: tuple[str, ...]  # services that had candidates, for weighted counters; else empty
    service_weights: tuple[int, ...]
    direct: bool  # called by id rather than by "next"


@_event
class TicketRecalled(Event):
    ticket_id: str
    counter: str
    agent: str
    recalls: int


@_event
class TicketServiceStarted(Event):
    ticket_id: str
    counter: str
    agent: str


@_event
class TicketServed(Event):
    ticket_id: str
    counter: str
    agent: str
    outcome: str | None
    implicit: bool  # finished because the agent called the next one or logged out


@_event
class TicketMarkedNoShow(Event):
    ticket_id: str
    counter: str
    agent: str
    reason: str  # "agent" or "recall_limit"


@_event
class TicketTransferred(Event):
    ticket_id: str
    counter: str
    agent: str
    to_service: str
    to_counter: str | None
    position: str  # front | back | original


@_event
class TicketParked(Event):
    ticket_id: str
    counter: str
    agent: str


@_event
class TicketReturned(Event):
    """A called or parked ticket goes back to waiting (front of its service unless said otherwise)."""

    ticket_id: str
    position: str
    reason: str  # "unparked" | "agent_left"


@_event
class TicketCancelled(Event):
    ticket_id: str
    reason: str


@_event
class TicketExpired(Event):
    ticket_id: str
    reason: str  # "day_ended" | "day_closed"


@_event
class AgentLoggedIn(Event):
    counter: str
    agent: str
    session_id: str
    method: str = "pin"  # "pin" | "fingerprint" (events logged before this field existed were PIN logins)


@_event
class AgentLoggedOut(Event):
    counter: str
    agent: str
    reason: str  # "logout" | "moved" | "replaced"


@_event
class CounterPaused(Event):
    counter: str
    agent: str
    reason: str


@_event
class CounterResumed(Event):
    counter: str
    agent: str


EVENT_TYPES: tuple[str, ...] = tuple(_REGISTRY)
