"""Review 15c: the staff strip with device names a person may type when pairing (the node takes up to 80
characters, any of them): the strip must stay in its window and the name must not turn the sentence around."""

from __future__ import annotations

import asyncio

import pytest

from agent_keypad.theme import TOUCH_MM, VIEWING_CM
from branch.devices import register_device
from devtools.screen_audit import Rules, audit_window, pump
from nodeclient.client import NodeClient
from tests.agent_keypad.conftest import make_rig

LONG = "Borne d'accueil du hall principal, côté parking visiteurs, près de l'ascenseur B"[:80]
OVERRIDE = "\u202eBorne hall"  # a right-to-left override typed (or pasted) into the name, never closed


def kiosk_named(node, name: str) -> NodeClient:
    future = asyncio.run_coroutine_threadsafe(
        node.node.write(lambda: register_device(node.node.store, "kiosk", None, name, "kiosk-named")), node.loop)
    _, token = future.result(10)
    client = NodeClient(token, base_url=node.url)
    node.clients.append(client)
    return client


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_long_device_name_stays_inside_the_strip(node, tmp_path, qtbot, language):
    kiosk_named(node, LONG).report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
    rig = make_rig(node, tmp_path, alert_enabled=False)
    try:
        rig.keypad.show(fullscreen=False)
        window = rig.keypad.window
        window.resize(800, 480)
        qtbot.waitExposed(window)
        rig.controller.start()
        qtbot.waitUntil(lambda: bool(rig.vm.staffAlerts), timeout=8000)
        rig.controller.set_language(language)
        pump(80)
        rules = Rules.for_screen((800, 480), rig.keypad.settings.screen_diagonal_inches, viewing_cm=VIEWING_CM,
                                 touch_mm=TOUCH_MM)
        report = audit_window(window, rules, state="long_name", language=language, rtl=language == "ar")
        strip = [str(f) for f in report.findings if "staff_alert" in str(f)]
        assert strip == [], "\n".join(strip)
    finally:
        rig.keypad.close()
        qtbot.wait(10)


def test_a_bidi_override_in_a_name_does_not_leak_into_the_sentence():
    from agent_keypad.staff import StaffAlerts

    alerts = StaffAlerts()
    alerts.update([{"device": "kiosk-1", "role": "kiosk", "name": OVERRIDE, "kind": "printer_paper_out"}])
    [line] = alerts.lines("fr")
    # whatever the name holds, its direction ends with it: an isolate around it, no open override left
    assert "\u202e" not in line or line.index("\u2069") > line.index("\u202e")
    assert line.endswith("plus de papier dans l'imprimante")
