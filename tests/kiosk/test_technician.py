"""The technician panel's rules: PIN attempts with a lockout, words in the kiosk's language, the branch's time."""

from __future__ import annotations

import datetime as dt

from kiosk.technician import PanelLog, PinGuard, panel_lines


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_pins_lock_the_panel_for_a_while():
    clock = Clock()
    guard = PinGuard(attempts=3, lockout_s=300, clock=clock)
    for _ in range(2):
        guard.failed()
    assert guard.locked_for() == 0
    guard.failed()
    assert guard.locked_for() == 300
    clock.now += 299
    assert guard.locked_for() == 1
    clock.now += 1
    assert guard.locked_for() == 0
    guard.failed()
    guard.succeeded()  # a good PIN starts the count again
    guard.failed()
    guard.failed()
    assert guard.locked_for() == 0


def test_panel_lines_are_translated_and_in_local_time():
    at = dt.datetime(2026, 11, 24, 13, 5, tzinfo=dt.UTC).timestamp()  # 14:05 in Casablanca (UTC+1)
    lines = panel_lines("fr", node="http://10.0.0.2:8470", online=False, device="kiosk-1", version="1.2",
                        printer="paper_near_end", paper_left=40, timezone="Africa/Casablanca", now=at)
    assert lines == ["Serveur de l'agence : http://10.0.0.2:8470 · NON connecté",
                     "Appareil : kiosk-1 · version 1.2",
                     "Imprimante : papier presque épuisé · environ 40 tickets restants",
                     "Heure locale : 14:05 (Africa/Casablanca)"]
    arabic = panel_lines("ar", node=None, online=True, device="k", version="1", printer="paper_out",
                         paper_left=None, timezone="Africa/Casablanca", now=at)
    assert "paper_out" not in " ".join(arabic) and "نفد الورق" in arabic[2]


def test_errors_are_stamped_in_the_branch_time():
    at = dt.datetime(2026, 7, 1, 22, 30, 5, tzinfo=dt.UTC).timestamp()
    log = PanelLog("Asia/Tokyo", clock=lambda: at)
    log.error("printer offline")
    assert list(log.errors) == ["07:30:05 printer offline"]
