"""JSON views of the state for the API: what kiosks, displays and keypads read. No personal data here."""

from __future__ import annotations

import heapq
from typing import Any

from branch.calls import CallAcks
from queue_engine.calendar import iso_ms
from queue_engine.estimates import service_loads, ticket_estimate
from queue_engine.setup import BranchSetup
from queue_engine.state import BranchState, Ticket, TicketStatus


def _iso(ms: int | None) -> str | None:
    return None if ms is None else iso_ms(ms)


def ticket_view(state: BranchState, setup: BranchSetup, ticket: Ticket) -> dict[str, Any]:
    service = setup.services.get(ticket.service)
    view: dict[str, Any] = {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "service_names": dict(service.names) if service else {},
        "status": str(ticket.status),
        "day": ticket.day,
        "level": ticket.level,
        "category": ticket.category,
        "appointment_ref": ticket.appointment_ref,
        "late": ticket.late,
        "slot": _iso(ticket.slot_ms),
        "language": ticket.language,
        "issued_at": iso_ms(ticket.issued_ms),
        "counter": ticket.counter,
        "called_at": _iso(ticket.called_ms),
        "recalls": ticket.recalls,
        "people_ahead": None,
        "estimated_wait_s": None,
    }
    if ticket.status is TicketStatus.WAITING:
        view["people_ahead"], view["estimated_wait_s"] = ticket_estimate(state, setup, ticket)
    return view


def services_view(state: BranchState, setup: BranchSetup, now_ms: int) -> list[dict[str, Any]]:
    loads = {load.service: load for load in service_loads(state, setup)}
    out = []
    for service in setup.services.values():
        load = loads[service.id]
        open_now = service.hours is None or service.hours.is_open(now_ms, setup.timezone)
        opens = None if open_now or service.hours is None else service.hours.next_opening(now_ms, setup.timezone)
        out.append({
            "id": service.id,
            "prefix": service.prefix,
            "names": dict(service.names),
            "group": service.group,
            "open_now": open_now,
            "opens_at": None if opens is None else opens.isoformat(),  # local time with its offset
            "waiting": load.waiting,
            "open_counters": load.open_counters,
            "estimated_wait_s": load.estimated_wait_s,
        })
    return out


def waiting_counts(state: BranchState) -> tuple[dict[str, int], dict[str, int]]:
    """Waiting tickets per service and per target counter, in one pass (a counter's count is then a sum)."""
    by_service: dict[str, int] = {}
    by_target: dict[str, int] = {}
    for tid in state.waiting:
        ticket = state.tickets[tid]
        if ticket.target_counter is not None:
            by_target[ticket.target_counter] = by_target.get(ticket.target_counter, 0) + 1
        else:
            by_service[ticket.service] = by_service.get(ticket.service, 0) + 1
    return by_service, by_target


def counter_view(state: BranchState, setup: BranchSetup, counter_id: str, zone: str | None,
                 acks: CallAcks | None = None, displays: int = 0,
                 counts: tuple[dict[str, int], dict[str, int]] | None = None) -> dict[str, Any]:
    counter = setup.counters[counter_id]
    counter_state = state.counters.get(counter_id)
    current = None
    if counter_state is not None and counter_state.current is not None:
        ticket = state.tickets[counter_state.current]
        tally = acks.get(ticket.id, ticket.recalls) if acks is not None else None
        current = {"id": ticket.id, "number": ticket.number, "service": ticket.service, "status": str(ticket.status),
                   "called_at": _iso(ticket.called_ms), "issued_at": iso_ms(ticket.issued_ms),
                   "recalls": ticket.recalls,
                   "shown_on": len(tally.shown) if tally else 0, "announced_on": len(tally.announced) if tally else 0,
                   "displays": displays}
    by_service, by_target = counts if counts is not None else waiting_counts(state)
    waiting = by_target.get(counter_id, 0) + sum(by_service.get(link.service, 0) for link in counter.services)
    return {
        "id": counter_id,
        "names": dict(counter.names),
        "zone": zone,
        "services": [link.service for link in counter.services],
        "agent": counter_state.agent if counter_state else None,
        "paused": counter_state.paused if counter_state else None,
        "open": bool(counter_state and counter_state.open),
        "current": current,
        "waiting": waiting,
    }


def recent_calls(state: BranchState, limit: int = 10) -> list[dict[str, Any]]:
    called = heapq.nlargest(limit, (t for t in state.tickets.values() if t.called_ms is not None and t.counter),
                            key=lambda t: t.called_ms or 0)
    return [{"ticket_id": t.id, "number": t.number, "service": t.service, "counter": t.counter,
             "at": iso_ms(t.called_ms or 0), "recalls": t.recalls, "status": str(t.status)} for t in called]


#: /state lists the first waiting tickets only: what a keypad needs to call one by its digits, not a long day's queue
STATE_WAITING_LIMIT = 100


def waiting_list(state: BranchState, limit: int = STATE_WAITING_LIMIT) -> list[dict[str, Any]]:
    tickets = heapq.nsmallest(limit, (state.tickets[t] for t in state.waiting), key=Ticket.sort_key)
    return [{"id": t.id, "number": t.number, "service": t.service, "level": t.level,
             "issued_at": iso_ms(t.issued_ms), "target_counter": t.target_counter} for t in tickets]


def state_view(state: BranchState, setup: BranchSetup, seq: int, now_ms: int,
               zones: dict[str, str | None], branch_names: dict[str, str], acks: CallAcks | None = None,
               displays: int = 0) -> dict[str, Any]:
    """What a display or keypad starting up needs, bounded whatever the day's length: counters, services, the
    last calls, the first waiting tickets (with the total) and the parked ones."""
    counts = waiting_counts(state)
    return {
        "seq": seq,
        "day": state.day,
        "now": iso_ms(now_ms),
        "branch": {"id": setup.branch_id, "names": branch_names, "timezone": setup.timezone},
        "services": services_view(state, setup, now_ms),
        "counters": [counter_view(state, setup, cid, zones.get(cid), acks, displays, counts)
                     for cid in setup.counters],
        "recent_calls": recent_calls(state),
        "waiting": waiting_list(state),
        "waiting_total": len(state.waiting),
        "parked": [{"id": t.id, "number": t.number, "service": t.service}
                   for t in sorted((state.tickets[p] for p in state.parked), key=Ticket.sort_key)],
        "priority_categories": [{"id": p.id, "level": p.level, "names": dict(p.names)}
                                for p in setup.priority_categories.values()],
        "pause_reasons": list(setup.pause_reasons),
        "outcomes": list(setup.outcomes),
    }


class SnapshotCache:
    """The encoded /state, built once per change: keyed by what it shows (the event seq, the display acks, the
    displays online) and the second (estimates and opening hours move with time). Twenty clients polling between
    two commands cost one build, and a client reading after an event it received never gets an older snapshot."""

    def __init__(self) -> None:
        self._key: tuple = ()
        self._body = b""
        self.builds = 0

    def get(self, key: tuple, build) -> bytes:
        if key != self._key:
            self._body, self._key = build(), key
            self.builds += 1
        return self._body


def find_ticket(state: BranchState, ref: str) -> Ticket | None:
    """A ticket by id, or by today's number (what an agent types on a keypad, e.g. A-042 or A042)."""
    if ref in state.tickets:
        return state.tickets[ref]
    wanted = ref.upper().replace("-", "")
    for ticket in state.tickets.values():
        if ticket.day == state.day and ticket.number.replace("-", "") == wanted:
            return ticket
    return None
