"""A poor WAN between a branch and the broker, emulated in user space as a TCP relay (asyncio).

Why not `tc netem`: this machine's kernel (a Firecracker VM) has no `sch_netem` ("Specified qdisc kind is
unknown"), so the link is shaped where TCP delivers bytes:
- **delay**: every chunk is delivered `one_way_s` after it was read (both directions: RTT = 2 x one_way_s);
- **loss**: with probability `loss`, a chunk is held for a TCP retransmission (Linux's minimum RTO 200 ms + RTT)
  and, TCP being in order, so is everything behind it in that direction;
- **cut**: `cut(seconds)` stops delivery; what was sent meanwhile is delivered when TCP's retransmission timer
  (200 ms doubling from the first unanswered segment) next fires after the cut ends — as a real outage looks to an
  established connection that neither side closed.
Connections stay open through a cut (no RST), as on a real link that goes dark.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

MIN_RTO_S = 0.2


class WanRelay:
    def __init__(self, target_port: int, *, one_way_s: float = 0.05, loss: float = 0.01, seed: int = 19) -> None:
        self.target_port, self.one_way_s, self.loss = target_port, one_way_s, loss
        self.random = random.Random(seed)
        self.port = 0
        self._cut_until = 0.0
        self._cut_from = 0.0
        self._server: asyncio.Server | None = None
        self.held_chunks = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    def cut(self, seconds: float) -> None:
        now = time.monotonic()
        self._cut_from, self._cut_until = now, now + seconds

    def _delivery_time(self, read_at: float, previous: float) -> float:
        at = read_at + self.one_way_s
        if self._cut_from <= read_at < self._cut_until:  # sent into the dark: wait for TCP's next retransmission
            waited, rto = 0.0, MIN_RTO_S
            while read_at + waited < self._cut_until:
                waited += rto
                rto = min(rto * 2, 60)
            at = read_at + waited + self.one_way_s
        elif self.random.random() < self.loss:
            self.held_chunks += 1
            at += MIN_RTO_S + 2 * self.one_way_s
        return max(at, previous)  # in order

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        with contextlib.suppress(asyncio.CancelledError):  # the relay stops with connections open
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                at, chunk = await queue.get()
                if not chunk:
                    break
                delay = at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.get_running_loop().create_task(deliver())
        previous = 0.0
        try:
            while chunk := await reader.read(65536):
                previous = self._delivery_time(time.monotonic(), previous)
                queue.put_nowait((previous, chunk))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            queue.put_nowait((0.0, b""))
            await asyncio.gather(sender, return_exceptions=True)
            writer.close()
