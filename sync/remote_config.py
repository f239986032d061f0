"""Configuration pushed by central (`config`, retained, versioned): validated with the node's own schema, applied
atomically or not at all, answered on `config/ack`.

A push carries whole sections (rules, services, counters, ...). Each replaces the same section of the local file;
the merged result must validate as an `AppConfig` exactly like the TOML file does (same model, same cross-checks),
and must fit the live queue (no service removed while it has open tickets, no counter removed while staffed).
Then it goes through the node's command port (`node.commands.apply_config`): stored (sync_config) and swapped into
the node in one step, between two commands — on every member of a cluster, through the Raft log. Being retained,
the same message comes back on every reconnect: same version = "unchanged".
"""

from __future__ import annotations

import logging
from typing import Any

from config import overrides
from config.schema import AppConfig
from queue_engine.state import ACTIVE
from sync.errors import BadPayload

log = logging.getLogger(__name__)

def merge(base: AppConfig, sections: dict[str, Any]) -> AppConfig:
    """The local config with `sections` replaced (config.overrides), as the sync protocol's BadPayload."""
    try:
        return overrides.merge(base, sections)
    except overrides.OverrideError as err:
        raise BadPayload(err.problems) from None


def check_live(node: Any, candidate: AppConfig) -> None:
    """Refuse a config the running queue cannot take without losing track of someone."""
    services = {s.id for s in candidate.services}
    counters = {c.id for c in candidate.counters}
    problems = []
    state = node.core.state
    for service in sorted({t.service for t in state.tickets.values() if t.status in ACTIVE} - services):
        problems.append(f"services: {service!r} has open tickets today and cannot be removed")
    for counter_id, counter in sorted(state.counters.items()):
        if counter_id not in counters and (counter.agent is not None or counter.current is not None):
            problems.append(f"counters: {counter_id!r} is staffed or serving and cannot be removed")
    if problems:
        raise BadPayload(problems)
