"""What the branch is: services, counters and the ordering rules. Built from configuration by the node.

Rules are data: a new policy is a new value here, not a new branch in the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from queue_engine.calendar import OpeningHours


class CounterMode(StrEnum):
    """How a counter chooses among the services it serves."""

    FIFO = "fifo"  # oldest ticket across all its services
    ORDERED = "ordered"  # first service in the counter's list that has someone waiting
    WEIGHTED = "weighted"  # smooth weighted round robin over its services


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    prefix: str
    names: Mapping[str, str]
    group: str | None = None
    hours: OpeningHours | None = None
    default_service_s: int = 300
    daily_limit: int | None = None

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), self.id)


@dataclass(frozen=True, slots=True)
class CounterService:
    service: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Counter:
    id: str
    names: Mapping[str, str]
    services: tuple[CounterService, ...]
    mode: CounterMode = CounterMode.FIFO

    def serves(self, service: str) -> bool:
        return any(link.service == service for link in self.services)


@dataclass(frozen=True, slots=True)
class PriorityCategory:
    """A category a customer may claim at the kiosk (e.g. pregnant, disabled), mapped to a priority level."""

    id: str
    level: int
    names: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Rules:
    #: interleave weight per priority level (index = level). (2, 1): two regular calls for one priority call.
    level_weights: tuple[int, ...] = (2, 1)
    #: a ticket waiting longer than this is called before the interleaving (oldest first); None disables aging.
    aging_after_s: int | None = 1800
    #: recalls allowed for a called ticket; the next recall marks it no-show.
    recall_limit: int = 2
    #: an appointment takes its place in the queue this long before its slot ...
    appointment_early_s: int = 600
    #: ... keeps it if it checks in up to this long after the slot (later: it queues as a walk-in) ...
    appointment_late_s: int = 600
    #: ... and is refused as expired beyond this, or too early before slot - this.
    appointment_expire_s: int = 3600
    appointment_max_early_checkin_s: int = 7200
    #: number of recent service times per service behind the wait estimate.
    estimate_window: int = 20


@dataclass(frozen=True, slots=True)
class BranchSetup:
    branch_id: str
    timezone: str
    day_start_minute: int
    services: Mapping[str, Service]
    counters: Mapping[str, Counter]
    rules: Rules = field(default_factory=Rules)
    priority_categories: Mapping[str, PriorityCategory] = field(default_factory=dict)
    pause_reasons: tuple[str, ...] = ("break", "lunch", "admin", "other")
    outcomes: tuple[str, ...] = ("done", "incomplete", "referred", "other")

    @property
    def max_level(self) -> int:
        return len(self.rules.level_weights) - 1
