"""Fan-out of committed events to SSE subscribers. Each event is encoded once, whatever the subscriber count."""

from __future__ import annotations

import asyncio
import json
import logging

from branch.store import StoredEvent

log = logging.getLogger(__name__)

CLOSE = b""  # sentinel: the subscriber fell too far behind and must reconnect (it resumes from its cursor)
EPHEMERAL = -1  # the "seq" of a message outside the event log: the stream sends it without an id, past the cursor


def encode_sse(event: StoredEvent) -> bytes:
    data = json.dumps(event.envelope(), separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.seq}\nevent: {event.type}\ndata: {data}\n\n".encode()


def encode_ephemeral(type_: str, data: dict) -> bytes:
    """A message outside the event log (no id: it does not move the client's cursor and is not replayed)."""
    body = json.dumps({"type": type_, "ephemeral": True, "data": data}, separators=(",", ":"), ensure_ascii=False)
    return f"event: {type_}\ndata: {body}\n\n".encode()


class Subscriber:
    def __init__(self, maxsize: int, role: str = "", device: str = "") -> None:
        self.role, self.device = role, device
        self.queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue(maxsize)
        #: set with CLOSE: a stream blocked writing to a client that stopped reading never reads its queue again
        self.closed = asyncio.Event()

    def close(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait((0, CLOSE))
        self.closed.set()


class EventHub:
    def __init__(self, queue_size: int = 2000) -> None:
        self.queue_size = queue_size
        self._subscribers: set[Subscriber] = set()

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, role: str = "", device: str = "") -> Subscriber:
        sub = Subscriber(self.queue_size, role, device)
        self._subscribers.add(sub)
        return sub

    def devices(self, role: str) -> set[str]:
        """Devices of a role with a live stream now (e.g. the displays that will show a call)."""
        return {sub.device for sub in self._subscribers if sub.role == role}

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subscribers.discard(sub)

    def publish(self, events: list[StoredEvent]) -> None:
        self._fan_out([(e.seq, encode_sse(e)) for e in events])

    def publish_ephemeral(self, type_: str, data: dict, *, devices: set[str] | None = None) -> int:
        """Send a message outside the event log to every live subscriber (or only to `devices`' streams); returns
        how many got it."""
        return self._fan_out([(EPHEMERAL, encode_ephemeral(type_, data))], devices)

    def _fan_out(self, encoded: list[tuple[int, bytes]], devices: set[str] | None = None) -> int:
        delivered = 0
        for sub in list(self._subscribers):
            if devices is not None and sub.device not in devices:
                continue
            try:
                for item in encoded:
                    sub.queue.put_nowait(item)
                delivered += 1
            except asyncio.QueueFull:
                log.warning("an event-stream subscriber fell behind; closing it so it resumes from its cursor")
                self._subscribers.discard(sub)
                sub.close()
        return delivered

    def close_devices(self, devices: set[str]) -> int:
        """End the streams of these devices (revoked): they get CLOSE and are dropped at once."""
        closed = 0
        for sub in [s for s in self._subscribers if s.device in devices]:
            self._subscribers.discard(sub)
            sub.close()
            closed += 1
        return closed

    def close_all(self) -> None:
        for sub in list(self._subscribers):
            sub.close()
        self._subscribers.clear()
