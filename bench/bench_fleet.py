"""Fleet bench (issue 19): many branches, each with its own SQLite event log + outbox and its own real sync link
(OutboxPump + MqttLink, the node's own code), through ONE Mosquitto into TWO reference receivers (separate
processes, MQTT 5 shared subscription) and PostgreSQL.

Phases: a busy day's rate for BUSY_S seconds (commit -> stored at central p99, events/s), then every branch goes
offline for an hour's worth of events (its log grows at the busy rate, timestamps an hour apart; nothing is sent),
then all reconnect at once: catch-up time until every branch's watermark is its last seq. CPU of the receivers and
of PostgreSQL over each phase. Baseline in the same run: a bare paho publisher -> subscriber moving the same batch
payloads through the same broker (no storage): the broker's own ceiling here.

Branches run in WORKERS processes (`python -m bench.bench_fleet worker ...`), BRANCHES / WORKERS each, on one
asyncio loop per process (paho's network thread per link, as in the node).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench._common import PYTHON, ROOT, machine, percentile, summary

BRANCHES = int(os.environ.get("SQ_FLEET_BRANCHES", "200"))
WORKERS = 2
RECEIVERS = 2
BUSY_RATE = 0.5  # events/s per branch at the busiest hour (~1,800 tickets in that hour for the whole day's peak)
BUSY_S = int(os.environ.get("SQ_FLEET_BUSY_S", "60"))
OUTAGE_S = 3600
ORG = "fleet"


# -- a worker process: BRANCHES / WORKERS branches ---------------------------------------------------------------


def worker(start: int, count: int, port: int, workdir: Path) -> None:
    from bench._common import bench_config
    from branch.core import BranchCore
    from branch.setup_build import build_setup
    from branch.store import Store
    from config.sync import SyncConfig
    from queue_engine import commands as cmd
    from sync.link import LinkSettings, MqttLink
    from sync.messages import decode
    from sync.outbox import Ack, OutboxPump
    from sync.topics import Topics

    setup = build_setup(bench_config())
    services = ("accounts", "cash", "loans")
    config = SyncConfig(enabled=True, host="127.0.0.1", port=port, keepalive_s=30, reconnect_min_s=0.5,
                        reconnect_max_s=10)  # the product's ack timeouts (30 s, doubling to 600 s)

    class Branch:
        def __init__(self, name: str, loop: asyncio.AbstractEventLoop) -> None:
            self.name, self.loop = name, loop
            self.store = Store(workdir / f"{name}.sqlite3")
            self.core = BranchCore(setup, self.store)
            self.topics = Topics(config.prefix_for(ORG, name))
            self.issued = 0
            self.pump: OutboxPump | None = None
            self.link: MqttLink | None = None

        def commit(self, at_ms: int) -> None:
            service = services[self.issued % 3]
            self.issued += 1
            self.core.persist(self.core.prepare(cmd.IssueTicket(at_ms=at_ms, ticket_id=uuid.uuid4().hex[:16],
                                                                service=service), {}, uuid.uuid4().hex))
            if self.pump is not None:
                self.pump.drain()

        def connect(self) -> None:
            async def write(fn):
                return fn()

            self.pump = OutboxPump(self.store, write, lambda p: self.link.publish(self.topics.events, p),
                                   {"organisation": ORG, "branch": self.name, "node": f"node-{self.name}"},
                                   lambda: self.core.seq, batch_size=config.batch_size, window=config.inflight_window,
                                   max_bytes=config.max_message_bytes, ack_timeout_s=config.ack_timeout_s,
                                   ack_timeout_max_s=config.ack_timeout_max_s, dead_letter_retry_s=600,
                                   now_ms=lambda: int(time.time() * 1000))
            settings = LinkSettings.from_config(config, f"sq-{ORG}-{self.name}", config.inflight_window + 16,
                                                subscriptions=((self.topics.events_ack, 1),))
            self.link = MqttLink(settings, self, self.loop.call_soon_threadsafe)
            self.link.start()

        def disconnect(self) -> None:
            assert self.link is not None
            self.link.stop()
            self.link = None
            self.pump = None

        # LinkHandler
        def link_connected(self, session_present: bool) -> None:
            self.pump.on_connected(self.link.max_packet_size)

        def link_disconnected(self, reason: str) -> None:
            if self.pump is not None:
                self.pump.on_disconnected()

        def link_published(self, mid: int, code: int, reason: str) -> None:
            if self.pump is not None:
                self.pump.on_published(mid, code, reason)

        def link_message(self, message) -> None:
            if self.pump is not None and message.payload:
                self.pump.on_ack(Ack.from_body(decode(message.payload, "events-ack", 1 << 20)))

        def caught_up(self) -> bool:
            return self.pump is not None and self.pump.watermark == self.core.seq

    async def main() -> None:
        loop = asyncio.get_running_loop()
        branches = [Branch(f"B{i:04d}", loop) for i in range(start, start + count)]
        for branch in branches:
            branch.commit(int(time.time() * 1000))  # the day starts: seq 1, 2
            branch.connect()

        async def busy(seconds: float, clock_ms) -> None:
            step = 1 / (BUSY_RATE * len(branches))
            deadline = time.monotonic() + seconds
            index = 0
            while time.monotonic() < deadline:
                branches[index % len(branches)].commit(clock_ms())
                index += 1
                await asyncio.sleep(step)

        async def ticker() -> None:
            while True:
                await asyncio.sleep(1)
                for branch in branches:
                    if branch.pump is not None:
                        branch.pump.tick()

        tick = loop.create_task(ticker())
        while not all(b.link is not None and b.link.connected for b in branches):
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # the first batches (committed before connecting) are stored
        print("ready", flush=True)
        await busy(BUSY_S, lambda: int(time.time() * 1000))
        await asyncio.sleep(5)
        print(json.dumps({"busy_done": sum(b.caught_up() for b in branches)}), flush=True)
        await loop.run_in_executor(None, lambda: [b.disconnect() for b in branches])
        started = int(time.time() * 1000)
        per_branch = int(BUSY_RATE * OUTAGE_S)
        for offset in range(per_branch):  # an hour of the branch's life, committed while it is offline
            for branch in branches:
                branch.commit(started + int(offset * 1000 / BUSY_RATE))
            if offset % 50 == 0:
                await asyncio.sleep(0)
        print(json.dumps({"outage_filled": sum(b.core.seq for b in branches)}), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)  # "reconnect"
        began = time.monotonic()
        for branch in branches:
            branch.connect()
        while not all(b.caught_up() for b in branches):
            await asyncio.sleep(0.2)
        print(json.dumps({"caught_up_s": time.monotonic() - began, "seq": sum(b.core.seq for b in branches)}),
              flush=True)
        tick.cancel()
        await loop.run_in_executor(None, lambda: [b.disconnect() for b in branches])
        for branch in branches:
            branch.store.close()

    asyncio.run(main())


# -- the conductor ------------------------------------------------------------------------------------------------


def _cpu_s(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_pids(postmaster: int) -> list[int]:
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def _read(proc: subprocess.Popen, key: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"a worker exited waiting for {key}")
        if line.startswith("{") and key in line:
            return json.loads(line)
    raise RuntimeError(f"timed out waiting for {key}")


def bare_rate(port: int, payloads: list[bytes]) -> float:
    """A bare paho QoS 1 publisher -> subscriber through the same broker: messages' events/s, nothing stored."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    received = threading.Event()
    count = {"n": 0}
    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bare-sub", protocol=mqtt.MQTTv5)

    def on_message(client, userdata, message) -> None:
        count["n"] += 1
        if count["n"] == len(payloads):
            received.set()

    sub.on_message = on_message
    sub.connect("127.0.0.1", port)
    sub.subscribe("bare/#", qos=1)
    sub.loop_start()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bare-pub", protocol=mqtt.MQTTv5)
    pub.max_inflight_messages_set(20)
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    time.sleep(0.5)
    started = time.perf_counter()
    for payload in payloads:
        pub.publish("bare/x", payload, qos=1)
    received.wait(120)
    elapsed = time.perf_counter() - started
    for client in (pub, sub):
        client.loop_stop()
        client.disconnect()
    return elapsed


