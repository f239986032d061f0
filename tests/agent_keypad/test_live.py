"""What the keypad learns from the node's events: idle alert, "shown on N of M", figures, link loss and return."""

from __future__ import annotations

from appkit.feed import EventFeed
from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait, restart_node, started
from tests.branch.conftest import start_node, stop_node


def test_a_customer_waiting_at_an_idle_counter_raises_the_alert_until_called(rig, qtbot):
    login(rig, qtbot)
    assert not rig.vm.alertActive
    with qtbot.waitSignal(rig.keypad.alert.activeChanged, timeout=3000) as raised:
        issue(rig)
    assert raised.args == [True] and rig.vm.alertActive and rig.sound.played == 1
    press_and_wait(rig, qtbot, "call_next")
    assert not rig.vm.alertActive


def test_no_alert_while_paused_or_logged_out(rig, qtbot):
    issue(rig)
    qtbot.waitUntil(lambda: rig.vm.waitingCount == 1, timeout=3000)
    qtbot.wait(150)
    assert not rig.vm.alertActive and rig.sound.played == 0  # nobody logged in: not an idle counter
    login(rig, qtbot)
    qtbot.waitUntil(lambda: rig.vm.alertActive, timeout=3000)
    rig.controller.press("pause")
    with qtbot.waitSignal(rig.keypad.alert.activeChanged, timeout=3000) as cleared:
        rig.controller.choose("break")
    assert cleared.args == [False]


def test_alert_disabled_in_the_configuration(node, tmp_path, qtbot):
    rig = started(make_rig(node, tmp_path, alert_enabled=False), qtbot)
    try:
        login(rig, qtbot)
        issue(rig)
        qtbot.waitUntil(lambda: rig.vm.waitingCount == 1, timeout=3000)
        qtbot.wait(150)
        assert not rig.vm.alertActive and rig.sound.played == 0
    finally:
        rig.keypad.close()


def test_shown_on_displays_follows_the_displays_acks(rig, qtbot):
    display = EventFeed(rig.running.client("display"))  # a display connected to the node's stream
    try:
        with qtbot.waitSignal(display.connectedChanged, timeout=3000):
            display.start(rig.running.node.core.seq)
        login(rig, qtbot)
        issue(rig)
        press_and_wait(rig, qtbot, "call_next")
        assert rig.vm.shownText == "Affiché sur 0 des 1 écrans" and not rig.vm.shownOk
        ticket = rig.controller.counter.current.id
        rig.running.client("display").ack_call(ticket, 0, shown=True, announced=True)
        qtbot.waitUntil(lambda: rig.vm.shownOk, timeout=3000)
        assert rig.vm.shownText == "Affiché sur 1 des 1 écrans"
        press_and_wait(rig, qtbot, "recall")  # a recall is a new call: a new tally
        assert rig.vm.shownText == "Affiché sur 0 des 1 écrans"
    finally:
        display.stop()


def test_figures_count_the_whole_day_even_before_the_keypad_started(node, tmp_path, qtbot):
    kiosk = node.client("kiosk")
    for _ in range(2):
        kiosk.issue_ticket("accounts")
    agent = node.agent("alice")
    for outcome in ("done", "done"):
        agent.counter_action("1", "call-next")
        agent.counter_action("1", "finish", {"outcome": outcome})
    agent.logout()
    rig = started(make_rig(node, tmp_path), qtbot)
    try:
        login(rig, qtbot)
        qtbot.waitUntil(lambda: rig.vm.servedToday == 2, timeout=3000)
        assert rig.vm.figuresText.startswith("Servis aujourd'hui : 2 · moyenne 1\xa0min")
    finally:
        rig.keypad.close()


def test_node_lost_disables_actions_then_reconnects(tmp_path, qtbot):
    node = start_node(tmp_path / "own-node")
    rig = started(make_rig(node, tmp_path), qtbot)
    port = int(node.url.rsplit(":", 1)[1])
    again = None
    try:
        login(rig, qtbot)
        issue(rig)
        with qtbot.waitSignal(rig.keypad.feed.connectedChanged, timeout=5000):
            stop_node(node)
        assert not rig.vm.isOnline and not rig.vm.enabled["call_next"]
        assert rig.vm.offlineText.startswith("Le serveur de l'agence est injoignable")
        rig.controller.press("call_next")  # nothing is sent, nothing queued for later
        assert not rig.controller.busy and rig.vm.messageText == rig.vm.offlineText
        again = restart_node(tmp_path / "own-node", port)
        qtbot.waitUntil(lambda: rig.vm.isOnline, timeout=10000)
        assert rig.vm.screen == "counter" and rig.vm.enabled["call_next"] and rig.vm.messageText == ""
        press_and_wait(rig, qtbot, "call_next", "key:Plus")
        assert rig.vm.currentNumber == "A-001"
        called = [t for t in again.node.core.state.tickets.values() if t.called_ms is not None]
        assert len(called) == 1
    finally:
        rig.keypad.close()
        if again is not None:
            stop_node(again)
