"""Every counter action from the view-model, checked in the view-model and in the node's own state."""

from __future__ import annotations

import pytest

from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait, started


@pytest.fixture
def agent_rig(rig, qtbot):
    login(rig, qtbot)
    return rig


def node_ticket(rig, number: str):
    return next(t for t in rig.running.node.core.state.tickets.values() if t.number == number)


def test_call_next_start_finish_with_an_outcome_and_the_figures(agent_rig, qtbot):
    rig = agent_rig
    issue(rig, "accounts")
    qtbot.waitUntil(lambda: rig.vm.waitingCount == 1, timeout=3000)
    assert rig.vm.waitingText == "1 client en attente"
    press_and_wait(rig, qtbot, "call_next")
    assert rig.vm.currentNumber == "A-001" and rig.vm.currentStatusText == "Appelé"
    assert rig.vm.waitedText == "A attendu 1 minute" and rig.vm.elapsedText.startswith("00:0")
    assert rig.vm.shownText == "Aucun écran connecté"
    assert rig.vm.enabled["recall"] and rig.vm.enabled["start"] and rig.vm.enabled["no_show"]
    press_and_wait(rig, qtbot, "start")
    assert rig.vm.currentStatus == "serving" and not rig.vm.enabled["recall"]
    rig.controller.press("finish")
    assert rig.vm.pickerOpen and rig.vm.pickerTitle == "Résultat"
    assert [o["label"] for o in rig.vm.pickerOptions][:2] == ["Terminé", "Incomplet"]
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.type_text("2")  # the keypad's digit picks the 2nd option
    assert not rig.vm.hasCurrent and str(node_ticket(rig, "A-001").status) == "served"
    assert node_ticket(rig, "A-001").outcome == "incomplete"
    qtbot.waitUntil(lambda: rig.vm.servedToday == 1, timeout=3000)
    assert rig.vm.figuresText.startswith("Servis aujourd'hui : 1 · moyenne 1\xa0min")


def test_default_outcome_finishes_without_asking(node, tmp_path, qtbot):
    rig = started(make_rig(node, tmp_path, default_outcome="done"), qtbot)
    try:
        login(rig, qtbot)
        issue(rig)
        press_and_wait(rig, qtbot, "call_next")
        press_and_wait(rig, qtbot, "finish")
        assert not rig.vm.pickerOpen and node_ticket(rig, "A-001").outcome == "done"
    finally:
        rig.keypad.close()


def test_recall_then_no_show(agent_rig, qtbot):
    rig = agent_rig
    issue(rig)
    press_and_wait(rig, qtbot, "call_next")
    press_and_wait(rig, qtbot, "recall")
    assert rig.controller.counter.current.recalls == 1
    assert rig.vm.messageText == "Ticket A-001 rappelé (rappel 1)."  # the agent sees how many times
    rig.controller.press("no_show")  # one more tap: a no-show sends the customer away
    assert rig.vm.pickerOpen and rig.vm.pickerTitle == "Marquer le ticket A-001 absent ?"
    assert rig.vm.hasCurrent and str(node_ticket(rig, "A-001").status) == "called"
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000, check_params_cb=lambda name: name == "no_show"):
        rig.controller.press("confirm", "key:Enter")
    assert not rig.vm.hasCurrent and rig.vm.messageText == "Ticket A-001 marqué absent."
    assert str(node_ticket(rig, "A-001").status) == "no_show"
    qtbot.waitUntil(lambda: "absents : 1" in rig.vm.figuresText, timeout=3000)


