"""The technician panel: its rules (PIN attempts with a lockout, words in the kiosk's language, the branch's time)
on their own, and its own view-model with a real node and a virtual printer on a real pty."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from ground.hashing import hash_pin
from ground.i18n import LRI, PDI
from hardware.printer.simulator import with_faults
from kiosk.technician_rules import PinGuard, local_stamp, panel_lines

from .conftest import EXAMPLES, KioskRig, close_rig, make_rig

PIN = "2468"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- rules --------------------------------------------------------------------------------------------------------


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
    # the node's address, the device id and the zone stay left to right inside the Arabic lines (isolates)
    arabic = panel_lines("ar", node="http://10.0.0.2:8470", online=True, device="kiosk-1", version="1.2",
                         printer="ready", paper_left=None, timezone="Africa/Casablanca", now=at)
    assert f"{LRI}http://10.0.0.2:8470{PDI}" in arabic[0] and f"{LRI}kiosk-1{PDI}" in arabic[1]
    assert f"{LRI}Africa/Casablanca{PDI}" in arabic[3]


def test_errors_are_stamped_in_the_branch_time():
    at = dt.datetime(2026, 7, 1, 22, 30, 5, tzinfo=dt.UTC).timestamp()
    assert local_stamp(at, "Asia/Tokyo") == "07:30:05"


# -- the view-model ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pin_hash() -> SecretStr:
    return SecretStr(hash_pin(PIN))  # a slow KDF: once for the module


@pytest.fixture
def rig(tmp_path, qapp, qtbot, pin_hash) -> Iterator[KioskRig]:
    made = make_rig(tmp_path, technician_pin_hash=pin_hash, technician_taps=3)
    made.vm.start()
    qtbot.waitUntil(lambda: made.vm.screen == "home" and made.printer.state == "ready", timeout=5000)
    yield made
    close_rig(made)


def open_panel(qtbot, rig: KioskRig) -> None:
    for _ in range(3):
        rig.tech.cornerTapped()
    assert rig.vm.screen == "techpin"
    rig.tech.submitPin(PIN)
    qtbot.waitUntil(lambda: rig.vm.screen == "technician", timeout=5000)


def test_corner_taps_then_the_pin_open_the_panel(qtbot, rig):
    assert rig.tech.enabled
    rig.tech.cornerTapped()
    rig.tech.cornerTapped()
    assert rig.vm.screen == "home"  # two taps of three: nothing yet
    rig.tech.cornerTapped()
    assert rig.vm.screen == "techpin"
    rig.tech.submitPin("1111")
    qtbot.waitUntil(lambda: rig.tech.pinError == "Code erroné.", timeout=5000)  # checked on a worker, in French
    assert rig.vm.screen == "techpin"
    rig.vm.setLanguage("en")
    assert rig.tech.pinError == "Wrong PIN."  # translated when read
    rig.tech.submitPin(PIN)
    qtbot.waitUntil(lambda: rig.vm.screen == "technician", timeout=5000)
    assert rig.tech.pinError == ""
    rig.tech.closePanel()
    assert rig.vm.screen == "home"


def test_without_a_pin_hash_the_corner_never_opens(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path, printer=False)
    try:
        assert not rig.tech.enabled  # the QML corner is not even there
        for _ in range(10):
            rig.tech.cornerTapped()
        assert rig.vm.screen != "techpin"
    finally:
        close_rig(rig)


def test_the_panel_shows_node_device_printer_and_the_last_errors(qtbot, rig):
    open_panel(qtbot, rig)
    # the id the node knows this token by (whoami, answered on a worker), not the configured one
    qtbot.waitUntil(lambda: rig.tech.status["device"] == "dev-kiosk", timeout=5000)
    status = rig.tech.status
    assert status["node"] == rig.node.url and status["online"]
    assert status["printer"] == "ready" and status["paperLeft"] > 0  # the roll counter's estimate, in tickets
    assert status["lines"][0] == f"Serveur de l'agence : {rig.node.url} · connecté"
    assert status["lines"][2].startswith("Imprimante : prête") and status["lines"][3].startswith("Heure locale : ")
    with qtbot.waitSignal(rig.tech.changed, timeout=1000):
        for n in range(12):
            rig.vm.note_problem(f"problem {n}")
    assert [line.split(" ", 1)[1] for line in rig.tech.status["errors"]] == [f"problem {n}" for n in range(4, 12)]


def test_a_test_ticket_is_clearly_a_test_and_its_success_is_no_error(qtbot, rig):
    open_panel(qtbot, rig)
    rig.tech.printTestTicket()
    qtbot.waitUntil(lambda: rig.tech.status["result"] == "Ticket de test imprimé.", timeout=8000)
    assert rig.tech.status["errors"] == []  # a success is not listed under "Last errors"
    printed = rig.virtual.tickets[-1].text
    assert "TICKET DE TEST" in printed and "T-000" not in printed and "suivant" not in printed


def test_a_failed_test_print_is_translated_whole_on_a_language_switch(qtbot, rig):
    with_faults(rig.virtual, paper_out_after=0)
    open_panel(qtbot, rig)
    rig.tech.printTestTicket()
    qtbot.waitUntil(lambda: bool(rig.tech.status["result"]), timeout=8000)
    assert rig.tech.status["result"] == "Ticket de test NON imprimé : imprimante plus de papier."
    rig.vm.setLanguage("en")
    assert rig.tech.status["result"] == "Test ticket NOT printed: printer out of paper."  # the state too


def test_reload_is_asked_for_a_valid_file_only_and_validated_off_the_gui_thread(qtbot, rig, tmp_path):
    rig.tech.reloadConfig()
    assert rig.tech.status["result"].startswith("Configuration NON rechargée")
    config = tmp_path / "kiosk.toml"
    rig.tech.config_path = str(config)
    example = (EXAMPLES / "kiosk.toml").read_text(encoding="utf-8")
    assert example.count("[kiosk]\n") == 1
    config.write_text(example.replace("[kiosk]\n", "[kiosk]\nbogus = 1\n"), encoding="utf-8")  # an unknown key
    asked: list[threading.Thread] = []
    rig.tech.reloadRequested.connect(lambda: asked.append(threading.current_thread()))
    rig.tech.reloadConfig()
    qtbot.waitUntil(lambda: "bogus" in (rig.tech.status["errors"] or [""])[-1], timeout=5000)
    assert "NOT reloaded" in rig.tech.status["errors"][-1] and not asked
    assert "bogus" in rig.tech.status["result"]
    config.write_text(example, encoding="utf-8")
    rig.tech.reloadConfig()
    assert asked == []  # the file is read on a worker: the answer comes later, on the GUI thread
    qtbot.waitUntil(lambda: bool(asked), timeout=3000)
    assert asked == [threading.main_thread()] and rig.tech.status["result"] == "Configuration valide : redémarrage."


def test_the_panel_closes_by_itself_when_the_technician_walks_away(qtbot, rig):
    """Review of issue 14: the panel had no idle timer, so it stayed open for the next customer (test tickets,
    reload). It goes home after TECH_PANEL_IDLE_S untouched; a touch restarts the wait."""
    from kiosk import viewmodel

    open_panel(qtbot, rig)
    timer = rig.vm._panel_idle
    assert timer.isActive() and timer.interval() == viewmodel.TECH_PANEL_IDLE_S * 1000
    timer.setInterval(200)  # the same timer, shortened: the test need not wait five minutes
    timer.start()
    qtbot.waitUntil(lambda: rig.vm.screen == "home", timeout=3000)
    assert not timer.isActive()
