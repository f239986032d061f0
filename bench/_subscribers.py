"""N Server-Sent Events subscribers in one asyncio loop, run as their own process by the fan-out and RSS benches.

Prints `READY <n>` once every subscriber has its stream open (first bytes received). Stops when every subscriber
has `--expect` keyed events (latency mode), when its stdin is closed, or after `--timeout` s; then writes JSON
results to `--out`.

--mode latency  parses each event; records (subscriber, key, CLOCK_MONOTONIC ns at arrival) for events with a key:
                `--key ticket` = data.ticket_id of TicketCalled (the node), `--key id` = id of the message (bare).
--mode hold     only counts `data:` lines (cheap), to hold connections open while the node works; with
                `--expect`, a subscriber is done once it has counted that many.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

import aiohttp

PATTERN = b"\ndata: "


def _key(data: str, kind: str) -> str | None:
    try:
        obj = json.loads(data)
    except ValueError:
        return None
    if kind == "ticket":
        return obj["data"]["ticket_id"] if obj.get("type") == "TicketCalled" else None
    value = obj.get("id")
    return None if value is None else str(value)


async def run(args: argparse.Namespace) -> dict:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def stdin_readable() -> None:
        if not os.read(stdin, 4096):  # EOF: the parent closed our stdin
            loop.remove_reader(stdin)
            stop.set()

    stdin = sys.stdin.fileno()
    loop.add_reader(stdin, stdin_readable)
    opened = [asyncio.Event() for _ in range(args.count)]
    arrivals: list[list] = []
    keyed = [0] * args.count
    counts = [0] * args.count
    done = [asyncio.Event() for _ in range(args.count)]
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    async def subscriber(index: int, session: aiohttp.ClientSession) -> None:
        try:
            async with session.get(args.url, headers=headers) as response:
                response.raise_for_status()
                if args.mode == "hold":
                    tail = b""
                    async for chunk in response.content.iter_any():
                        opened[index].set()
                        buf = tail + chunk
                        counts[index] += buf.count(PATTERN)
                        tail = buf[-(len(PATTERN) - 1):]
                        if args.expect and counts[index] >= args.expect:
                            done[index].set()
                    return
                data: list[str] = []
                while True:
                    line = await response.content.readline()
                    if not line:
                        return
                    now = time.monotonic_ns()
                    opened[index].set()
                    text = line.decode().rstrip("\n")
                    if text.startswith("data: "):
                        data.append(text[6:])
                    elif not text and data:
                        counts[index] += 1
                        key = _key("\n".join(data), args.key)
                        data = []
                        if key is not None:
                            arrivals.append([index, key, now])
                            keyed[index] += 1
                            if args.expect and keyed[index] >= args.expect:
                                done[index].set()
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as err:
            errors.append(f"subscriber {index}: {err!r}")
        finally:
            opened[index].set()
            done[index].set()

    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(subscriber(i, session)) for i in range(args.count)]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in opened)), 30)
        print(f"READY {args.count - len(errors)}", flush=True)
        waiters = [asyncio.create_task(stop.wait())]
        if args.expect:
            waiters.append(asyncio.ensure_future(asyncio.gather(*(e.wait() for e in done))))
        await asyncio.wait(waiters, timeout=args.timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in [*tasks, *waiters]:
            task.cancel()
        await asyncio.gather(*tasks, *waiters, return_exceptions=True)
    return {"arrivals": arrivals, "counts": counts, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--out", required=True)
    parser.add_argument("--mode", choices=["latency", "hold"], default="latency")
    parser.add_argument("--key", choices=["ticket", "id", ""], default="")
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    with open(args.out, "w") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
