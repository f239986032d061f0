"""The node stays on the air while hostile clients hold connections: 2,000 idle and slow-header connections from
a hundred addresses, one address over its cap; a real kiosk keeps issuing tickets meanwhile, and the node closes
every hostile connection once its header deadline passes."""

from __future__ import annotations

import resource
import socket
import time
from pathlib import Path

import pytest

from tests.branch.conftest import example_config, start_node, stop_node

HOSTILE_ADDRESSES = [f"127.0.1.{i}" for i in range(1, 101)]  # other loopback addresses: other machines


@pytest.fixture
def guarded_node(tmp_path: Path):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 6000:
        pytest.skip(f"needs 6,000 descriptors (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    running = start_node(tmp_path / "node", example_config(
        header_timeout_s=6, idle_timeout_s=6, max_connections_per_client=20, max_connections=4000,
        ticket_rate_per_minute=6000, ticket_burst=1000))
    yield running
    stop_node(running)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _connect(port: int, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    sock.setblocking(False)
    return sock


def _closed_by_peer(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def test_a_kiosk_is_served_while_two_thousand_hostile_connections_are_open(guarded_node):
    node = guarded_node
    port = int(node.url.rsplit(":", 1)[1])
    hostile: list[socket.socket] = []
    over_cap: list[socket.socket] = []
    try:
        for n, source in enumerate(HOSTILE_ADDRESSES * 20):
            sock = _connect(port, source)
            if n % 2:
                sock.send(b"GET /api/v1/health HTTP/1.1\r\nX-Slow: ")  # a header that never ends
            hostile.append(sock)
        over_cap.extend(_connect(port, "127.0.2.1") for _ in range(40))
        kiosk = node.client("kiosk", timeout=5, retries=0)
        started = time.monotonic()
        latencies = []
        for _ in range(20):
            began = time.monotonic()
            kiosk.issue_ticket("accounts")
            latencies.append(time.monotonic() - began)
        assert node.client("display").state()["waiting_total"] == 20
        assert time.monotonic() - started < 6, "the hostile connections were swept before the kiosk was done"
        assert max(latencies) < 2.0, latencies
        time.sleep(0.5)
        assert sum(_closed_by_peer(s) for s in over_cap) >= 20  # over its cap of 20, an address is reset at once
        assert sum(not _closed_by_peer(s) for s in hostile) > 1900  # still open: they were held during the test
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not all(_closed_by_peer(s) for s in hostile):
            time.sleep(0.5)
        assert all(_closed_by_peer(s) for s in hostile), "idle and slow-header connections must be closed"
        assert len(node.server.guard) <= 25  # the kiosk's own connection(s) and the capped address's 20 closed too
    finally:
        for sock in hostile + over_cap:
            sock.close()


def test_an_address_over_its_request_rate_is_slowed_down_while_others_are_served(guarded_node):
    import asyncio

    import aiohttp

    node = guarded_node

    async def flood() -> list[int]:
        connector = aiohttp.TCPConnector(limit=15, local_addr=("127.0.5.1", 0))  # under its connection cap
        async with aiohttp.ClientSession(connector=connector) as session:
            async def one() -> int:
                async with session.get(node.url + "/api/v1/health") as response:
                    await response.read()
                    return response.status

            return await asyncio.gather(*(one() for _ in range(100)))

    started = time.monotonic()
    statuses = asyncio.run(flood())
    elapsed = time.monotonic() - started
    assert set(statuses) <= {200, 429} and statuses.count(200) >= 40
    assert elapsed >= 2.5, f"100 requests in {elapsed:.1f} s: 40 at once, then 20 a second"
    began = time.monotonic()
    node.client("kiosk").issue_ticket("accounts")  # another client is not slowed down
    assert time.monotonic() - began < 1.0