def test_call_a_specific_ticket_by_its_digits_or_with_its_letter(agent_rig, qtbot):
    rig = agent_rig
    issue(rig, "accounts", 2)
    issue(rig, "cash", 1)
    qtbot.waitUntil(lambda: len(rig.controller.state.get("waiting", [])) == 3, timeout=3000)
    rig.controller.type_text("1")  # A-001 and C-001 both match: the agent is asked for the letter
    assert rig.vm.entryText == "1" and rig.vm.enabled["call_number"]
    rig.controller.press("call_number")
    assert rig.vm.messageText == "Plusieurs tickets portent ce numéro : tapez aussi la lettre."
    rig.controller.press("cancel")
    rig.controller.type_text("2")
    press_and_wait(rig, qtbot, "call_number", "key:Enter")
    assert rig.vm.currentNumber == "A-002" and rig.vm.entryText == ""
    for char in "C1":
        rig.controller.type_text(char)
    rig.controller.press("call_number", "key:F12")
    # A-002 was called, never started: calling another would record it served with no outcome (issue 15) — asked
    assert [o["key"] for o in rig.vm.pickerOptions] == ["no_show_next", "start"]
    with qtbot.waitSignal(rig.controller.actionDone, timeout=5000, check_params_cb=lambda a: a == "call_number"):
        rig.controller.choose("no_show_next")
    assert rig.vm.currentNumber == "C-001"
    assert str(node_ticket(rig, "A-002").status) == "no_show"


def test_an_unknown_number_is_refused_before_any_request(agent_rig, qtbot):
    rig = agent_rig
    for char in "99":
        rig.controller.type_text(char)
    rig.controller.press("call_number")
    assert rig.vm.messageText == "Aucun ticket de ce numéro aujourd'hui." and not rig.controller.busy


def test_transfer_to_a_service_at_the_back(agent_rig, qtbot):
    rig = agent_rig
    issue(rig)
    press_and_wait(rig, qtbot, "call_next")
    rig.controller.press("transfer")
    keys = [o["key"] for o in rig.vm.pickerOptions]
    assert keys[:3] == ["service:accounts", "service:cash", "service:loans"] and "counter:1" not in keys
    rig.controller.choose("service:loans")
    assert rig.vm.pickerTitle == "À quelle place dans la file ?"
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.choose("back")
    ticket = node_ticket(rig, "A-001")
    assert ticket.service == "loans" and str(ticket.status) == "waiting"
    assert rig.vm.messageText == "Ticket A-001 transféré vers Crédits (en fin de file)." and not rig.vm.hasCurrent


def test_transfer_to_another_counter_at_the_front(agent_rig, qtbot):
    rig = agent_rig
    issue(rig)
    press_and_wait(rig, qtbot, "call_next")
    rig.controller.press("transfer")
    rig.controller.choose("counter:2")
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.choose("front")
    assert node_ticket(rig, "A-001").target_counter == "2"


def test_park_and_return_by_original_time(agent_rig, qtbot):
    rig = agent_rig
    issue(rig)
    press_and_wait(rig, qtbot, "call_next")
    press_and_wait(rig, qtbot, "park")
    assert rig.vm.messageText == "Ticket A-001 mis de côté."
    qtbot.waitUntil(lambda: bool(rig.controller.state.get("parked")), timeout=3000)
    assert rig.vm.enabled["return_parked"]
    rig.controller.press("return_parked")
    assert [o["label"] for o in rig.vm.pickerOptions] == ["A-001"]
    rig.controller.type_text("1")
    assert [o["key"] for o in rig.vm.pickerOptions] == ["front", "back", "original"]
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.type_text("3")
    assert str(node_ticket(rig, "A-001").status) == "waiting"
    assert rig.vm.messageText == "Ticket remis dans la file."


def test_pause_with_a_reason_then_resume(agent_rig, qtbot):
    rig = agent_rig
    rig.controller.press("pause_toggle")
    assert [o["key"] for o in rig.vm.pickerOptions] == ["break", "lunch", "admin", "other"]
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.choose("lunch")
    assert rig.vm.paused and rig.vm.pausedText == "En pause : Déjeuner"
    assert not rig.vm.enabled["call_next"] and rig.vm.enabled["resume"]
    issue(rig)
    rig.controller.press("call_next")  # refused here already: no request
    assert not rig.controller.busy and rig.vm.messageText == "Le guichet est en pause : reprenez d'abord."
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000) as done:
        rig.controller.press("pause_toggle", "key:F9")  # on a paused counter, pause_toggle resumes
    assert done.args == ["resume"]
    assert not rig.vm.paused and rig.running.node.core.state.counters["1"].paused is None


