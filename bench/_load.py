"""`python -m bench._load`: kiosks issuing tickets and clients reading /state, in one asyncio loop of its own
process (never the node's GIL). Prints READY, waits for a line on stdin, runs `--duration` seconds, writes JSON.

Each client connects from its own loopback address (127.0.3.x kiosks, 127.0.4.x readers), as separate machines
would. Kiosks are open-loop (`--rate` tickets/s each, Poisson arrivals: a new customer does not wait for the previous
ticket) or closed-loop (`--rate 0`: the next ticket as soon as the last is answered, a hammer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid

import aiohttp

SERVICES = ("accounts", "cash", "loans")


async def kiosk(session: aiohttp.ClientSession, url: str, token: str, rate: float, until: float,
                out: list[float], errors: list[str]) -> None:
    tasks: set[asyncio.Task] = set()

    async def one() -> None:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        started = time.perf_counter()
        try:
            async with session.post(url + "/api/v1/tickets", json={"service": random.choice(SERVICES)},
                                    headers=headers) as response:
                await response.read()
                if response.status != 201:
                    errors.append(str(response.status))
                    return
        except aiohttp.ClientError as err:
            errors.append(repr(err))
            return
        out.append((time.perf_counter() - started) * 1000)

    while time.monotonic() < until:
        if rate > 0:
            task = asyncio.create_task(one())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(random.expovariate(rate))
        else:
            await one()
    await asyncio.gather(*tasks)


async def reader(session: aiohttp.ClientSession, url: str, token: str, until: float, sizes: list[int]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < until:
        async with session.get(url + "/api/v1/state", headers=headers) as response:
            sizes.append(len(await response.read()))


def _session(address: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, local_addr=(address, 0)))


async def main(args: argparse.Namespace) -> dict:
    tokens = json.loads(args.tokens)
    print("READY", flush=True)
    sys.stdin.readline()
    until = time.monotonic() + args.duration
    latencies: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    # every client is its own machine: its own loopback address (the node limits requests per address)
    kiosks = [_session(f"127.0.3.{i + 1}") for i in range(args.kiosks)]
    readers = [_session(f"127.0.4.{i + 1}") for i in range(args.readers)]
    try:
        jobs = [kiosk(session, args.url, tokens["kiosks"][i % len(tokens["kiosks"])], args.rate, until, latencies,
                      errors) for i, session in enumerate(kiosks)]
        jobs += [reader(session, args.url, tokens["display"], until, sizes) for session in readers]
        await asyncio.gather(*jobs)
    finally:
        for session in kiosks + readers:
            await session.close()
    return {"tickets_ms": latencies, "errors": errors[:20], "error_count": len(errors), "state_reads": len(sizes),
            "state_bytes": max(sizes) if sizes else 0}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--tokens", required=True, help='JSON {"kiosks": [...], "display": "..."}')
    parser.add_argument("--kiosks", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0)
    parser.add_argument("--readers", type=int, default=0)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    with open(arguments.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
