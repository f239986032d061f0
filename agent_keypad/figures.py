"""Every agent's figures for the business day (served, no-shows, average service time), from node events.

`daily_metrics` on the node is per service and for admin/display devices only, so the keypad counts from the event
stream it reads anyway: the day's backlog at start (see `figures_backlog_events`), then live events. All agents are
counted, so whoever logs in later sees the whole day; `BusinessDayStarted` resets everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def event_ms(envelope: dict[str, Any]) -> int | None:
    """The event's node time in ms (`at` is ISO 8601 UTC); None when absent or unreadable."""
    try:
        return int(datetime.fromisoformat(envelope["at"]).timestamp() * 1000)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class Tally:
    served: int = 0
    no_shows: int = 0
    service_ms: list[int] = field(default_factory=list)

    @property
    def average_service_s(self) -> float | None:
        return sum(self.service_ms) / len(self.service_ms) / 1000 if self.service_ms else None


@dataclass
class DayFigures:
    """Tallies per agent; `feed(envelope)` for each logged event, in sequence order."""

    agents: dict[str, Tally] = field(default_factory=dict)
    _began: dict[str, int] = field(default_factory=dict)  # ticket id → when its service began

    def of(self, agent: str | None) -> Tally:
        return self.agents.get(agent or "", Tally())

    def feed(self, envelope: dict[str, Any]) -> str | None:
        """Account for one event; the agent whose figures changed (or "*" for all), else None."""
        kind, data = envelope.get("type"), envelope.get("data") or {}
        if kind == "BusinessDayStarted":
            self.agents.clear()
            self._began.clear()
            return "*"
        agent, ticket, at = data.get("agent"), data.get("ticket_id"), event_ms(envelope)
        if not agent or not ticket:
            return None
        if kind in ("TicketCalled", "TicketServiceStarted") and at is not None:
            self._began[ticket] = at  # from the call, or from the start when the agent pressed it
        elif kind == "TicketServed":
            tally = self.agents.setdefault(agent, Tally())
            tally.served += 1
            began = self._began.pop(ticket, None)
            if began is not None and at is not None:
                tally.service_ms.append(max(0, at - began))
            return agent
        elif kind == "TicketMarkedNoShow":
            self.agents.setdefault(agent, Tally()).no_shows += 1
            self._began.pop(ticket, None)
            return agent
        elif kind in ("TicketTransferred", "TicketParked"):
            self._began.pop(ticket, None)
        return None
