"""A small driver for engine tests: a setup, a clock, and apply-as-you-decide."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_engine import commands as cmd
from queue_engine.decide import decide
from queue_engine.events import Event
from queue_engine.setup import (
    BranchSetup,
    Counter,
    CounterMode,
    CounterService,
    PriorityCategory,
    Rules,
    Service,
)
from queue_engine.state import BranchState

TZ = "Africa/Casablanca"


def ms(text: str, tz: str = TZ) -> int:
    """Epoch ms of a local wall time 'YYYY-MM-DD HH:MM'."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp() * 1000)


def make_setup(*, rules: Rules | None = None, modes: dict[str, CounterMode] | None = None,
               tz: str = TZ, day_start_minute: int = 240) -> BranchSetup:
    modes = modes or {}
    services = {
        "accounts": Service("accounts", "A", {"fr": "Comptes", "en": "Accounts", "ar": "الحسابات"}),
        "loans": Service("loans", "B", {"fr": "Crédits", "en": "Loans", "ar": "القروض"}, default_service_s=600),
        "cash": Service("cash", "C", {"fr": "Caisse", "en": "Cash", "ar": "الصندوق"}, daily_limit=3),
    }
    counters = {
        "1": Counter("1", {"en": "Counter 1"}, (CounterService("accounts"), CounterService("loans")),
                     modes.get("1", CounterMode.FIFO)),
        "2": Counter("2", {"en": "Counter 2"}, (CounterService("loans", 3), CounterService("accounts", 1)),
                     modes.get("2", CounterMode.FIFO)),
        "3": Counter("3", {"en": "Counter 3"}, (CounterService("cash"),)),
    }
    categories = {
        "pregnant": PriorityCategory("pregnant", 1, {"en": "Pregnant"}),
        "disabled": PriorityCategory("disabled", 1, {"en": "Disabled"}),
    }
    return BranchSetup("BR042", tz, day_start_minute, services, counters, rules or Rules(), categories)


class Branch:
    """Decides and applies commands like a node would, with ids and times fixed here."""

    def __init__(self, setup: BranchSetup | None = None, start: str = "2026-11-24 09:00") -> None:
        self.setup = setup or make_setup()
        self.state = BranchState(estimate_window=self.setup.rules.estimate_window)
        self.now = ms(start)
        self.log: list[Event] = []
        self._ids = itertools.count(1)

    def at(self, text: str) -> Branch:
        self.now = ms(text)
        return self

    def tick(self, seconds: float) -> Branch:
        self.now += int(seconds * 1000)
        return self

    def run(self, command_type: type[cmd.Command], **fields) -> list[Event]:
        command = command_type(at_ms=self.now, **fields)
        events = decide(self.state, self.setup, command)
        for event in events:
            self.state.apply(event)
        self.log.extend(events)
        return events

    def issue(self, service: str = "accounts", **fields) -> str:
        ticket_id = f"t{next(self._ids)}"
        self.run(cmd.IssueTicket, ticket_id=ticket_id, service=service, **fields)
        return ticket_id

    def login(self, counter: str, agent: str | None = None) -> None:
        self.run(cmd.LoginAgent, counter=counter, agent=agent or f"ag{counter}", session_id=f"s{counter}")

    def next(self, counter: str) -> str:
        events = self.run(cmd.CallNext, counter=counter, agent=self.agent(counter))
        return events[-1].ticket_id

    def agent(self, counter: str) -> str:
        return self.state.counters[counter].agent

    def number(self, ticket_id: str) -> str:
        return self.state.tickets[ticket_id].number
