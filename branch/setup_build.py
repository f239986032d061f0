"""Turn the validated configuration into the engine's BranchSetup (the engine knows nothing of config)."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from config.schema import WEEKDAYS, AppConfig
from queue_engine.calendar import OpeningHours
from queue_engine.setup import (
    BranchSetup,
    Counter,
    CounterMode,
    CounterService,
    PriorityCategory,
    Rules,
    Service,
)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _hours(spec: dict[str, list[str]] | None) -> OpeningHours | None:
    if spec is None:
        return None
    week = tuple(
        tuple((_minutes(r[:5]), _minutes(r[6:])) for r in spec.get(day, [])) for day in WEEKDAYS
    )
    return OpeningHours(week)


def build_setup(config: AppConfig) -> BranchSetup:
    configured = config.rules
    rules = Rules(
        level_weights=tuple(configured.level_weights),
        aging_after_s=None if configured.aging_after_minutes is None else configured.aging_after_minutes * 60,
        recall_limit=configured.recall_limit,
        appointment_early_s=configured.appointment_early_minutes * 60,
        appointment_late_s=configured.appointment_late_minutes * 60,
        appointment_expire_s=configured.appointment_expire_minutes * 60,
        appointment_max_early_checkin_s=configured.appointment_max_early_checkin_minutes * 60,
        estimate_window=configured.estimate_window,
    )
    services = {
        s.id: Service(s.id, s.prefix, s.names.as_dict(), s.group, _hours(s.hours),
                      round(s.default_service_minutes * 60), s.daily_limit)
        for s in config.services
    }
    counters = {
        c.id: Counter(
            c.id, c.names.as_dict(),
            tuple(CounterService(link) if isinstance(link, str) else CounterService(link.service, link.weight)
                  for link in c.services),
            CounterMode(c.mode),
        )
        for c in config.counters
    }
    categories = {p.id: PriorityCategory(p.id, p.level, p.names.as_dict()) for p in config.priority_categories}
    return BranchSetup(
        branch_id=config.branch.id, timezone=config.branch.timezone,
        day_start_minute=config.branch.day_start_minute, services=services, counters=counters, rules=rules,
        priority_categories=categories, pause_reasons=tuple(configured.pause_reasons),
        outcomes=tuple(configured.outcomes),
    )


def setup_digest(setup: BranchSetup) -> str:
    """A digest of everything the engine decides with: members of a cluster must decide under the same one."""
    data = json.dumps(dataclasses.asdict(setup), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:24]
