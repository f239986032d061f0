"""SyncService: the MQTT link to central inside the node process (`BranchNode.start/stop` start and stop it).

Threads: none of its own. paho's network thread only hands callbacks to the node's event loop
(`loop.call_soon_threadsafe`); the pump, config and commands run on the loop; database writes go through
`node.write` (the node's single writer thread). A short-lived thread `sq-sync-stop` runs the blocking disconnect
at stop. With a cluster (issue 8) only the leader runs this service: start it on election, stop it on losing the
lead; the client id is per branch, so the new leader takes over the broker session, and central's retained
`events/ack` tells it where to continue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from typing import Any

from branch.hub import CLOSE
from config.sync import SyncConfig
from sync import branch_persistence as persistence
from sync.commands import CommandRunner
from sync.errors import BadPayload
from sync.health import device_statuses, disk_free_mb, metrics_payload, node_status
from sync.link import FAILURE, Inbound, LinkSettings, MqttLink, Will
from sync.messages import SCHEMA_VERSION, decode, encode, utc_now_iso
from sync.outbox import Ack, OutboxPump
from sync.remote_config import check_live, merge
from sync.topics import Topics

log = logging.getLogger(__name__)

TICK_S = 1.0
MAX_TRACKED = 1000  # non-event messages awaiting PUBACK, for dead-lettering; older ones are forgotten


class SyncService:
    def __init__(self, node: Any, config: SyncConfig) -> None:
        self.node = node
        self.config = config
        branch = node.config.branch
        self.topics = Topics(config.prefix_for(branch.organisation, branch.id))
        self.client_id = config.client_id or f"sq-{branch.organisation}-{branch.id}"[:64]
        self._base_config = node.base_config  # the local file: pushes replace its sections, never stack
        self.config_version: int | None = None
        self.link: MqttLink | None = None
        self.pump: OutboxPump | None = None
        self.commands = CommandRunner(node, self.publish_metrics)
        self._tasks: list[asyncio.Task] = []
        self._inbound: set[asyncio.Task] = set()
        self._inbound_lock: asyncio.Lock | None = None
        self._others: dict[int, str] = {}  # mid -> topic of status/reply messages awaiting PUBACK
        self._device_keys: dict[str, str] = {}
        self._metrics_day: str | None = None
        self._hub_sub = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        node, config = self.node, self.config
        loop = asyncio.get_running_loop()
        self._inbound_lock = asyncio.Lock()
        self._restore_config()
        branch = node.config.branch
        self.pump = OutboxPump(
            node.store, node.write, self._publish_events,
            {"organisation": branch.organisation, "branch": branch.id, "node": node.node_id},
            lambda: node.core.seq, batch_size=config.batch_size, window=config.inflight_window,
            max_bytes=config.max_message_bytes, ack_timeout_s=config.ack_timeout_s,
            ack_timeout_max_s=config.ack_timeout_max_s, dead_letter_retry_s=config.dead_letter_retry_s,
            now_ms=node.now_ms)
        will = Will(self.topics.status, encode(node_status(node, state="offline", reason="connection lost",
                                                           extra=self._timing())))
        settings = LinkSettings.from_config(config, self.client_id, config.inflight_window + 16, will=will,
                                            subscriptions=self.topics.inbound())
        self.link = MqttLink(settings, self, loop.call_soon_threadsafe, manual_ack=True)
        self._hub_sub = node.hub.subscribe()
        self._tasks = [loop.create_task(self._doorbell(), name="sq-sync-doorbell"),
                       loop.create_task(self._ticker(), name="sq-sync-ticker")]
        node.central_ack = self.pump.fresh_watermark  # what the node may archive up to (None: nothing yet)
        self.link.start()
        log.info("sync to central started: topics %s*, client id %s", self.topics.prefix, self.client_id)

    async def stop(self) -> None:
        if self.pump is not None and self.node.central_ack == self.pump.fresh_watermark:
            self.node.central_ack = None  # a stopped link hears nothing: archiving waits for the next start
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._hub_sub is not None:
            self.node.hub.unsubscribe(self._hub_sub)
        for task in list(self._inbound):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.link is not None:
            final = (self.topics.status, encode(node_status(self.node, state="offline", reason="stopped",
                                                            extra=self._timing())), True)
            await _in_thread(lambda: self.link.stop(final), "sq-sync-stop")
        if self.pump is not None:
            await self.pump.flush()
        log.info("sync to central stopped")

    def health(self) -> dict[str, Any]:
        pump = self.pump
        return {"connected": bool(self.link and self.link.connected), "watermark": pump.watermark if pump else 0,
                "cursor": pump.cursor if pump else 0, "lag_events": pump.lag_events() if pump else 0,
                "inflight": len(pump.inflight) if pump else 0, "config_version": self.config_version,
                "halted": bool(pump and pump.halted_until is not None),
                "archive_problem": pump.archive_problem if pump else None}

    # -- link callbacks (on the loop thread) -------------------------------------------------------------------------

    def link_connected(self, session_present: bool) -> None:
        assert self.pump is not None and self.link is not None
        self.pump.on_connected(self.link.max_packet_size)
        self._publish_status()
        self._device_keys.clear()
        self._publish_devices()

    def link_disconnected(self, reason: str) -> None:
        if self.pump is not None:
            self.pump.on_disconnected()

    def link_published(self, mid: int, reason_code: int, reason: str) -> None:
        if self.pump is not None and self.pump.on_published(mid, reason_code, reason):
            return
        topic = self._others.pop(mid, None)
        if topic is not None and reason_code >= FAILURE:
            log.error("the broker refused a message on %s (reason 0x%02x %s): dropped, not retried",
                      topic, reason_code, reason)
            now = self.node.now_ms()
            self._spawn(self.node.write(lambda: persistence.record_dead_letter(self.node.store, now, topic, reason_code,
                                                                         reason)))

    def link_message(self, message: Inbound) -> None:
        topic = message.topic
        if topic == self.topics.events_ack:
            self._on_ack(message)
            self._acknowledge(message)
        elif topic == self.topics.config:
            self._spawn(self._then_ack(self._on_config(message), message))
        elif topic == self.topics.commands:
            self._spawn(self._then_ack(self._on_command(message), message))
        else:
            log.warning("message on an unexpected topic %s ignored", topic)
            self._acknowledge(message)

    async def _then_ack(self, handling, message: Inbound) -> None:
        """PUBACK only once the message's effect is written: if the node dies first, the broker delivers again
        (and a repeated command is answered "duplicate" by its id)."""
        try:
            await handling
        except Exception:
            log.exception("a message from central on %s could not be handled; left unacknowledged, the broker "
                          "delivers it again when the link reconnects", message.topic)
            return
        self._acknowledge(message)

    def _acknowledge(self, message: Inbound) -> None:
        if self.link is not None:
            self.link.ack(message)

    # -- inbound ---------------------------------------------------------------------------------------------------

    def _on_ack(self, message: Inbound) -> None:
        if not message.payload:
            return  # a cleared retained ack
        try:
            body = decode(message.payload, "events-ack", self.config.max_inbound_bytes)
        except BadPayload as err:
            log.warning("bad events/ack from central ignored: %s", err)
            return
        assert self.pump is not None
        self.pump.on_ack(Ack.from_body(body), retained=message.retain)

    async def _on_config(self, message: Inbound) -> None:
        if not message.payload:
            return  # central cleared its retained config: keep what is applied
        assert self._inbound_lock is not None
        async with self._inbound_lock:
            version = _peek(message.payload, "version", int)
            try:
                body = decode(message.payload, "config", self.config.max_inbound_bytes)
                version = body["version"]
                if version == self.config_version:
                    self._config_ack("unchanged", version, [])
                    return
                if self.config_version is not None and version < self.config_version:
                    raise BadPayload([f"version {version} is older than the applied version {self.config_version}"])
                candidate = merge(self._base_config, body["sections"])
                check_live(self.node, candidate)
            except BadPayload as err:
                log.warning("config push v%s from central rejected: %s", version, err)
                self._config_ack("rejected", version, err.problems)
                return
            try:  # stored and run on, between two commands; on every member of a cluster (through the log)
                await self.node.commands.apply_config(version, body["sections"], self.node.now_ms())
            except Exception as err:
                log.warning("config push v%s from central not applied: %r", version, err)
                self._config_ack("rejected", version, [f"not applied on the branch ({err}); push it again"])
                return
            self.config_version = version
            log.info("config v%d from central applied (sections: %s)", version, ", ".join(body["sections"]) or "-")
            self._config_ack("applied", version, [])

    def _config_ack(self, status: str, version: int | None, errors: list[str]) -> None:
        self._send(self.topics.config_ack, {"schema": SCHEMA_VERSION, "status": status, "version": version,
                                            "applied_version": self.config_version,
                                            "errors": [e[:500] for e in errors[:50]], "at": utc_now_iso()},
                   retain=True)

    async def _on_command(self, message: Inbound) -> None:
        assert self._inbound_lock is not None
        reply_to = self.topics.commands_ack
        if message.response_topic == self.topics.commands_response:
            reply_to = message.response_topic
        elif message.response_topic is not None:  # the broker's ACL would refuse it (0x87): answer where it may
            log.warning("command response topic %r is outside this branch's tree; answering on %s",
                        message.response_topic[:120], reply_to)
        async with self._inbound_lock:
            try:
                body = decode(message.payload, "command", self.config.max_inbound_bytes)
            except BadPayload as err:
                command_id = _peek(message.payload, "id", str)
                log.warning("command %s from central rejected: %s", command_id, err)
                self._reply(reply_to, message.correlation_data, command_id, None, "rejected",
                            {"errors": err.problems})
                return
            status, result = await self.commands.run(body)
            self._reply(reply_to, message.correlation_data, body["id"], body["command"], status, result)

    def _reply(self, topic: str, correlation: bytes | None, command_id: str | None, command: str | None,
               status: str, body: dict[str, Any]) -> None:
        payload = {"schema": SCHEMA_VERSION, "id": command_id, "command": command, "status": status, **body,
                   "at": utc_now_iso()}
        self._send(topic, payload, correlation=correlation)

    # -- outbound --------------------------------------------------------------------------------------------------

    def _publish_events(self, payload: bytes) -> int | None:
        assert self.link is not None
        return self.link.publish(self.topics.events, payload)

    def _send(self, topic: str, payload: dict[str, Any], *, retain: bool = False,
              correlation: bytes | None = None) -> None:
        if self.link is None:
            return
        try:
            mid = self.link.publish(topic, encode(payload), retain=retain, correlation_data=correlation)
        except ValueError as err:  # e.g. a response topic with wildcards
            log.warning("cannot publish on %r: %s", topic, err)
            return
        if mid is not None:
            self._others[mid] = topic
            if len(self._others) > MAX_TRACKED:
                self._others.pop(next(iter(self._others)))

    def _publish_status(self) -> None:
        pump, node = self.pump, self.node
        assert pump is not None
        oldest = persistence.oldest_unacked_ms(node.store, pump.watermark)
        extra = {"seq": node.core.seq, "log": pump.log, "watermark": pump.watermark,
                 "outbox": persistence.outbox_size(node.store),
                 "sync_lag_events": pump.lag_events(),
                 "sync_lag_s": round(max(0, node.now_ms() - oldest) / 1000, 1) if oldest is not None else 0,
                 "disk_free_mb": disk_free_mb(node.data_dir), "config_version": self.config_version,
                 "dead_letters": persistence.dead_letter_count(node.store), "day": node.core.state.day,
                 **self._timing()}
        self._send(self.topics.status, node_status(node, state="online", extra=extra), retain=True)

    def _timing(self) -> dict[str, Any]:
        """What central needs to judge a retained status stale (docs/mqtt-contract.md, "Staleness")."""
        return {"keepalive_s": self.config.keepalive_s, "status_interval_s": self.config.status_interval_s}

    def _publish_devices(self) -> None:
        for device_id, key, payload in device_statuses(self.node, int(self.config.device_stale_s * 1000)):
            if self._device_keys.get(device_id) != key:
                self._device_keys[device_id] = key
                self._send(self.topics.device_status(device_id), payload, retain=True)

    async def publish_metrics(self, day: str | None = None) -> str | None:
        """Publish the daily metrics of `day` (default today); returns the day published."""
        payload = metrics_payload(self.node, day)
        if payload is None:
            return None
        self._send(self.topics.metrics_daily, payload)
        return payload["day"]

    # -- tasks -------------------------------------------------------------------------------------------------------

    async def _doorbell(self) -> None:
        """Committed events ring the pump at once (the rows are already in SQLite; the hub is only a bell)."""
        while True:
            _, payload = await self._hub_sub.queue.get()
            closed = payload == CLOSE
            while not self._hub_sub.queue.empty():
                closed = closed or self._hub_sub.queue.get_nowait()[1] == CLOSE
            if closed:  # the hub dropped us (fell behind); take a new seat
                self._hub_sub = self.node.hub.subscribe()
            assert self.pump is not None
            self.pump.drain()

    async def _ticker(self) -> None:
        last_status = last_metrics = time.monotonic()
        while True:
            await asyncio.sleep(TICK_S)
            try:
                assert self.pump is not None
                self.pump.tick()
                now = time.monotonic()
                connected = bool(self.link and self.link.connected)
                if connected and now - last_status >= self.config.status_interval_s:
                    last_status = now
                    self._publish_status()
                    self._publish_devices()
                day = self.node.core.state.day
                if connected and self._metrics_day is not None and day != self._metrics_day:
                    await self.publish_metrics(self._metrics_day)  # the finished day's final figures
                    self._metrics_day = day
                if connected and now - last_metrics >= self.config.metrics_interval_s:
                    last_metrics = now
                    self._metrics_day = await self.publish_metrics()
            except Exception:
                log.exception("sync housekeeping failed; continuing")

    def _restore_config(self) -> None:
        """The version of the push the node runs on (the node re-applied it over its file when it started)."""
        stored = persistence.applied_config(self.node.store)
        if stored is not None and self.node.config is not self.node.base_config:  # else it no longer validated
            self.config_version = stored[0]

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._inbound.add(task)
        task.add_done_callback(self._inbound.discard)


def _peek(payload: bytes, key: str, kind: type) -> Any:
    """Best-effort field of an unusable payload, for the rejection answer (never trusted for anything else)."""
    try:
        value = json.loads(payload).get(key)
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        return None
    return value[:64] if isinstance(value, str) else value


async def _in_thread(fn, name: str) -> None:
    """Run a blocking call on a short-lived thread (not the loop's default executor, which would outlive us)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def run() -> None:
        error: BaseException | None = None
        try:
            fn()
        except BaseException as err:  # handed back to the awaiting coroutine
            error = err
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=run, name=name, daemon=True).start()
    await done
