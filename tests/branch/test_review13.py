"""Adversarial review of issue 13 (the LAN API's security): holes found from outside a running node.

Each test is a reproduction: it failed on d7834ed. Other loopback addresses (127.0.x.y) stand for other machines.
"""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
import time
from pathlib import Path
from typing import ClassVar

import aiohttp
import pytest

from nodeclient.client import NodeClient, NodeError
from nodeclient.discovery import Candidate
from tests.branch.conftest import example_config, start_node, stop_node

# -- a login race: parallel wrong PINs all pass the throttle check before the first failure is recorded ----------


def test_parallel_wrong_pins_from_one_keypad_are_throttled_like_sequential_ones(node):
    """FailureThrottle is checked before the ~50 ms scrypt (awaited in a thread) and updated after it: a keypad
    token sending 30 guesses at once had every one checked (30 x 401) where the throttle allows 5, then 429."""

    async def guesses() -> list[int]:
        async with aiohttp.ClientSession() as session:
            async def one(i: int) -> int:
                async with session.post(node.url + "/api/v1/agents/login",
                                        json={"agent": "101", "pin": f"{9000 + i:04d}"},
                                        headers={"Authorization": f"Bearer {node.tokens['keypad']}"}) as response:
                    return response.status

            return await asyncio.gather(*(one(i) for i in range(30)))

    statuses = asyncio.run(guesses())
    assert set(statuses) <= {401, 429}, statuses
    checked = statuses.count(401)
    assert checked <= node.node.config.node.pin_attempts, f"{checked} PINs checked in one burst: {statuses}"


# -- a pinned client downgraded to plain HTTP sends its token in clear ----------------------------------------


class _Catcher(http.server.BaseHTTPRequestHandler):
    """A machine on the LAN answering as the branch's leader over plain HTTP, keeping what it is sent."""

    seen: ClassVar[list[str]] = []
    branch = "BR042"

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        body = (b'{"status":"ok","branch":"%s","role":"leader","node_id":"evil"}' % self.branch.encode()
                if self.path.endswith("/health") else b'{"device":"x","role":"kiosk"}')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _FakeDiscovery:
    """What zeroconf hands the client when someone on the LAN advertises the branch without `scheme=https`
    (nodeclient.discovery: scheme defaults to http) and a higher term."""

    branch_id = "BR042"

    def __init__(self, url: str) -> None:
        self.url = url

    def wait(self, timeout: float) -> list[Candidate]:
        return [Candidate("evil", self.url, "leader", 999)]

    def candidates(self) -> list[Candidate]:
        return self.wait(0)


def test_a_client_pinned_to_the_branch_ca_never_sends_its_token_over_plain_http(tmp_path: Path):
    """docs/architecture.md: "a client confirms a candidate with /health over pinned TLS, never trusts mDNS". The
    pinned CA is mounted for https:// only, so an http:// candidate (an mDNS record without scheme=https, or a
    cluster follower's 503 naming `http://leader`, the default api_url) gets the device token in clear."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Catcher.seen = []
    ca = tmp_path / "ca.pem"
    from branch.tls import BranchTLS

    ca.write_text(BranchTLS(tmp_path / "tls").ca_pem)
    client = NodeClient("sqd_secret-device-token", discovery=_FakeDiscovery(f"http://127.0.0.1:{server.server_port}"),
                        ca_file=str(ca), timeout=2, retries=0)
    try:
        with pytest.raises(NodeError):
            client.whoami()
    finally:
        client.close()
        server.shutdown()
    assert not any("secret" in h for h in _Catcher.seen), "the device token was sent over plain HTTP"


def test_a_pinned_client_does_not_follow_a_leader_named_over_plain_http(tmp_path: Path):
    """A follower's 503 not_leader names the leader as `http://host:port` unless [cluster] api_url is set
    (ReplicatedRunner.api_url), even when every member serves HTTPS; the client followed it in clear."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Catcher.seen = []

    class NotLeader(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (b'{"error":{"code":"not_leader","message":"m","details":{"leader":"http://127.0.0.1:%d"}}}'
                    % server.server_port)
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    follower = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotLeader)
    threading.Thread(target=follower.serve_forever, daemon=True).start()
    ca = tmp_path / "ca.pem"
    from branch.tls import BranchTLS

    ca.write_text(BranchTLS(tmp_path / "tls").ca_pem)
    # the follower is reached over http here only to inject its answer; what matters is the hop it asks for
    client = NodeClient("sqd_secret-device-token", base_url=f"http://127.0.0.1:{follower.server_port}",
                        ca_file=str(ca), timeout=2, retries=0)
    try:
        with pytest.raises(NodeError):
            client.whoami()
    finally:
        client.close()
        server.shutdown()
        follower.shutdown()
    assert not any("secret" in h for h in _Catcher.seen), "the device token was sent to an http:// leader"


# -- TLS: the connection guard sees a connection only once its handshake is done --------------------------------


@pytest.fixture
def tls_guarded_node(tmp_path: Path):
    running = start_node(tmp_path / "node", example_config(
        tls="on", header_timeout_s=2, idle_timeout_s=2, max_connections_per_client=8))
    running.url = running.url.replace("http://", "https://")
    yield running
    stop_node(running)


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_over_tls_connections_without_a_handshake_are_capped_per_client_and_timed_out(tls_guarded_node):
    """In production (HTTPS) `_Tracked.connection_made` runs only after the TLS handshake: a client that never
    sends a ClientHello is not counted against its cap nor swept after header_timeout_s; asyncio drops it after
    60 s. Against `smartqueue node` (tls on, LimitNOFILE 20,000) 21,000 such sockets from three addresses made a
    real pinned kiosk time out and wrote 96,512 'socket.accept() out of system resource' tracebacks (43 MB) in
    40 s."""
    port = int(tls_guarded_node.url.rsplit(":", 1)[1])
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.3.1", 0))
             for _ in range(30)]
    try:
        time.sleep(0.5)
        refused = sum(_closed_by_peer(s) for s in socks)
        assert refused >= 20, f"only {refused} of 30 pre-handshake connections over a cap of 8 were refused"
        time.sleep(4)  # past header_timeout_s = 2
        assert all(_closed_by_peer(s) for s in socks), "a connection that never started its handshake stays open"
    finally:
        for sock in socks:
            sock.close()
