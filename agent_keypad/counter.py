"""The node's counter view (GET /counters/{id}, or the `counter` of an action's answer) as typed, derived data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ground.i18n import name_in


def iso_to_ms(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CurrentTicket:
    id: str
    number: str
    service: str
    status: str  # called | serving
    issued_ms: int | None
    called_ms: int | None
    recalls: int
    shown_on: int
    displays: int

    @property
    def waited_s(self) -> float | None:
        """How long the customer waited before being called (what the agent apologises for)."""
        if self.issued_ms is None or self.called_ms is None:
            return None
        return max(0.0, (self.called_ms - self.issued_ms) / 1000)


@dataclass(frozen=True, slots=True)
class CounterInfo:
    id: str
    names: dict[str, str]
    services: tuple[str, ...]
    agent: str | None
    paused: str | None  # the pause reason, None when working
    open: bool
    waiting: int
    current: CurrentTicket | None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> CounterInfo:
        raw = view.get("current")
        current = None
        if raw:
            current = CurrentTicket(
                id=raw["id"], number=raw["number"], service=raw["service"], status=raw["status"],
                issued_ms=iso_to_ms(raw.get("issued_at")), called_ms=iso_to_ms(raw.get("called_at")),
                recalls=int(raw.get("recalls") or 0), shown_on=int(raw.get("shown_on") or 0),
                displays=int(raw.get("displays") or 0))
        return cls(id=view["id"], names=dict(view.get("names") or {}), services=tuple(view.get("services") or ()),
                   agent=view.get("agent"), paused=view.get("paused"), open=bool(view.get("open")),
                   waiting=int(view.get("waiting") or 0), current=current)

    def name(self, language: str) -> str:
        return name_in(self.names, language, self.id)

    def with_shown(self, ticket_id: str, recalls: int, shown_on: int, displays: int) -> CounterInfo:
        """A CallShown message for the current call (same ticket, same recall) updates the tally."""
        cur = self.current
        if cur is None or cur.id != ticket_id or cur.recalls != recalls:
            return self
        updated = CurrentTicket(cur.id, cur.number, cur.service, cur.status, cur.issued_ms, cur.called_ms,
                                cur.recalls, shown_on, displays)
        return CounterInfo(self.id, self.names, self.services, self.agent, self.paused, self.open, self.waiting,
                           updated)


def resolve_ticket(typed: str, tickets: list[dict[str, Any]], services: tuple[str, ...]) -> tuple[str | None, str]:
    """What the agent typed → a ticket reference for the node: (ref, "") or (None, error code).

    A USB numeric keypad has no letters, so "42" is matched against the digits of the waiting and parked tickets
    of this counter's services; with letters ("A42", "a-042") the node matches the number itself.
    """
    text = typed.strip().upper().replace("-", "")
    if not text:
        return None, "unknown_ticket"
    if not text.isdigit():
        letters = text.rstrip("0123456789")
        digits = text[len(letters):]
        return (f"{letters}{int(digits):03d}" if digits else text), ""
    wanted = int(text)
    found = [t for t in tickets if _digits(t.get("number", "")) == wanted
             and (not services or t.get("service") in services)]
    if len(found) == 1:
        return found[0]["id"], ""
    return None, "ambiguous_ticket" if found else "unknown_ticket"


def _digits(number: str) -> int | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    return int(digits) if digits else None
