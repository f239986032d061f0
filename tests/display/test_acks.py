"""The display's acknowledgements stay bounded when no frame ever comes (a hidden window, a stalled renderer)."""

from __future__ import annotations

from appkit.tasks import TaskRunner
from display.acks import CallAcker
from display.board import Call
from nodeclient.client import NodeClient


def test_calls_waiting_for_a_frame_are_bounded(qapp):
    runner = TaskRunner(1, "sq-test-acks")
    client = NodeClient("sqd_unused", base_url="http://127.0.0.1:9")
    try:
        acker = CallAcker(client, runner, wait_for_frame=True)
        for n in range(1000):
            acker.shown(Call(f"t{n}", f"A-{n:03d}", "accounts", "1", 0))
        assert len(acker._pending) == CallAcker.MAX_PENDING
        assert acker._pending[-1].ticket_id == "t999"  # the newest calls are the ones kept
    finally:
        runner.shutdown()
        client.close()
