"""The reference central receiver: every branch's events through a shared subscription, stored once, acknowledged
end to end (`events/ack`, retained); branch and device health; config and commands down.

It is the integration example for the central Django server (docs/mqtt-contract.md maps it onto the models) and
the counterpart of the branch in tests and the demo.

Threads: paho's network thread only enqueues closures; one worker thread `sq-central` runs them in order and is
the only user of the SQLite writer connection. `publish_config` / `send_command` may be called from any thread
(they enqueue too).
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config.central import CentralConfig
from sync.central_store import CentralStore
from sync.errors import BadPayload
from sync.link import FAILURE, Inbound, LinkSettings, MqttLink
from sync.messages import SCHEMA_VERSION, decode, encode, utc_now_iso

log = logging.getLogger(__name__)

_SCHEMAS = {"events": "events", "status": "status", "metrics/daily": "metrics-daily", "config/ack": "config-ack",
            "commands/response": "command-response", "commands/ack": "command-response"}


class CentralReceiver:
    def __init__(self, config: CentralConfig) -> None:
        self.config = config
        self.root = config.topic_root
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.store: CentralStore | None = None
        self.rejected = 0
        self.refused_publishes = 0
        settings = LinkSettings.from_config(config, config.client_id or "sq-central-1", 1000,
                                            subscriptions=self._subscriptions())
        self.link = MqttLink(settings, self, self._queue.put)

    def _subscriptions(self) -> tuple[tuple[str, int], ...]:
        base = f"{self.root}/+/+/"
        return ((f"$share/{self.config.share_group}/{base}events", 1), (base + "status", 1),
                (base + "devices/+/status", 1), (base + "metrics/daily", 1), (base + "config/ack", 1),
                (base + "commands/response", 1), (base + "commands/ack", 1))

    def topic(self, org: str, branch: str, suffix: str) -> str:
        return f"{self.root}/{org}/{branch}/{suffix}"

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self.store = CentralStore(Path(self.config.db_path))  # created on the thread that owns it
            ready.set()
            while (action := self._queue.get()) is not None:
                try:
                    action()
                except Exception:
                    log.exception("central receiver: handling a message failed")
            self.store.close()

        self._thread = threading.Thread(target=run, name="sq-central", daemon=False)
        self._thread.start()
        ready.wait(10)
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(10)

    def call(self, fn: Callable[[CentralStore], Any], timeout: float = 10) -> Any:
        """Run `fn(store)` on the worker thread and return its result (tests, tools)."""
        done: queue.Queue = queue.Queue()

        def action() -> None:
            try:
                done.put((True, fn(self.store)))
            except Exception as err:
                done.put((False, err))

        self._queue.put(action)
        ok, value = done.get(timeout=timeout)
        if not ok:
            raise value
        return value

    # -- down to the branches ------------------------------------------------------------------------------------

    def publish_config(self, org: str, branch: str, version: int, sections: dict[str, Any]) -> None:
        """Retained, so a branch that is offline now applies it when it comes back."""
        payload = {"schema": SCHEMA_VERSION, "version": version, "issued_at": utc_now_iso(), "sections": sections}
        self.link.publish(self.topic(org, branch, "config"), encode(payload), retain=True)

    def send_command(self, org: str, branch: str, command: str, args: dict[str, Any] | None = None,
                     command_id: str | None = None) -> str:
        """Queue a command (QoS 1, persistent session at the branch's side); returns its id."""
        command_id = command_id or uuid.uuid4().hex
        args = args or {}
        payload = {"schema": SCHEMA_VERSION, "id": command_id, "command": command, "issued_at": utc_now_iso(),
                   "args": args}

        def action() -> None:
            assert self.store is not None
            self.store.add_command(command_id, org, branch, command, args)
            self.link.publish(self.topic(org, branch, "commands"), encode(payload),
                              correlation_data=command_id.encode(),
                              response_topic=self.topic(org, branch, "commands/response"))

        self._queue.put(action)
        return command_id

    def send_raw(self, org: str, branch: str, suffix: str, payload: bytes, *, retain: bool = False) -> None:
        """Publish bytes as they are (tests of the branch's handling of malformed messages)."""
        self.link.publish(self.topic(org, branch, suffix), payload, retain=retain)

    # -- link callbacks (worker thread) ------------------------------------------------------------------------------

    def link_connected(self, session_present: bool) -> None:
        """Tell every known branch where we stand: one that sent into a void while we were away resends."""
        assert self.store is not None
        for org, branch, watermark, stored_max in self.store.watermarks():
            self._ack(org, branch, watermark, stored_max, "hello")

    def link_disconnected(self, reason: str) -> None:
        pass

    def link_published(self, mid: int, reason_code: int, reason: str) -> None:
        if reason_code >= FAILURE:
            self.refused_publishes += 1
            log.error("the broker refused a message from central (0x%02x %s)", reason_code, reason)

    def link_message(self, message: Inbound) -> None:
        parts = message.topic.split("/")
        root_len = len(self.root.split("/"))
        if len(parts) < root_len + 3 or not message.payload:
            return
        org, branch, suffix = parts[root_len], parts[root_len + 1], "/".join(parts[root_len + 2:])
        device = None
        if len(parts) == root_len + 5 and parts[root_len + 2] == "devices" and parts[-1] == "status":
            suffix, device = "devices/status", parts[root_len + 3]
        schema = "device-status" if device else _SCHEMAS.get(suffix)
        if schema is None:
            return
        try:
            body = decode(message.payload, schema, self.config.max_message_bytes)
        except BadPayload as err:
            self.rejected += 1
            log.warning("bad %s message from %s/%s dropped: %s", suffix, org, branch, err)
            return
        self._handle(org, branch, suffix, device, body)

    def _handle(self, org: str, branch: str, suffix: str, device: str | None, body: dict[str, Any]) -> None:
        store = self.store
        assert store is not None
        if suffix == "events":
            if (body["organisation"], body["branch"]) != (org, branch):
                self.rejected += 1
                log.warning("events on %s/%s claim to be from %s/%s: dropped", org, branch, body["organisation"],
                            body["branch"])
                return
            stored = store.store_events(org, branch, body["node"], body["events"])
            if stored.chain_error:
                log.error("%s/%s: %s", org, branch, stored.chain_error)
            reason = "gap" if stored.stored_max > stored.watermark else "stored"
            self._ack(org, branch, stored.watermark, stored.stored_max, reason)
        elif suffix == "status":
            store.set_status(org, branch, body)
        elif suffix == "devices/status" and device is not None:
            store.set_device(org, branch, device, body)
        elif suffix == "metrics/daily":
            store.set_metrics(org, branch, body)
        elif suffix == "config/ack":
            store.set_config_ack(org, branch, body)
        elif suffix in ("commands/response", "commands/ack") and body.get("id"):
            store.answer_command(body["id"], body)

    def _ack(self, org: str, branch: str, watermark: int, stored_max: int, reason: str) -> None:
        payload = {"schema": SCHEMA_VERSION, "watermark": watermark, "reason": reason, "stored_max": stored_max,
                   "at": utc_now_iso()}
        self.link.publish(self.topic(org, branch, "events/ack"), encode(payload), retain=True)
