"""Property tests over random command sequences: invariants every node relies on."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queue_engine import commands as cmd
from queue_engine.decide import decide
from queue_engine.errors import DomainError
from queue_engine.events import event_from_dict
from queue_engine.state import ACTIVE, BranchState, TicketStatus

from .helpers import make_setup, ms

SETUP = make_setup()
COUNTERS = ["1", "2", "3"]
AGENTS = ["alice", "bob", "carol"]

COUNTER_COMMANDS = [cmd.CallNext] * 6 + [cmd.Recall, cmd.StartServing, cmd.FinishServing, cmd.FinishServing,
                                         cmd.MarkNoShow, cmd.Park, cmd.LogoutAgent, cmd.PauseCounter,
                                         cmd.ResumeCounter, cmd.Transfer, cmd.CallTicket]


def random_command(rnd: random.Random, state: BranchState, now: int, n: int) -> cmd.Command | None:
    """One plausible command: mostly issues and counter actions by whoever is logged in there."""
    roll = rnd.random()
    if roll < 0.35:
        return cmd.IssueTicket(at_ms=now, ticket_id=f"t{n}", service=rnd.choice(["accounts", "loans", "cash"]),
                               category=rnd.choice([None, None, "pregnant"]))
    if roll < 0.42:
        return cmd.LoginAgent(at_ms=now, counter=rnd.choice(COUNTERS), agent=rnd.choice(AGENTS), session_id=f"s{n}")
    if roll < 0.46:
        return cmd.CancelTicket(at_ms=now, ticket_id=f"t{rnd.randrange(n + 1)}")
    counter = rnd.choice(COUNTERS)
    cstate = state.counters.get(counter)
    agent = cstate.agent if cstate is not None and cstate.agent else rnd.choice(AGENTS)
    if roll < 0.50:
        parked = rnd.choice(sorted(state.parked) or ["x"])
        return cmd.ReturnParked(at_ms=now, counter=counter, agent=agent, ticket_id=parked)
    kind = rnd.choice(COUNTER_COMMANDS)
    extra: dict = {}
    if kind is cmd.PauseCounter:
        extra = {"reason": "break"}
    elif kind is cmd.Transfer:
        extra = {"to_service": rnd.choice(["accounts", "loans"]), "to_counter": rnd.choice([None, "1", "2"]),
                 "position": rnd.choice(["front", "back", "original"])}
    elif kind is cmd.CallTicket:
        extra = {"ticket_id": rnd.choice(sorted(state.waiting) or ["x"])}
    return kind(at_ms=now, counter=counter, agent=agent, **extra)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(20, 300))
def test_invariants_hold_and_replay_rebuilds_the_same_state(rnd, length):
    state = BranchState()
    now = ms("2026-11-24 08:00")
    log: list[tuple[str, dict, int]] = []
    served_or_closed: set[str] = set()
    numbers_by_day: dict[str, set[str]] = {}
    for n in range(length):
        now += rnd.choice([1, 5, 30, 120, 600]) * 1000 if rnd.random() < 0.97 else 20 * 3600 * 1000
        command = random_command(rnd, state, now, n)
        try:
            events = decide(state, SETUP, command)
        except DomainError:
            continue
        for event in events:
            if event.type == "TicketIssued":
                numbers = numbers_by_day.setdefault(event.day, set())
                assert event.number not in numbers, "a number was handed out twice in one day"
                numbers.add(event.number)
            if event.type in ("TicketServed", "TicketMarkedNoShow", "TicketCancelled", "TicketExpired"):
                assert event.ticket_id not in served_or_closed, "a ticket was closed twice"
                served_or_closed.add(event.ticket_id)
            state.apply(event)
            # the stored form round-trips through JSON
            log.append((event.type, json.loads(json.dumps(event.data())), event.at_ms))
        # at most one ticket at each counter, and it is really there
        for counter in state.counters.values():
            if counter.current is not None:
                ticket = state.tickets[counter.current]
                assert ticket.counter == counter.id
                assert ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        assert {t for t in state.waiting} == {t.id for t in state.tickets.values() if t.status is TicketStatus.WAITING}
        assert all(state.tickets[t].status in ACTIVE for t in state.parked)

    replayed = BranchState()
    for type_, data, at_ms in log:
        replayed.apply(event_from_dict(type_, data, at_ms))
    assert replayed.to_dict() == state.to_dict()
    assert BranchState.from_dict(json.loads(json.dumps(state.to_dict()))).to_dict() == state.to_dict()
