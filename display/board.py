"""What the board knows, rebuilt from the node's `state()` snapshot then kept current by its events. No Qt here.

Why a local projection and not a `state()` fetch per event: a call must reach the screen within 100 ms and the
snapshot grows with the day; the events carry all a call needs once the ticket's number is known (from the
snapshot or its `TicketIssued`). Waiting counts and estimates, which need the engine's rules, are refreshed from
`state()` now and then instead (`replace_services`).

Zones: a board with a zone keeps the calls of that zone's counters and the services those counters serve.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

#: Events after which a ticket no longer stands at a counter.
ENDS_CALL = frozenset({"TicketServed", "TicketMarkedNoShow", "TicketTransferred", "TicketParked",
                       "TicketReturned", "TicketCancelled", "TicketExpired"})
#: Events after which the ticket is gone for good (its number is no longer needed).
FORGETS_TICKET = frozenset({"TicketServed", "TicketMarkedNoShow", "TicketCancelled", "TicketExpired"})
#: Events that change who waits where (the services panel needs a refresh).
MOVES_QUEUE = frozenset({"TicketIssued", "TicketCalled", "TicketTransferred", "TicketReturned", "TicketCancelled",
                         "TicketExpired", "TicketParked", "AgentLoggedIn", "AgentLoggedOut", "CounterPaused",
                         "CounterResumed", "BusinessDayStarted", "TicketServed", "TicketMarkedNoShow"})
MAX_TICKETS = 20000  # a guard only: finished tickets are forgotten, and a new day forgets everything


@dataclass(frozen=True, slots=True)
class Call:
    """One call of a ticket to a counter; a recall is a new call (same ticket, recalls + 1)."""

    ticket_id: str
    number: str
    service: str
    counter: str
    recalls: int
    at: str = ""
    seq: int = 0  # the event's sequence number; 0 when it came from a snapshot

    @property
    def key(self) -> tuple[str, int]:
        return (self.ticket_id, self.recalls)


@dataclass(slots=True)
class Counter:
    id: str
    names: dict[str, str]
    zone: str | None
    services: list[str]
    open: bool = False
    paused: bool = False
    current: Call | None = None


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    prefix: str
    names: dict[str, str]
    waiting: int
    open_counters: int
    estimated_wait_s: float | None
    open_now: bool


@dataclass(slots=True)
class Change:
    """What an event changed, for the view-model: redraw the calls, announce a call, refresh the services."""

    calls: bool = False
    new_call: Call | None = None
    services_stale: bool = False
    counters: bool = False


@dataclass
class BoardModel:
    zone: str | None = None
    recent_limit: int = 6
    calling_max: int = 3
    seq: int = 0
    node_now: str = ""  # the node's clock at the last snapshot (ISO 8601), to age calls by the node's time
    day: str | None = None
    branch_names: dict[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    counters: dict[str, Counter] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)  # newest first, this zone only, one entry per ticket
    _tickets: OrderedDict[str, tuple[str, str]] = field(default_factory=OrderedDict)  # id -> (number, service)

    # -- snapshot ---------------------------------------------------------------------------------------------------

    def load(self, snapshot: dict[str, Any]) -> None:
        """Start over from `NodeClient.state()`; events up to its `seq` are in it."""
        self.seq = int(snapshot["seq"])
        self.day = snapshot.get("day")
        self.node_now = snapshot.get("now") or ""
        branch = snapshot.get("branch") or {}
        self.branch_names = dict(branch.get("names") or {})
        self.timezone = branch.get("timezone") or self.timezone
        self._tickets.clear()
        for item in snapshot.get("waiting", []) + snapshot.get("parked", []):
            self._remember(item["id"], item["number"], item["service"])
        for item in snapshot.get("recent_calls", []):
            self._remember(item["ticket_id"], item["number"], item["service"])
        self.counters = {}
        for raw in snapshot.get("counters", []):
            counter = Counter(raw["id"], dict(raw.get("names") or {}), raw.get("zone"), list(raw.get("services", [])),
                              bool(raw.get("open")), bool(raw.get("paused")))
            current = raw.get("current")
            if current and current.get("status") in ("called", "serving"):
                self._remember(current["id"], current["number"], current["service"])
                counter.current = Call(current["id"], current["number"], current["service"], raw["id"],
                                       int(current.get("recalls", 0)), current.get("called_at") or "")
            self.counters[counter.id] = counter
        self.calls = [Call(c["ticket_id"], c["number"], c["service"], c["counter"], int(c.get("recalls", 0)),
                           c.get("at") or "") for c in snapshot.get("recent_calls", []) if self.in_zone(c["counter"])]
        # the snapshot lists the newest calls only: a call standing at a counter of a large branch may be older
        listed = {c.ticket_id for c in self.calls}
        standing = [c.current for c in self.counters.values()
                    if c.current is not None and c.current.ticket_id not in listed and self.in_zone(c.id)]
        if standing:
            self.calls = sorted(self.calls + standing, key=lambda c: c.at, reverse=True)
        self._trim()
        self.replace_services(snapshot)

    def replace_services(self, snapshot: dict[str, Any]) -> None:
        """Waiting counts and estimates from a (newer) snapshot; the zone's services only."""
        served = self.zone_services()
        self.services = [Service(s["id"], s["prefix"], dict(s.get("names") or {}), int(s.get("waiting", 0)),
                                 int(s.get("open_counters", 0)), s.get("estimated_wait_s"), bool(s.get("open_now")))
                         for s in snapshot.get("services", []) if served is None or s["id"] in served]
        for raw in snapshot.get("counters", []):
            counter = self.counters.get(raw["id"])
            if counter is not None:
                counter.open, counter.paused = bool(raw.get("open")), bool(raw.get("paused"))

    # -- zone -------------------------------------------------------------------------------------------------------

    def in_zone(self, counter_id: str) -> bool:
        if self.zone is None:
            return True
        counter = self.counters.get(counter_id)
        return counter is not None and counter.zone == self.zone

    def zone_services(self) -> set[str] | None:
        if self.zone is None:
            return None
        return {s for c in self.counters.values() if c.zone == self.zone for s in c.services}

    def still_current(self, call: Call) -> bool:
        """Is this call still the one standing at its counter (same ticket, same recall)?"""
        counter = self.counters.get(call.counter)
        return counter is not None and counter.current is not None and counter.current.key == call.key

    # -- events -----------------------------------------------------------------------------------------------------

    def apply(self, envelope: dict[str, Any]) -> Change:
        """Apply one event envelope; events already in the snapshot (seq ≤ self.seq) are ignored."""
        seq = int(envelope.get("seq") or 0)
        change = Change()
        if seq <= self.seq:
            return change
        self.seq = seq
        kind, data = envelope.get("type", ""), envelope.get("data") or {}
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, data, envelope, change)
        change.services_stale = kind in MOVES_QUEUE
        return change

    def _issued(self, data: dict, envelope: dict, change: Change) -> None:
        self._remember(data["ticket_id"], data["number"], data["service"])

    def _called(self, data: dict, envelope: dict, change: Change) -> None:
        ticket = self._tickets.get(data["ticket_id"])
        counter = self.counters.get(data["counter"])
        if ticket is None or counter is None:
            return  # not ours to show (unknown counter) or a number we never saw; the next refresh shows it
        call = Call(data["ticket_id"], ticket[0], ticket[1], data["counter"], int(data.get("recalls", 0)),
                    envelope.get("at") or "", int(envelope.get("seq") or 0))
        self._stand(counter, call, change)

    def _recalled(self, data: dict, envelope: dict, change: Change) -> None:
        counter = self.counters.get(data["counter"])
        ticket = self._tickets.get(data["ticket_id"])
        if counter is None or ticket is None:
            return
        call = Call(data["ticket_id"], ticket[0], ticket[1], data["counter"], int(data["recalls"]),
                    envelope.get("at") or "", int(envelope.get("seq") or 0))
        self._stand(counter, call, change)

    def _stand(self, counter: Counter, call: Call, change: Change) -> None:
        counter.current = call
        if not self.in_zone(counter.id):
            return
        self.calls = [call] + [c for c in self.calls if c.ticket_id != call.ticket_id]
        self._trim()
        change.calls = True
        change.new_call = call

    def _ended(self, data: dict, envelope: dict, change: Change) -> None:
        ticket_id = data["ticket_id"]
        for counter in self.counters.values():
            if counter.current is not None and counter.current.ticket_id == ticket_id:
                counter.current = None
                change.calls = change.calls or self.in_zone(counter.id)
        kind = envelope.get("type")
        if kind == "TicketTransferred" and ticket_id in self._tickets:
            self._tickets[ticket_id] = (self._tickets[ticket_id][0], data["to_service"])
        elif kind in FORGETS_TICKET:
            self._tickets.pop(ticket_id, None)

    def _counter_flags(self, data: dict, envelope: dict, change: Change) -> None:
        counter = self.counters.get(data["counter"])
        if counter is None:
            return
        kind = envelope.get("type")
        if kind == "AgentLoggedIn":
            counter.open, counter.paused = True, False
        elif kind == "AgentLoggedOut":
            counter.open, counter.paused = False, False
        else:
            counter.paused = kind == "CounterPaused"
        change.counters = True

    def _new_day(self, data: dict, envelope: dict, change: Change) -> None:
        self.day = data.get("day")
        self._tickets.clear()
        self.calls = []
        for counter in self.counters.values():
            counter.current = None
        change.calls = True

    # -- helpers ----------------------------------------------------------------------------------------------------

    def _remember(self, ticket_id: str, number: str, service: str) -> None:
        self._tickets[ticket_id] = (number, service)
        self._tickets.move_to_end(ticket_id)
        while len(self._tickets) > MAX_TICKETS:
            self._tickets.popitem(last=False)

    def _trim(self) -> None:
        """Keep every call still standing at a counter (the board must show each one), and the newest others: up
        to `recent_limit + calling_max` calls in all, or `recent_limit` others when more calls stand."""
        standing = [self.still_current(c) for c in self.calls]
        room = max(self.recent_limit, self.recent_limit + self.calling_max - sum(standing))
        kept = []
        for call, stands in zip(self.calls, standing, strict=True):
            if stands or room > 0:
                kept.append(call)
                room -= not stands
        self.calls = kept

    @property
    def known_tickets(self) -> int:
        return len(self._tickets)


_HANDLERS = {
    "TicketIssued": BoardModel._issued,
    "TicketCalled": BoardModel._called,
    "TicketRecalled": BoardModel._recalled,
    **{kind: BoardModel._ended for kind in ENDS_CALL},
    "AgentLoggedIn": BoardModel._counter_flags,
    "AgentLoggedOut": BoardModel._counter_flags,
    "CounterPaused": BoardModel._counter_flags,
    "CounterResumed": BoardModel._counter_flags,
    "BusinessDayStarted": BoardModel._new_day,
}