def main() -> int:
    from devtools.local_postgres import LocalPostgres
    from smartqueue.local_broker import Broker
    from sync.central_pg import PostgresCentralStore

    print(f"machine: {machine()}; {BRANCHES} branches in {WORKERS} processes, {RECEIVERS} receivers, PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="sq-bench-fleet-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        broker = Broker(work / "broker", extra="max_inflight_messages 100\n").start()
        pg = LocalPostgres(work / "pg").start()
        receivers: list[subprocess.Popen] = []
        workers: list[subprocess.Popen] = []
        try:
            for index in range(RECEIVERS):
                conf = work / f"central-{index}.toml"
                conf.write_text(f'[central]\nhost = "127.0.0.1"\nport = {broker.port}\nclient_id = "fleet-c{index}"'
                                f'\ndatabase_url = "{pg.url}"\n', encoding="utf-8")
                receivers.append(subprocess.Popen([PYTHON, "-m", "smartqueue", "central", "--config", str(conf)],
                                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                time.sleep(1.5)
            per = BRANCHES // WORKERS
            for index in range(WORKERS):
                folder = work / f"w{index}"
                folder.mkdir()
                workers.append(subprocess.Popen(
                    [PYTHON, "-m", "bench.bench_fleet", "worker", str(index * per), str(per), str(broker.port),
                     str(folder)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1))
            for proc in workers:
                while proc.stdout.readline().strip() != "ready":
                    pass
            ready_ms = int(time.time() * 1000)  # latencies count from here: every link is up
            postmaster = pg.postmaster_pid()
            def cpu() -> tuple[float, float, float, float]:
                return (_cpu_s([p.pid for p in receivers]), _cpu_s(_postgres_pids(postmaster)), time.monotonic(),
                        _cpu_s([broker.proc.pid]))

            cpu0 = cpu()
            for proc in workers:
                _read(proc, "busy_done", BUSY_S + 120)
            cpu1 = cpu()
            store = PostgresCentralStore(pg.url)
            latencies = [row[0] for row in store.conn.execute(
                "SELECT received_ms - (extract(epoch FROM at::timestamptz) * 1000)::bigint FROM sq_event"
                " WHERE type = 'TicketIssued' AND extract(epoch FROM at::timestamptz) * 1000 >= %s",
                (ready_ms,)).fetchall()]
            busy_events = store.conn.execute("SELECT COUNT(*) FROM sq_event").fetchone()[0]
            filled = sum(_read(proc, "outage_filled", 900)["outage_filled"] for proc in workers)
            backlog = filled - busy_events
            cpu2 = cpu()
            for proc in workers:
                proc.stdin.write("reconnect\n")
                proc.stdin.flush()
            results = [_read(proc, "caught_up_s", 1800) for proc in workers]
            cpu3 = cpu()
            catch_up = max(r["caught_up_s"] for r in results)
            stored, distinct = store.conn.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM sq_event").fetchone()
            payloads = [row[0].encode() for row in store.conn.execute(
                "SELECT json_agg(json_build_object('seq', seq, 'id', event_id, 'type', type, 'at', at, 'actor', actor,"
                " 'data', data, 'hash', hash, 'prev_hash', prev_hash))::text FROM (SELECT * FROM sq_event LIMIT"
                " 40000) e GROUP BY (id / 200)").fetchall()]
            store.close()
            bare_s = bare_rate(broker.port, payloads)
        finally:
            for proc in workers + receivers:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(20)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            pg.stop()
            broker.stop()
    busy_wall = cpu1[2] - cpu0[2]
    catch_wall = cpu3[2] - cpu2[2]
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    rate = backlog / catch_up
    bare = sum(len(json.loads(p)) for p in payloads) / bare_s
    print(f"busy: {BRANCHES} branches x {BUSY_RATE}/s = {BRANCHES * BUSY_RATE:.0f} events/s for {BUSY_S} s: commit -> "
          f"stored p50 {p50:.0f} ms, p99 {p99:.0f} ms; CPU receivers {100 * (cpu1[0] - cpu0[0]) / busy_wall:.0f}%, "
          f"PostgreSQL {100 * (cpu1[1] - cpu0[1]) / busy_wall:.0f}%, Mosquitto "
          f"{100 * (cpu1[3] - cpu0[3]) / busy_wall:.0f}% (of one core)")
    print(f"catch-up: {backlog} events ({int(BUSY_RATE * OUTAGE_S)} per branch, one hour offline) in {catch_up:.1f} s"
          f" = {rate:.0f} events/s sustained; CPU receivers {100 * (cpu3[0] - cpu2[0]) / catch_wall:.0f}%, "
          f"PostgreSQL {100 * (cpu3[1] - cpu2[1]) / catch_wall:.0f}%, "
          f"Mosquitto {100 * (cpu3[3] - cpu2[3]) / catch_wall:.0f}%")
    print(f"stored {stored} events, {distinct} distinct ids, {filled} committed (lost {filled - distinct}, "
          f"doubled {stored - distinct})")
    print(f"baseline: bare paho publisher -> subscriber, same batches, same broker: {bare:.0f} events/s")
    ok = distinct == filled == stored and p99 < 1000
    summary("fleet", f"{BRANCHES} branches: catch-up {catch_up:.0f} s ({rate:.0f} events/s), busy commit->stored p99 "
            f"{p99:.0f} ms", f"bare broker {bare:.0f} events/s", "nothing lost or doubled; busy p99 < 1 s", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "worker":
        worker(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    else:
        sys.exit(main())
