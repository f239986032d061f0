"""A real node on loopback, served from its own asyncio loop in a thread, with a token for every role."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from branch.devices import register_device
from branch.node import BranchNode
from branch.server import NodeServer
from branch.services import ServiceSupervisor
from config.loader import load_config
from config.schema import AppConfig
from nodeclient.client import NodeClient

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "examples" / "node.toml"


def example_config(**node_overrides) -> AppConfig:
    config = load_config(EXAMPLE)
    overrides = {"advertise": False, **node_overrides}
    return config.model_copy(update={"node": config.node.model_copy(update=overrides)})


@dataclass
class RunningNode:
    node: BranchNode
    url: str
    tokens: dict[str, str]
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    clients: list[NodeClient] = field(default_factory=list)
    server: NodeServer | None = None

    def client(self, role: str = "kiosk", **kwargs) -> NodeClient:
        client = NodeClient(self.tokens[role], base_url=self.url, **kwargs)
        self.clients.append(client)
        return client

    def http(self, method: str, path: str, role: str | None = "kiosk", token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token or role:
            headers.setdefault("Authorization", f"Bearer {token or self.tokens[role]}")
        return requests.request(method, self.url + path, headers=headers, timeout=5, **kwargs)

    def agent(self, agent: str = "alice", pin: str = "1234", counter: str = "1") -> NodeClient:
        keypad = self.tokens["keypad"] if counter == "1" else self.tokens[f"keypad{counter}"]
        session = NodeClient(keypad, base_url=self.url).login(agent, pin=pin)["session"]
        return self.client_with(session)

    def client_with(self, token: str) -> NodeClient:
        client = NodeClient(token, base_url=self.url)
        self.clients.append(client)
        return client

    def call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)


def start_node(data_dir: Path, config: AppConfig | None = None, clock=None, *, port: int = 0,
               register: bool = True, services: list | None = None, retry_s: float | None = None,
               advertise: bool = False) -> RunningNode:
    """A node serving on loopback in its own thread; `register` adds a device token per role (`tokens`);
    `services` are started by the node (retried every `retry_s` when they fail); `advertise` (with a configuration
    that allows it) only inside a network namespace."""
    config = config or example_config()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict = {}

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def boot() -> None:
            node = BranchNode(config, data_dir, **({"clock": clock} if clock else {}))
            holder["node"] = node
            if retry_s is not None:
                node.services = ServiceSupervisor(first_s=retry_s, max_s=retry_s * 4)
            for service in services or ():
                node.services.append(service)
            holder["server"] = NodeServer(node)
            holder["port"] = await holder["server"].start("127.0.0.1", port, advertise=advertise)
            ready.set()

        loop.run_until_complete(boot())
        loop.run_forever()

    thread = threading.Thread(target=run, name="test-node", daemon=True)
    thread.start()
    assert ready.wait(10), "node did not start"
    node = holder["node"]
    tokens = {}
    for role, counter in (("kiosk", None), ("display", None), ("keypad", "1"), ("keypad2", "2"),
                          ("keypad3", "3"), ("admin", None)) if register else ():
        # the store's writer connection belongs to the node's writer thread
        future = asyncio.run_coroutine_threadsafe(
            node.write(lambda r=role, c=counter: register_device(node.store, r.rstrip("23"), c, r, f"dev-{r}")), loop)
        _, tokens[role] = future.result(10)
    return RunningNode(node, f"http://127.0.0.1:{holder['port']}", tokens, loop, thread, server=holder["server"])


def restart_node(data_dir: Path, port: int, config: AppConfig | None = None) -> RunningNode:
    """The same node (same data dir, same port, same device tokens) started again, as after a crash."""
    return start_node(data_dir, config, port=port, register=False)


def stop_node(running: RunningNode) -> None:
    for client in running.clients:
        client.close()
    running.call(running.server.stop())
    running.loop.call_soon_threadsafe(running.loop.stop)
    running.thread.join(5)
    running.loop.close()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    running = start_node(tmp_path / "node")
    yield running
    stop_node(running)
