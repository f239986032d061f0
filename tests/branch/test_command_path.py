"""The command path is atomic: a failure at any step leaves memory and disk equal and the hash chain whole.

Failures are real, not mocked: the answer builder raises; SQLite aborts an INSERT half-way through the batch (a
trigger, as a full disk or a constraint would); the COMMIT itself fails (a deferred foreign key checked at COMMIT).
After each, the next command must chain onto what the database holds, `verify` must pass, and the node's memory
must equal a state rebuilt from the file.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from branch.api_errors import ApiError
from branch.commit import CommandFailed
from branch.core import BranchCore
from branch.runner import CommandRequest
from branch.store import Store, verify_chain
from queue_engine import commands as cmd
from tests.branch.conftest import RunningNode, start_node, stop_node

INJECT = [
    "CREATE TABLE IF NOT EXISTS inject (step TEXT)",
    "CREATE TABLE IF NOT EXISTS inject_parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS inject_child (parent INTEGER REFERENCES inject_parent(id)"
    " DEFERRABLE INITIALLY DEFERRED)",
    # half-way through the batch: the events are inserted, the outbox insert aborts the statement
    "CREATE TRIGGER IF NOT EXISTS inject_persist BEFORE INSERT ON outbox"
    " WHEN EXISTS (SELECT 1 FROM inject WHERE step = 'persist')"
    " BEGIN SELECT RAISE(ABORT, 'injected: disk full'); END",
    # every statement succeeds; COMMIT then finds a dangling deferred foreign key and fails
    "CREATE TRIGGER IF NOT EXISTS inject_commit AFTER INSERT ON events"
    " WHEN EXISTS (SELECT 1 FROM inject WHERE step = 'commit')"
    " BEGIN INSERT INTO inject_child (parent) VALUES (-1); END",
]


def _issue(service: str = "accounts") -> CommandRequest:
    ticket_id = uuid.uuid4().hex
    return CommandRequest(None, lambda at: cmd.IssueTicket(at_ms=at, ticket_id=ticket_id, service=service),
                          lambda events: (201, {"ticket": ticket_id}))


def _arm(node: RunningNode, step: str | None) -> None:
    store = node.node.store

    def arm() -> None:
        store.execute_write("PRAGMA foreign_keys = ON")
        for statement in INJECT:
            store.execute_write(statement)
        store.execute_write("DELETE FROM inject")
        if step is not None:
            store.execute_write("INSERT INTO inject (step) VALUES (?)", (step,))

    node.call(node.node.write(arm))


def _numbers(node: RunningNode) -> list[int]:
    """The day's ticket numbers ("A-001" → 1)."""
    return sorted(int(t.number.rsplit("-", 1)[-1]) for t in node.node.core.state.tickets.values())


def _memory_equals_disk(node: RunningNode, path: Path) -> None:
    memory = node.node.core.state.to_dict()
    seq, last_hash = node.node.core.seq, node.node.core.last_hash
    stop_node(node)
    report = verify_chain(path)
    assert report.ok, report.problem
    rebuilt = BranchCore(node.node.setup, Store(path), node.node.config.node.snapshot_every)
    assert (rebuilt.seq, rebuilt.last_hash) == (seq, last_hash)
    assert rebuilt.state.to_dict() == memory


@pytest.mark.parametrize("step", ["respond", "persist", "commit"])
def test_a_failure_at_any_step_leaves_memory_and_disk_equal(tmp_path: Path, step: str):
    node = start_node(tmp_path / "node")
    path = node.node.store.path
    try:
        node.call(node.node.commands.run(_issue()))
        node.call(node.node.commands.run(_issue()))
        before_seq, before_numbers = node.node.core.seq, _numbers(node)
        if step == "respond":
            def broken(events):
                raise RuntimeError("injected: the answer cannot be built")

            request = _issue()
            failing = CommandRequest(None, request.make, broken)
            with pytest.raises(CommandFailed):
                node.call(node.node.commands.run(failing))
        else:
            _arm(node, step)
            with pytest.raises(Exception, match=r"injected|FOREIGN KEY") as raised:
                node.call(node.node.commands.run(_issue()))
            assert not isinstance(raised.value, ApiError)
            _arm(node, None)
        # nothing of the failed command is left, in memory or on disk
        assert node.node.core.seq == before_seq
        assert _numbers(node) == before_numbers
        # the next command chains onto the database and takes the number the failed one did not keep
        node.call(node.node.commands.run(_issue()))
        assert _numbers(node) == [*before_numbers, max(before_numbers) + 1]
    except BaseException:
        stop_node(node)
        raise
    _memory_equals_disk(node, path)


def test_a_failure_over_http_answers_500_and_the_retry_with_the_same_key_issues_one_ticket(tmp_path: Path):
    node = start_node(tmp_path / "node")
    path = node.node.store.path
    try:
        _arm(node, "commit")
        key = uuid.uuid4().hex
        response = node.http("POST", "/api/v1/tickets", json={"service": "accounts", "language": "fr"},
                             headers={"Idempotency-Key": key})
        assert response.status_code == 500
        assert "FOREIGN KEY" not in response.text  # no internals to the client
        _arm(node, None)
        first = node.http("POST", "/api/v1/tickets", json={"service": "accounts", "language": "fr"},
                          headers={"Idempotency-Key": key})
        again = node.http("POST", "/api/v1/tickets", json={"service": "accounts", "language": "fr"},
                          headers={"Idempotency-Key": key})
        assert first.status_code == again.status_code == 201
        assert first.json()["number"] == again.json()["number"]
        assert len(node.node.core.state.tickets) == 1
    except BaseException:
        stop_node(node)
        raise
    _memory_equals_disk(node, path)
