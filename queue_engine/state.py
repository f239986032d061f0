"""The branch's state, rebuilt from events. `apply` is the only place state changes."""

from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from queue_engine import events as ev


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    SERVED = "served"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED})

FRONT, NORMAL = 0, 1  # queue bands: a ticket transferred or returned "to the front" sorts before the rest


@dataclass(slots=True)
class Ticket:
    id: str
    service: str
    number: str
    day: str
    day_seq: int
    level: int
    category: str | None
    appointment_ref: str | None
    slot_ms: int | None
    late: bool
    language: str
    issued_ms: int
    band: int = NORMAL
    sort_ms: int = 0  # position inside the band
    status: TicketStatus = TicketStatus.WAITING
    counter: str | None = None  # where it is called/served
    target_counter: str | None = None  # only this counter may call it (after a transfer to a counter)
    agent: str | None = None
    first_called_ms: int | None = None
    called_ms: int | None = None
    started_ms: int | None = None
    finished_ms: int | None = None
    recalls: int = 0
    transfers: int = 0
    outcome: str | None = None
    end_reason: str | None = None

    def sort_key(self) -> tuple[int, int, int]:
        return (self.band, self.sort_ms, self.day_seq)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ticket:
        ticket = cls(**data)
        ticket.status = TicketStatus(ticket.status)
        return ticket


@dataclass(slots=True)
class CounterState:
    id: str
    agent: str | None = None
    session_id: str | None = None
    paused: str | None = None  # pause reason while paused
    current: str | None = None  # ticket id called or being served here
    level_credits: dict[int, int] = field(default_factory=dict)
    service_credits: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return self.agent is not None and self.paused is None


@dataclass(slots=True)
class BranchState:
    """Everything the rules need. Tickets of finished days are dropped at rollover (they live in the store)."""

    day: str | None = None
    day_seq: int = 0
    last_ms: int = 0
    tickets: dict[str, Ticket] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)
    parked: set[str] = field(default_factory=set)
    counters: dict[str, CounterState] = field(default_factory=dict)
    issued_per_service: dict[str, int] = field(default_factory=dict)
    appointments: dict[str, str] = field(default_factory=dict)  # appointment ref → ticket id, this day
    agent_counter: dict[str, str] = field(default_factory=dict)  # agent → counter they are logged in at
    recent_service_ms: dict[str, deque[int]] = field(default_factory=dict)
    estimate_window: int = 20

    # -- queries -----------------------------------------------------------------------------------------

    def counter(self, counter_id: str) -> CounterState:
        state = self.counters.get(counter_id)
        if state is None:
            state = self.counters[counter_id] = CounterState(counter_id)
        return state

    def waiting_tickets(self) -> list[Ticket]:
        return [self.tickets[t] for t in self.waiting]

    def copy(self) -> BranchState:
        return copy.deepcopy(self)

    def snapshot_copy(self) -> BranchState:
        """A copy independent of later events, much cheaper than deepcopy (tickets hold only scalars)."""
        return BranchState(
            day=self.day, day_seq=self.day_seq, last_ms=self.last_ms,
            tickets={tid: copy.copy(t) for tid, t in self.tickets.items()},
            waiting=set(self.waiting), parked=set(self.parked),
            counters={cid: CounterState(c.id, c.agent, c.session_id, c.paused, c.current, dict(c.level_credits),
                                        dict(c.service_credits)) for cid, c in self.counters.items()},
            issued_per_service=dict(self.issued_per_service), appointments=dict(self.appointments),
            agent_counter=dict(self.agent_counter),
            recent_service_ms={k: deque(v, maxlen=v.maxlen) for k, v in self.recent_service_ms.items()},
            estimate_window=self.estimate_window,
        )

    # -- the one mutator -----------------------------------------------------------------------------------

    def apply(self, event: ev.Event) -> None:
        handler = _HANDLERS[type(event)]
        handler(self, event)
        self.last_ms = max(self.last_ms, event.at_ms)

    # -- snapshots ------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "day_seq": self.day_seq,
            "last_ms": self.last_ms,
            "tickets": [t.to_dict() for t in self.tickets.values()],
            "counters": [
                {
                    "id": c.id, "agent": c.agent, "session_id": c.session_id, "paused": c.paused,
                    "current": c.current, "level_credits": {str(k): v for k, v in c.level_credits.items()},
                    "service_credits": c.service_credits,
                }
                for c in self.counters.values()
            ],
            "issued_per_service": self.issued_per_service,
            "appointments": self.appointments,
            "recent_service_ms": {k: list(v) for k, v in self.recent_service_ms.items()},
            "estimate_window": self.estimate_window,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BranchState:
        state = cls(day=data["day"], day_seq=data["day_seq"], last_ms=data["last_ms"],
                    estimate_window=data["estimate_window"])
        for raw in data["tickets"]:
            ticket = Ticket.from_dict(raw)
            state.tickets[ticket.id] = ticket
            if ticket.status is TicketStatus.WAITING:
                state.waiting.add(ticket.id)
            elif ticket.status is TicketStatus.PARKED:
                state.parked.add(ticket.id)
        for raw in data["counters"]:
            counter = CounterState(
                raw["id"], raw["agent"], raw["session_id"], raw["paused"], raw["current"],
                {int(k): v for k, v in raw["level_credits"].items()}, dict(raw["service_credits"]),
            )
            state.counters[counter.id] = counter
            if counter.agent:
                state.agent_counter[counter.agent] = counter.id
        state.issued_per_service = dict(data["issued_per_service"])
        state.appointments = dict(data["appointments"])
        state.recent_service_ms = {
            k: deque(v, maxlen=state.estimate_window) for k, v in data["recent_service_ms"].items()
        }
        return state


