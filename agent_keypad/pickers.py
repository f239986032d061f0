"""The choices an agent picks from (menu, login menu, outcome, pause reason, transfer target, position, parked ticket).

Each option is a dict ({"key", "label"}); the label is kept untranslated (agent_keypad/words.py) and the
view-model words it in the current language, so an open picker follows a language switch. Digits 1..9 on the
keypad pick the nth option. Built from the node's state view so a branch's own reasons, outcomes, services and
counters appear as configured.
"""

from __future__ import annotations

from typing import Any

from agent_keypad.labels import MENU, OUTCOMES, PAUSE_REASONS, POSITIONS, label_words
from agent_keypad.words import Names, Text, Words
from ground.i18n import N_, NATIVE_NAMES

Option = dict[str, Any]  # {"key": str, "label": Text}


def option(key: str, text: Text) -> Option:
    return {"key": key, "label": text}


def menu(paused: bool, has_current: bool) -> list[Option]:
    """Every action but Next and Recall, by digit: a USB numeric keypad reaches them all through its menu key;
    on the screen, the rare ones (transfer, park, return, bar mode, log out) have no key of their own."""
    wanted = ["start", "finish", "no_show", "transfer", "park"] if has_current else []
    wanted += ["return_parked", "pause_toggle", "toggle_bar", "logout"]
    pause = Words(N_("Resume") if paused else N_("Pause"))
    return [option(key, pause if key == "pause_toggle" else label_words(MENU, key)) for key in wanted]


def login_menu(languages: tuple[str, ...], current: str) -> list[Option]:
    """Before login: the other languages, each by its own name ("lang:<code>"), and the bar mode."""
    wanted = [option(f"lang:{code}", NATIVE_NAMES.get(code, code)) for code in languages if code != current]
    return [*wanted, option("toggle_bar", label_words(MENU, "toggle_bar"))]


def outcomes(state: dict[str, Any]) -> list[Option]:
    return [option(o, label_words(OUTCOMES, o)) for o in state.get("outcomes") or ["done"]]


def pause_reasons(state: dict[str, Any]) -> list[Option]:
    return [option(r, label_words(PAUSE_REASONS, r)) for r in state.get("pause_reasons") or ["other"]]


def positions() -> list[Option]:
    return [option(p, label_words(POSITIONS, p)) for p in POSITIONS]


def transfer_targets(state: dict[str, Any], own_counter: str) -> list[Option]:
    """Services first ("service:<id>"), then the other counters ("counter:<id>")."""
    services = [option(f"service:{s['id']}", _names(s)) for s in state.get("services") or []]
    counters = [option(f"counter:{c['id']}", _names(c))
                for c in state.get("counters") or [] if c.get("id") != own_counter]
    return services + counters


def parked(state: dict[str, Any], services: tuple[str, ...]) -> list[Option]:
    """Parked tickets, this counter's services first (an agent usually returns the ticket they parked)."""
    items = state.get("parked") or []
    ordered = sorted(items, key=lambda t: (t.get("service") not in services, t.get("number", "")))
    return [option(t["id"], t["number"]) for t in ordered]


def _names(item: dict[str, Any]) -> Names:
    return Names(dict(item.get("names") or {}), item.get("id", "?"))