def test_menu_reaches_every_action_by_digit(agent_rig, qtbot):
    rig = agent_rig
    issue(rig)
    press_and_wait(rig, qtbot, "call_next")
    rig.controller.press("menu")
    assert [o["key"] for o in rig.vm.pickerOptions] == [
        "start", "finish", "no_show", "transfer", "park", "return_parked", "pause_toggle", "toggle_bar", "logout"]
    assert rig.vm.pickerOptions[0]["hint"] == "1"
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000, check_params_cb=lambda a: a == "start"):
        rig.controller.type_text("1")
    assert rig.vm.currentStatus == "serving"


def test_a_node_refusal_is_translated(agent_rig, qtbot):
    rig = agent_rig
    with qtbot.waitSignal(rig.controller.actionFailed, timeout=3000) as failed:
        rig.controller.press("call_next")
    assert failed.args == ["call_next", "queue_empty"]
    assert rig.vm.messageText == "Personne n'attend pour ce guichet." and rig.vm.messageIsError


def test_a_double_press_never_calls_two_tickets(agent_rig, qtbot):
    rig = agent_rig
    issue(rig, "accounts", 3)
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000):
        rig.controller.press("call_next", "key:Plus")
        rig.controller.press("call_next", "key:Plus")  # a bounced key: dropped (same key within double_press_ms)
        rig.controller.press("call_next", "button:call_next")  # another source while the first is in flight: refused
    qtbot.wait(200)
    called = [t.number for t in rig.running.node.core.state.tickets.values() if t.called_ms is not None]
    assert called == ["A-001"] and not rig.controller.busy


def test_one_idempotency_key_per_press_survives_a_retry(agent_rig, qtbot):
    """The key travels with the press: a retry of the same request (as the client does after a timeout) is the
    same call, answered from the node's record, never a second ticket."""
    rig = agent_rig
    issue(rig, "accounts", 2)
    sent: list[str] = []
    real = rig.controller.agent_client.counter_action

    def twice(counter, action, body=None, *, idempotency_key=None):
        sent.append(idempotency_key)
        real(counter, action, body, idempotency_key=idempotency_key)  # "lost" answer
        return real(counter, action, body, idempotency_key=idempotency_key)

    rig.controller.agent_client.counter_action = twice
    press_and_wait(rig, qtbot, "call_next")
    assert len(sent) == 1 and rig.vm.currentNumber == "A-001"
    waiting = [t.number for t in rig.running.node.core.state.tickets.values() if str(t.status) == "waiting"]
    assert waiting == ["A-002"]


def test_next_on_a_called_ticket_never_started_asks_and_records_a_no_show(agent_rig, qtbot):
    """"Next" must not record "served" for a customer who never came to the counter (issue 15)."""
    rig = agent_rig
    issue(rig, "accounts", 2)
    press_and_wait(rig, qtbot, "call_next")
    rig.controller.press("call_next", "key:Plus")
    assert rig.vm.pickerOpen and rig.vm.pickerTitle == "Le ticket A-001 a été appelé mais pas servi"
    assert [o["key"] for o in rig.vm.pickerOptions] == ["no_show_next", "start"]
    assert str(node_ticket(rig, "A-001").status) == "called"  # nothing recorded yet
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000, check_params_cb=lambda name: name == "call_next"):
        rig.controller.choose("no_show_next")
    assert str(node_ticket(rig, "A-001").status) == "no_show" and node_ticket(rig, "A-001").outcome is None
    assert rig.vm.currentNumber == "A-002"
    # A-002 called, not started: asked again; this time the customer is here
    rig.controller.press("call_next", "key:F1")
    with qtbot.waitSignal(rig.controller.actionDone, timeout=3000, check_params_cb=lambda name: name == "start"):
        rig.controller.choose("start")
    assert rig.vm.currentStatus == "serving"
