"""The event stream: live delivery, resume from Last-Event-ID with no gap and no duplicate."""

from __future__ import annotations

import contextlib
import threading

import pytest
import requests

from nodeclient.client import NodeError


def collect(stream, count: int, timeout: float = 10.0) -> list:
    events: list = []
    done = threading.Event()

    def run() -> None:
        for event in stream:
            events.append(event)
            if len(events) >= count:
                break
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    done.wait(timeout)
    stream.close()
    thread.join(5)
    return events


def test_live_events_arrive_in_order(node):
    display = node.client("display")
    stream = display.events(node.node.core.seq)
    holder: list = []
    thread = threading.Thread(target=lambda: holder.extend(collect(stream, 3)))
    thread.start()
    assert stream.connected.wait(5)
    kiosk = node.client("kiosk")
    kiosk.issue_ticket("accounts")
    kiosk.issue_ticket("cash")
    kiosk.issue_ticket("loans")
    thread.join(15)
    assert [e.data["data"]["number"] for e in holder if e.type == "TicketIssued"] == ["A-001", "C-001", "B-001"]
    seqs = [e.seq for e in holder]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_resume_after_disconnect_has_no_gap_and_no_duplicate(node):
    kiosk = node.client("kiosk")
    for _ in range(5):
        kiosk.issue_ticket("accounts")
    display = node.client("display")
    first = collect(display.events(0), 4)
    cursor = first[-1].seq
    for _ in range(3):
        kiosk.issue_ticket("cash")
    total = node.node.core.seq
    rest = collect(display.events(cursor), total - cursor)
    seqs = [e.seq for e in first] + [e.seq for e in rest]
    assert seqs == list(range(1, total + 1))


def test_stream_survives_node_side_disconnects(node):
    """The node drops every subscriber (as a failover would); the client resumes from its cursor."""
    kiosk = node.client("kiosk")
    display = node.client("display")
    stream = display.events(0)
    got: list = []
    thread = threading.Thread(target=lambda: got.extend(collect(stream, 6, timeout=20)))
    thread.start()
    kiosk.issue_ticket("accounts")
    assert stream.connected.wait(5)
    node.loop.call_soon_threadsafe(node.node.hub.close_all)
    for _ in range(4):
        kiosk.issue_ticket("cash")
    thread.join(25)
    seqs = [e.seq for e in got]
    assert seqs == list(range(1, 7)), seqs


def test_raw_sse_format_and_auth(node):
    assert node.http("GET", "/api/v1/events", role=None).status_code == 401
    node.client("kiosk").issue_ticket("cash")
    with requests.get(node.url + "/api/v1/events", headers={"Authorization": f"Bearer {node.tokens['display']}"},
                      stream=True, timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        lines = []
        for line in response.iter_lines(decode_unicode=True):
            lines.append(line)
            if line.startswith("data:") and "TicketIssued" in line:
                break
    assert "retry: 2000" in lines
    assert "event: TicketIssued" in lines and any(line.startswith("id: ") for line in lines)


def test_display_acks_reach_the_keypad_live_and_in_the_counter_view(node):
    kiosk = node.client("kiosk")
    ticket = kiosk.issue_ticket("accounts")
    agent = node.agent()
    display = node.client("display")
    stream = display.events(node.node.core.seq)  # a connected display counts as one of the displays
    keypad_stream = agent.events(node.node.core.seq)
    got: list = []
    thread = threading.Thread(target=lambda: got.extend(
        e for e in collect(keypad_stream, 2, timeout=10) if e.type == "CallShown"))  # TicketCalled, CallShown
    feeder = threading.Thread(target=lambda: collect(stream, 2, timeout=6))
    feeder.start()
    thread.start()
    assert stream.connected.wait(5) and keypad_stream.connected.wait(5)
    agent.counter_action("1", "call-next")
    answer = display.ack_call(ticket["id"], 0, shown=True, announced=True)
    assert answer["shown_on"] == 1 and answer["announced_on"] == 1 and answer["displays"] == 1
    view = agent.counter("1")["current"]
    assert (view["shown_on"], view["displays"]) == (1, 1)
    thread.join(12)
    feeder.join(8)
    assert got and got[0].seq == 0 and got[0].data["data"]["shown_on"] == 1
    with pytest.raises(NodeError) as err:
        node.client("kiosk").ack_call(ticket["id"], 0)
    assert err.value.status == 403


def test_ack_for_an_unknown_call_is_404(node):
    with pytest.raises(NodeError) as err:
        node.client("display").ack_call("nope", 0)
    assert err.value.code == "unknown_call"


def test_a_revoked_client_that_stopped_reading_is_cut_off(node):
    """A stream blocked writing to a client that stopped reading (its TCP window full) never read its queue, so
    revocation's CLOSE never reached it and the connection stayed open (issue-13 review): it is aborted now."""
    import socket
    import time
    from urllib.parse import urlparse

    device = node.client("display").whoami()["device"]
    url = urlparse(node.url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((url.hostname, url.port))
    sock.sendall(f"GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {node.tokens['display']}\r\n"
                 "\r\n".encode())
    deadline = time.monotonic() + 5
    while device not in node.node.hub.devices("display") and time.monotonic() < deadline:
        time.sleep(0.02)
    blob = {"text": "x" * 60_000}
    for _ in range(60):  # ~3.6 MB the client never reads: the node's write blocks on the full window
        node.loop.call_soon_threadsafe(node.node.hub.publish_ephemeral, "DisplayMessage", blob)
    time.sleep(1.0)
    node.loop.call_soon_threadsafe(node.node.hub.close_devices, {device})
    time.sleep(2.0)  # the client still reads nothing: only an abort (RST) tells it the stream is over
    sock.settimeout(5)
    try:  # the node dropped the connection: what the kernel still held, then EOF (or a reset) — not a timeout
        with contextlib.suppress(ConnectionResetError):
            while sock.recv(1 << 20):
                pass
    except TimeoutError:
        pytest.fail("the revoked stream was still open (its writer stuck on a client that reads nothing)")
    finally:
        sock.close()


def test_a_client_resuming_below_the_archive_checkpoint_is_told_what_it_will_not_see(node):
    """Archived events are not streamed: a client resuming below the checkpoint gets an EventsArchived notice
    (no id, its cursor unmoved by it) before the live backlog, instead of a silent jump."""
    kiosk = node.client("kiosk")
    for _ in range(6):
        kiosk.issue_ticket("accounts")
    archived = node.node.core.seq - 2
    node.call(node.node.commands.archive(archived))
    events = collect(node.client("display").events(1), 3)
    assert events[0].seq == 0 and events[0].type == "EventsArchived"
    assert events[0].data["data"] == {"after": 1, "archived_to": archived}
    assert [e.seq for e in events[1:]] == [archived + 1, archived + 2]
    current = collect(node.client("display").events(archived), 1)  # at the checkpoint: nothing to be told
    assert [e.seq for e in current] == [archived + 1]
