"""Review of issue 12: the replicated runner's answer guard must cover everything the leader's own answer can break.

On the leader the client's `respond` builds the body, then `BranchCore.stage` stores it canonically (sorted keys)
for the Idempotency-Key. Followers store the generic answer. If the leader's body cannot be stored (keys that do
not sort, a value JSON cannot encode), the leader's stage raises, the leader applies the entry as a no-op, and the
followers commit its events: the members' hash chains part for good. The guard must fall back in that case too.
"""

from __future__ import annotations

from types import SimpleNamespace

from branch.cluster.runtime import ReplicatedRunner
from branch.store import canonical
from queue_engine import commands as cmd


def test_an_answer_the_leader_cannot_store_falls_back_like_a_failing_one():
    runner = ReplicatedRunner.__new__(ReplicatedRunner)
    runner.context = SimpleNamespace(answer_for=lambda command: (lambda events: (201, {"generic": True})))
    command = cmd.IssueTicket(at_ms=1, ticket_id="t1", service="accounts")
    answer = runner._answer(command, lambda events: (201, {1: "one", "a": "mixed keys"}))
    status, body = answer([])
    canonical(body)  # what BranchCore.stage does with it for the idempotency record: must not raise
    assert (status, body) == (201, {"generic": True})
