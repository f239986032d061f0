"""The outbox pump: sends the event log to central in seq order, in batches, with a bounded in-flight window, and
forgets an event only when central's end-to-end watermark (`events/ack`) covers it.

A PUBACK only frees a window slot: it means "the broker has it", not "central stored it" (a broker restarted
without persistence loses PUBACKed messages). So the pump resends from the watermark on every (re)connect, when
central reports a gap, and when the watermark has not moved for `ack_timeout_s` (doubling while stuck).

Which acks count (docs/mqtt-contract.md, "Which acks the branch believes"): only those of this node's log (`log`,
the hash of seq 1: a wiped data dir starts a new one); below the durably recorded watermark only with a new
central `epoch` (its store was replaced or restored) — an old retained ack re-served by a broker restored from an
older save, or acks of two receivers arriving out of order, never make the branch resend what central has.

Which watermark the node may archive up to (`fresh_watermark`): only one central itself sent while this pump runs
— a retained ack is the broker's memory and may predate a restore of central's store, and so may an ack queued in
the branch's persistent session (a new leader resumes its predecessor's), so an ack also counts only if central
dated it (`at`) within `ACK_FRESH_S` of this machine's clock (docs/architecture.md, "Event retention").
When central lacks events the node already archived (its store restored from a backup older than the
archive checkpoint), they are resent from the archive file, then the live outbox follows.

Everything here runs on the node's event-loop thread; database writes go through `write` (the writer thread).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from branch.archive import ArchiveUnreadable, check_chain, file_state, resend_rows
from branch.store import Store
from queue_engine.calendar import parse_iso_ms
from sync import branch_persistence as persistence
from sync.link import FAILURE
from sync.messages import encode_events

log = logging.getLogger(__name__)

Write = Callable[[Callable[[], Any]], Awaitable[Any]]
HEADROOM = 1024  # bytes kept under the broker's Maximum Packet Size for the fixed header, topic and properties
#: an ack dated further than this from this machine's clock (either way: clocks drift) was queued, not just said
ACK_FRESH_S = 60.0


@dataclass(frozen=True, slots=True)
class Ack:
    """An `events/ack` message, already validated against its schema."""

    log: str | None
    epoch: str
    watermark: int
    reason: str
    errors: tuple[str, ...] = ()
    first_seq: int | None = None
    last_seq: int | None = None
    stored_max: int | None = None
    at_ms: int | None = None  # when central sent it, by central's clock (None: undated or unreadable)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Ack:
        try:
            at_ms: int | None = parse_iso_ms(str(body.get("at")))
        except ValueError:
            at_ms = None
        return cls(body["log"], body["epoch"], body["watermark"], body["reason"], tuple(body.get("errors", ())),
                   body.get("first_seq"), body.get("last_seq"), body.get("stored_max"), at_ms)


class OutboxPump:
    def __init__(self, store: Store, write: Write, publish: Callable[[bytes], int | None], header: dict[str, Any],
                 last_seq: Callable[[], int], *, batch_size: int, window: int, max_bytes: int, ack_timeout_s: float,
                 ack_timeout_max_s: float, dead_letter_retry_s: float, now_ms: Callable[[], int],
                 clock: Callable[[], float] = time.monotonic,
                 wall_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self.store, self._write, self._publish, self._header, self._last_seq = store, write, publish, header, last_seq
        self.batch_size, self.window, self.max_bytes = batch_size, window, max_bytes
        self.ack_timeout_s, self.ack_timeout_max_s = ack_timeout_s, ack_timeout_max_s
        self.dead_letter_retry_s, self._now_ms, self._clock, self._wall_ms = dead_letter_retry_s, now_ms, clock, wall_ms
        self.epoch, self.watermark = persistence.load_watermark(store)
        self._persisted = (self.epoch, self.watermark)
        self.log: str | None = persistence.log_id(store)
        self._broker_max_bytes: int | None = None
        self.cursor = self.watermark
        self.inflight: dict[int, tuple[int, int]] = {}  # mid -> (first_seq, last_seq)
        self.connected = False
        self.halted_until: float | None = None
        self._stall_timeout = ack_timeout_s
        self._last_progress = clock()
        self._last_gap_rewind: int | None = None
        self._probe: int | None = None  # last seq of the resend probe awaiting central's answer
        self._probe_batches = 1
        self._fresh: int | None = None  # central's watermark as central itself last said it (not the broker)
        self._undated_logged = False  # "an ack from central not dated now" said once until a dated one comes
        self.heard = False  # an ack of this log accepted since start (retained ones too)
        self._archive_hole: tuple[str | None, int] | None = None  # (epoch, watermark) the resend was announced for
        #: why central's watermark cannot pass the archive checkpoint (the archive file cannot give the events)
        self.archive_problem: str | None = None
        #: (archive file and checkpoint as checked, lowest seq whose chain to the checkpoint was checked)
        self._chained: tuple[tuple, int] | None = None
        self._db_task: asyncio.Task | None = None
        self._side_tasks: set[asyncio.Task] = set()
        self.sent_messages = 0
        self.rewinds = 0
        self.probes = 0

    # -- link events ----------------------------------------------------------------------------------------------

    def on_connected(self, broker_max_bytes: int | None = None) -> None:
        """Resend from the watermark: what the broker PUBACKed before may be gone (no persistence, old autosave).

        `broker_max_bytes`: the Maximum Packet Size of the broker's CONNACK, if it sent one; batches stay under it.
        """
        self.connected = True
        self._broker_max_bytes = broker_max_bytes
        self.inflight.clear()  # paho resends its own in-flight ones; their late PUBACKs are ignored
        self._probe = None
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

    def fresh_watermark(self) -> int | None:
        """Central's watermark as central itself said it since this pump started, after the contract's rules
        (None until then): what the node may archive up to. An ack the broker kept (retained) may be older than
        a restore of central's store, so it can only lower this, never raise or set it; so can an ack dated
        more than ACK_FRESH_S from this machine's clock (queued in the session, or the clocks disagree)."""
        return self._fresh

    def _said_now(self, ack: Ack, retained: bool) -> bool:
        """Did central say this just now (not the broker's retained copy, not a message queued for minutes)?"""
        if retained:
            return False
        age_s = None if ack.at_ms is None else (self._wall_ms() - ack.at_ms) / 1000
        if age_s is not None and abs(age_s) <= ACK_FRESH_S:
            self._undated_logged = False
            return True
        if not self._undated_logged:
            self._undated_logged = True
            log.warning("central's ack (seq %d) is %s: it does not let events be archived (it may predate a restore "
                        "of central's store); if every ack says so, check both clocks (NTP)", ack.watermark,
                        "undated" if age_s is None else f"dated {age_s:+.0f} s from this machine's clock")
        return False

    def on_ack(self, ack: Ack, retained: bool = False) -> None:
        """Central's end-to-end acknowledgement (or rejection), judged by the contract's rules. `retained`: the
        broker's stored copy (sent on subscribing), not central speaking now."""
        if ack.reason == "rejected":
            self._rejected(ack)
            return
        if ack.log != self.log:
            log.info("an ack for another event log ignored (%s…, this node's is %s…): left from before this data "
                     "dir was created", (ack.log or "-")[:12], (self.log or "-")[:12])
            return
        last = self._last_seq()
        if ack.watermark > last:
            log.error("central acknowledges seq %d but this node's log ends at %d; not trimming anything",
                      ack.watermark, last)
            return
        if ack.epoch != self.epoch:
            if self.epoch is not None:
                log.warning("central's store changed (epoch %s -> %s): continuing from its watermark %d",
                            self.epoch, ack.epoch, ack.watermark)
            self.epoch = ack.epoch
            if ack.watermark < self.watermark:
                self.watermark = ack.watermark
                self._rewind()
        elif ack.watermark < self.watermark:
            log.info("stale ack (seq %d, %s) below the recorded watermark %d ignored", ack.watermark, ack.reason,
                     self.watermark)
            return
        if ack.watermark > self.watermark:
            self.watermark = ack.watermark
            self._last_progress = self._clock()
            self._stall_timeout = self.ack_timeout_s
            self.cursor = max(self.cursor, ack.watermark)
        if self._said_now(ack, retained):
            self._fresh = self.watermark
        elif self._fresh is not None:
            self._fresh = min(self._fresh, self.watermark)
        self.heard = True
        self._check_hole()
        if self._probe is not None and ack.watermark >= self._probe:
            self._probe = None
            if (ack.stored_max or ack.watermark) <= ack.watermark < self.cursor:
                # central holds nothing after the probe: what was sent was lost, or is still queued at a busier
                # receiver. Resend in a window doubling with each answer (TCP's slow start): a few round trips
                # when it was lost, a bounded waste when it was only late.
                self._probe_batches = min(self._probe_batches * 2, self.window)
                log.info("central holds nothing after seq %d although %d more were sent: resending %d batches",
                         ack.watermark, self.cursor - ack.watermark, self._probe_batches)
                self._probe = self._send_after(ack.watermark, self._probe_batches)
            else:
                self._probe_batches = 1
        if ack.reason == "gap" and self.cursor > ack.watermark and ack.watermark != self._last_gap_rewind:
            self._last_gap_rewind = ack.watermark  # once per hole: the resent events are already on their way
            log.info("central misses seq %d: resending from there", ack.watermark + 1)
            self._rewind()
        elif ack.reason == "hello" and self.cursor > ack.watermark:
            self._rewind()
        self._schedule_db()
        self.drain()

    def _rejected(self, ack: Ack) -> None:
        """Central refused a message (bad hash, schema, identity): resending it as is would be refused again."""
        if ack.log != self.log or ack.first_seq is None:  # not about our events, or a message nobody could read
            log.error("central rejected a message on this branch's events topic: %s", "; ".join(ack.errors)[:400])
            return
        self._pause(f"central rejected events {ack.first_seq}-{ack.last_seq}: {'; '.join(ack.errors)[:400]}",
                    0, ack.first_seq, ack.last_seq)

    # -- sending ---------------------------------------------------------------------------------------------------

    def drain(self) -> None:
        """Publish batches until the window is full or the outbox is exhausted."""
        while self.connected and self.halted_until is None and len(self.inflight) < self.window:
            last = self._send_after(self.cursor)
            if last is None:
                return
            self.cursor = last

    def _send_after(self, after: int, batches: int = 1) -> int | None:
        """Publish `batches` batches of the outbox after seq `after`; the last seq sent, or None (nothing sent)."""
        sent = None
        for _ in range(batches):
            rows = self._read(after)
            if not rows:
                break
            if self.log is None:
                self.log = persistence.log_id(self.store)
            limit = self.max_bytes
            if self._broker_max_bytes is not None:
                limit = max(4096, min(limit, self._broker_max_bytes - HEADROOM))
            payload, first, last = encode_events({**self._header, "log": self.log}, rows, limit)
            mid = self._publish(payload)
            if mid is None:
                break
            self.inflight[mid] = (first, last)
            self.sent_messages += 1
            sent = after = last
        return sent

    def _check_hole(self) -> None:
        """After an accepted ack: central's watermark below the archive checkpoint means central lacks archived
        events (its store restored from an older backup): say so once and resend from its watermark."""
        upto = persistence.archived_upto(self.store)
        if self.watermark >= upto:
            self._archive_hole = None
            if self.archive_problem is not None:
                log.info("central holds the archived events again")
                self.archive_problem = None
            return
        if self._archive_hole != (self.epoch, self.watermark):  # once per hole
            self._archive_hole = (self.epoch, self.watermark)
            log.warning("central lacks %d archived events (seq %d-%d): resending from the archive",
                        upto - self.watermark, self.watermark + 1, upto)
            if self.cursor > self.watermark:
                self._rewind()

    def _read(self, after: int) -> list[tuple]:
        """The next batch after seq `after`: from the archive file while central lacks archived events (seq up to
        the checkpoint), else from the outbox. An archive that cannot give them is reported (log, health) and the
        live outbox is sent anyway: central keeps what it gets; its watermark waits for the archive's events."""
        upto = persistence.archived_upto(self.store)
        if after >= upto or not self.heard:
            # before central's first ack the watermark is this machine's memory (a member that never led has
            # none): send the live events; the ack tells whether central lacks archived ones (`_check_hole`)
            return persistence.read_batch(self.store, max(after, upto), self.batch_size)
        try:
            rows = self._archived(after, upto)
        except ArchiveUnreadable as err:
            if self.archive_problem != str(err):
                log.error("central lacks archived events this node cannot resend: %s. Central's watermark stays "
                          "at seq %d until the archive file is restored (a copy from another member or a backup); "
                          "the live events are sent meanwhile", err, self.watermark)
            self.archive_problem = str(err)
            return persistence.read_batch(self.store, max(after, upto), self.batch_size)
        if self.archive_problem is not None:
            log.info("the archive file gives the events central lacks again: resending them")
            self.archive_problem = None
        return rows

    def _archived(self, after: int, upto: int) -> list[tuple]:
        """A batch from the archive file, once the file was checked to chain from `after` to the checkpoint (again
        whenever the file or the checkpoint changes): never another log's events under this log's id."""
        state = (upto, file_state(self.store))
        if self._chained is None or self._chained[0] != state or after < self._chained[1]:
            self._chained = None
            check_chain(self.store, after)
            self._chained = (state, after)
        return resend_rows(self.store, after, upto, self.batch_size)

    def tick(self) -> None:
        """Once a second: end a dead-letter pause, probe after a stall, and drain (a fallback doorbell).

        A stall resends one batch (a probe), not everything: central may only be slow (a whole fleet catching up
        at once), and resending every branch's backlog then would multiply its load (measured: 200 branches
        resending 1,800 events each every 20 s never caught up). If central stores the probe and holds nothing
        after it, the next probe is twice as large (`on_ack`); if it holds later events, its `gap` ack rewinds.
        """
        now = self._clock()
        if self.halted_until is not None and now >= self.halted_until:
            self.halted_until = None
            self.cursor = self.watermark
        if (self.connected and self.cursor > self.watermark and not self.inflight
                and now - self._last_progress > self._stall_timeout):
            log.warning("central has not acknowledged past seq %d for %.0f s: probing with the next batch",
                        self.watermark, now - self._last_progress)
            self._stall_timeout = min(self._stall_timeout * 2, self.ack_timeout_max_s)
            self._last_progress = now
            self._probe = self._send_after(self.watermark)
            self.probes += 1
        self.drain()

    def _rewind(self) -> None:
        self.cursor = self.watermark
        self._probe = None
        self._probe_batches = 1
        self.rewinds += 1

    def _dead_letter(self, span: tuple[int, int], code: int, reason: str) -> None:
        """The broker refused events (e.g. 0x87 not authorized): a configuration problem, so do not hammer it.

        The events stay in the outbox (nothing is lost); sending pauses until the next connection or
        `dead_letter_retry_s`, and the refusal is recorded in sync_dead_letters.
        """
        self._pause(f"the broker refused events {span[0]}-{span[1]} (reason 0x{code:02x} {reason})", code, *span)

    def _pause(self, why: str, code: int, first: int | None, last: int | None) -> None:
        """Stop sending until the next connection or `dead_letter_retry_s`; record why in sync_dead_letters."""
        log.error("%s; pausing event sync for %.0f s (the events stay in the outbox)", why, self.dead_letter_retry_s)
        self.halted_until = self._clock() + self.dead_letter_retry_s
        self.cursor = self.watermark
        now, topic = self._now_ms(), "events"
        task = asyncio.get_running_loop().create_task(self._write(
            lambda: persistence.record_dead_letter(self.store, now, topic, code, why[:500], first, last)),
            name="sq-sync-dead-letter")
        self._side_tasks.add(task)  # referenced until done: the loop keeps only weak references to tasks
        task.add_done_callback(self._side_tasks.discard)

    # -- persistence of the watermark ---------------------------------------------------------------------------------

    def _schedule_db(self) -> None:
        if self._persisted != (self.epoch, self.watermark) and (self._db_task is None or self._db_task.done()):
            self._db_task = asyncio.get_running_loop().create_task(self._sync_db(), name="sq-sync-trim")

    async def _sync_db(self) -> None:
        """Bring outbox and stored (epoch, watermark) to ours; acks arriving meanwhile coalesce into one write."""
        while self._persisted != (self.epoch, self.watermark):
            epoch, target = self.epoch, self.watermark
            if target >= self._persisted[1]:
                await self._write(partial(persistence.trim_tx, self.store, epoch, target))
            else:
                await self._write(partial(persistence.refill_tx, self.store, epoch, target))
                self._persisted = (epoch, target)
                self._rewind()  # the refilled rows exist only now
                self.drain()
                continue
            self._persisted = (epoch, target)

    async def flush(self) -> None:
        """Wait for the pending watermark write (on stop)."""
        if self._db_task is not None:
            await asyncio.gather(self._db_task, return_exceptions=True)

    def lag_events(self) -> int:
        return max(0, self._last_seq() - self.watermark)
