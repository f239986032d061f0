"""WAN conditions (issue 19): one branch's real sync link (its SQLite log + outbox, OutboxPump, MqttLink) reaches
the broker through a poor link — 100 ms RTT, 1 % loss, then a 30 s cut — and central (the reference receiver)
stores its events. Figures: commit -> stored at central p99 outside the cut (target < RTT + 50 ms), the time to
catch up after the cut, and nothing lost or doubled. Baseline in the same run: the same pipeline on plain loopback.

The link is emulated in user space (bench/wan_relay.py: this kernel has no netem), at the TCP level.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench._common import machine, percentile, summary

RATE = 5  # events/s, a busy branch and then some
BASE_S = 20
BEFORE_S, CUT_S, AFTER_S = 40, 30, 40
ONE_WAY_S, LOSS = 0.05, 0.01
KEEPALIVE_S = int(os.environ.get("SQ_WAN_KEEPALIVE_S", "30"))
TARGET_MS = 2 * ONE_WAY_S * 1000 + 50


async def run(work: Path, *, base_s: float = BASE_S, before_s: float = BEFORE_S, cut_s: float = CUT_S,
              after_s: float = AFTER_S, keepalive_s: int = KEEPALIVE_S) -> dict:
    """The scenario; returns the committed seqs of each phase, latencies by seq, counts."""
    from bench._common import bench_config
    from bench.wan_relay import WanRelay
    from branch.core import BranchCore
    from branch.setup_build import build_setup
    from branch.store import Store
    from config.central import CentralConfig
    from config.sync import SyncConfig
    from queue_engine import commands as cmd
    from smartqueue.local_broker import Broker
    from sync.central import CentralReceiver
    from sync.central_store import SqliteCentralStore
    from sync.link import LinkSettings, MqttLink
    from sync.messages import decode
    from sync.outbox import Ack, OutboxPump
    from sync.topics import Topics

    loop = asyncio.get_running_loop()
    broker = Broker(work / "broker").start()
    db = work / "central.sqlite3"
    central = CentralReceiver(CentralConfig(host="127.0.0.1", port=broker.port, db_path=str(db), client_id="wan-c"))
    central.start()
    relay = WanRelay(broker.port, one_way_s=ONE_WAY_S, loss=LOSS)
    await relay.start()
    store = Store(work / "branch.sqlite3")
    core = BranchCore(build_setup(bench_config()), store)
    topics = Topics("smartqueue/v1/acme-bank/BR042/")

    class Side:
        """The branch's link handler, as SyncService wires it (loop thread only)."""

        def __init__(self, port: int) -> None:
            async def write(fn):
                return fn()

            config = SyncConfig(enabled=True, host="127.0.0.1", port=port, keepalive_s=keepalive_s,
                                reconnect_min_s=0.5, reconnect_max_s=5)
            self.pump = OutboxPump(store, write, lambda p: self.link.publish(topics.events, p),
                                   {"organisation": "acme-bank", "branch": "BR042", "node": "wan-node"},
                                   lambda: core.seq, batch_size=200, window=20, max_bytes=256 * 1024,
                                   ack_timeout_s=config.ack_timeout_s, ack_timeout_max_s=config.ack_timeout_max_s,
                                   dead_letter_retry_s=600, now_ms=lambda: int(time.time() * 1000))
            settings = LinkSettings.from_config(config, "sq-acme-bank-BR042", 36,
                                                subscriptions=((topics.events_ack, 1),))
            self.link = MqttLink(settings, self, loop.call_soon_threadsafe)
            self.reconnects = 0

        def link_connected(self, session_present: bool) -> None:
            self.reconnects += 1
            self.pump.on_connected(self.link.max_packet_size)

        def link_disconnected(self, reason: str) -> None:
            self.pump.on_disconnected()

        def link_published(self, mid: int, code: int, reason: str) -> None:
            self.pump.on_published(mid, code, reason)

        def link_message(self, message) -> None:
            if message.payload:
                self.pump.on_ack(Ack.from_body(decode(message.payload, "events-ack", 1 << 20)))

    async def ticking(side: Side, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(1)
            side.pump.tick()

    async def commits(side: Side, seconds: float) -> list[int]:
        seqs = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            core.persist(core.prepare(cmd.IssueTicket(at_ms=int(time.time() * 1000), ticket_id=uuid.uuid4().hex[:16],
                                                      service=("accounts", "cash", "loans")[core.seq % 3]), {},
                                      uuid.uuid4().hex))
            seqs.append(core.seq)
            side.pump.drain()
            await asyncio.sleep(1 / RATE)
        return seqs

    async def stored(seq: int, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            latest = central.call(lambda s: s.latest_log("acme-bank", "BR042"))
            if latest and latest[1] >= seq:
                return time.monotonic()
            await asyncio.sleep(0.1)
        raise RuntimeError(f"seq {seq} not stored within {timeout} s")

    result: dict = {}
    try:
        # baseline: straight to the broker
        direct = Side(broker.port)
        stop = asyncio.Event()
        tick = loop.create_task(ticking(direct, stop))
        direct.link.start()
        await asyncio.sleep(1)
        base = await commits(direct, base_s)
        await stored(base[-1], 30)
        stop.set()
        await tick
        await loop.run_in_executor(None, direct.link.stop)
        # the WAN
        wan = Side(relay.port)
        stop = asyncio.Event()
        tick = loop.create_task(ticking(wan, stop))
        wan.link.start()
        await asyncio.sleep(2)
        before = await commits(wan, before_s)
        relay.cut(cut_s)
        cut_started = time.monotonic()
        during = await commits(wan, cut_s)
        recovery = loop.create_task(stored(during[-1], 180))  # while the branch keeps committing
        after = await commits(wan, after_s)
        caught_up = await recovery
        await stored(after[-1], 180)
        stop.set()
        await tick
        await loop.run_in_executor(None, wan.link.stop)
        result.update(base=base, before=before, during=during, after=after, reconnects=wan.reconnects - 1,
                      catch_up_s=caught_up - (cut_started + cut_s), held=relay.held_chunks)
    finally:
        await relay.stop()
        central.stop()
        broker.stop()
    reader = SqliteCentralStore(db, readonly=True)
    rows = reader.conn.execute("SELECT seq, event_id, at, received_ms FROM sq_event").fetchall()
    result["duplicates"] = reader.conn.execute("SELECT SUM(duplicates) FROM sq_branch_log").fetchone()[0]
    reader.close()
    from queue_engine.calendar import parse_iso_ms

    result["latency"] = {seq: received - parse_iso_ms(at) for seq, _, at, received in rows}
    result["stored"], result["distinct"] = len(rows), len({r[1] for r in rows})
    result["committed"] = core.seq
    store.close()
    return result


def main() -> int:
    print(f"machine: {machine()}; WAN: {2 * ONE_WAY_S * 1000:.0f} ms RTT, {LOSS:.0%} loss, a {CUT_S} s cut; "
          f"keepalive {KEEPALIVE_S} s")
    with tempfile.TemporaryDirectory(prefix="sq-bench-wan-") as tmp:
        r = asyncio.run(run(Path(tmp)))
    lat = r["latency"]
    base = [lat[s] for s in r["base"]]
    # outside the cut: before it (the last RTT before it excluded) and once the backlog of the cut was stored
    recovered_after = r["after"][int((r["catch_up_s"] + 1) * RATE):] if r["catch_up_s"] > 0 else r["after"]
    outside = [lat[s] for s in r["before"][:-RATE] + recovered_after]
    around = [lat[s] for s in r["during"]]
    p99, p50, base99 = percentile(outside, 99), percentile(outside, 50), percentile(base, 99)
    lost, doubled = r["committed"] - r["distinct"], r["stored"] - r["distinct"]
    print(f"baseline: plain loopback commit -> stored p50 {percentile(base, 50):.0f} ms, p99 {base99:.0f} ms")
    print(f"WAN outside the cut: commit -> stored p50 {p50:.0f} ms, p99 {p99:.0f} ms ({len(outside)} events; "
          f"{r['held']} chunks held as lost segments)")
    print(f"cut: events committed during it stored {max(around) / 1000:.1f} s after commit at worst; the backlog was "
          f"stored {r['catch_up_s']:.1f} s after the link came back; {r['reconnects']} reconnects")
    print(f"committed {r['committed']}, stored {r['stored']} ({r['distinct']} distinct): lost {lost}, doubled "
          f"{doubled}; {r['duplicates']} duplicate deliveries absorbed by central")
    ok = p99 < TARGET_MS and lost == 0 and doubled == 0
    summary("wan", f"commit -> stored p99 {p99:.0f} ms outside a 30 s cut; caught up {r['catch_up_s']:.1f} s after "
            f"it; lost {lost}, doubled {doubled}", f"loopback p99 {base99:.0f} ms",
            f"p99 < {TARGET_MS:.0f} ms (RTT + 50 ms); nothing lost or doubled", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
