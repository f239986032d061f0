"""The technician panel's own view-model, with a real node and a virtual printer on a real pty."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from ground.hashing import hash_pin

from .conftest import EXAMPLES, KioskRig, close_rig, make_rig

PIN = "2468"


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
    rig.tech.cornerTapped()
    rig.tech.cornerTapped()
    assert rig.vm.screen == "home"  # two taps of three: nothing yet
    rig.tech.cornerTapped()
    assert rig.vm.screen == "techpin"
    rig.tech.submitPin("1111")
    qtbot.waitUntil(lambda: rig.tech.pinError == "wrong PIN", timeout=5000)  # checked on a worker
    assert rig.vm.screen == "techpin"
    rig.tech.submitPin(PIN)
    qtbot.waitUntil(lambda: rig.vm.screen == "technician", timeout=5000)
    assert rig.tech.pinError == ""
    rig.tech.closePanel()
    assert rig.vm.screen == "home"


def test_without_a_pin_hash_the_corner_never_opens(qtbot, tmp_path, qapp):
    rig = make_rig(tmp_path, printer=False)
    try:
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
    with qtbot.waitSignal(rig.tech.changed, timeout=1000):
        for n in range(12):
            rig.vm.note_problem(f"problem {n}")
    assert [line.split(" ", 1)[1] for line in rig.tech.status["errors"]] == [f"problem {n}" for n in range(4, 12)]


def test_a_test_ticket_reaches_the_printer(qtbot, rig):
    open_panel(qtbot, rig)
    rig.tech.printTestTicket()
    qtbot.waitUntil(lambda: "test ticket: printed (ready)" in (rig.tech.status["errors"] or [""])[-1], timeout=8000)
    assert rig.virtual.tickets and "T-000" in rig.virtual.tickets[-1].text


def test_reload_is_asked_for_a_valid_file_only_and_validated_off_the_gui_thread(qtbot, rig, tmp_path):
    rig.tech.reloadConfig()
    assert "not started from a file" in rig.tech.status["errors"][-1]
    config = tmp_path / "kiosk.toml"
    rig.tech.config_path = str(config)
    example = (EXAMPLES / "kiosk.toml").read_text(encoding="utf-8")
    config.write_text(example + "\n[kiosk]\nbogus = 1\n", encoding="utf-8")
    asked: list[threading.Thread] = []
    rig.tech.reloadRequested.connect(lambda: asked.append(threading.current_thread()))
    rig.tech.reloadConfig()
    qtbot.waitUntil(lambda: "bogus" in rig.tech.status["errors"][-1], timeout=5000)
    assert "NOT reloaded" in rig.tech.status["errors"][-1] and not asked
    config.write_text(example, encoding="utf-8")
    rig.tech.reloadConfig()
    assert asked == []  # the file is read on a worker: the answer comes later, on the GUI thread
    qtbot.waitUntil(lambda: bool(asked), timeout=3000)
    assert asked == [threading.main_thread()] and "restarting" in rig.tech.status["errors"][-1]
