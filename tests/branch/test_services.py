"""The node's optional services: a failed start is logged at once with its reason and retried; stopping the node
releases everything even when a service never started or fails to stop."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path

from branch.services import LeaderOnly, ServiceSupervisor
from tests.branch.conftest import example_config, start_node, stop_node


class Flaky:
    """Fails its first `failures` starts (as sync does while its password file is missing), then runs."""

    name = "flaky"

    def __init__(self, failures: int, *, fail_stop: bool = False) -> None:
        self.failures = failures
        self.fail_stop = fail_stop
        self.starts = 0
        self.running = False
        self.stopped = threading.Event()

    async def start(self) -> None:
        self.starts += 1
        if self.starts <= self.failures:
            raise FileNotFoundError("the broker password file /etc/smartqueue/mqtt.pass is missing")
        self.running = True

    async def stop(self) -> None:
        self.running = False
        self.stopped.set()
        if self.fail_stop:
            raise RuntimeError("the broker did not answer the disconnect")


def _wait(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_service_that_fails_to_start_is_logged_at_once_and_retried(tmp_path: Path, caplog):
    caplog.set_level(logging.INFO, logger="branch.services")
    flaky = Flaky(failures=2)
    running = start_node(tmp_path / "node", example_config(), register=False, services=[flaky],
                         retry_s=0.05)
    try:
        assert _wait(lambda: flaky.running), "the service was never started again"
        failures = [r for r in caplog.records if r.levelno == logging.ERROR and "flaky" in r.getMessage()]
        assert len(failures) == 2
        assert "password file" in failures[0].getMessage() and "retrying" in failures[0].getMessage()
        assert flaky.starts == 3
    finally:
        stop_node(running)
    assert flaky.stopped.is_set()


def test_stopping_releases_everything_when_a_service_never_started_or_fails_to_stop(tmp_path: Path, caplog):
    never = Flaky(failures=10**6)
    broken_stop = Flaky(failures=0, fail_stop=True)
    running = start_node(tmp_path / "node", example_config(), register=False, services=[never, broken_stop],
                         retry_s=0.05)
    assert _wait(lambda: broken_stop.running and never.starts >= 2)
    stop_node(running)  # would raise or hang if one service kept the others from stopping
    assert broken_stop.stopped.is_set()
    assert not never.stopped.is_set()  # never started: nothing to stop
    assert any("failed to stop" in r.getMessage() for r in caplog.records)
    # the node let go of its database: another store can take the writer lock at once
    from branch.store import Store

    Store(tmp_path / "node" / "branch.sqlite3").close()


def test_leader_only_retries_while_leading_and_stops_on_losing_the_lead():
    async def scenario() -> None:
        listeners = []
        flaky = Flaky(failures=1)
        service = LeaderOnly(listeners.append, flaky, first_s=0.01)
        await service.start()
        (changed,) = listeners
        await changed(True)
        for _ in range(100):
            if flaky.running:
                break
            await asyncio.sleep(0.01)
        assert flaky.running and flaky.starts == 2
        await changed(False)
        assert not flaky.running and flaky.stopped.is_set()
        await service.stop()

    asyncio.run(scenario())


def test_a_supervisor_with_nothing_started_stops_cleanly():
    asyncio.run(ServiceSupervisor().stop())


def test_sync_with_a_missing_password_file_says_why_at_once_and_keeps_trying(tmp_path: Path, caplog):
    """The real composition root (`smartqueue node`'s build_node) with MQTT sync whose password file is missing:
    the reason is logged as the node starts, and again at the first retry (1 s later), not at shutdown."""
    from branch.server import NodeServer
    from config.sync import SyncConfig
    from smartqueue.node_cli import build_node

    sync = SyncConfig(enabled=True, host="127.0.0.1", port=1, username="branch",
                      password_file=str(tmp_path / "mqtt.pass"))
    node = build_node(example_config().model_copy(update={"sync": sync}), tmp_path / "node")
    seen: list[float] = []

    def failures() -> list[str]:
        return [r.getMessage() for r in caplog.records if "cannot read the broker password file" in r.getMessage()]

    async def scenario() -> None:
        server = NodeServer(node)
        started = time.monotonic()
        await server.start("127.0.0.1", 0, advertise=False)
        try:
            for _ in range(400):
                if len(failures()) > len(seen):
                    seen.append(time.monotonic() - started)
                if len(seen) >= 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            await server.stop()

    caplog.set_level(logging.INFO)
    asyncio.run(scenario())
    assert len(seen) >= 2, "the failure was not logged at once, or not retried"
    assert seen[0] < 0.5
    assert "retrying" in failures()[0]
