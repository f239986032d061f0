"""Fingerprint login through the wire-level sensor simulator (ZFM/R30x packets on a pty) and a real node."""

from __future__ import annotations

import pytest

from agent_keypad.fingerprint import FingerprintLogin
from config.fingerprint import FingerprintConfig
from hardware.fingerprint.simulator import UNKNOWN_FINGER
from tests.agent_keypad.conftest import make_rig, started


@pytest.fixture
def fp_rig(node, tmp_path, qtbot):
    reader = FingerprintLogin(FingerprintConfig(enabled=True, simulated=True, timeout_s=0.3))
    rig = make_rig(node, tmp_path, fingerprint=reader)
    started(rig, qtbot)
    qtbot.waitUntil(lambda: reader.state == "operational", timeout=5000)
    yield rig
    rig.keypad.close()


def test_a_known_finger_logs_its_agent_in_and_logout_rearms_the_reader(fp_rig, qtbot):
    rig = fp_rig
    assert rig.vm.fingerprintEnabled and rig.vm.fingerprintSimulated
    assert rig.vm.fingerprintText == "Ou posez votre doigt sur le lecteur"
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        rig.vm.simulateFinger()  # finger 1 on the glass: enrolled in slot 1, which the node maps to alice
    assert rig.vm.agentName == "Alice Martin" and rig.running.node.core.state.counters["1"].agent == "alice"
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.press("logout")
    qtbot.wait(300)
    assert rig.vm.screen == "login"  # the finger was lifted: no login again by itself


def test_an_unknown_finger_is_refused(fp_rig, qtbot):
    rig = fp_rig
    with qtbot.waitSignal(rig.keypad.fingerprint.rejected, timeout=5000):
        rig.keypad.fingerprint.simulator.place_finger(UNKNOWN_FINGER)
    rig.keypad.fingerprint.simulator.place_finger(None)
    assert rig.vm.messageText == "Empreinte non reconnue." and rig.vm.screen == "login"


def test_a_silent_reader_is_reported(fp_rig, qtbot):
    rig = fp_rig
    rig.keypad.fingerprint.simulator.faults.silent = True
    qtbot.waitUntil(lambda: rig.vm.fingerprintText == "Le lecteur d'empreintes ne répond pas", timeout=5000)
    assert rig.vm.screen == "login" and rig.vm.enabled["login"]  # the PIN still works


def test_an_unknown_finger_after_login_says_nothing(fp_rig, qtbot):
    """Once the agent is logged in the reader is not asking: a stray rejection must not reach the screen."""
    rig = fp_rig
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        rig.vm.simulateFinger()
    rig.controller.message = ""
    rig.keypad.fingerprint.rejected.emit()  # a late answer of an identification started before the login
    assert rig.vm.messageText == "" and rig.vm.screen == "counter"
