"""The outbox pump: sends the event log to central in seq order, in batches, with a bounded in-flight window, and
forgets an event only when central's end-to-end watermark (`events/ack`) covers it.

A PUBACK only frees a window slot: it means "the broker has it", not "central stored it" (a broker restarted
without persistence loses PUBACKed messages). So the pump resends from the watermark on every (re)connect, when
central reports a gap, and when the watermark has not moved for `ack_timeout_s` (doubling while stuck).

Everything here runs on the node's event-loop thread; database writes go through `write` (the writer thread).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from branch.store import Store
from sync import state
from sync.link import FAILURE
from sync.messages import encode_events

log = logging.getLogger(__name__)

Write = Callable[[Callable[[], Any]], Awaitable[Any]]


class OutboxPump:
    def __init__(self, store: Store, write: Write, publish: Callable[[bytes], int | None], header: dict[str, Any],
                 last_seq: Callable[[], int], *, batch_size: int, window: int, max_bytes: int, ack_timeout_s: float,
                 ack_timeout_max_s: float, dead_letter_retry_s: float, now_ms: Callable[[], int],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store, self._write, self._publish, self._header, self._last_seq = store, write, publish, header, last_seq
        self.batch_size, self.window, self.max_bytes = batch_size, window, max_bytes
        self.ack_timeout_s, self.ack_timeout_max_s = ack_timeout_s, ack_timeout_max_s
        self.dead_letter_retry_s, self._now_ms, self._clock = dead_letter_retry_s, now_ms, clock
        self.watermark = state.load_watermark(store)
        self._persisted = self.watermark
        self.cursor = self.watermark
        self.inflight: dict[int, tuple[int, int]] = {}  # mid -> (first_seq, last_seq)
        self.connected = False
        self.halted_until: float | None = None
        self._stall_timeout = ack_timeout_s
        self._last_progress = clock()
        self._last_gap_rewind: int | None = None
        self._db_task: asyncio.Task | None = None
        self._side_tasks: set[asyncio.Task] = set()
        self.sent_messages = 0
        self.rewinds = 0

    # -- link events ----------------------------------------------------------------------------------------------

    def on_connected(self) -> None:
        """Resend from the watermark: what the broker PUBACKed before may be gone (no persistence, old autosave)."""
        self.connected = True
        self.inflight.clear()  # paho resends its own in-flight ones; their late PUBACKs are ignored
        self.halted_until = None
        self.cursor = self.watermark
        self._last_progress = self._clock()
        self.drain()

    def on_disconnected(self) -> None:
        self.connected = False

    def on_published(self, mid: int, code: int, reason: str) -> bool:
        """A PUBACK. Returns False if the mid is not one of ours (status, replies...)."""
        span = self.inflight.pop(mid, None)
        if span is None:
            return False
        if code >= FAILURE:
            self._dead_letter(span, code, reason)
        else:
            self.drain()
        return True

    def on_ack(self, watermark: int, reason: str) -> None:
        """Central's end-to-end acknowledgement: everything up to `watermark` is stored there, contiguously."""
        last = self._last_seq()
        if watermark > last:
            log.error("central acknowledges seq %d but this node's log ends at %d: a different event log "
                      "(a wiped data dir?); not trimming anything", watermark, last)
            return
        if watermark > self.watermark:
            self.watermark = watermark
            self._last_progress = self._clock()
            self._stall_timeout = self.ack_timeout_s
            self.cursor = max(self.cursor, watermark)
        elif watermark < self.watermark:
            log.warning("central's watermark went back from %d to %d (its store was restored?): resending",
                        self.watermark, watermark)
            self.watermark = watermark
            self._rewind()
        if reason == "gap" and self.cursor > watermark and watermark != self._last_gap_rewind:
            self._last_gap_rewind = watermark  # once per hole: the resent events are already on their way
            log.info("central misses seq %d: resending from there", watermark + 1)
            self._rewind()
        elif reason == "hello" and self.cursor > watermark:
            self._rewind()
        self._schedule_db()
        self.drain()

    # -- sending ---------------------------------------------------------------------------------------------------

    def drain(self) -> None:
        """Publish batches until the window is full or the outbox is exhausted."""
        while self.connected and self.halted_until is None and len(self.inflight) < self.window:
            rows = state.read_batch(self.store, self.cursor, self.batch_size)
            if not rows:
                return
            payload, first, last = encode_events(self._header, rows, self.max_bytes)
            mid = self._publish(payload)
            if mid is None:
                return
            self.inflight[mid] = (first, last)
            self.cursor = last
            self.sent_messages += 1

    def tick(self) -> None:
        """Once a second: end a dead-letter pause, resend after a stall, and drain (a fallback doorbell)."""
        now = self._clock()
        if self.halted_until is not None and now >= self.halted_until:
            self.halted_until = None
            self.cursor = self.watermark
        if (self.connected and self.cursor > self.watermark and not self.inflight
                and now - self._last_progress > self._stall_timeout):
            log.warning("central has not acknowledged past seq %d for %.0f s: resending from there",
                        self.watermark, now - self._last_progress)
            self._stall_timeout = min(self._stall_timeout * 2, self.ack_timeout_max_s)
            self._last_progress = now
            self._rewind()
        self.drain()

    def _rewind(self) -> None:
        self.cursor = self.watermark
        self.rewinds += 1

    def _dead_letter(self, span: tuple[int, int], code: int, reason: str) -> None:
        """The broker refused events (e.g. 0x87 not authorized): a configuration problem, so do not hammer it.

        The events stay in the outbox (nothing is lost); sending pauses until the next connection or
        `dead_letter_retry_s`, and the refusal is recorded in sync_dead_letters.
        """
        log.error("the broker refused events %d-%d (reason 0x%02x %s); pausing event sync for %.0f s",
                  span[0], span[1], code, reason, self.dead_letter_retry_s)
        self.halted_until = self._clock() + self.dead_letter_retry_s
        self.cursor = self.watermark
        now, topic = self._now_ms(), "events"
        task = asyncio.get_running_loop().create_task(self._write(
            lambda: state.record_dead_letter(self.store, now, topic, code, reason, span[0], span[1])),
            name="sq-sync-dead-letter")
        self._side_tasks.add(task)  # referenced until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._side_tasks.discard)

    # -- persistence of the watermark ---------------------------------------------------------------------------------

    def _schedule_db(self) -> None:
        if self._persisted != self.watermark and (self._db_task is None or self._db_task.done()):
            self._db_task = asyncio.get_running_loop().create_task(self._sync_db(), name="sq-sync-trim")

    async def _sync_db(self) -> None:
        """Bring outbox and stored watermark to `self.watermark`; acks arriving meanwhile coalesce into one write."""
        while self._persisted != self.watermark:
            target = self.watermark
            if target > self._persisted:
                await self._write(partial(state.trim_tx, self.store, target))
            else:
                await self._write(partial(state.refill_tx, self.store, target))
                self._persisted = target
                self._rewind()  # the refilled rows exist only now
                self.drain()
                continue
            self._persisted = target

    async def flush(self) -> None:
        """Wait for the pending watermark write (on stop)."""
        if self._db_task is not None:
            await asyncio.gather(self._db_task, return_exceptions=True)

    def lag_events(self) -> int:
        return max(0, self._last_seq() - self.watermark)
