"""Configuration pushed by central (`config`, retained, versioned): validated with the node's own schema, applied
atomically or not at all, answered on `config/ack`.

A push carries whole sections (rules, services, counters, ...). Each replaces the same section of the local file;
the merged result must validate as an `AppConfig` exactly like the TOML file does (same model, same cross-checks),
and must fit the live queue (no service removed while it has open tickets, no counter removed while staffed).
Then it is stored (sync_config) and swapped into the node in one synchronous step on the event loop, so no command
ever sees half of it. Being retained, the same message comes back on every reconnect: same version = "unchanged".
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from branch.setup_build import build_setup
from config.schema import AppConfig
from queue_engine.state import ACTIVE
from sync.errors import BadPayload

log = logging.getLogger(__name__)

OVERRIDABLE = ("rules", "priority_categories", "groups", "services", "counters")


def merge(base: AppConfig, sections: dict[str, Any]) -> AppConfig:
    """The local config with `sections` replaced, validated by AppConfig; BadPayload lists 'section.key: problem'."""
    unknown = sorted(set(sections) - set(OVERRIDABLE))
    if unknown:
        raise BadPayload([f"sections.{name}: central may not set this section" for name in unknown])
    data: dict[str, Any] = {name: getattr(base, name) for name in type(base).model_fields}
    data.update(sections)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        raise BadPayload([_problem(error, sections) for error in err.errors(include_url=False)][:20]) from None


def _problem(error: dict[str, Any], sections: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = sections
    for item in error["loc"]:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts.append(f"[{ident or item}]")
            node = entry
        elif isinstance(item, str) and item in ("str", "CounterServiceSection") and not isinstance(node, dict):
            continue
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    where = ".".join(parts).replace(".[", "[") or "(top level)"
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


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


def swap_into(node: Any, config: AppConfig) -> None:
    """Make `config` the node's, in one step on the event-loop thread (no await: nothing interleaves).

    TODO(branch): this belongs in BranchNode as `apply_config(config)`; it touches the node's attributes that
    derive from the configuration. Rules' estimate_window applies to the state from the next restart.
    """
    setup = build_setup(config)
    node.config = config
    node.setup = setup
    node.core.setup = setup
    node.zones = {c.id: c.zone for c in config.counters}
    node.agents = {a.id: a for a in config.agents}
