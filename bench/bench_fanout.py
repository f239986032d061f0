"""Bench: event fan-out, from a counter's call to its arrival at 50 SSE subscribers, beside a bare SSE broadcast.

Method: a branch node (`python -m smartqueue node`, fresh data dir) runs in its own process; 50 subscribers
(`python -m bench._subscribers`: aiohttp, one asyncio loop, its own process) hold `GET /api/v1/events` open with a
display token, starting after the current sequence number. This process logs an agent in at counter 1 (the
queue holds enough tickets beforehand) and sends `POST /api/v1/counters/1/call-next` at a steady 20/s (keep-alive
`requests.Session`). Latency of a (subscriber, call) pair = the subscriber's CLOCK_MONOTONIC time when the call's
TicketCalled event has fully arrived (end of the SSE event) minus the time just before the call request was sent
(both processes read the same system-wide monotonic clock). Baseline: the same 50 subscribers on a bare aiohttp
SSE endpoint (`python -m bench._bare sse`) and the same paced loop POSTing a message of the same size to
/broadcast. The first calls of each are a warm-up. Target: node p99 < 50 ms.

Run: .venv/bin/python -m bench.bench_fanout   (exit status 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench._common import BareServer, NodeProcess, Subscribers, machine, percentile, summary

TARGET_P99_MS = 50.0
SUBSCRIBERS = 50


def _paced(count: int, rate: float, send: Callable[[int], str]) -> dict[str, int]:
    """Call ``send(i)`` ``count`` times at ``rate``/s; {key it returns: monotonic ns just before it was called}."""
    sent: dict[str, int] = {}
    started = time.monotonic()
    for i in range(count):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        before = time.monotonic_ns()
        sent[send(i)] = before
    return sent


def _latencies(result: dict, sent: dict[str, int], skip: set[str]) -> tuple[list[float], int]:
    """Per (subscriber, event) latencies in ms for the measured events, and how many pairs never arrived."""
    values = [(arrived - sent[key]) / 1e6 for _, key, arrived in result["arrivals"] if key in sent and key not in skip]
    expected = (len(sent) - len(skip)) * SUBSCRIBERS
    return values, expected - len(values)


def node_run(calls: int, warmup: int, rate: float) -> tuple[list[float], int, list[float], list[str]]:
    total = calls + warmup
    with tempfile.TemporaryDirectory(prefix="sq-bench-fanout-") as tmp, NodeProcess(Path(tmp)) as node, \
            requests.Session() as http:
        kiosk = {"Authorization": f"Bearer {node.kiosk_tokens[0]}"}
        for i in range(total + 5):
            r = http.post(node.base + "/api/v1/tickets", json={"service": ("accounts", "cash")[i % 2]},
                          headers={**kiosk, "Idempotency-Key": f"bench-fanout-{i:06d}"}, timeout=10)
            r.raise_for_status()
        r = http.post(node.base + "/api/v1/agents/login", json={"agent": "alice", "pin": "1234"},
                      headers={"Authorization": f"Bearer {node.keypad_tokens['1']}"}, timeout=10)
        r.raise_for_status()
        agent = {"Authorization": f"Bearer {r.json()['session']}"}
        seq = http.get(node.base + "/api/v1/health", timeout=5).json()["seq"]
        out = Path(tmp) / "subscribers.json"
        call_ms: list[float] = []

        def call(_: int) -> str:
            began = time.perf_counter()
            response = http.post(node.base + "/api/v1/counters/1/call-next", headers=agent, timeout=10)
            call_ms.append((time.perf_counter() - began) * 1000)
            response.raise_for_status()
            return next(e["ticket_id"] for e in response.json()["events"] if e["type"] == "TicketCalled")

        with Subscribers(f"{node.base}/api/v1/events?after={seq}", node.display_token, SUBSCRIBERS, out,
                         mode="latency", key="ticket", expect=total, timeout=total / rate + 30) as subs:
            sent = _paced(total, rate, call)
            result = subs.finish(grace=10)
        warm = set(list(sent)[:warmup])
        values, missing = _latencies(result, sent, warm)
        return values, missing, call_ms[warmup:], result["errors"]


def bare_run(calls: int, warmup: int, rate: float, size: int) -> tuple[list[float], int, list[str]]:
    total = calls + warmup
    with tempfile.TemporaryDirectory(prefix="sq-bench-fanout-") as tmp, BareServer("sse") as server, \
            requests.Session() as http:
        out = Path(tmp) / "subscribers.json"

        def send(i: int) -> str:
            key = f"m{i:06d}"
            message = json.dumps({"id": key, "pad": "x" * size}, separators=(",", ":"))
            http.post(server.base + "/broadcast", data=message, timeout=10).raise_for_status()
            return key

        with Subscribers(server.base + "/events", None, SUBSCRIBERS, out, mode="latency", key="id", expect=total,
                         timeout=total / rate + 30) as subs:
            sent = _paced(total, rate, send)
            result = subs.finish(grace=10)
        values, missing = _latencies(result, sent, set(list(sent)[:warmup]))
        return values, missing, result["errors"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second")
    args = parser.parse_args(argv)
    node_ms, node_missing, call_ms, node_errors = node_run(args.calls, args.warmup, args.rate)
    bare_ms, bare_missing, bare_errors = bare_run(args.calls, args.warmup, args.rate, size=560)
    p50, p99 = percentile(node_ms, 50), percentile(node_ms, 99)
    b50, b99 = percentile(bare_ms, 50), percentile(bare_ms, 99)
    ok = p99 < TARGET_P99_MS and node_missing == 0 and not node_errors
    print(f"fan-out bench: {SUBSCRIBERS} SSE subscribers, {args.calls} calls at {args.rate:g}/s after "
          f"{args.warmup} warm-up; {machine()}")
    print(f"{'':26}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}   (ms)   pairs   missing")
    for name, values, missing in (("node call -> subscriber", node_ms, node_missing),
                                  ("bare broadcast -> subscr.", bare_ms, bare_missing)):
        print(f"{name:26}" + "".join(f"{percentile(values, q):9.2f}" for q in (50, 90, 99)) +
              f"{max(values, default=float('nan')):9.2f}   {len(values):7d} {missing:7d}")
    print(f"call-next HTTP round trip: p50 {percentile(call_ms, 50):.2f} ms, p99 {percentile(call_ms, 99):.2f} ms")
    for error in node_errors + bare_errors:
        print("subscriber error:", error)
    print(f"target p99 < {TARGET_P99_MS:.0f} ms (every pair delivered): {p99:.2f} ms, {node_missing} missing")
    summary("fanout", f"call -> 50 subscribers p50 {p50:.1f} ms, p99 {p99:.1f} ms",
            f"bare SSE broadcast p50 {b50:.1f} ms, p99 {b99:.1f} ms", f"p99 < {TARGET_P99_MS:.0f} ms", ok,
            p50_ms=round(p50, 2), p99_ms=round(p99, 2), bare_p50_ms=round(b50, 2), bare_p99_ms=round(b99, 2),
            missing=node_missing)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
