"""A service that fails to start is logged at once and retried; the node's stop releases everything anyway.

The failing service is the real MQTT sync link with its broker password file missing (the case that used to stay
silent until shutdown), against a real Mosquitto.
"""

from __future__ import annotations

import logging
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from branch.services import LeaderOnly
from sync.local_broker import Broker
from sync.service import SyncService
from tests.branch.conftest import example_config, start_node, stop_node

from .conftest import sync_config, wait_for

ROOT = Path(__file__).resolve().parents[2]
FAILED = "SyncService failed to start"


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(FAILED)]


def test_sync_without_its_password_file_is_logged_at_once_retried_and_starts_once_the_file_exists(
        tmp_path: Path, broker: Broker, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    password = tmp_path / "broker-password"
    config = sync_config(broker.port, username="branch-BR042", password_file=str(password))
    services: list[SyncService] = []

    def prepare(node) -> None:
        services.append(SyncService(node, config))
        node.services.append(LeaderOnly(node.add_leadership_listener, services[0], first_delay_s=0.2))

    started = time.monotonic()
    running = start_node(tmp_path / "node", example_config(), prepare=prepare)
    try:
        wait_for(lambda: _failures(caplog), timeout=3, what="the failure logged")
        assert time.monotonic() - started < 3
        first = _failures(caplog)[0]
        assert "attempt 1" in first and "cannot read the broker password file" in first and str(password) in first
        wait_for(lambda: len(_failures(caplog)) >= 2, timeout=3, what="a second attempt")
        password.write_text("secret\n", encoding="utf-8")
        wait_for(lambda: services[0].link is not None and services[0].link.connected, timeout=10,
                 what="sync connected once the file exists")
        assert any("SyncService started after" in r.getMessage() for r in caplog.records)
        assert "secret" not in caplog.text
    finally:
        stop_node(running)


class _StopFails:
    """A service whose stop raises: the node must still release everything after it."""

    name = "stop-fails"

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        raise RuntimeError("injected failure while stopping")


def test_stop_releases_everything_when_a_service_failed_to_start_and_another_fails_to_stop(
        tmp_path: Path, broker: Broker, caplog: pytest.LogCaptureFixture) -> None:
    config = sync_config(broker.port, username="branch-BR042", password_file=str(tmp_path / "missing"))

    def prepare(node) -> None:
        node.services.append(_StopFails())
        node.services.append(LeaderOnly(node.add_leadership_listener, SyncService(node, config), first_delay_s=0.2))

    running = start_node(tmp_path / "node", example_config(), prepare=prepare)
    wait_for(lambda: _failures(caplog), timeout=3, what="the failure logged")
    port = int(running.url.rsplit(":", 1)[1])
    store = running.node.store
    stop_node(running)
    assert "stopping stop-fails failed: RuntimeError: injected failure while stopping" in caplog.text
    with pytest.raises(sqlite3.ProgrammingError):  # the database is closed
        store.query("SELECT 1")
    assert not [t.name for t in threading.enumerate() if t.name.startswith("sq-writer")]
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))
    retries = len(_failures(caplog))
    time.sleep(0.5)
    assert len(_failures(caplog)) == retries  # no retry after the node stopped


def test_a_node_process_logs_a_failing_sync_at_once_and_stops_cleanly(tmp_path: Path, broker: Broker) -> None:
    config = tmp_path / "node.toml"
    config.write_text((ROOT / "config" / "examples" / "node.toml").read_text(encoding="utf-8") + f"""
[sync]
enabled = true
host = "127.0.0.1"
port = {broker.port}
username = "branch-BR042"
password_file = "{tmp_path / 'missing-password'}"
""", encoding="utf-8")
    log = tmp_path / "node.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", "--config", str(config), "--data-dir",
                                 str(tmp_path / "data"), "--port", "0", "--no-advertise"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=sink)
    try:
        wait_for(lambda: FAILED in log.read_text(encoding="utf-8"), timeout=15, what="the failure in the log")
        text = log.read_text(encoding="utf-8")
        assert "cannot read the broker password file" in text and "trying again in 1 s" in text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert "Traceback" not in log.read_text(encoding="utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
