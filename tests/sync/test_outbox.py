"""The pump's decisions, with a real store and a fake link: window, resend rules, trims, refusals."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from branch.core import BranchCore
from branch.setup_build import build_setup
from branch.store import Store
from queue_engine import commands as cmd
from sync.outbox import Ack, OutboxPump
from tests.branch.conftest import example_config


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path, events: int = 10, **kwargs):
    store = Store(tmp_path / "branch.sqlite3")
    core = BranchCore(build_setup(example_config()), store)
    for i in range(events - 1):  # + one BusinessDayStarted
        core.persist(core.prepare(cmd.IssueTicket(at_ms=1_800_000_000_000 + i, ticket_id=f"t{i}",
                                                  service="cash"), {}, uuid.uuid4().hex))
    published: list[bytes] = []
    clock = Clock()

    def publish(payload: bytes) -> int:
        published.append(payload)
        return len(published)

    async def write(fn):
        return fn()

    options = {"batch_size": 3, "window": 2, "max_bytes": 1 << 20, "ack_timeout_s": 5, "ack_timeout_max_s": 20,
               "dead_letter_retry_s": 60, **kwargs}
    pump = OutboxPump(store, write, publish, {"organisation": "o", "branch": "b", "node": "n"}, lambda: core.seq,
                      now_ms=lambda: 0, clock=clock, **options)
    return store, pump, published, clock


def ack(pump: OutboxPump, watermark: int, reason: str, *, epoch: str = "c-1", log: str | None = None,
        age_s: float = 0.0) -> Ack:
    """An ack of central's, sent `age_s` ago by this machine's clock."""
    return Ack(log or pump.log, epoch, watermark, reason, at_ms=int(time.time() * 1000 - age_s * 1000))


def test_window_and_trim_on_ack(tmp_path: Path) -> None:
    store, pump, published, _ = make(tmp_path)

    async def scenario():
        pump.on_connected()
        assert len(published) == 2 and pump.cursor == 6  # the window holds two batches of three
        pump.on_published(1, 0, "Success")
        assert len(published) == 3 and pump.cursor == 9
        pump.on_ack(ack(pump, 6, "stored"))
        await pump.flush()

    asyncio.run(scenario())
    assert [r[0] for r in store.query("SELECT seq FROM outbox")] == [7, 8, 9, 10]
    assert store.meta("sync.watermark") == "6"
    store.close()


def test_resend_rules(tmp_path: Path) -> None:
    store, pump, published, clock = make(tmp_path, window=10)

    async def scenario():
        pump.on_connected()
        assert pump.cursor == 10
        pump.on_ack(ack(pump, 3, "gap"))
        assert pump.rewinds == 1 and len(published) == 4 + 3  # resent 4..10
        pump.on_ack(ack(pump, 3, "gap"))
        assert pump.rewinds == 1  # once per hole
        pump.inflight.clear()
        clock.now += 6
        sent = len(published)
        pump.tick()  # stalled: probe with one batch (central may only be slow), wait twice as long next time
        assert (pump.probes, pump.rewinds, len(published) - sent, pump._stall_timeout) == (1, 1, 1, 10)
        pump.inflight.clear()
        sent = len(published)
        pump.on_ack(Ack(pump.log, "c-1", 6, "stored", stored_max=6))  # probe stored, nothing after it: lost or late
        assert len(published) - sent == 2 and pump.cursor == 10  # the next probe is twice as large: 7-9, 10
        pump.on_ack(Ack(pump.log, "c-1", 10, "stored", stored_max=10))
        assert pump._probe is None and pump.watermark == 10
        pump.on_ack(ack(pump, 99, "stored"))  # beyond our log: ignored
        assert pump.watermark == 10
        await pump.flush()

    asyncio.run(scenario())
    store.close()


def test_refused_events_pause_without_losing_anything(tmp_path: Path) -> None:
    store, pump, published, clock = make(tmp_path)

    async def scenario():
        pump.on_connected()
        pump.on_published(1, 0x87, "Not authorized")
        assert pump.halted_until is not None
        count = len(published)
        pump.on_published(2, 0, "Success")
        pump.tick()
        assert len(published) == count  # paused
        clock.now += 61
        pump.tick()
        assert len(published) > count  # retried after dead_letter_retry_s
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert store.query("SELECT COUNT(*) FROM outbox")[0][0] == 10
    assert tuple(store.query("SELECT reason_code, first_seq, last_seq FROM sync_dead_letters")[0]) == (0x87, 1, 3)
    store.close()


def test_which_acks_are_believed(tmp_path: Path) -> None:
    store, pump, _, _ = make(tmp_path, window=10)

    async def scenario():
        pump.on_connected()
        pump.on_ack(ack(pump, 8, "stored", epoch="c-1"))
        await pump.flush()
        assert store.meta("sync.central_epoch") == "c-1" and pump.watermark == 8
        pump.on_ack(ack(pump, 4, "gap", epoch="c-1"))  # same epoch, below: a stale retained ack
        pump.on_ack(ack(pump, 2, "stored", log="f" * 64, epoch="c-2"))  # another log's ack
        await pump.flush()
        assert pump.watermark == 8 and store.query("SELECT COUNT(*) FROM outbox")[0][0] == 2
        pump.on_ack(ack(pump, 5, "stored", epoch="c-2"))  # central's store was restored: go back to 5
        await pump.flush()
        assert pump.watermark == 5 and store.meta("sync.central_epoch") == "c-2"
        assert [r[0] for r in store.query("SELECT seq FROM outbox ORDER BY seq")] == [6, 7, 8, 9, 10]
        pump.on_ack(Ack(pump.log, "c-2", 5, "rejected", ("bad hash",), 6, 8))
        assert pump.halted_until is not None
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert "central rejected events 6-8: bad hash" in store.query("SELECT reason FROM sync_dead_letters")[0][0]
    store.close()


def test_only_central_speaking_now_says_what_may_be_archived(tmp_path: Path) -> None:
    """`fresh_watermark` (what the node archives up to): an ack the broker kept (retained) may predate a restore of
    central's store, so it never sets or raises it; it only lowers it. Ignored acks change nothing."""
    store, pump, _, _ = make(tmp_path, window=10)

    async def scenario():
        pump.on_connected()
        pump.on_ack(ack(pump, 8, "stored"), retained=True)
        assert pump.watermark == 8 and pump.fresh_watermark() is None
        pump.on_ack(ack(pump, 6, "hello", epoch="c-2"))  # central itself: its restored store holds 6
        assert pump.fresh_watermark() == 6
        pump.on_ack(ack(pump, 9, "stored", epoch="c-1"), retained=True)  # the old epoch's, kept by the broker
        assert pump.watermark == 9 and pump.fresh_watermark() == 6
        pump.on_ack(ack(pump, 4, "stored", epoch="c-3"), retained=True)  # lower, even retained: believed
        assert pump.fresh_watermark() == 4
        pump.on_ack(ack(pump, 2, "gap", epoch="c-3"))  # stale (same epoch, below): ignored
        pump.on_ack(ack(pump, 7, "stored", log="f" * 64))  # another log's
        assert pump.fresh_watermark() == 4
        pump.on_ack(ack(pump, 7, "stored", epoch="c-3"))
        assert pump.fresh_watermark() == 7
        # queued in the session for minutes (a new leader resumes its predecessor's): as the broker's copy
        pump.on_ack(ack(pump, 9, "stored", epoch="c-3", age_s=300))
        assert pump.watermark == 9 and pump.fresh_watermark() == 7
        pump.on_ack(ack(pump, 9, "stored", epoch="c-3", age_s=-300))  # or central's clock is ahead: not trusted
        undated = Ack(pump.log, "c-3", 10, "stored")
        pump.on_ack(undated)
        assert pump.watermark == 10 and pump.fresh_watermark() == 7
        pump.on_ack(ack(pump, 10, "stored", epoch="c-3", age_s=2))
        assert pump.fresh_watermark() == 10
        await pump.flush()

    asyncio.run(scenario())
    store.close()
