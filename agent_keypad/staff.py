"""The staff-only alerts strip: device alerts from the node (GET /staff/alerts), worded for the agent.

Shown on the keypad only — never on the public display (the node refuses displays and kiosks). Each alert says
which device (by the name it was paired with) and what a person must do.
"""

from __future__ import annotations

from typing import Any

from agent_keypad.words import Text, Words, render
from ground.i18n import N_

WORDS: dict[str, str] = {
    "printer_paper_out": N_("{device}: printer out of paper"),
    "printer_paper_low": N_("{device}: paper running low"),
    "printer_attention": N_("{device}: printer needs attention"),
    "device_offline": N_("{device}: offline"),
    "display_no_audio": N_("{device}: calls are not heard (no sound)"),
}


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

    def words(self) -> list[Text]:
        """One line per alert, most urgent first (the node sorts them), untranslated (agent_keypad/words.py)."""
        out: list[Text] = []
        for alert in self.items:
            msgid = WORDS.get(str(alert.get("kind")))
            device = str(alert.get("name") or alert.get("device") or "?")
            out.append(Words(msgid, {"device": device}) if msgid else f"{device}: {alert.get('kind')}")
        return out

    def lines(self, language: str) -> list[str]:
        return [render(language, line) for line in self.words()]
