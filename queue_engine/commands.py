"""Commands: what someone asks of the queue. The leader fixes `at_ms` and every new id before deciding."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    at_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StartDay(Command):
    """Roll the business day over if the clock says so; the node sends it every minute."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseDay(Command):
    """Expire every ticket still open (central's "close the day"); numbering continues."""

    reason: str = "day_closed"


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueTicket(Command):
    ticket_id: str
    service: str
    category: str | None = None  # a configured priority category (pregnant, disabled, …)
    level: int | None = None  # or a level directly (staff issuing a ticket)
    appointment_ref: str | None = None
    slot_ms: int | None = None
    language: str = "fr"


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelTicket(Command):
    ticket_id: str
    reason: str = "customer"


@dataclass(frozen=True, slots=True, kw_only=True)
class CounterCommand(Command):
    """A command made by the agent logged in at `counter`."""

    counter: str
    agent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginAgent(CounterCommand):
    session_id: str
    method: str = "pin"  # "pin" | "fingerprint": how the agent proved who they are (recorded in the event)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogoutAgent(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class PauseCounter(CounterCommand):
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumeCounter(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CallNext(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CallTicket(CounterCommand):
    ticket_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Recall(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class StartServing(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishServing(CounterCommand):
    outcome: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkNoShow(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(CounterCommand):
    to_service: str | None = None
    to_counter: str | None = None
    position: str = "back"  # front | back | original


@dataclass(frozen=True, slots=True, kw_only=True)
class Park(CounterCommand):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnParked(CounterCommand):
    ticket_id: str
    position: str = "front"
