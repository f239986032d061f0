"""Wait estimates and people ahead, for the kiosk, the display and the ticket.

A deliberately simple, explainable model: people ahead in the ticket's service (higher priority levels
count as ahead), times the mean of recent service times, shared among the counters open for that service.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_engine.setup import BranchSetup
from queue_engine.state import BranchState, Ticket


@dataclass(frozen=True, slots=True)
class ServiceLoad:
    service: str
    waiting: int
    open_counters: int
    mean_service_s: float
    estimated_wait_s: int | None  # for a ticket taken now; None when no counter is open for the service


def mean_service_s(state: BranchState, setup: BranchSetup, service: str) -> float:
    window = state.recent_service_ms.get(service)
    if window:
        return sum(window) / len(window) / 1000
    return float(setup.services[service].default_service_s)


def open_counters(state: BranchState, setup: BranchSetup, service: str) -> tuple[int, int]:
    """(open counters serving the service, how many of them are free right now)."""
    total = free = 0
    for counter in setup.counters.values():
        cstate = state.counters.get(counter.id)
        if cstate is not None and cstate.open and counter.serves(service):
            total += 1
            free += cstate.current is None
    return total, free


def people_ahead(state: BranchState, ticket: Ticket) -> int:
    key = ticket.sort_key()
    ahead = 0
    for other_id in state.waiting:
        other = state.tickets[other_id]
        if other.id == ticket.id or other.service != ticket.service:
            continue
        if other.target_counter is not None and other.target_counter != ticket.target_counter:
            continue
        if other.level > ticket.level or (other.level == ticket.level and other.sort_key() < key):
            ahead += 1
    return ahead


def estimate_wait_s(state: BranchState, setup: BranchSetup, service: str, ahead: int) -> int | None:
    total, free = open_counters(state, setup, service)
    if total == 0:
        return None
    if ahead < free:
        return 0
    return round((ahead - free + 0.5) * mean_service_s(state, setup, service) / total)


def ticket_estimate(state: BranchState, setup: BranchSetup, ticket: Ticket) -> tuple[int, int | None]:
    """(people ahead, estimated wait in seconds or None) for a waiting ticket."""
    ahead = people_ahead(state, ticket)
    return ahead, estimate_wait_s(state, setup, ticket.service, ahead)


def service_loads(state: BranchState, setup: BranchSetup) -> list[ServiceLoad]:
    waiting: dict[str, int] = dict.fromkeys(setup.services, 0)
    for ticket_id in state.waiting:
        service = state.tickets[ticket_id].service
        waiting[service] = waiting.get(service, 0) + 1
    loads = []
    for service in setup.services:
        total, _ = open_counters(state, setup, service)
        loads.append(ServiceLoad(
            service=service, waiting=waiting[service], open_counters=total,
            mean_service_s=mean_service_s(state, setup, service),
            estimated_wait_s=estimate_wait_s(state, setup, service, waiting[service]),
        ))
    return loads
