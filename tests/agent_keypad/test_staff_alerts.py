"""Staff alerts end to end: the printer simulator runs out of paper, the kiosk reports it, the node raises an
alert, the agent's keypad shows it in its staff strip — and the public display never does (issue 15)."""

from __future__ import annotations

from display.announcer import AudioState, RecordingAnnouncer
from display.app import build
from ground.i18n import LRI, PDI
from hardware.printer.simulator import with_faults
from tests.agent_keypad.conftest import make_rig, started
from tests.display.conftest import display_config
from tests.kiosk.conftest import close_rig
from tests.kiosk.conftest import make_rig as make_kiosk
from tests.kiosk.test_viewmodel import ready


def board_texts(display) -> str:
    vm = display.vm
    return " ".join(str(vm.property(name)) for name in (
        "callingTitle", "branchName", "messageText", "recentRows", "services", "callingRows"))


def test_paper_out_and_a_silent_display_reach_the_keypad_not_the_board(tmp_path, qtbot):
    kiosk = make_kiosk(tmp_path)
    node = kiosk.node
    keypad = started(make_rig(node, tmp_path, alert_enabled=False), qtbot)
    announcer = RecordingAnnouncer()
    display_client = node.client("display")
    display = build(display_config(languages=["fr"]), display_client, announcer, "dev-display",
                    stale_grace_ms=100)
    try:
        display.start()
        qtbot.waitUntil(lambda: display.feed.connected, timeout=5000)
        ready(qtbot, kiosk)
        assert keypad.vm.staffAlerts == []
        with_faults(kiosk.virtual, near_end_after=0)
        kiosk.printer.refresh()
        qtbot.waitUntil(lambda: kiosk.printer.state == "paper_near_end", timeout=5000)
        qtbot.waitUntil(lambda: keypad.vm.staffAlerts == ["Borne dev-kiosk : papier bientôt épuisé"], timeout=8000)
        assert not keypad.vm.staffAlertsUrgent  # plan for it, nobody needs to run
        with_faults(kiosk.virtual, paper_out_after=0)
        kiosk.printer.refresh()
        out = ["Borne dev-kiosk : plus de papier dans l'imprimante"]
        qtbot.waitUntil(lambda: keypad.vm.staffAlerts == out, timeout=8000)
        assert keypad.vm.staffAlertsUrgent
        announcer.set_state(AudioState.NO_OUTPUT)  # the display's sound is gone: it says so to the node
        qtbot.waitUntil(lambda: len(keypad.vm.staffAlerts) == 2, timeout=8000)
        assert "Écran d'appel dev-display : les appels ne sont pas entendus (pas de son)" in keypad.vm.staffAlerts
        keypad.controller.set_language("ar")
        silent = f"شاشة النداء {LRI}dev-display{PDI}: النداءات غير مسموعة (لا صوت)"  # the id stays left to right
        assert keypad.vm.staffAlerts == [silent, f"كشك التذاكر {LRI}dev-kiosk{PDI}: نفد ورق الطابعة"]
        assert keypad.vm.staffAlertSummary == f"{silent}  (+1)"  # tap for the rest
        keypad.vm.showAlerts()
        assert keypad.vm.pickerOpen and len(keypad.vm.pickerOptions) == 2
        # the public board: nothing of it, in any of its words; the node refuses it the alerts
        text = board_texts(display)
        assert "papier" not in text and "paper" not in text and "son" not in text.split()
    finally:
        display.close(wait=True)
        display_client.close()
        keypad.keypad.close()
        close_rig(kiosk)
