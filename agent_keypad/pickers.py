"""The choices an agent picks from (menu, outcome, pause reason, transfer target, position, parked ticket).

Each option is a dict the QML list shows ({"key", "label"}); digits 1..9 on the keypad pick the nth option.
Built from the node's state view so a branch's own reasons, outcomes, services and counters appear as configured.
"""

from __future__ import annotations

from typing import Any

from agent_keypad.labels import MENU, OUTCOMES, PAUSE_REASONS, POSITIONS, label
from ground.i18n import N_, translate

Option = dict[str, str]


def _names(item: dict[str, Any], language: str) -> str:
    names = item.get("names") or {}
    return names.get(language) or next(iter(names.values()), item.get("id", "?"))


def menu(language: str, paused: bool, has_current: bool) -> list[Option]:
    wanted = ["start", "finish", "no_show", "transfer", "park"] if has_current else []
    wanted += ["return_parked", "pause_toggle", "toggle_bar", "logout"]
    options = [{"key": key, "label": label(language, MENU, key)} for key in wanted]
    for option in options:
        if option["key"] == "pause_toggle":
            option["label"] = translate(language, N_("Resume") if paused else N_("Pause"))
    return options


def outcomes(language: str, state: dict[str, Any]) -> list[Option]:
    return [{"key": o, "label": label(language, OUTCOMES, o)} for o in state.get("outcomes") or ["done"]]


def pause_reasons(language: str, state: dict[str, Any]) -> list[Option]:
    return [{"key": r, "label": label(language, PAUSE_REASONS, r)} for r in state.get("pause_reasons") or ["other"]]


def positions(language: str) -> list[Option]:
    return [{"key": p, "label": label(language, POSITIONS, p)} for p in POSITIONS]


def transfer_targets(language: str, state: dict[str, Any], own_counter: str) -> list[Option]:
    """Services first ("service:<id>"), then the other counters ("counter:<id>")."""
    services = [{"key": f"service:{s['id']}", "label": _names(s, language)} for s in state.get("services") or []]
    counters = [{"key": f"counter:{c['id']}", "label": _names(c, language)}
                for c in state.get("counters") or [] if c.get("id") != own_counter]
    return services + counters


def parked(state: dict[str, Any], services: tuple[str, ...]) -> list[Option]:
    """Parked tickets, this counter's services first (an agent usually returns the ticket they parked)."""
    items = state.get("parked") or []
    ordered = sorted(items, key=lambda t: (t.get("service") not in services, t.get("number", "")))
    return [{"key": t["id"], "label": t["number"]} for t in ordered]
