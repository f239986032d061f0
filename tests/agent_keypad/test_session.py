"""Login, logout, session end and expiry, idle logout: the view-model against a real node."""

from __future__ import annotations

from tests.agent_keypad.conftest import login, make_rig, press_and_wait, started


def test_pin_login_shows_the_counter_and_logout_returns_to_login(rig, qtbot):
    assert rig.vm.screen == "login" and rig.vm.counterName == "Guichet 1"
    assert rig.vm.enabled["login"] and not rig.vm.enabled["call_next"]
    login(rig, qtbot)
    assert rig.vm.screen == "counter" and rig.vm.agentName == "Alice Martin"
    assert rig.vm.enabled["call_next"] and not rig.vm.enabled["recall"]
    assert rig.vm.figuresText == "Servis aujourd'hui : 0"
    press_and_wait(rig, qtbot, "logout")
    assert rig.vm.screen == "login" and rig.vm.messageText == ""
    assert rig.running.node.core.state.counters["1"].agent is None
    # remembered and offered first, but not preselected: the next person at the counter may be someone else
    assert rig.vm.recentAgents == ["alice"] and rig.vm.agentInput == "" and rig.vm.loginField == "agent"
    assert rig.vm.loginAgents[0]["id"] == "alice"


def test_a_wrong_pin_is_refused_with_words_for_the_agent(rig, qtbot):
    rig.controller.select_agent("alice")
    for digit in "9999":
        rig.controller.type_text(digit)
    assert rig.vm.pinMask == "●●●●"
    with qtbot.waitSignal(rig.controller.changed, timeout=5000, check_params_cb=lambda: rig.controller.message != ""):
        rig.controller.login()
    qtbot.waitUntil(lambda: not rig.controller.busy and rig.controller.message != "", timeout=5000)
    assert rig.vm.messageText == "Agent inconnu ou code PIN erroné." and rig.vm.messageIsError
    assert rig.vm.screen == "login" and rig.vm.pinMask == ""


def test_an_agent_not_allowed_at_this_counter_is_told_so(rig, qtbot):
    rig.controller.select_agent("karim")
    for digit in "5678":
        rig.controller.type_text(digit)
    rig.controller.login()
    qtbot.waitUntil(lambda: rig.controller.message != "", timeout=5000)
    assert rig.vm.messageText == "Vous n'êtes pas autorisé à travailler à ce guichet."


def test_a_session_taken_over_elsewhere_goes_back_to_login_with_the_reason(rig, qtbot):
    login(rig, qtbot)
    rig.running.agent("alice")  # the same agent logs in at counter 1 from another keypad: our session is revoked
    with qtbot.waitSignal(rig.controller.sessionEnded, timeout=5000) as ended:
        rig.controller.press("call_next")
    assert ended.args == ["session_ended"]
    assert rig.vm.screen == "login" and "session" in rig.vm.messageText


def test_a_login_elsewhere_ends_the_session_without_a_press(node, tmp_path, qtbot):
    rig = started(make_rig(node, tmp_path), qtbot)
    try:
        login(rig, qtbot)
        # the same agent logs in again at counter 1 from another keypad: the login event alone tells us, no press
        with qtbot.waitSignal(rig.controller.sessionEnded, timeout=5000) as ended:
            node.agent("alice")
        assert ended.args == ["session_ended"]
    finally:
        rig.keypad.close()


def test_session_expiry_returns_to_login_with_a_message(rig, qtbot):
    login(rig, qtbot)
    with qtbot.waitSignal(rig.controller.sessionEnded, timeout=3000) as ended:
        rig.controller._expiry.start(10)  # the timer set from expires_at_ms, shortened
    assert ended.args == ["session_expired"]
    assert rig.vm.messageText == "Votre session a expiré : reconnectez-vous."


def test_idle_logout_without_a_customer(node, tmp_path, qtbot):
    rig = started(make_rig(node, tmp_path), qtbot)
    try:
        login(rig, qtbot)
        with qtbot.waitSignal(rig.controller.sessionEnded, timeout=5000) as ended:
            rig.controller._idle.start(10)  # idle_logout_minutes, shortened
        assert ended.args == ["idle_logout"]
        qtbot.waitUntil(lambda: node.node.core.state.counters["1"].agent is None, timeout=3000)
    finally:
        rig.keypad.close()


def test_an_agent_logs_in_with_the_digits_of_their_number(rig, qtbot):
    """A touch pad has digits only; alice's id has letters, her number does not (issue 15)."""
    rig.controller.set_login_field("agent")
    for digit in "101":
        rig.controller.type_text(digit)
    rig.controller.press("confirm")  # → the PIN field
    assert rig.vm.loginField == "pin"
    for digit in "1234":
        rig.controller.type_text(digit)
    with qtbot.waitSignal(rig.controller.loggedInChanged, timeout=5000):
        rig.controller.press("confirm", "key:Enter")
    assert rig.vm.agentName == "Alice Martin" and rig.running.node.core.state.counters["1"].agent == "alice"
    assert [a["id"] for a in rig.vm.loginAgents] == ["alice"]  # karim may not work at counter 1


def test_the_session_is_timed_by_the_nodes_clock_not_the_keypads(tmp_path, qtbot):
    """The node's clock is 13 hours behind this keypad's: the 12-hour session must not end at once."""
    import time

    from tests.branch.conftest import start_node, stop_node

    node = start_node(tmp_path / "skewed", clock=lambda: time.time() - 13 * 3600)
    rig = started(make_rig(node, tmp_path), qtbot)
    try:
        login(rig, qtbot)
        qtbot.wait(1500)
        assert rig.vm.screen == "counter"
        assert rig.controller._expiry.remainingTime() > 11.9 * 3600 * 1000
    finally:
        rig.keypad.close()
        stop_node(node)
