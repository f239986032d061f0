"""Fan-out of committed events to SSE subscribers. Each event is encoded once, whatever the subscriber count."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from branch.store import StoredEvent

log = logging.getLogger(__name__)

CLOSE = b""  # sentinel: the subscriber fell too far behind and must reconnect (it resumes from its cursor)


def encode_sse(event: StoredEvent) -> bytes:
    data = json.dumps(event.envelope(), separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n".encode()


class Subscriber:
    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue(maxsize)


class EventHub:
    def __init__(self, queue_size: int = 2000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[Subscriber] = set()

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self) -> Subscriber:
        sub = Subscriber(self.queue_size)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def publish(self, events: list[StoredEvent]) -> None:
        encoded = [(e.seq, encode_sse(e)) for e in events]
        for sub in list(self._subscribers):
            try:
                for item in encoded:
                    sub.queue.put_nowait(item)
            except asyncio.QueueFull:
                log.warning("an event-stream subscriber fell behind; closing it so it resumes from its cursor")
                self._subscribers.discard(sub)
                while not sub.queue.empty():
                    sub.queue.get_nowait()
                sub.queue.put_nowait((0, CLOSE))

    def close_all(self) -> None:
        for sub in list(self._subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait((0, CLOSE))
        self._subscribers.clear()
