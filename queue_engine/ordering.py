"""Which ticket a counter calls next. Every rule here reads `Rules`/`Counter` data; none is a special case.

Order of precedence:
1. tickets transferred to this very counter, in queue order;
2. tickets that waited longer than `aging_after_s` (oldest first), so nobody waits forever;
3. otherwise a priority level chosen by smooth weighted round robin over the levels that have candidates
   (weights `Rules.level_weights`: 2:1 gives two regular calls per priority call while both wait),
   then within that level a service by the counter's mode (fifo / ordered / weighted), then queue order.
Appointments take part through their queue time (slot minus the early window), see decide._issue.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_engine.setup import BranchSetup, Counter, CounterMode
from queue_engine.state import BranchState, CounterState, Ticket


@dataclass(frozen=True, slots=True)
class Pick:
    ticket: Ticket
    levels: tuple[int, ...] = ()
    level_weights: tuple[int, ...] = ()
    services: tuple[str, ...] = ()
    service_weights: tuple[int, ...] = ()


def candidates(state: BranchState, counter: Counter) -> list[Ticket]:
    """Waiting tickets this counter may call."""
    out = []
    for ticket_id in state.waiting:
        ticket = state.tickets[ticket_id]
        if ticket.target_counter == counter.id or (
            ticket.target_counter is None and counter.serves(ticket.service)
        ):
            out.append(ticket)
    return out


def _first(tickets: list[Ticket]) -> Ticket:
    return min(tickets, key=Ticket.sort_key)


def _smooth_wrr(credits: dict, weights: dict) -> object:
    """The class smooth weighted round robin would pick now (ties: the first key in `weights`)."""
    best, best_credit = None, None
    for key, weight in weights.items():
        credit = credits.get(key, 0) + weight
        if best_credit is None or credit > best_credit:
            best, best_credit = key, credit
    return best


def level_weight(setup: BranchSetup, level: int) -> int:
    weights = setup.rules.level_weights
    return weights[min(level, len(weights) - 1)]


def pick_next(state: BranchState, setup: BranchSetup, counter: Counter, now_ms: int) -> Pick | None:
    pool = candidates(state, counter)
    if not pool:
        return None
    targeted = [t for t in pool if t.target_counter == counter.id]
    if targeted:
        return Pick(_first(targeted))
    aging = setup.rules.aging_after_s
    if aging is not None:
        aged = [t for t in pool if now_ms - t.issued_ms >= aging * 1000]
        if aged:
            return Pick(min(aged, key=lambda t: (t.issued_ms, t.day_seq)))
    cstate = state.counter(counter.id)
    levels = sorted({t.level for t in pool}, reverse=True)  # higher level first wins credit ties
    pick = Pick(pool[0])
    if len(levels) > 1:
        weights = {lvl: level_weight(setup, lvl) for lvl in levels}
        chosen_level = _smooth_wrr(cstate.level_credits, weights)
        pool = [t for t in pool if t.level == chosen_level]
        pick = Pick(pool[0], tuple(weights), tuple(weights.values()))
    else:
        pool = [t for t in pool if t.level == levels[0]]
    return _pick_service(pick, pool, counter, cstate)


def _pick_service(pick: Pick, pool: list[Ticket], counter: Counter, cstate: CounterState) -> Pick:
    if counter.mode is CounterMode.FIFO:
        return Pick(_first(pool), pick.levels, pick.level_weights)
    present = {t.service for t in pool}
    links = [link for link in counter.services if link.service in present]
    if not links:  # only tickets whose service the counter no longer lists (config change): queue order
        return Pick(_first(pool), pick.levels, pick.level_weights)
    if counter.mode is CounterMode.ORDERED or len(links) == 1:
        chosen = links[0].service
        return Pick(_first([t for t in pool if t.service == chosen]), pick.levels, pick.level_weights)
    weights = {link.service: link.weight for link in links}
    chosen = _smooth_wrr(cstate.service_credits, weights)
    return Pick(
        _first([t for t in pool if t.service == chosen]), pick.levels, pick.level_weights,
        tuple(weights), tuple(weights.values()),
    )
