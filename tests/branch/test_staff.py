"""Staff-only reads on a real node: agents allowed at a counter, login by number, an agent's day, device alerts."""

from __future__ import annotations

import pytest

from branch.staff import device_alerts
from nodeclient.client import NodeError


def test_a_keypad_lists_the_agents_allowed_at_its_counter_and_logs_in_by_number(node):
    keypad = node.client("keypad")
    agents = keypad.counter_agents("1")["agents"]
    assert [(a["id"], a["number"]) for a in agents] == [("alice", "101")]  # karim works at counters 2 and 3
    assert [a["id"] for a in node.client("keypad2").counter_agents("2")["agents"]] == ["alice", "karim"]
    with pytest.raises(NodeError) as refused:
        keypad.counter_agents("2")
    assert refused.value.code == "wrong_counter"
    answer = keypad.login("101", pin="1234")  # digits only: what a numeric keypad can type
    assert answer["agent"] == "alice" and answer["expires_at_ms"] > answer["now_ms"]
    with pytest.raises(NodeError) as wrong:
        node.client("keypad2").login("102", pin="0000")
    assert wrong.value.code == "bad_credentials"


def test_an_agents_day_comes_from_the_nodes_state(node):
    kiosk, alice = node.client("kiosk"), node.agent()
    for _ in range(3):
        kiosk.issue_ticket("accounts")
    alice.counter_action("1", "call-next")
    alice.counter_action("1", "start")
    alice.counter_action("1", "finish", {"outcome": "done"})
    alice.counter_action("1", "call-next")
    alice.counter_action("1", "no-show")
    day = alice.my_day()
    assert (day["agent"], day["served"], day["no_shows"]) == ("alice", 1, 1)
    assert day["average_service_s"] is not None and day["now_ms"] > 0
    with pytest.raises(NodeError) as refused:
        node.client("keypad").my_day()
    assert refused.value.code == "agent_required"


def test_alerts_for_staff_never_for_the_public(node):
    kiosk = node.client("kiosk")
    kiosk.report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
    node.client("display").report_status("me", {"state": "degraded", "components": {"audio": "no_output"}})
    alerts = node.client("keypad").staff_alerts()["alerts"]
    kinds = {(a["device"], a["kind"]) for a in alerts}
    # the display is not streaming in this test and just reported: not offline yet, but silent
    assert kinds == {("dev-kiosk", "printer_paper_out"), ("dev-display", "display_no_audio")}
    for public in ("display", "kiosk"):
        with pytest.raises(NodeError) as refused:
            node.client(public).staff_alerts()
        assert refused.value.status == 403


@pytest.mark.parametrize(("role", "report", "age_s", "live", "expected"), [
    ("kiosk", {"components": {"printer": "ready"}}, 10, False, []),
    ("kiosk", {"components": {"printer": "paper_near_end"}}, 10, False, [("printer_paper_low", "soon")]),
    ("kiosk", {"components": {"printer": "cover_open"}}, 10, False, [("printer_attention", "action")]),
    ("kiosk", {"components": {"printer": "paper_out"}}, 400, False, [("device_offline", "action")]),
    ("display", {"components": {"audio": "ok"}}, 400, True, []),
    ("display", {"components": {"audio": "ok"}}, 40, False, [("device_offline", "action")]),
    ("display", {"components": {"audio": "ok"}}, 5, False, []),  # reconnecting: not offline yet
    ("display", {"components": {"audio": "no_clips"}}, 400, True, [("display_no_audio", "action")]),
])
def test_alert_rules(role, report, age_s, live, expected):
    alerts = device_alerts("d", role, "D", report, 1_000_000 - age_s * 1000, live, 1_000_000, 180_000)
    assert [(a.kind, a.severity) for a in alerts] == expected
    assert device_alerts("d", role, "D", None, None, False, 1_000_000, 180_000) == []  # never reported
