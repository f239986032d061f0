"""Crash safety: kill -9 in the middle of a stream of tickets loses no acknowledged ticket; the chain verifies."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from branch.store import verify_chain

from .conftest import EXAMPLE, start_node, stop_node

ROOT = EXAMPLE.parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(tmp_path: Path, **node_keys) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    extra = "".join(f"{k} = {v}\n" for k, v in node_keys.items())
    text = text.replace("ticket_rate_per_minute = 30\n", "ticket_rate_per_minute = 6000\nticket_burst = 1000\n" + extra)
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def smartqueue(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartqueue", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, **kwargs)


def start_process(config: Path, data: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", "--config", str(config), "--data-dir",
                                str(data), "--port", str(port), "--no-advertise"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=0.5)
            return process
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise AssertionError("node process did not start")


@pytest.mark.slow
def test_kill_9_mid_stream_loses_no_acknowledged_ticket(tmp_path):
    config = write_config(tmp_path, snapshot_every=40)
    data = tmp_path / "data"
    token = smartqueue("node", "token", "--config", str(config), "--data-dir", str(data), "--role", "kiosk")
    assert token.returncode == 0, token.stderr
    token = token.stdout.strip()
    assert token.startswith("sqd_") and "\n" not in token
    port = free_port()
    process = start_process(config, data, port)
    url = f"http://127.0.0.1:{port}"
    acknowledged: list[dict] = []
    stop = threading.Event()

    def issue_forever() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(url + "/api/v1/tickets", json={"service": "accounts"}, timeout=2,
                                        headers={"Authorization": f"Bearer {token}",
                                                 "Idempotency-Key": str(uuid.uuid4())})
            except requests.RequestException:
                continue
            if response.status_code == 201:
                acknowledged.append(response.json())
        session.close()

    workers = [threading.Thread(target=issue_forever) for _ in range(3)]
    for worker in workers:
        worker.start()
    while len(acknowledged) < 150:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(5)
    time.sleep(0.3)
    stop.set()
    for worker in workers:
        worker.join(5)

    assert verify_chain(data / "branch.sqlite3").ok
    process = start_process(config, data, port)
    try:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        for ticket in acknowledged:
            found = session.get(f"{url}/api/v1/tickets/{ticket['id']}", headers=headers, timeout=5)
            assert found.status_code == 200, ticket
            assert found.json()["number"] == ticket["number"]
        numbers = [t["number"] for t in acknowledged]
        assert len(numbers) == len(set(numbers)), "a number was handed out twice"
        after = session.post(url + "/api/v1/tickets", json={"service": "accounts"},
                             headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, timeout=5).json()
        assert int(after["number"].split("-")[1]) > max(int(n.split("-")[1]) for n in numbers)
        session.close()
    finally:
        process.terminate()
        process.wait(10)
    verify = smartqueue("node", "verify", "--data-dir", str(data))
    assert verify.returncode == 0 and verify.stdout.startswith("ok:"), verify.stdout + verify.stderr


def test_restart_rebuilds_the_same_state_from_snapshot_and_log(tmp_path):
    from tests.branch.conftest import example_config

    config = example_config(snapshot_every=10, ticket_rate_per_minute=6000, ticket_burst=1000)
    running = start_node(tmp_path / "n", config)
    try:
        kiosk = running.client("kiosk")
        for i in range(25):
            kiosk.issue_ticket(["accounts", "cash", "loans"][i % 3])
        agent = running.agent()
        for _ in range(4):
            agent.counter_action("1", "call-next")
        before = running.node.core.state.to_dict()
    finally:
        stop_node(running)
    snapshots = sqlite3.connect(tmp_path / "n" / "branch.sqlite3").execute("SELECT COUNT(*) FROM snapshots").fetchone()
    assert snapshots[0] >= 1
    running = start_node(tmp_path / "n", config)
    try:
        assert running.node.core.state.to_dict() == before
        assert running.client("kiosk").issue_ticket("accounts")["number"] == "A-010"
    finally:
        stop_node(running)


def test_verify_detects_a_tampered_event(tmp_path):
    running = start_node(tmp_path / "n")
    try:
        kiosk = running.client("kiosk")
        for _ in range(5):
            kiosk.issue_ticket("cash")
    finally:
        stop_node(running)
    db = tmp_path / "n" / "branch.sqlite3"
    assert verify_chain(db).ok
    conn = sqlite3.connect(db)
    conn.execute("UPDATE events SET data = replace(data, 'C-003', 'C-099') WHERE seq = 4")
    conn.commit()
    conn.close()
    report = verify_chain(db)
    assert not report.ok and "event 4" in report.problem
    result = smartqueue("node", "verify", "--data-dir", str(tmp_path / "n"))
    assert result.returncode == 1 and "BROKEN" in result.stdout
