"""A branch behind a poor WAN link (100 ms RTT, 1 % loss, a 10 s cut; bench/wan_relay.py, user space since this
kernel has no netem): after the cut every event reaches central once, and outside it most arrive within an RTT
plus 50 ms. The full figures (30 s cut, p99) come from bench/bench_wan.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench._common import percentile
from bench.bench_wan import run


@pytest.mark.slow
def test_nothing_is_lost_or_doubled_across_a_cut_of_a_slow_lossy_link(tmp_path: Path) -> None:
    result = asyncio.run(run(tmp_path, base_s=2, before_s=6, cut_s=10, after_s=4, keepalive_s=5))
    assert result["committed"] == result["distinct"] == result["stored"]  # none lost, none stored twice
    before = [result["latency"][seq] for seq in result["before"][:-5]]
    assert percentile(before, 50) < 150  # RTT 100 ms + 50 ms
    assert result["catch_up_s"] < 30
