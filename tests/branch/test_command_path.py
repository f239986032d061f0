"""The command path is atomic: a failure at any step leaves memory equal to disk, and the next command chains on.

Failures are injected into a running node on a real SQLite file: the answer (a handler's respond raising, or an
answer that cannot be stored as JSON), the write (a trigger aborting an INSERT inside the transaction) and the
commit (a deferred foreign key that only fails at COMMIT). After each one the node must still equal a fresh rebuild
from its database, the next ticket must be issued, and `smartqueue node verify` must find the chain intact.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from branch.command_port import CommandRequest
from branch.core import BranchCore
from branch.store import Store
from queue_engine import commands as cmd

from .conftest import EXAMPLE, RunningNode

ROOT = EXAMPLE.parents[2]

#: SQL faults switched on by a row in `fault`: `persist` aborts the ticket projection's INSERT after the events were
#: inserted in the same transaction; `commit` inserts a row whose deferred foreign key fails at COMMIT
FAULTS = """
CREATE TABLE IF NOT EXISTS fault (step TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS fault_parent (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS fault_child (parent INTEGER REFERENCES fault_parent(id) DEFERRABLE INITIALLY DEFERRED);
CREATE TRIGGER IF NOT EXISTS fault_persist BEFORE INSERT ON tickets
    WHEN EXISTS (SELECT 1 FROM fault WHERE step = 'persist')
    BEGIN SELECT RAISE(ABORT, 'injected persist failure'); END;
CREATE TRIGGER IF NOT EXISTS fault_commit AFTER INSERT ON events
    WHEN EXISTS (SELECT 1 FROM fault WHERE step = 'commit')
    BEGIN INSERT INTO fault_child (parent) VALUES (42); END;
"""


def _sql(db: Path, script: str) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def _issue(node: RunningNode, expect: int) -> dict:
    response = node.http("POST", "/api/v1/tickets", json={"service": "accounts"},
                         headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == expect, response.text
    return response.json()


def _run(node: RunningNode, respond, key: str | None = None):
    request = CommandRequest(lambda at: cmd.IssueTicket(at_ms=at, ticket_id=uuid.uuid4().hex, service="cash"),
                             respond, idempotency_key=key, request_hash="h" if key else "")
    return node.call(node.node.commands.run(request))


def _memory(node: RunningNode) -> tuple[int, str, dict]:
    async def read():
        core = node.node.core
        return core.seq, core.last_hash, core.state.to_dict()

    return node.call(read())


def _rebuilt(node: RunningNode) -> tuple[int, str, dict]:
    store = Store(node.node.store.path)
    try:
        core = BranchCore(node.node.setup, store, node.node.config.node.snapshot_every)
        return core.seq, core.last_hash, core.state.to_dict()
    finally:
        store.close()


def _verify(node: RunningNode) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", "--data-dir",
                           str(node.node.data_dir)], capture_output=True, text=True, cwd=ROOT, timeout=60)


def _fail_respond(node: RunningNode) -> None:
    def respond(events):
        raise RuntimeError("injected failure while building the answer")

    with pytest.raises(RuntimeError, match="injected"):
        _run(node, respond)


def _fail_storing_the_answer(node: RunningNode) -> None:
    with pytest.raises(TypeError):  # the idempotency record needs the answer as JSON
        _run(node, lambda events: (201, {"not json": object()}), key="answer-not-json")


def _fail_in_sql(step: str):
    def inject(node: RunningNode) -> None:
        db = node.node.store.path
        _sql(db, FAULTS + f"INSERT INTO fault VALUES ('{step}');")
        try:
            error = _issue(node, 500)["error"]
            assert error["code"] == "internal_error"
        finally:
            _sql(db, "DELETE FROM fault;")

    return inject


@pytest.mark.parametrize("inject", [_fail_respond, _fail_storing_the_answer, _fail_in_sql("persist"),
                                    _fail_in_sql("commit")],
                         ids=["respond", "store-answer", "persist", "commit"])
def test_a_failure_at_any_step_leaves_memory_equal_to_disk(node: RunningNode, inject):
    before = [_issue(node, 201)["number"] for _ in range(3)]
    assert before == ["A-001", "A-002", "A-003"]
    seq = _memory(node)[0]

    inject(node)

    assert _memory(node)[0] == seq, "the failed command moved the in-memory sequence"
    assert _memory(node) == _rebuilt(node)
    assert _issue(node, 201)["number"] == "A-004"  # the failed command left no trace, not even a number
    assert _memory(node) == _rebuilt(node)
    report = _verify(node)
    assert report.returncode == 0 and "hash chain intact" in report.stdout, report.stdout + report.stderr


def test_a_commit_failure_is_a_real_sqlite_commit_failure(tmp_path: Path):
    """The injected 'commit' fault fails at COMMIT, after every statement of the transaction succeeded."""
    db = tmp_path / "x.sqlite3"
    store = Store(db)
    try:
        _sql(db, FAULTS + "INSERT INTO fault VALUES ('commit');")
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO events (seq, id, type, at, at_ms, actor, data, prev_hash, hash)"
                     " VALUES (1, 'e', 'T', 'x', 0, '{}', '{}', '', '')")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute("COMMIT")
        conn.execute("ROLLBACK")
        conn.close()
    finally:
        store.close()
