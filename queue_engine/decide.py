"""decide(state, setup, command) -> events: the queue's rules. Pure: it reads state and never changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from queue_engine import commands as cmd
from queue_engine import events as ev
from queue_engine.calendar import business_day
from queue_engine.errors import DomainError, not_found
from queue_engine.ordering import pick_next
from queue_engine.setup import BranchSetup
from queue_engine.state import ACTIVE, BranchState, Ticket, TicketStatus

POSITIONS = ("front", "back", "original")


def decide(state: BranchState, setup: BranchSetup, command: cmd.Command) -> list[ev.Event]:
    """The events a command produces, or DomainError. Rolls the business day over first when it has changed.

    The business day only moves forward: a clock stepping back never reopens yesterday or renumbers tickets.
    """
    day = business_day(command.at_ms, setup.timezone, setup.day_start_minute).isoformat()
    events: list[ev.Event] = []
    if state.day is None or day > state.day:
        events = _rollover(state, day, command.at_ms)
        state = state.copy() if state.tickets else BranchState(estimate_window=state.estimate_window)
        for event in events:
            state.apply(event)
    decider = _DECIDERS[type(command)]
    return events + decider(state, setup, command)


def _rollover(state: BranchState, day: str, at_ms: int) -> list[ev.Event]:
    expired = sorted((t for t in state.tickets.values() if t.status in ACTIVE), key=lambda t: t.day_seq)
    out: list[ev.Event] = [ev.TicketExpired(at_ms=at_ms, ticket_id=t.id, reason="day_ended") for t in expired]
    out.append(ev.BusinessDayStarted(at_ms=at_ms, day=day))
    return out


def _start_day(state: BranchState, setup: BranchSetup, c: cmd.StartDay) -> list[ev.Event]:
    return []


def _close_day(state: BranchState, setup: BranchSetup, c: cmd.CloseDay) -> list[ev.Event]:
    open_tickets = sorted((t for t in state.tickets.values() if t.status in ACTIVE), key=lambda t: t.day_seq)
    return [ev.TicketExpired(at_ms=c.at_ms, ticket_id=t.id, reason=c.reason) for t in open_tickets]


# -- issuing -------------------------------------------------------------------------------------------------


def _issue(state: BranchState, setup: BranchSetup, c: cmd.IssueTicket) -> list[ev.Event]:
    service = setup.services.get(c.service)
    if service is None:
        raise not_found("service", c.service)
    if c.ticket_id in state.tickets:
        raise DomainError("duplicate_ticket_id", f"ticket id {c.ticket_id!r} already exists", kind="conflict")
    if service.hours is not None and not service.hours.is_open(c.at_ms, setup.timezone):
        raise DomainError("service_closed", f"service {service.id!r} is closed now", service=service.id)
    issued = state.issued_per_service.get(service.id, 0)
    if service.daily_limit is not None and issued >= service.daily_limit:
        raise DomainError("service_full", f"service {service.id!r} reached its daily limit", service=service.id)
    level = _level(setup, c)
    queue_ms, late = c.at_ms, False
    if c.appointment_ref is not None:
        queue_ms, late = _appointment_place(state, setup, c)
    number = issued + 1
    return [
        ev.TicketIssued(
            at_ms=c.at_ms, ticket_id=c.ticket_id, service=service.id, number=f"{service.prefix}-{number:03d}",
            day=state.day or "", day_seq=state.day_seq + 1, level=level, category=c.category,
            appointment_ref=c.appointment_ref, slot_ms=c.slot_ms, late=late, language=c.language,
            queue_ms=queue_ms,
        )
    ]


def _level(setup: BranchSetup, c: cmd.IssueTicket) -> int:
    if c.category is not None:
        category = setup.priority_categories.get(c.category)
        if category is None:
            raise not_found("priority_category", c.category)
        return category.level
    level = c.level or 0
    if not 0 <= level <= setup.max_level:
        raise DomainError("invalid_priority", f"priority level must be 0..{setup.max_level}", kind="invalid")
    return level


def _appointment_place(state: BranchState, setup: BranchSetup, c: cmd.IssueTicket) -> tuple[int, bool]:
    """Where an appointment enters the queue: near its slot when on time, as a walk-in when late."""
    if c.slot_ms is None:
        raise DomainError("appointment_without_slot", "an appointment needs its slot time", kind="invalid")
    if c.appointment_ref in state.appointments:
        existing = state.tickets.get(state.appointments[c.appointment_ref])
        raise DomainError(
            "appointment_used", "this appointment has already been checked in",
            ticket_id=existing.id if existing else None, number=existing.number if existing else None,
        )
    rules = setup.rules
    slot_day = business_day(c.slot_ms, setup.timezone, setup.day_start_minute).isoformat()
    if slot_day != state.day:
        raise DomainError("appointment_wrong_day", "this appointment is for another day", slot_day=slot_day)
    if c.at_ms < c.slot_ms - rules.appointment_max_early_checkin_s * 1000:
        raise DomainError("appointment_too_early", "too early to check in for this appointment")
    if c.at_ms > c.slot_ms + rules.appointment_expire_s * 1000:
        raise DomainError("appointment_expired", "this appointment has expired")
    if c.at_ms > c.slot_ms + rules.appointment_late_s * 1000:
        return c.at_ms, True
    return c.slot_ms - rules.appointment_early_s * 1000, False


def _ticket(state: BranchState, ticket_id: str) -> Ticket:
    ticket = state.tickets.get(ticket_id)
    if ticket is None:
        raise not_found("ticket", ticket_id)
    return ticket


def _cancel(state: BranchState, setup: BranchSetup, c: cmd.CancelTicket) -> list[ev.Event]:
    ticket = _ticket(state, c.ticket_id)
    if ticket.status not in ACTIVE:
        raise DomainError("ticket_closed", f"ticket {ticket.number} is already {ticket.status}")
    return [ev.TicketCancelled(at_ms=c.at_ms, ticket_id=ticket.id, reason=c.reason)]


# -- counters and agents ---------------------------------------------------------------------------------------


def _counter(state: BranchState, setup: BranchSetup, c: cmd.CounterCommand, *, open_: bool = False):
    counter = setup.counters.get(c.counter)
    if counter is None:
        raise not_found("counter", c.counter)
    cstate = state.counters.get(c.counter)
    if cstate is None or cstate.agent != c.agent:
        raise DomainError("not_logged_in", f"agent {c.agent!r} is not logged in at counter {c.counter!r}",
                          kind="forbidden")
    if open_ and cstate.paused is not None:
        raise DomainError("counter_paused", f"counter {c.counter!r} is paused", reason=cstate.paused)
    return counter, cstate


def _current(state: BranchState, cstate) -> Ticket:
    if cstate.current is None:
        raise DomainError("no_current_ticket", f"counter {cstate.id!r} has no ticket called")
    return state.tickets[cstate.current]


def _release_current(state: BranchState, cstate, agent: str, at_ms: int, *, leaving: bool) -> list[ev.Event]:
    """What happens to the ticket at a counter when the agent moves on: served, or back to the queue."""
    if cstate.current is None:
        return []
    ticket = state.tickets[cstate.current]
    if ticket.status is TicketStatus.CALLED and leaving:
        return [ev.TicketReturned(at_ms=at_ms, ticket_id=ticket.id, position="front", reason="agent_left")]
    return [ev.TicketServed(at_ms=at_ms, ticket_id=ticket.id, counter=cstate.id, agent=agent, outcome=None,
                            implicit=True)]


def _login(state: BranchState, setup: BranchSetup, c: cmd.LoginAgent) -> list[ev.Event]:
    if c.counter not in setup.counters:
        raise not_found("counter", c.counter)
    out: list[ev.Event] = []
    elsewhere = state.agent_counter.get(c.agent)
    if elsewhere is not None:
        old = state.counter(elsewhere)
        out += _release_current(state, old, c.agent, c.at_ms, leaving=True)
        out.append(ev.AgentLoggedOut(at_ms=c.at_ms, counter=elsewhere, agent=c.agent, reason="moved"))
    here = state.counters.get(c.counter)
    if here is not None and here.agent is not None and here.agent != c.agent:
        out += _release_current(state, here, here.agent, c.at_ms, leaving=True)
        out.append(ev.AgentLoggedOut(at_ms=c.at_ms, counter=c.counter, agent=here.agent, reason="replaced"))
    out.append(ev.AgentLoggedIn(at_ms=c.at_ms, counter=c.counter, agent=c.agent, session_id=c.session_id,
                                method=c.method))
    return out


def _logout(state: BranchState, setup: BranchSetup, c: cmd.LogoutAgent) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    out = _release_current(state, cstate, c.agent, c.at_ms, leaving=True)
    return [*out, ev.AgentLoggedOut(at_ms=c.at_ms, counter=c.counter, agent=c.agent, reason="logout")]


def _pause(state: BranchState, setup: BranchSetup, c: cmd.PauseCounter) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    if c.reason not in setup.pause_reasons:
        raise DomainError("invalid_pause_reason", f"pause reason must be one of {list(setup.pause_reasons)}",
                          kind="invalid")
    if cstate.paused is not None:
        raise DomainError("counter_paused", "counter is already paused", reason=cstate.paused)
    return [ev.CounterPaused(at_ms=c.at_ms, counter=c.counter, agent=c.agent, reason=c.reason)]


def _resume(state: BranchState, setup: BranchSetup, c: cmd.ResumeCounter) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    if cstate.paused is None:
        raise DomainError("counter_not_paused", "counter is not paused")
    return [ev.CounterResumed(at_ms=c.at_ms, counter=c.counter, agent=c.agent)]


def _call_next(state: BranchState, setup: BranchSetup, c: cmd.CallNext) -> list[ev.Event]:
    counter, cstate = _counter(state, setup, c, open_=True)
    pick = pick_next(state, setup, counter, c.at_ms)
    if pick is None:
        raise DomainError("queue_empty", "nobody is waiting for this counter's services")
    out = _release_current(state, cstate, c.agent, c.at_ms, leaving=False)
    out.append(ev.TicketCalled(
        at_ms=c.at_ms, ticket_id=pick.ticket.id, counter=c.counter, agent=c.agent, level=pick.ticket.level,
        levels=pick.levels, level_weights=pick.level_weights, services=pick.services,
        service_weights=pick.service_weights, direct=False,
    ))
    return out


def _call_ticket(state: BranchState, setup: BranchSetup, c: cmd.CallTicket) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c, open_=True)
    ticket = _ticket(state, c.ticket_id)
    if ticket.status not in (TicketStatus.WAITING, TicketStatus.PARKED):
        raise DomainError("ticket_not_waiting", f"ticket {ticket.number} is {ticket.status}",
                          status=str(ticket.status))
    if ticket.target_counter not in (None, c.counter):
        raise DomainError("ticket_reserved", f"ticket {ticket.number} was transferred to another counter",
                          counter=ticket.target_counter)
    out = _release_current(state, cstate, c.agent, c.at_ms, leaving=False)
    out.append(ev.TicketCalled(
        at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent, level=ticket.level, levels=(),
        level_weights=(), services=(), service_weights=(), direct=True,
    ))
    return out


def _recall(state: BranchState, setup: BranchSetup, c: cmd.Recall) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", f"ticket {ticket.number} is already being served")
    if ticket.recalls >= setup.rules.recall_limit:
        return [ev.TicketMarkedNoShow(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent,
                                      reason="recall_limit")]
    return [ev.TicketRecalled(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent,
                              recalls=ticket.recalls + 1)]


def _start(state: BranchState, setup: BranchSetup, c: cmd.StartServing) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", f"ticket {ticket.number} is already being served")
    return [ev.TicketServiceStarted(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent)]


def _finish(state: BranchState, setup: BranchSetup, c: cmd.FinishServing) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    if c.outcome is not None and c.outcome not in setup.outcomes:
        raise DomainError("invalid_outcome", f"outcome must be one of {list(setup.outcomes)}", kind="invalid")
    return [ev.TicketServed(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent,
                            outcome=c.outcome, implicit=False)]


def _no_show(state: BranchState, setup: BranchSetup, c: cmd.MarkNoShow) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    if ticket.status is not TicketStatus.CALLED:
        raise DomainError("ticket_not_called", f"ticket {ticket.number} is already being served")
    return [ev.TicketMarkedNoShow(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent,
                                  reason="agent")]


def _transfer(state: BranchState, setup: BranchSetup, c: cmd.Transfer) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    if c.position not in POSITIONS:
        raise DomainError("invalid_position", f"position must be one of {list(POSITIONS)}", kind="invalid")
    if c.to_service is None and c.to_counter is None:
        raise DomainError("transfer_target_missing", "give a service or a counter to transfer to", kind="invalid")
    to_service = c.to_service or ticket.service
    if to_service not in setup.services:
        raise not_found("service", to_service)
    if c.to_counter is not None:
        if c.to_counter not in setup.counters:
            raise not_found("counter", c.to_counter)
        if c.to_counter == c.counter:
            raise DomainError("transfer_to_self", "a ticket cannot be transferred to its own counter",
                              kind="invalid")
    return [ev.TicketTransferred(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent,
                                 to_service=to_service, to_counter=c.to_counter, position=c.position)]


def _park(state: BranchState, setup: BranchSetup, c: cmd.Park) -> list[ev.Event]:
    _, cstate = _counter(state, setup, c)
    ticket = _current(state, cstate)
    return [ev.TicketParked(at_ms=c.at_ms, ticket_id=ticket.id, counter=c.counter, agent=c.agent)]


def _return_parked(state: BranchState, setup: BranchSetup, c: cmd.ReturnParked) -> list[ev.Event]:
    _counter(state, setup, c)
    ticket = _ticket(state, c.ticket_id)
    if ticket.status is not TicketStatus.PARKED:
        raise DomainError("ticket_not_parked", f"ticket {ticket.number} is not parked")
    if c.position not in POSITIONS:
        raise DomainError("invalid_position", f"position must be one of {list(POSITIONS)}", kind="invalid")
    return [ev.TicketReturned(at_ms=c.at_ms, ticket_id=ticket.id, position=c.position, reason="unparked")]


_DECIDERS: dict[type[cmd.Command], Callable[[BranchState, BranchSetup, Any], list[ev.Event]]] = {
    cmd.StartDay: _start_day,
    cmd.CloseDay: _close_day,
    cmd.IssueTicket: _issue,
    cmd.CancelTicket: _cancel,
    cmd.LoginAgent: _login,
    cmd.LogoutAgent: _logout,
    cmd.PauseCounter: _pause,
    cmd.ResumeCounter: _resume,
    cmd.CallNext: _call_next,
    cmd.CallTicket: _call_ticket,
    cmd.Recall: _recall,
    cmd.StartServing: _start,
    cmd.FinishServing: _finish,
    cmd.MarkNoShow: _no_show,
    cmd.Transfer: _transfer,
    cmd.Park: _park,
    cmd.ReturnParked: _return_parked,
}
