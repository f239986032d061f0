"""The bare aiohttp baselines, each run as its own process: `python -m bench._bare echo|sse`.

echo  POST /echo: parses the JSON body and answers it back (the least an HTTP/JSON endpoint does).
sse   GET /events: a Server-Sent Events stream per client; POST /broadcast: the body, encoded once as an SSE
      message, is queued to every subscriber (the same shape as the node's EventHub, without store or engine).
Prints `PORT <n>` once listening on 127.0.0.1; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from aiohttp import web

CLOSE = b""
SUBSCRIBERS = web.AppKey("subscribers", set)


async def echo(request: web.Request) -> web.Response:
    return web.json_response(await request.json())


async def events(request: web.Request) -> web.StreamResponse:
    queue: asyncio.Queue[bytes] = asyncio.Queue(2000)
    request.app[SUBSCRIBERS].add(queue)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    try:
        await response.prepare(request)
        await response.write(b"retry: 2000\n\n")
        while True:
            payload = await queue.get()
            if payload == CLOSE:
                break
            await response.write(payload)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        request.app[SUBSCRIBERS].discard(queue)
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await response.write_eof()
    return response


async def broadcast(request: web.Request) -> web.Response:
    body = await request.read()
    payload = b"event: message\ndata: " + body + b"\n\n"
    subscribers = request.app[SUBSCRIBERS]
    for queue in list(subscribers):
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(payload)
    return web.json_response({"subscribers": len(subscribers)})


async def serve(kind: str) -> None:
    app = web.Application()
    app[SUBSCRIBERS] = set()
    if kind == "echo":
        app.router.add_post("/echo", echo)
    else:
        app.router.add_get("/events", events)
        app.router.add_post("/broadcast", broadcast)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, reuse_address=True)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"PORT {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for queue in list(app[SUBSCRIBERS]):
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(CLOSE)
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in (["echo"], ["sse"]):
        print("usage: python -m bench._bare echo|sse", file=sys.stderr)
        return 2
    asyncio.run(serve(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
