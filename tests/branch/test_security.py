"""The LAN API as an attacker on the branch LAN sees it (issue 13): one test per hole an auditor reproduced.

Everything runs against a real node on loopback; hostile requests are written byte by byte on a socket where a
client library would refuse to send them. Other loopback addresses (127.0.0.x) stand for other machines.
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from ground.logs import RedactingFilter
from nodeclient.client import NodeError
from tests.branch.conftest import RunningNode, example_config, start_node, stop_node


def raw(node: RunningNode, request: bytes, *, source: str = "127.0.0.1", timeout: float = 5.0) -> tuple[int, bytes]:
    """Send `request` as is; (status, body) of the answer, status 0 when the node closed without one."""
    port = int(node.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as sock:
        sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
    if not data.startswith(b"HTTP/1."):
        return 0, data
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def get(path: str, headers: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: node\r\n" + headers + b"Connection: close\r\n\r\n"


def post(path: str, body: bytes, headers: bytes = b"") -> bytes:
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\n" + headers
            + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def revoke_from_another_process(node: RunningNode, device_id: str) -> None:
    """What `smartqueue node revoke` does: an UPDATE on the database file through its own connection."""
    conn = sqlite3.connect(node.node.store.path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("UPDATE devices SET revoked_ms = ? WHERE id = ?", (int(time.time() * 1000), device_id))
    finally:
        conn.close()


# -- any byte, no 500 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [b"\xff\xfe", b"sqs_\xe9.x", b"sqd_\xc3\x28", b"\x00abc"])
def test_a_non_utf8_authorization_header_is_401_not_500(node, token):
    status, body = raw(node, get("/api/v1/state", b"Authorization: Bearer " + token + b"\r\n"))
    assert status in (400, 401), body
    assert b"internal_error" not in body


def test_json_nested_a_thousand_deep_is_400_even_unauthenticated(node):
    deep = b"[" * 1000 + b"]" * 1000
    status, body = raw(node, post("/api/v1/pairing", deep))
    assert status == 400 and b"too_deep" in body, body
    status, body = raw(node, post("/api/v1/tickets", b'{"service": ' + deep + b"}",
                                  f"Authorization: Bearer {node.tokens['kiosk']}\r\nIdempotency-Key: k-{uuid.uuid4()}"
                                  "\r\n".encode()))
    assert status == 400 and b"too_deep" in body, body


MALFORMED = [
    get("/api/v1/health", b"X-Evil: a\x00b\r\n"),
    get("/api/v1/health", b"X-Long: " + b"a" * 9000 + b"\r\n"),
    post("/api/v1/health", b"0\r\n\r\n", b"Transfer-Encoding: chunked\r\n"),
]


def test_malformed_requests_are_logged_once_per_client_without_traceback(node, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        for request in MALFORMED:
            status, _ = raw(node, request)
            assert status in (0, 400, 413, 431)
    raw(node, MALFORMED[0], source="127.0.0.2")
    records = [r for r in caplog.records if r.name.startswith(("aiohttp", "branch.http_protocol"))
               and r.levelno >= logging.INFO]
    assert all(r.exc_info is None and r.exc_text is None for r in records), [r.getMessage() for r in records]
    # at most one line for this client (none if another test's broken request was reported within the interval)
    assert len([r for r in records if "from 127.0.0.1" in r.getMessage()]) <= 1
    assert len([r for r in records if "from 127.0.0.2" in r.getMessage()]) == 1


# -- no device takeover --------------------------------------------------------------------------------------------


def test_pairing_never_touches_an_existing_device(node):
    admin = node.client("admin")
    code = admin.create_pairing_code("display")["code"]
    paired = node.client_with("").pair(code, "dev-admin")
    assert paired["role"] == "display" and paired["device_id"] != "dev-admin"
    assert admin.whoami()["device"] == "dev-admin" and admin.whoami()["role"] == "admin"
    revoke_from_another_process(node, "dev-kiosk")
    code = admin.create_pairing_code("kiosk")["code"]
    node.client_with("").pair(code, "dev-kiosk")
    devices = {d["id"]: d for d in admin.devices()["devices"]}
    assert devices["dev-kiosk"]["revoked"] is True


def test_only_an_admin_or_the_agent_at_the_tickets_counter_may_cancel(node):
    kiosk = node.client("kiosk")
    ticket = kiosk.issue_ticket("accounts")
    for role in ("kiosk", "keypad", "display"):
        response = node.http("POST", f"/api/v1/tickets/{ticket['number']}/cancel", role=role, json={})
        assert response.status_code == 403, (role, response.text)
    alice = node.agent("alice", "1234", counter="1")
    karim = node.agent("karim", "5678", counter="2")
    alice.counter_action("1", "call-next")
    refused = node.http("POST", f"/api/v1/tickets/{ticket['id']}/cancel", token=karim.token, json={})
    assert refused.status_code == 403
    assert node.http("POST", f"/api/v1/tickets/{ticket['id']}/cancel", token=alice.token,
                     json={}).json()["status"] == "cancelled"
    other = kiosk.issue_ticket("cash")
    assert node.http("POST", f"/api/v1/tickets/{other['id']}/cancel", role="admin", json={}).status_code == 200


@pytest.fixture
def fingerprint_node(tmp_path: Path):
    config = example_config()
    agents = [a.model_copy(update={"fingerprint_slots": [2]}) if a.id == "karim" else a for a in config.agents]
    running = start_node(tmp_path / "node", config.model_copy(update={"agents": agents}))
    yield running
    stop_node(running)


def test_fingerprint_login_is_limited_to_the_counters_agents_rate_limited_and_recorded(fingerprint_node):
    node = fingerprint_node
    keypad = node.client("keypad")  # counter 1, where karim (slot 2) may not work
    with pytest.raises(NodeError) as err:
        keypad.login(fingerprint_slot=2)
    assert (err.value.status, err.value.code) == (401, "bad_credentials")
    session = keypad.login(fingerprint_slot=1)
    assert session["agent"] == "alice"
    logged_in = [e for e in node.node.store.events_after(0) if e.type == "AgentLoggedIn"]
    assert logged_in[-1].data["method"] == "fingerprint"
    statuses = []
    for slot in range(100, 140):
        try:
            node.client("keypad2").login(fingerprint_slot=slot)
        except NodeError as failed:
            statuses.append(failed.status)
    assert 429 in statuses
    assert node.client("keypad3").login(fingerprint_slot=2)["agent"] == "karim"  # another keypad is not throttled


def test_wrong_pins_from_one_keypad_throttle_that_keypad_with_growing_delays_not_the_agent(node):
    now = [1000.0]
    node.node.login_throttle.clock = lambda: now[0]
    keypad = node.client("keypad")
    for _ in range(5):
        with pytest.raises(NodeError):
            keypad.login("alice", pin="0000")
    with pytest.raises(NodeError) as err:
        keypad.login("alice", pin="1234")
    assert err.value.status == 429
    first = int(err.value.details.get("retry_after_s", 0))
    assert first > 0
    # alice walks to counter 2 and logs in there: the attacker's keypad does not lock her out
    assert node.client("keypad2").login("alice", pin="1234")["agent"] == "alice"
    now[0] += first + 1
    with pytest.raises(NodeError):
        keypad.login("alice", pin="0000")
    with pytest.raises(NodeError) as err:
        keypad.login("alice", pin="0000")
    assert err.value.status == 429 and int(err.value.details["retry_after_s"]) > first


def test_pairing_attempts_are_limited_globally_as_well_as_per_address(node):
    answered = 0
    for source in ("127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"):
        for _ in range(5):
            guess = f'{{"nonce": "{"0" * 32}", "proof": "{"1" * 64}"}}'.encode()
            status, _ = raw(node, post("/api/v1/pairing", guess), source=source)
            answered += status != 429
    assert answered <= 10


# -- revocation that bites -----------------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once(node):
    display = node.client("display")
    display.state()
    revoke_from_another_process(node, "dev-display")
    with pytest.raises(NodeError) as err:
        display.state()
    assert err.value.status == 401


def test_revocation_ends_open_event_streams(node):
    url = node.url + "/api/v1/events"
    response = requests.get(url, headers={"Authorization": f"Bearer {node.tokens['display']}"}, stream=True,
                            timeout=5)
    ended = threading.Event()
    received: list[bytes] = []

    def read() -> None:
        try:
            for line in response.iter_lines():
                received.append(line)
        except requests.RequestException:
            pass
        ended.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.3)
    revoke_from_another_process(node, "dev-display")
    assert ended.wait(3), "the stream of a revoked display is still open"
    node.client("kiosk").issue_ticket("accounts")
    time.sleep(0.3)
    assert not any(b"TicketIssued" in line for line in received)
    response.close()
    reader.join(2)


def test_revoking_a_keypad_ends_the_agent_sessions_made_through_it(node):
    agent = node.agent("alice", "1234", counter="1")
    agent.counter_action("1", "pause", {"reason": "lunch"})
    revoke_from_another_process(node, "dev-keypad")
    time.sleep(1.0)
    response = node.http("POST", "/api/v1/counters/1/resume", token=agent.token)
    assert response.status_code == 401, response.text
    counter = node.client("display").counter("1")
    assert counter["agent"] is None  # the counter closed: the session was logged out


def test_a_device_retires_only_its_own_token_and_an_agent_session_cannot_retire_its_keypad(node):
    agent = node.agent("alice", "1234", counter="1")
    refused = node.http("DELETE", "/api/v1/devices/me", token=agent.token)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert node.client("keypad").whoami()["device"] == "dev-keypad"  # still paired
    assert node.http("DELETE", "/api/v1/devices/me", role=None).status_code == 401
    retired = node.http("DELETE", "/api/v1/devices/me", role="kiosk")
    assert retired.status_code == 200 and retired.json() == {"device": "dev-kiosk", "revoked": True}
    assert node.http("GET", "/api/v1/whoami", role="kiosk").status_code == 401
    assert node.http("DELETE", "/api/v1/devices/me", role="kiosk").status_code == 401  # once is all
    assert node.client("display").whoami()["device"] == "dev-display"  # no other device touched
    rows = {d["id"]: d["revoked"] for d in node.client("admin").devices()["devices"]}
    assert rows["dev-kiosk"] and not rows["dev-display"] and not rows["dev-keypad"]


def test_metrics_need_an_admin_or_metrics_token(node):
    assert node.http("GET", "/metrics", role=None).status_code == 401
    assert node.http("GET", "/metrics", role="kiosk").status_code == 403
    assert "sq_event_seq" in node.http("GET", "/metrics", role="admin").text
    admin = node.client("admin")
    code = admin.create_pairing_code("metrics")["code"]
    scraper = node.client_with("").pair(code, "prometheus")
    assert node.http("GET", "/metrics", token=scraper["token"]).status_code == 200


def test_tokens_never_reach_the_log_even_in_tracebacks_and_exception_text():
    token = "sqd_" + "S3cr3tT0kenValue" * 3
    try:
        raise ValueError(f"bad header line: b'Authorization: Bearer {token}'")
    except ValueError:
        record = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, "Error handling request", (),
                                   exc_info=sys.exc_info())
    RedactingFilter().filter(record)
    text = logging.Formatter("%(message)s").format(record)
    assert "S3cr3t" not in text and "redacted" in text


def test_a_token_in_a_malformed_request_never_reaches_the_log(node, caplog):
    caplog.set_level(logging.DEBUG)
    token = node.tokens["admin"]
    raw(node, get("/api/v1/state", b"Authorization: Bearer " + token.encode() + b"\x00\r\n"), source="127.0.0.21")
    raw(node, get("/api/v1/state", b"Authorization: Bearer " + token.encode() + b"\r\n" + b"X: \x01\r\n"),
        source="127.0.0.22")
    handler_output = [RedactingFilter().filter(r) and logging.Formatter("%(message)s").format(r)
                      for r in caplog.records]
    assert not any(token[4:20] in text for text in handler_output)


# -- what the fuzzer found in the OpenAPI document's contract ------------------------------------------------------


def test_405_names_the_allowed_methods(node):
    response = node.http("DELETE", "/api/v1/state")
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"


def test_a_whole_float_is_an_integer_as_json_schema_says(node):
    ticket = node.client("kiosk").issue_ticket("accounts", priority=1)
    response = node.http("POST", "/api/v1/displays/ack", role="display", json={"ticket_id": ticket["id"],
                                                                                "recalls": 0.0})
    assert response.status_code == 404  # validated (7.0 → 7), then: no current call for this ticket
    assert node.http("POST", "/api/v1/displays/ack", role="display",
                     json={"ticket_id": "x", "recalls": 0.5}).status_code == 422


def test_login_with_an_empty_body_is_invalid_for_the_document_too(node):
    from branch.openapi import build_document

    schema = build_document()["paths"]["/api/v1/agents/login"]["post"]["requestBody"]["content"]
    assert "anyOf" in schema["application/json"]["schema"]
    response = node.http("POST", "/api/v1/agents/login", role="keypad", json={})
    assert response.status_code == 422


def test_an_admin_cannot_store_status_for_a_device_that_does_not_exist(node):
    response = node.http("POST", "/api/v1/devices/ghost-1/status", role="admin", json={"state": "ok"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_device"


# -- bounded growth over months ------------------------------------------------------------------------------------


def test_housekeeping_bounds_what_the_node_keeps(node):
    from branch.security import FailureThrottle, TokenBucket

    day = 24 * 3600 * 1000
    now = node.node.now_ms()
    store = node.node.store

    def old_rows() -> None:
        store.execute_write("INSERT INTO pairing_codes (code_hash, code, role, expires_ms) VALUES ('h1', '1', 'kiosk',"
                            " ?)", (now - 2 * day,))
        store.execute_write("INSERT INTO pairing_codes (code_hash, code, role, expires_ms) VALUES ('h2', '2', 'kiosk',"
                            " ?)", (now - 60_000,))
        store.execute_write("INSERT INTO sync_commands (id, command, received_ms, status) VALUES ('c1', '{}', ?, 'ok')",
                            (now - 31 * day,))
        store.execute_write("INSERT INTO sync_dead_letters (at_ms, topic, reason_code, reason) VALUES (?, 't', 128,"
                            " 'x')", (now - 91 * day,))

    node.call(node.node.write(old_rows))
    node.call(node.node.write(lambda: store.purge_history(now)))
    assert [tuple(r) for r in store.query("SELECT code_hash, code FROM pairing_codes")] == [("h2", None)]
    assert not store.query("SELECT 1 FROM sync_commands") and not store.query("SELECT 1 FROM sync_dead_letters")

    clock = [0.0]
    throttle = FailureThrottle(5, 30, 300, clock=lambda: clock[0])
    bucket = TokenBucket(1, 5, clock=lambda: clock[0])
    for n in range(1000):
        throttle.failed(f"keypad-{n}|alice")
        bucket.take(f"10.0.{n // 250}.{n % 250}")
    clock[0] = 301.0
    throttle.purge()
    bucket.purge()
    assert len(throttle) == 0 and not bucket._buckets

    node.agent().counter("1")
    node.agent().counter("1")  # alice logs in again at counter 1: the first session is no counter's any more
    assert len(node.node.auth) == 2
    node.call(_purge(node))
    assert len(node.node.auth) == 1


async def _purge(node) -> None:
    node.node.forget_stale()


# -- time: a node that starts before its clock is set -------------------------------------------------------------


def test_a_clock_behind_the_last_event_stamps_nothing_and_a_small_step_back_stamps_the_last_time(tmp_path):
    now = [1_790_000_000.0]  # 2026-09-21
    running = start_node(tmp_path / "node", clock=lambda: now[0])
    try:
        kiosk = running.client("kiosk", retries=0)
        first = kiosk.issue_ticket("accounts")
        now[0] -= 60  # NTP steps back a minute: stamped at the last event's time, never earlier
        second = kiosk.issue_ticket("accounts")
        assert second["issued_at"] == first["issued_at"] and second["day"] == first["day"]
        now[0] = 86_400.0 * 365  # a board without RTC booting in 1971
        with pytest.raises(NodeError) as err:
            kiosk.issue_ticket("accounts")
        assert (err.value.status, err.value.code) == (503, "clock_behind")
        assert running.http("GET", "/api/v1/health", role=None).json()["clock"] == "behind"
        now[0] = 1_790_000_100.0  # NTP set the clock: commands again
        assert kiosk.issue_ticket("accounts")["number"] == "A-003"
    finally:
        stop_node(running)
