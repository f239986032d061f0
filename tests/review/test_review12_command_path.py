"""Review of issue 12: attacks on the atomic command path beyond the three sequential injections."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from branch.core import BranchCore
from branch.runner import CommandRequest
from branch.store import Store, verify_chain
from tests.branch.conftest import start_node, stop_node
from tests.branch.test_command_path import _arm, _issue, _numbers


def _check(node, path: Path) -> None:
    memory = node.node.core.state.to_dict()
    seq, last_hash = node.node.core.seq, node.node.core.last_hash
    stop_node(node)
    report = verify_chain(path)
    assert report.ok, report.problem
    rebuilt = BranchCore(node.node.setup, Store(path), node.node.config.node.snapshot_every)
    assert (rebuilt.seq, rebuilt.last_hash) == (seq, last_hash)
    assert rebuilt.state.to_dict() == memory


def _broken(events):
    raise RuntimeError("injected: the answer cannot be built")


def test_cancelled_while_a_failed_answer_waits_for_the_earlier_group(tmp_path: Path):
    """A command whose answer fails waits (`settle`) for the group before it; if its caller is cancelled right then
    (a service stopped, the node shutting down), memory must still be rebuilt."""
    node = start_node(tmp_path / "node")
    path = node.node.store.path
    gate = threading.Event()

    async def scenario():
        runner = node.node.commands
        blocker = asyncio.ensure_future(node.node.write(lambda: gate.wait(5)))  # the writer is busy (slow fsync)
        await asyncio.sleep(0.05)
        first = asyncio.ensure_future(runner.run(_issue()))  # staged, its group waits for the writer
        await asyncio.sleep(0.05)
        request = _issue()
        failing = asyncio.ensure_future(runner.run(CommandRequest(None, request.make, _broken)))
        await asyncio.sleep(0.05)  # the failing one is in settle() now
        failing.cancel()
        await asyncio.sleep(0.05)
        gate.set()
        await blocker
        await first
        with pytest.raises(asyncio.CancelledError):
            await failing
        await runner.run(_issue())  # the next command

    try:
        node.call(scenario())
        numbers = _numbers(node)
    except BaseException:
        stop_node(node)
        raise
    _check(node, path)
    assert numbers == [1, 2]


def test_a_failed_group_with_commands_staged_behind_it(tmp_path: Path):
    """Group commit: the failing group and everything staged behind it fail; memory and disk stay equal."""
    node = start_node(tmp_path / "node")
    path = node.node.store.path
    gate = threading.Event()
    try:
        node.call(node.node.commands.run(_issue()))
        _arm(node, "persist")

        async def scenario():
            runner = node.node.commands
            blocker = asyncio.ensure_future(node.node.write(lambda: gate.wait(5)))
            await asyncio.sleep(0.05)
            tasks = [asyncio.ensure_future(runner.run(_issue())) for _ in range(5)]
            await asyncio.sleep(0.1)
            gate.set()
            await blocker
            return await asyncio.gather(*tasks, return_exceptions=True)

        results = node.call(scenario())
        assert all(isinstance(r, Exception) for r in results), results
        _arm(node, None)
        node.call(node.node.commands.run(_issue()))
        assert _numbers(node) == [1, 2]
    except BaseException:
        stop_node(node)
        raise
    _check(node, path)


def test_a_failing_publish_does_not_leave_callers_hanging(tmp_path: Path):
    """After the commit, publishing to SSE subscribers is the last step; if it raises, the caller still hears."""
    node = start_node(tmp_path / "node")
    path = node.node.store.path
    committer = node.node.committer
    original = committer._publish
    try:
        def boom(events):
            raise RuntimeError("injected: publish failed")

        committer._publish = boom
        started = time.monotonic()
        try:
            node.call(asyncio.wait_for(node.node.commands.run(_issue()), 3))
        except Exception as err:  # an error is acceptable, a hang is not
            assert not isinstance(err, (TimeoutError, asyncio.TimeoutError)), "the caller never heard back"
        assert time.monotonic() - started < 3
        committer._publish = original
        node.call(asyncio.wait_for(node.node.commands.run(_issue()), 3))
    except BaseException:
        committer._publish = original
        stop_node(node)
        raise
    _check(node, path)
