"""The reference central receiver: every branch's events through a shared subscription, stored once, acknowledged
end to end (`events/ack`, retained); branch and device health; config and commands down.

It is the integration example for the central Django server (docs/mqtt-contract.md maps it onto the models) and
the counterpart of the branch in tests and the demo.

Threads: paho's network thread only enqueues closures; one worker thread `sq-central` runs them in order and is
the only user of the store's connection (SQLite file or PostgreSQL). `publish_config` / `send_command` may be
called from any thread (they enqueue too).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from typing import Any

from config.central import CentralConfig
from config.sync import TopicTemplate
from sync.central_store import SqlCentralStore, open_store
from sync.errors import BadPayload
from sync.event_hash import hash_problems
from sync.link import FAILURE, Inbound, LinkSettings, MqttLink
from sync.messages import SCHEMA_VERSION, decode, encode, utc_now_iso

log = logging.getLogger(__name__)

_SCHEMAS = {"events": "events", "status": "status", "metrics/daily": "metrics-daily", "config/ack": "config-ack",
            "commands/response": "command-response", "commands/ack": "command-response"}


class CentralReceiver:
    def __init__(self, config: CentralConfig) -> None:
        self.config = config
        self.template = TopicTemplate(config.topic_prefix)
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.store: SqlCentralStore | None = None
        self.rejected = 0
        self.refused_publishes = 0
        client_id = config.client_id or "sq-central-1"
        settings = LinkSettings.from_config(config, client_id, 1000, subscriptions=self._subscriptions())
        self.link = MqttLink(settings, self, self._queue.put)
        # The events stream on a second connection whose session ends with it: in a share group, a receiver's
        # persistent session would keep taking its share of the stream while the receiver is dead (measured: after
        # a kill -9 of one of two receivers the branch had not caught up 60 s later). The end-to-end ack makes
        # that session unnecessary: what it held is resent by the branches.
        events = f"$share/{config.share_group}/{self.template.filter}events"
        self.events_link = MqttLink(dataclasses.replace(settings, client_id=f"{client_id}-events"[:64],
                                                        session_expiry_s=0, subscriptions=((events, 1),)),
                                    _EventsLinkHandler(self), self._queue.put)
        self.phone_pages = None
        if config.public_port is not None and config.phone_link_key is not None:
            from sync.phone_page import PhonePages

            self.phone_pages = PhonePages(lambda: open_store(config, readonly=True),
                                          config.phone_link_key.get_secret_value().encode(),
                                          host=config.public_host, port=config.public_port)

    def _subscriptions(self) -> tuple[tuple[str, int], ...]:
        base = self.template.filter
        return ((base + "status", 1),
                (base + "devices/+/status", 1), (base + "metrics/daily", 1), (base + "config/ack", 1),
                (base + "commands/response", 1), (base + "commands/ack", 1))

    def topic(self, org: str, branch: str, suffix: str) -> str:
        return self.template.format(org, branch) + suffix

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self.store = open_store(self.config)  # opened on the thread that uses it
            ready.set()
            skipped = 0
            while (action := self._queue.get()) is not None:
                if self._stopping:  # unacknowledged events are resent by their branches: do not make a stop wait
                    skipped += 1
                    continue
                try:
                    action()
                except Exception:
                    log.exception("central receiver: handling a message failed")
            if skipped:
                log.info("stopping: %d queued messages left to the branches' resends", skipped)
            self.store.close()

        self._thread = threading.Thread(target=run, name="sq-central", daemon=False)
        self._thread.start()
        ready.wait(10)
        if self.phone_pages is not None:
            self.phone_pages.start()
        self.link.start()
        self.events_link.start()

    def stop(self) -> None:
        self._stopping = True
        if self.phone_pages is not None:
            self.phone_pages.stop()
        self.events_link.stop()
        self.link.stop()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(10)

    def call(self, fn: Callable[[SqlCentralStore], Any], timeout: float = 10) -> Any:
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
        pass

    def events_link_connected(self) -> None:
        """Tell every known branch where we stand: one that sent into a void while we were away resends."""
        assert self.store is not None
        for org, branch, log, watermark, stored_max in self.store.watermarks():
            self._ack(org, branch, log, watermark, stored_max, "hello")

    def link_disconnected(self, reason: str) -> None:
        pass

    def link_published(self, mid: int, reason_code: int, reason: str) -> None:
        if reason_code >= FAILURE:
            self.refused_publishes += 1
            log.error("the broker refused a message from central (0x%02x %s)", reason_code, reason)

    def link_message(self, message: Inbound) -> None:
        parsed = self.template.parse(message.topic)
        if parsed is None or not message.payload:
            return
        org, branch, suffix = parsed
        device = None
        parts = suffix.split("/")
        if len(parts) == 3 and parts[0] == "devices" and parts[2] == "status":
            suffix, device = "devices/status", parts[1]
        schema = "device-status" if device else _SCHEMAS.get(suffix)
        if schema is None:
            return
        try:
            body = decode(message.payload, schema, self.config.max_message_bytes)
        except BadPayload as err:
            self.rejected += 1
            log.warning("bad %s message from %s/%s dropped: %s", suffix, org, branch, err)
            if suffix == "events":
                self._nack(org, branch, None, err.problems)
            return
        self._handle(org, branch, suffix, device, body)

    def _handle(self, org: str, branch: str, suffix: str, device: str | None, body: dict[str, Any]) -> None:
        store = self.store
        assert store is not None
        if suffix == "events":
            self._events(org, branch, body)
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

    def _events(self, org: str, branch: str, body: dict[str, Any]) -> None:
        """Store a batch and acknowledge it, or refuse it with a rejection (never silence: the branch would wait)."""
        assert self.store is not None
        problems = []
        if (body["organisation"], body["branch"]) != (org, branch):
            problems.append(f"$.organisation/$.branch: {body['organisation']}/{body['branch']} does not match the "
                            f"topic's {org}/{branch}")
        try:
            problems += storable_problems(body["events"]) or hash_problems(body["events"])
        except (ValueError, UnicodeError, RecursionError, OverflowError) as err:  # a lone surrogate, a bad date
            problems.append(f"$.events: the hash cannot be computed ({type(err).__name__}: {str(err)[:200]})")
        if problems:
            self.rejected += 1
            log.warning("events %s-%s from %s/%s rejected: %s", body["first_seq"], body["last_seq"], org, branch,
                        "; ".join(problems[:3]))
            self._nack(org, branch, body, problems)
            return
        stored = self.store.store_events(org, branch, body["node"], body["log"], body["events"])
        if stored.chain_error:
            log.error("%s/%s: %s", org, branch, stored.chain_error)
        reason = "gap" if stored.stored_max > stored.watermark else "stored"
        self._ack(org, branch, stored.log, stored.watermark, stored.stored_max, reason)

    def _ack(self, org: str, branch: str, log_id: str, watermark: int, stored_max: int, reason: str) -> None:
        assert self.store is not None
        payload = {"schema": SCHEMA_VERSION, "log": log_id, "epoch": self.store.epoch, "watermark": watermark,
                   "reason": reason, "stored_max": stored_max, "at": utc_now_iso()}
        self.link.publish(self.topic(org, branch, "events/ack"), encode(payload), retain=True)

    def _nack(self, org: str, branch: str, body: dict[str, Any] | None, problems: list[str]) -> None:
        """A rejection: not retained (the retained ack keeps saying where central stands)."""
        assert self.store is not None
        latest = self.store.latest_log(org, branch)
        log_id = body["log"] if body is not None else (latest[0] if latest else None)
        watermark = latest[1] if latest is not None and latest[0] == log_id else 0
        payload = {"schema": SCHEMA_VERSION, "log": log_id, "epoch": self.store.epoch, "watermark": watermark,
                   "reason": "rejected", "first_seq": body["first_seq"] if body else None,
                   "last_seq": body["last_seq"] if body else None,
                   "errors": [p[:500] for p in problems[:20]], "at": utc_now_iso()}
        self.link.publish(self.topic(org, branch, "events/ack"), encode(payload), retain=False)


INT64 = 2**63 - 1


def storable_problems(events: list[dict[str, Any]]) -> list[str]:
    """What no database column can hold, refused (and answered) before the store tries: a NUL character in any
    string (PostgreSQL's text and jsonb cannot hold U+0000) and integers beyond 64 bits (BIGINT, SQLite INTEGER).
    Without this the store's transaction fails, nothing is answered, and the branch probes the same batch forever."""
    problems: list[str] = []

    def walk(value: Any, path: str) -> None:
        if len(problems) >= 20:
            return
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(f"{path}: contains a NUL character (U+0000)")
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if not -INT64 - 1 <= value <= INT64:
                problems.append(f"{path}: integer beyond 64 bits")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, f"{path} (a key)")
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    for index, event in enumerate(events):
        walk(event, f"$.events[{index}]")
    return problems


class _EventsLinkHandler:
    """The events connection's callbacks: the receiver's, except that connecting sends the hello acks."""

    def __init__(self, receiver: CentralReceiver) -> None:
        self._receiver = receiver

    def link_connected(self, session_present: bool) -> None:
        self._receiver.events_link_connected()

    def link_disconnected(self, reason: str) -> None:
        pass

    def link_message(self, message: Inbound) -> None:
        self._receiver.link_message(message)

    def link_published(self, mid: int, reason_code: int, reason: str) -> None:
        self._receiver.link_published(mid, reason_code, reason)
