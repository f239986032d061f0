"""Sync fixtures: a real broker, a central receiver, and a node with its SyncService, all on loopback."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.central import CentralConfig
from config.sync import SyncConfig
from devtools.local_postgres import LocalPostgres
from smartqueue.local_broker import Broker
from sync.central import CentralReceiver
from sync.central_store import SqliteCentralStore, read_status
from sync.service import SyncService
from tests.branch.conftest import RunningNode, example_config, start_node, stop_node

ORG, BRANCH = "acme-bank", "BR042"


def wait_for(predicate: Callable[[], object], timeout: float = 10, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def sync_config(port: int, **overrides) -> SyncConfig:
    values = {"enabled": True, "host": "127.0.0.1", "port": port, "reconnect_min_s": 0.1, "reconnect_max_s": 0.5,
              "keepalive_s": 5, "ack_timeout_s": 1.5, "ack_timeout_max_s": 3, "status_interval_s": 0.5,
              "client_id": f"sq-test-{int(time.monotonic() * 1e6) % 10**9}", **overrides}
    return SyncConfig(**values)


def central_config(port: int, db: Path, **overrides) -> CentralConfig:
    values = {"host": "127.0.0.1", "port": port, "db_path": str(db), "reconnect_min_s": 0.1,
              "reconnect_max_s": 0.5, "keepalive_s": 5, "client_id": f"central-{db.parent.name}"[:60], **overrides}
    return CentralConfig(**values)


@dataclass
class Branch:
    running: RunningNode
    service: SyncService

    @property
    def node(self):
        return self.running.node

    def issue(self, count: int, service: str = "accounts") -> None:
        kiosk = self.running.client("kiosk")
        for _ in range(count):
            kiosk.issue_ticket(service)

    def events(self) -> list[tuple[int, str]]:
        return [(e.seq, e.id) for e in self.node.store.iter_events(0)]

    def stop_sync(self) -> None:
        self.running.call(self.service.stop())

    def start_sync(self, config: SyncConfig | None = None) -> None:
        self.service = SyncService(self.node, config or self.service.config)
        self.running.call(self.service.start())


def start_branch(data_dir: Path, config: SyncConfig) -> Branch:
    app = example_config(ticket_rate_per_minute=6000, ticket_burst=1000)
    running = start_node(data_dir, app)
    service = SyncService(running.node, config)
    running.call(service.start())
    return Branch(running, service)


def stop_branch(branch: Branch) -> None:
    branch.running.call(branch.service.stop())
    stop_node(branch.running)


def central_events(db: Path) -> list[tuple[int, str]]:
    """(seq, event id) of the branch's current log at central."""
    store = SqliteCentralStore(db, readonly=True)
    try:
        return store.count_events(ORG, BRANCH)
    finally:
        store.close()


def central_sql(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def branch_row(db: Path) -> dict:
    if not db.exists():
        return {}
    try:
        rows = [b for b in read_status(db)["branches"] if b["branch"] == BRANCH]
    except Exception:  # the receiver is still creating its tables
        return {}
    return rows[0] if rows else {}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    b = Broker(tmp_path / "broker").start()
    yield b
    b.stop()


@pytest.fixture
def central(tmp_path: Path, broker: Broker) -> Iterator[CentralReceiver]:
    receiver = CentralReceiver(central_config(broker.port, tmp_path / "central" / "central.sqlite3"))
    receiver.start()
    wait_for(lambda: receiver.link.connected and receiver.events_link.connected, what="central connected")
    yield receiver
    receiver.stop()


@pytest.fixture
def branch(tmp_path: Path, broker: Broker, central: CentralReceiver) -> Iterator[Branch]:
    b = start_branch(tmp_path / "node", sync_config(broker.port))
    wait_for(lambda: b.service.link.connected, what="branch connected")
    yield b
    stop_branch(b)


@pytest.fixture(scope="session")
def postgres() -> Iterator[LocalPostgres]:
    """One private PostgreSQL cluster for the session (initdb + pg_ctl, loopback, a free port)."""
    # not under pytest's basetemp: pytest resets it to 0700 at each session start, and the server runs as nobody
    workdir = Path(tempfile.mkdtemp(prefix="sq-test-postgres-"))
    server = LocalPostgres(workdir, fsync=False).start()
    yield server
    server.stop()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def pg_url(postgres: LocalPostgres) -> str:
    """A fresh database in the session's cluster for one test."""
    import psycopg

    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + "/" + name