# -- event handlers ----------------------------------------------------------------------------------------


def _day_started(s: BranchState, e: ev.BusinessDayStarted) -> None:
    s.day = e.day
    s.day_seq = 0
    s.issued_per_service.clear()
    s.appointments.clear()
    s.tickets = {tid: t for tid, t in s.tickets.items() if t.status in ACTIVE}


def _issued(s: BranchState, e: ev.TicketIssued) -> None:
    s.day_seq = e.day_seq
    s.issued_per_service[e.service] = s.issued_per_service.get(e.service, 0) + 1
    s.tickets[e.ticket_id] = Ticket(
        id=e.ticket_id, service=e.service, number=e.number, day=e.day, day_seq=e.day_seq, level=e.level,
        category=e.category, appointment_ref=e.appointment_ref, slot_ms=e.slot_ms, late=e.late,
        language=e.language, issued_ms=e.at_ms, sort_ms=e.queue_ms,
    )
    s.waiting.add(e.ticket_id)
    if e.appointment_ref:
        s.appointments[e.appointment_ref] = e.ticket_id


def _swrr(credits: dict[Any, int], weights: dict[Any, int], chosen: Any) -> None:
    """Smooth weighted round robin (as in nginx): every eligible class earns its weight, the chosen pays all."""
    for key, weight in weights.items():
        credits[key] = credits.get(key, 0) + weight
    credits[chosen] = credits.get(chosen, 0) - sum(weights.values())


def _called(s: BranchState, e: ev.TicketCalled) -> None:
    t = s.tickets[e.ticket_id]
    s.waiting.discard(t.id)
    s.parked.discard(t.id)
    t.status = TicketStatus.CALLED
    t.counter, t.agent, t.target_counter = e.counter, e.agent, None
    t.called_ms = e.at_ms
    if t.first_called_ms is None:
        t.first_called_ms = e.at_ms
    counter = s.counter(e.counter)
    counter.current = t.id
    if e.levels:
        _swrr(counter.level_credits, dict(zip(e.levels, e.level_weights, strict=True)), e.level)
    if e.services:
        _swrr(counter.service_credits, dict(zip(e.services, e.service_weights, strict=True)), t.service)


def _recalled(s: BranchState, e: ev.TicketRecalled) -> None:
    t = s.tickets[e.ticket_id]
    t.recalls = e.recalls
    t.called_ms = e.at_ms


def _started(s: BranchState, e: ev.TicketServiceStarted) -> None:
    t = s.tickets[e.ticket_id]
    t.status = TicketStatus.SERVING
    t.started_ms = e.at_ms


def _leave_counter(s: BranchState, t: Ticket) -> None:
    if t.counter is not None:
        counter = s.counter(t.counter)
        if counter.current == t.id:
            counter.current = None


