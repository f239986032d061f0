"""Group commit: concurrent commands share one SQLite transaction, and stay all or nothing each.

With a slow disk simulated by a trigger that sleeps inside the transaction (a real delay on the writer thread,
like a slow fsync), commands staged meanwhile go out together in the next group. A write failure fails the whole
group and everything staged after it; memory is rebuilt from disk and the next command chains on.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.branch.conftest import start_node, stop_node
from tests.branch.test_command_path import _arm, _issue, _memory_equals_disk, _numbers


def _slow_writes(node, delay_s: float) -> None:
    """Every event insert waits `delay_s` on the writer thread (a slow disk)."""
    store = node.node.store

    def arm() -> None:
        store._writer.create_function("sq_sleep", 1, lambda s: __import__("time").sleep(s) or 0)
        store.execute_write(f"CREATE TRIGGER IF NOT EXISTS slow AFTER INSERT ON outbox"
                            f" BEGIN SELECT sq_sleep({delay_s}); END")

    node.call(node.node.write(arm))


def _run_concurrently(node, requests) -> list:
    async def all_of():
        return await asyncio.gather(*(node.node.commands.run(r) for r in requests), return_exceptions=True)

    return asyncio.run_coroutine_threadsafe(all_of(), node.loop).result(30)


def test_concurrent_commands_share_commits(tmp_path: Path):
    node = start_node(tmp_path / "node", register=False)
    path = node.node.store.path
    try:
        _slow_writes(node, 0.02)
        before = node.node.committer.commits
        results = _run_concurrently(node, [_issue() for _ in range(30)])
        assert all(r.status == 201 for r in results)
        commits = node.node.committer.commits - before
        assert commits < 15, f"30 concurrent commands took {commits} commits"
        assert _numbers(node) == list(range(1, 31))
    except BaseException:
        stop_node(node)
        raise
    _memory_equals_disk(node, path)


@pytest.mark.parametrize("step", ["persist", "commit"])
def test_a_failed_group_fails_every_command_in_it_and_after_it(tmp_path: Path, step: str):
    node = start_node(tmp_path / "node", register=False)
    path = node.node.store.path
    try:
        node.call(node.node.commands.run(_issue()))
        _slow_writes(node, 0.02)
        _arm(node, step)
        results = _run_concurrently(node, [_issue() for _ in range(10)])
        assert all(isinstance(r, Exception) for r in results), results
        _arm(node, None)
        assert _numbers(node) == [1]
        node.call(node.node.commands.run(_issue()))
        assert _numbers(node) == [1, 2]
    except BaseException:
        stop_node(node)
        raise
    _memory_equals_disk(node, path)
