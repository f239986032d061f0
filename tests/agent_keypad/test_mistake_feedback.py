"""Keypad feedback that prevents mistakes, checked against the node's own events: a typed number over a called,
never-started ticket asks first; a recall over the limit says no-show (issue 15 review; each failed at d7834ed)."""

from __future__ import annotations

import json

from tests.agent_keypad.conftest import issue, login, make_rig, press_and_wait, started


def ticket_events(running, ticket_id: str) -> list[tuple[str, dict]]:
    rows = running.node.store.query("SELECT type, data FROM events ORDER BY seq")
    out = []
    for type_, data in rows:
        body = json.loads(data)
        if body.get("ticket_id") == ticket_id:
            out.append((type_, body))
    return out


def test_calling_a_number_over_a_ticket_never_started_does_not_record_it_served(node, tmp_path, qtbot):
    """'Next' on a called, never-started ticket asks (issue 15); typing another ticket's number and Enter does the
    same thing on the node (the current ticket is released) and must not record it served with no outcome.
    Observed: TicketServed(outcome=None, implicit=True) and 'served today: 1'."""
    rig = started(make_rig(node, tmp_path), qtbot)
    try:
        login(rig, qtbot)
        first, _, third = issue(rig, "accounts", 3)
        press_and_wait(rig, qtbot, "call_next")
        assert rig.controller.counter.current.number == first["number"]
        qtbot.waitUntil(lambda: any(t["id"] == third["id"] for t in rig.controller.state.get("waiting") or []),
                        timeout=3000)
        for ch in third["number"].split("-")[1].lstrip("0"):
            rig.controller.type_text(ch)
        rig.controller.press("confirm", "key:Enter")
        qtbot.wait(800)
        served = [body for type_, body in ticket_events(node, first["id"]) if type_ == "TicketServed"]
        assert served == [], f"recorded served with no outcome: {served}"
        assert rig.controller.picker is not None, "no question was asked"
        rig.controller.choose("no_show_next")  # did not come: no-show, then the typed number is called
        qtbot.waitUntil(lambda: rig.controller.counter.current is not None
                        and rig.controller.counter.current.number == third["number"], timeout=3000)
        assert [t for t, _ in ticket_events(node, first["id"])][-1] == "TicketMarkedNoShow"
        assert rig.controller.entry == ""
    finally:
        rig.keypad.close()


def test_a_recall_over_the_limit_says_no_show_not_recall_0(node, tmp_path, qtbot):
    """recall_limit = 2: the third recall marks the ticket no-show on the node. Observed on the keypad (and under
    Xvfb with the '-' key): 'Ticket A-001 called again (recall 0).' — the agent is never told the customer was
    sent away."""
    rig = started(make_rig(node, tmp_path, language="en"), qtbot)
    try:
        login(rig, qtbot)
        (ticket,) = issue(rig, "accounts", 1)
        press_and_wait(rig, qtbot, "call_next")
        for _ in range(3):
            press_and_wait(rig, qtbot, "recall", f"key:{_}")
        assert [t for t, _ in ticket_events(node, ticket["id"])][-1] == "TicketMarkedNoShow"
        assert "recall 0" not in rig.vm.messageText
        assert "no-show" in rig.vm.messageText
    finally:
        rig.keypad.close()