def _finish(s: BranchState, t: Ticket, status: TicketStatus, at_ms: int, reason: str | None) -> None:
    _leave_counter(s, t)
    s.waiting.discard(t.id)
    s.parked.discard(t.id)
    t.status = status
    t.finished_ms = at_ms
    t.end_reason = reason


def _served(s: BranchState, e: ev.TicketServed) -> None:
    t = s.tickets[e.ticket_id]
    began = t.started_ms if t.started_ms is not None else t.called_ms
    if began is not None:
        window = s.recent_service_ms.setdefault(t.service, deque(maxlen=s.estimate_window))
        window.append(max(0, e.at_ms - began))
    t.outcome = e.outcome
    _finish(s, t, TicketStatus.SERVED, e.at_ms, "implicit" if e.implicit else None)


def _no_show(s: BranchState, e: ev.TicketMarkedNoShow) -> None:
    _finish(s, s.tickets[e.ticket_id], TicketStatus.NO_SHOW, e.at_ms, e.reason)


def _requeue(s: BranchState, t: Ticket, position: str, at_ms: int) -> None:
    _leave_counter(s, t)
    s.parked.discard(t.id)
    t.status = TicketStatus.WAITING
    t.counter = None
    t.called_ms = None
    t.started_ms = None
    if position == "front":
        t.band, t.sort_ms = FRONT, at_ms
    elif position == "back":
        t.band, t.sort_ms = NORMAL, at_ms
    s.waiting.add(t.id)


def _transferred(s: BranchState, e: ev.TicketTransferred) -> None:
    t = s.tickets[e.ticket_id]
    t.service = e.to_service
    t.transfers += 1
    t.recalls = 0
    _requeue(s, t, e.position, e.at_ms)
    t.target_counter = e.to_counter


def _parked(s: BranchState, e: ev.TicketParked) -> None:
    t = s.tickets[e.ticket_id]
    _leave_counter(s, t)
    t.status = TicketStatus.PARKED
    s.parked.add(t.id)


def _returned(s: BranchState, e: ev.TicketReturned) -> None:
    _requeue(s, s.tickets[e.ticket_id], e.position, e.at_ms)


def _cancelled(s: BranchState, e: ev.TicketCancelled) -> None:
    _finish(s, s.tickets[e.ticket_id], TicketStatus.CANCELLED, e.at_ms, e.reason)


def _expired(s: BranchState, e: ev.TicketExpired) -> None:
    _finish(s, s.tickets[e.ticket_id], TicketStatus.EXPIRED, e.at_ms, e.reason)


def _logged_in(s: BranchState, e: ev.AgentLoggedIn) -> None:
    counter = s.counter(e.counter)
    counter.agent, counter.session_id, counter.paused = e.agent, e.session_id, None
    s.agent_counter[e.agent] = e.counter


def _logged_out(s: BranchState, e: ev.AgentLoggedOut) -> None:
    counter = s.counter(e.counter)
    if counter.agent == e.agent:
        counter.agent, counter.session_id, counter.paused = None, None, None
    if s.agent_counter.get(e.agent) == e.counter:
        del s.agent_counter[e.agent]


def _paused(s: BranchState, e: ev.CounterPaused) -> None:
    s.counter(e.counter).paused = e.reason


def _resumed(s: BranchState, e: ev.CounterResumed) -> None:
    s.counter(e.counter).paused = None


_HANDLERS: dict[type[ev.Event], Any] = {
    ev.BusinessDayStarted: _day_started,
    ev.TicketIssued: _issued,
    ev.TicketCalled: _called,
    ev.TicketRecalled: _recalled,
    ev.TicketServiceStarted: _started,
    ev.TicketServed: _served,
    ev.TicketMarkedNoShow: _no_show,
    ev.TicketTransferred: _transferred,
    ev.TicketParked: _parked,
    ev.TicketReturned: _returned,
    ev.TicketCancelled: _cancelled,
    ev.TicketExpired: _expired,
    ev.AgentLoggedIn: _logged_in,
    ev.AgentLoggedOut: _logged_out,
    ev.CounterPaused: _paused,
    ev.CounterResumed: _resumed,
}
