"""The LAN API on a real node over loopback: tickets, counters, auth, errors, idempotency, state, metrics."""

from __future__ import annotations

import uuid

import pytest

from nodeclient.client import NodeError


def test_health_and_openapi_need_no_token(node):
    health = node.http("GET", "/api/v1/health", role=None).json()
    assert health["branch"] == "BR042" and health["role"] == "leader" and health["api"] == "1"
    doc = node.http("GET", "/api/v1/openapi.json", role=None).json()
    assert doc["openapi"].startswith("3.") and "/api/v1/tickets" in doc["paths"]
    assert "/api/v1/counters/{id}/call-next" in doc["paths"]
    body_schema = doc["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "service" in body_schema["properties"]


def test_issue_ticket_returns_number_people_ahead_and_estimate(node):
    kiosk = node.client("kiosk")
    first = kiosk.issue_ticket("accounts", language="ar")
    second = kiosk.issue_ticket("accounts")
    assert (first["number"], second["number"]) == ("A-001", "A-002")
    assert second["people_ahead"] == 1 and second["estimated_wait_s"] is None  # no counter open yet
    assert first["service_names"]["ar"] == "الحسابات والبطاقات" and first["language"] == "ar"
    node.agent()
    again = kiosk.ticket(second["id"])
    # one ahead, one free counter that takes them now: half a mean service (300 s) later it is our turn
    assert again["people_ahead"] == 1 and again["estimated_wait_s"] == 150


def test_a_retried_request_returns_the_first_answer_and_no_second_ticket(node):
    key = str(uuid.uuid4())
    body = {"service": "cash"}
    first = node.http("POST", "/api/v1/tickets", json=body, headers={"Idempotency-Key": key})
    retry = node.http("POST", "/api/v1/tickets", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json() and retry.headers["Idempotent-Replayed"] == "true"
    other = node.http("POST", "/api/v1/tickets", json={"service": "loans"}, headers={"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert len(node.client("display").state()["waiting"]) == 1


def test_ticket_creation_requires_an_idempotency_key(node):
    response = node.http("POST", "/api/v1/tickets", json={"service": "cash"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_required"


def test_agent_day_at_the_counter(node):
    kiosk = node.client("kiosk")
    tickets = [kiosk.issue_ticket("accounts") for _ in range(3)]
    agent = node.agent("alice", "1234")
    called = agent.counter_action("1", "call-next")
    assert called["counter"]["current"]["number"] == tickets[0]["number"]
    agent.counter_action("1", "recall")
    agent.counter_action("1", "start")
    agent.counter_action("1", "finish", {"outcome": "done"})
    agent.counter_action("1", "call", {"ticket": "A003"})  # by today's number, as typed on a keypad
    agent.counter_action("1", "transfer", {"service": "loans", "position": "front"})
    agent.counter_action("1", "call-next")
    agent.counter_action("1", "park")
    agent.counter_action("1", "return", {"ticket": tickets[1]["id"]})
    agent.counter_action("1", "pause", {"reason": "lunch"})
    with pytest.raises(NodeError) as err:
        agent.counter_action("1", "call-next")
    assert (err.value.status, err.value.code) == (409, "counter_paused")
    agent.counter_action("1", "resume")
    agent.counter_action("1", "call-next")
    agent.counter_action("1", "no-show")
    state = node.client("display").state()
    assert [c["number"] for c in state["recent_calls"]][:1] == [tickets[1]["number"]]
    assert any(w["number"] == "A-003" and w["service"] == "loans" for w in state["waiting"])
    agent.logout()
    with pytest.raises(NodeError) as err:
        agent.counter_action("1", "call-next")
    assert err.value.code == "session_ended"


def test_double_press_with_one_key_calls_one_ticket(node):
    kiosk = node.client("kiosk")
    for _ in range(3):
        kiosk.issue_ticket("accounts")
    agent = node.agent()
    key = str(uuid.uuid4())
    a = agent.counter_action("1", "call-next", idempotency_key=key)
    b = agent.counter_action("1", "call-next", idempotency_key=key)
    assert a == b
    assert len(node.client("display").state()["waiting"]) == 2


def test_roles_are_enforced(node):
    assert node.http("POST", "/api/v1/tickets", role="display", json={"service": "cash"},
                     headers={"Idempotency-Key": "k" * 10}).status_code == 403
    assert node.http("POST", "/api/v1/counters/1/call-next", role="kiosk").json()["error"]["code"] == "agent_required"
    assert node.http("POST", "/api/v1/pairing/codes", role="kiosk", json={"role": "kiosk"}).status_code == 403
    agent = node.agent()
    other_counter = node.http("POST", "/api/v1/counters/2/call-next", token=agent.token)
    assert other_counter.status_code == 403 and other_counter.json()["error"]["code"] == "wrong_counter"
    assert node.http("GET", "/api/v1/devices", role="keypad").status_code == 403


@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer sqs_forged.mac",
                                  "Bearer sqd_" + "x" * 43])
def test_missing_or_wrong_credentials_are_401(node, auth):
    headers = {"Authorization": auth} if auth else {}
    response = node.http("GET", "/api/v1/state", role=None, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"unauthenticated", "invalid_token", "session_invalid"}


def test_wrong_pin_and_lockout(node):
    keypad = node.client("keypad")
    for _ in range(5):
        with pytest.raises(NodeError) as err:
            keypad.login("alice", pin="0000")
        assert err.value.status == 401
    with pytest.raises(NodeError) as err:
        keypad.login("alice", pin="1234")
    assert (err.value.status, err.value.code) == (429, "agent_locked")
    with pytest.raises(NodeError) as err:
        keypad.login("nobody", pin="1234")
    assert err.value.code == "bad_credentials"


def test_agent_may_only_log_in_at_allowed_counters(node):
    with pytest.raises(NodeError) as err:
        node.client("keypad").login("karim", pin="5678")  # the keypad of counter 1; karim works at 2 and 3
    assert err.value.code == "counter_not_allowed"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"[1, 2]", "application/json", 422, "invalid_body"),
        (b'{"service": 42}', "application/json", 422, "invalid_body"),
        (b'{"service": "cash", "surprise": true}', "application/json", 422, "invalid_body"),
        (b'{"service": "cash", "priority": 99}', "application/json", 422, "invalid_body"),
        (b'{"service": "nope"}', "application/json", 404, "unknown_service"),
        (b'{"service": "cash", "priority": "vip"}', "application/json", 404, "unknown_priority_category"),
        (b'{"service": "cash", "appointment": {"ref": "X1", "slot": "2026-01-01T10:00"}}', "application/json",
         422, "invalid_body"),
        (b"service=cash", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"\xff\xfe\x00", "application/json", 400, "invalid_json"),
        (b"", "application/json", 400, "body_required"),
    ],
)
def test_bad_bodies_get_a_named_error_never_a_500(node, body, content_type, status, code):
    response = node.http("POST", "/api/v1/tickets", data=body,
                         headers={"Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_huge_body_is_413(node):
    body = b'{"service": "' + b"a" * 100_000 + b'"}'
    response = node.http("POST", "/api/v1/tickets", data=body,
                         headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


def test_unknown_ids_and_routes(node):
    assert node.http("GET", "/api/v1/tickets/nope").json()["error"]["code"] == "unknown_ticket"
    assert node.http("GET", "/api/v1/counters/99").status_code == 404
    agent = node.agent()
    assert node.http("POST", "/api/v1/counters/1/dance", token=agent.token).json()["error"]["code"] == "unknown_action"
    assert node.http("GET", "/api/v1/nowhere").json()["error"]["code"] == "not_found"
    assert node.http("DELETE", "/api/v1/state").status_code == 405
    assert node.http("GET", "/api/v1/events", role="display", headers={"Last-Event-ID": "abc"}).status_code == 400


def test_ticket_issuing_is_rate_limited_per_device(node):
    statuses = [node.http("POST", "/api/v1/tickets", json={"service": "cash"},
                          headers={"Idempotency-Key": str(uuid.uuid4())}).status_code for _ in range(12)]
    assert statuses[:10] == [201] * 10 and statuses[-1] == 429


def test_pairing_gives_a_scoped_token_once(node):
    admin = node.client("admin")
    code = admin.create_pairing_code("display", name="hall screen")["code"]
    anonymous = node.client_with("none")
    paired = anonymous.pair(code, "display-7")
    assert paired["role"] == "display" and paired["token"].startswith("sqd_")
    with pytest.raises(NodeError) as err:
        anonymous.pair(code, "display-8")
    assert err.value.code == "invalid_pairing_code"
    display = node.client_with(paired["token"])
    assert display.state()["branch"]["id"] == "BR042"
    with pytest.raises(NodeError) as err:
        display.issue_ticket("cash")
    assert err.value.status == 403


def test_device_status_reports_and_listing(node):
    kiosk = node.client("kiosk")
    kiosk.report_status("dev-kiosk", {"state": "degraded", "components": {"printer": "paper_out"},
                                      "paper_left_estimate": 0})
    with pytest.raises(NodeError) as err:
        kiosk.report_status("dev-display", {"state": "ok"})
    assert err.value.status == 403
    devices = {d["id"]: d for d in node.client("admin").devices()["devices"]}
    assert devices["dev-kiosk"]["status"]["components"] == {"printer": "paper_out"}
    assert devices["dev-display"]["status"] is None


def test_daily_metrics_and_prometheus(node):
    kiosk = node.client("kiosk")
    kiosk.issue_ticket("accounts")
    agent = node.agent()
    agent.counter_action("1", "call-next")
    agent.counter_action("1", "finish")
    metrics = node.client("admin").daily_metrics()
    accounts = next(r for r in metrics["services"] if r["queue"] == "accounts")
    assert accounts["total_customers"] == 1 and accounts["served"] == 1
    text = node.http("GET", "/metrics", role="admin").text
    assert 'sq_tickets_waiting{service="accounts"} 0' in text
    assert 'sq_http_requests_total{route="/api/v1/tickets",status="201"} 1' in text
    assert "sq_http_request_seconds_bucket" in text
    assert node.http("GET", "/api/v1/metrics/daily?day=24-11-2026", role="admin").status_code == 422


def test_fingerprint_login_finds_the_agent_by_slot(node):
    keypad = node.client("keypad")
    session = keypad.login(fingerprint_slot=1)
    assert session["agent"] == "alice" and session["counter"] == "1"
    with pytest.raises(NodeError) as err:
        keypad.login(fingerprint_slot=77)
    assert err.value.code == "bad_credentials"
    with pytest.raises(NodeError) as err:
        keypad.login(pin="1234")
    assert err.value.code == "agent_required"


def test_whoami_and_status_for_me(node):
    kiosk = node.client("kiosk")
    assert kiosk.whoami()["device"] == "dev-kiosk" and kiosk.whoami()["role"] == "kiosk"
    kiosk.report_status("me", {"state": "ok"})
    devices = {d["id"]: d for d in node.client("admin").devices()["devices"]}
    assert devices["dev-kiosk"]["status"]["state"] == "ok"
