"""The pure parts: typed ticket numbers, pickers, the [keypad] section and its example."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agent_keypad import pickers
from agent_keypad.counter import resolve_ticket
from agent_keypad.words import render
from config.keypad import KeypadConfig
from config.loader import load_config
from tests.agent_keypad.conftest import KEYPAD_EXAMPLE


@pytest.mark.parametrize(("typed", "expected"), [
    ("2", ("id-a2", "")),
    ("1", (None, "ambiguous_ticket")),
    ("7", (None, "unknown_ticket")),
    ("b1", ("B001", "")),  # with a letter the node matches the number itself
    ("A-042", ("A042", "")),
    ("", (None, "unknown_ticket")),
])
def test_typed_numbers(typed, expected):
    tickets = [{"id": "id-a1", "number": "A-001", "service": "accounts"},
               {"id": "id-a2", "number": "A-002", "service": "accounts"},
               {"id": "id-c1", "number": "C-001", "service": "cash"},
               {"id": "id-b2", "number": "B-002", "service": "loans"}]  # not this counter's service
    assert resolve_ticket(typed, tickets, ("accounts", "cash")) == expected


def worded(options: list[dict], language: str) -> list[dict[str, str]]:
    return [{"key": o["key"], "label": render(language, o["label"])} for o in options]


def test_pickers_use_the_branch_data_and_translate_known_ids():
    state = {"outcomes": ["done", "vip_followup"], "pause_reasons": ["lunch"],
             "services": [{"id": "cash", "names": {"fr": "Caisse", "en": "Cash desk"}}],
             "counters": [{"id": "1", "names": {"fr": "Guichet 1"}}, {"id": "2", "names": {"en": "Counter 2"}}],
             "parked": [{"id": "p2", "number": "C-003", "service": "cash"},
                        {"id": "p1", "number": "B-001", "service": "loans"}]}
    assert worded(pickers.outcomes(state), "fr") == [{"key": "done", "label": "Terminé"},
                                                     {"key": "vip_followup", "label": "vip_followup"}]
    targets = pickers.transfer_targets(state, "1")
    assert worded(targets, "fr") == [{"key": "service:cash", "label": "Caisse"},
                                     {"key": "counter:2", "label": "Counter 2"}]
    assert worded(targets, "en")[0]["label"] == "Cash desk"  # the same options, worded in the language shown
    assert [o["label"] for o in pickers.parked(state, ("cash",))] == ["C-003", "B-001"]
    assert render("ar", pickers.menu(paused=True, has_current=False)[1]["label"]) == "استئناف"
    assert [(o["key"], render("fr", o["label"])) for o in pickers.login_menu(("fr", "en", "ar"), "fr")] == [
        ("lang:en", "English"), ("lang:ar", "العربية"), ("toggle_bar", "Mode barre")]


def test_keypad_section_ranges_and_the_example_file():
    config = load_config(KEYPAD_EXAMPLE)
    assert config.keypad.keys["Plus"] == "call_next" and config.device.counter == "1"
    with pytest.raises(ValidationError, match="double_press_ms"):
        KeypadConfig(double_press_ms=10)
    with pytest.raises(ValidationError, match="keys"):
        KeypadConfig(keys={"Plus": "launch_rocket"})
    with pytest.raises(ValidationError, match="bogus"):
        KeypadConfig(bogus=1)


def test_a_device_is_named_as_paired_else_by_its_kind_in_the_agents_language():
    """A device paired without a name is named after its role by the node: the strip must not read "kiosk: …"
    in a French or Arabic sentence."""
    from agent_keypad.staff import StaffAlerts

    alerts = StaffAlerts()
    alerts.update([
        {"kind": "printer_paper_out", "device": "kiosk-3f2a9c01", "role": "kiosk", "name": "kiosk"},
        {"kind": "device_offline", "device": "display-77aa0b1c", "role": "display", "name": "Salle d'attente"},
        {"kind": "printer_jammed", "device": "kiosk-0c0c0c0c", "role": "kiosk", "name": None},
    ])
    assert alerts.lines("fr") == ["Borne 3f2a9c01 : plus de papier dans l'imprimante",
                                  "Salle d'attente : hors ligne", "Borne 0c0c0c0c : printer_jammed"]
    assert alerts.lines("ar")[0] == "كشك التذاكر \u20663f2a9c01\u2069: نفد ورق الطابعة"
    assert alerts.lines("en")[1] == "Salle d'attente: offline"
