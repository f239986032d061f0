"""The staff-only alerts strip: device alerts from the node (GET /staff/alerts), worded for the agent.

Shown on the keypad only — never on the public display (the node refuses displays and kiosks). Each alert says
which device (by the name it was paired with) and what a person must do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent_keypad.words import Text, Words, render
from ground.i18n import N_, embed

WORDS: dict[str, str] = {
    "printer_paper_out": N_("{device}: printer out of paper"),
    "printer_paper_low": N_("{device}: paper running low"),
    "printer_attention": N_("{device}: printer needs attention"),
    "device_offline": N_("{device}: offline"),
    "display_no_audio": N_("{device}: calls are not heard (no sound)"),
}

#: a device paired without a name (the node then names it after its role) is called by its kind and short id
UNNAMED: dict[str, str] = {
    "kiosk": N_("Kiosk {id}"),
    "display": N_("Display {id}"),
}


#: direction marks, embeddings, overrides and isolates (Unicode UAX #9): a name typed at pairing may hold one
#: ("\u202e" pasted from somewhere) and, left open, it would turn the rest of the agent's sentence around
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Identifier:
    """A device id inside a sentence: kept left to right in Arabic (ground.i18n.embed)."""

    text: str

    def render(self, language: str) -> str:
        return str(embed(language, self.text))


#: a paired name (up to 80 characters) is cut to this in the strip's one line; the list a tap away shows it whole
SHORT_NAME = 24


def device_label(alert: dict[str, Any], most: int | None = None) -> Text:
    """The device as the agent knows it: the name it was paired with ("Entrance kiosk"), else its kind and id in
    the agent's language ("Borne 3f2a…"), never the role's English word alone. `most`: the name's characters at
    most (the rest becomes "…")."""
    device, role, name = (str(alert.get(key) or "") for key in ("device", "role", "name"))
    name = BIDI_CONTROLS.sub("", name).strip()
    if name and name not in (role, device):
        return name if most is None or len(name) <= most else name[:most - 1].rstrip() + "…"
    msgid = UNNAMED.get(role)
    if msgid is None:
        return name or device or "?"
    return Words(msgid, {"id": Identifier(device.removeprefix(f"{role}-") or device)})


class StaffAlerts:
    """The last alerts read from the node; `update()` says whether anything changed."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def update(self, alerts: list[dict[str, Any]]) -> bool:
        fresh = [dict(a) for a in alerts]
        if fresh == self.items:
            return False
        self.items = fresh
        return True

    @property
    def urgent(self) -> bool:
        return any(a.get("severity") == "action" for a in self.items)

    def words(self, name_most: int | None = None) -> list[Text]:
        """One line per alert, most urgent first (the node sorts them), untranslated (agent_keypad/words.py)."""
        out: list[Text] = []
        for alert in self.items:
            msgid = WORDS.get(str(alert.get("kind")))
            device = device_label(alert, name_most)
            out.append(Words(msgid, {"device": device}) if msgid else Words(N_("{device}: {kind}"), {
                "device": device, "kind": str(alert.get("kind"))}))
        return out

    def lines(self, language: str, name_most: int | None = None) -> list[str]:
        return [render(language, line) for line in self.words(name_most)]
