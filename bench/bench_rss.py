"""Bench: node resident memory with 50 SSE subscribers and 10,000 tickets in the day, beside a bare aiohttp server.

Method: the node runs as `python -m smartqueue node --config <tmp> --data-dir <tmp> --port 0 --no-advertise` (the
example config with the highest valid ticket rate and a business-day start 12 h away, so the day cannot roll over
mid-run). 50 subscribers (`python -m bench._subscribers --mode hold`, one asyncio loop, its own process) hold
`GET /api/v1/events` open; this process then issues 10,000 tickets over HTTP (aiohttp, 8 requests in flight,
rotating over 11 kiosk tokens so the per-device limit never answers 429, over the three services; every ticket
stays waiting: the day's whole ticket set is in memory). RSS is VmRSS from /proc/<pid>/status, sampled as it goes;
VmHWM is the peak. After the run every subscriber must have received all 10,000 events and the business day must
be unchanged. Baseline: a bare aiohttp server process (`python -m bench._bare sse`) with the same 50 SSE
subscribers connected. Target: node VmHWM (peak RSS) < 100 MB.

Run: .venv/bin/python -m bench.bench_rss   (exit status 1 when the target is missed)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import requests

from bench._common import BURST, BareServer, NodeProcess, Subscribers, machine, rss_kb, summary

SERVICES = ("accounts", "cash", "loans")
SUBSCRIBERS = 50
TARGET_MB = 100.0


def _mb(kb: int) -> float:
    return kb / 1024


async def _issue(base: str, tokens: list[str], count: int, inflight: int, pid: int) -> list[tuple[int, int]]:
    """Issue ``count`` tickets with ``inflight`` requests in flight; (tickets issued, VmRSS kB) every 1,000."""
    samples: list[tuple[int, int]] = []
    next_index = 0
    done = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal next_index, done
        while next_index < count:
            i = next_index
            next_index += 1
            headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}", "Idempotency-Key": str(uuid.uuid4())}
            async with session.post(base + "/api/v1/tickets", json={"service": SERVICES[i % 3], "language": "fr"},
                                    headers=headers) as response:
                if response.status != 201:
                    raise RuntimeError(f"ticket {i}: {response.status} {(await response.text())[:300]}")
                await response.read()
            done += 1
            if done % 1000 == 0:
                samples.append((done, rss_kb(pid)[0]))

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=inflight)) as session:
        await asyncio.gather(*(worker(session) for _ in range(inflight)))
    return samples


def bare_rss(settle: float) -> tuple[int, int, int]:
    """(VmRSS idle, VmRSS with 50 subscribers, VmHWM) of the bare aiohttp SSE server, in kB."""
    with tempfile.TemporaryDirectory(prefix="sq-bench-rss-") as tmp, BareServer("sse") as server:
        time.sleep(settle)
        idle = rss_kb(server.pid)[0]
        with Subscribers(server.base + "/events", None, SUBSCRIBERS, Path(tmp) / "subs.json", mode="hold") as subs:
            time.sleep(settle)
            loaded, peak = rss_kb(server.pid)
            subs.finish()
    return idle, loaded, peak


def node_rss(tickets: int, inflight: int, settle: float) -> dict:
    kiosks = tickets // BURST + 1
    with tempfile.TemporaryDirectory(prefix="sq-bench-rss-") as tmp, NodeProcess(Path(tmp), kiosks=kiosks) as node:
        http = requests.Session()
        health = http.get(node.base + "/api/v1/health", timeout=5).json()
        time.sleep(settle)
        idle = rss_kb(node.pid)[0]
        out = Path(tmp) / "subs.json"
        url = f"{node.base}/api/v1/events?after={health['seq']}"
        with Subscribers(url, node.display_token, SUBSCRIBERS, out, mode="hold", expect=tickets, timeout=600) as subs:
            time.sleep(settle)
            subscribed = rss_kb(node.pid)[0]
            began = time.monotonic()
            samples = asyncio.run(_issue(node.base, node.kiosk_tokens, tickets, inflight, node.pid))
            issue_s = time.monotonic() - began
            result = subs.finish(grace=60)  # they stop by themselves once each has all the events
            time.sleep(settle)
            final, peak = rss_kb(node.pid)
            after = http.get(node.base + "/api/v1/health", timeout=5).json()
        http.close()
    return {"idle": idle, "subscribed": subscribed, "final": final, "peak": peak, "samples": samples,
            "issue_s": issue_s, "counts": result["counts"], "errors": result["errors"],
            "day_before": health["day"], "day_after": after["day"], "seq": after["seq"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--inflight", type=int, default=8)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to let a process settle before a sample")
    args = parser.parse_args(argv)
    b_idle, b_loaded, b_peak = bare_rss(args.settle)
    n = node_rss(args.tickets, args.inflight, args.settle)
    delivered = sum(1 for c in n["counts"] if c == args.tickets)
    same_day = n["day_before"] == n["day_after"]
    peak_mb = _mb(n["peak"])
    ok = peak_mb < TARGET_MB and delivered == SUBSCRIBERS and same_day and not n["errors"]
    print(f"rss bench: {SUBSCRIBERS} SSE subscribers, {args.tickets} tickets over HTTP in "
          f"{n['issue_s']:.1f} s ({args.tickets / n['issue_s']:.0f}/s, {args.inflight} in flight); {machine()}")
    print(f"bare aiohttp SSE server : idle {_mb(b_idle):6.1f} MB, with {SUBSCRIBERS} subscribers "
          f"{_mb(b_loaded):6.1f} MB (peak {_mb(b_peak):.1f} MB)")
    print(f"node                    : idle {_mb(n['idle']):6.1f} MB, with {SUBSCRIBERS} subscribers "
          f"{_mb(n['subscribed']):6.1f} MB, after {args.tickets} tickets {_mb(n['final']):6.1f} MB "
          f"(peak {peak_mb:.1f} MB)")
    print("node RSS while issuing  : " + ", ".join(f"{k // 1000}k {_mb(v):.0f} MB" for k, v in n["samples"]))
    print(f"subscribers that got all {args.tickets} events: {delivered}/{SUBSCRIBERS}; "
          f"business day {n['day_before']} -> {n['day_after']}; event seq {n['seq']}")
    for error in n["errors"]:
        print("subscriber error:", error)
    print(f"target peak RSS < {TARGET_MB:.0f} MB: {peak_mb:.1f} MB")
    summary("rss", f"node {_mb(n['final']):.1f} MB after {args.tickets} tickets (peak {peak_mb:.1f} MB)",
            f"bare aiohttp + {SUBSCRIBERS} SSE {_mb(b_loaded):.1f} MB", f"peak < {TARGET_MB:.0f} MB", ok,
            node_mb=round(_mb(n["final"]), 1), node_peak_mb=round(peak_mb, 1), node_idle_mb=round(_mb(n["idle"]), 1),
            bare_mb=round(_mb(b_loaded), 1), issue_s=round(n["issue_s"], 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
