"""The display's data path: `state()` snapshot, then the event feed from its `seq`; calls shown, announced, acked.

Resilience (issue 5):
- the feed resumes from its cursor after any disconnect, even to another node (`NodeClient` follows the leader);
- while disconnected, the board turns stale after a short grace (a discreet indicator, waits dimmed);
- after a reconnection the backlog arrives as a burst: calls made meanwhile are held until the board has caught
  up with the node's `seq`, then only those still current are announced (nobody wants the last hour read out).
No audio device is a device state reported to the node, never an exception.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer

from appkit.feed import EventFeed
from appkit.tasks import TaskRunner
from display.acks import CallAcker
from display.announcements import AnnouncementQueue
from display.announcer import OPERATIONAL, Announcer, AudioState
from display.board import BoardModel, Call
from display.viewmodel import DisplayViewModel
from nodeclient.client import NodeClient, NodeError

log = logging.getLogger(__name__)
MAX_DEFERRED = 200


class DisplayController(QObject):
    def __init__(self, client: NodeClient, runner: TaskRunner, feed: EventFeed, board: BoardModel,
                 vm: DisplayViewModel, queue: AnnouncementQueue, acker: CallAcker, device_id: str, *,
                 stale_grace_ms: int = 2000, services_refresh_s: float = 20, version: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client, self.runner, self.feed, self.board, self.vm = client, runner, feed, board, vm
        self.queue, self.acker, self.device_id, self.version = queue, acker, device_id, version
        self.catching_up = False
        self._catch_up_target: int | None = None
        self._deferred: list[Call] = []
        self._loaded = False
        self._retry_ms = 500
        self._refreshing = self._refresh_again = False
        self._last_status: dict[str, Any] | None = None
        self._node_device_id: str | None = None

        self._stale_timer = QTimer(self, singleShot=True, interval=stale_grace_ms)
        self._stale_timer.timeout.connect(lambda: self.vm.set_stale(True))
        self._services_soon = QTimer(self, singleShot=True, interval=400)
        self._services_soon.timeout.connect(self.refresh_services)
        self._services_periodic = QTimer(self, interval=int(services_refresh_s * 1000))
        self._services_periodic.timeout.connect(self.refresh_services)
        self._load_retry = QTimer(self, singleShot=True)
        self._load_retry.timeout.connect(self._load)

        feed.event.connect(self._on_event)
        feed.connectedChanged.connect(self._on_connection)
        vm.newCall.connect(self._on_new_call)
        queue.finished.connect(self._on_announced)
        queue.duckingChanged.connect(vm.set_ducked)
        queue.announcer.stateChanged.connect(lambda _state: self.report_status())

    @property
    def announcer(self) -> Announcer:
        return self.queue.announcer

    # -- start / stop -----------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._load()

    def stop(self) -> None:
        for timer in (self._stale_timer, self._services_soon, self._services_periodic, self._load_retry):
            timer.stop()
        self.feed.stop()

    def _load(self) -> None:
        self.runner.submit(self.client.state, on_done=self._on_snapshot, on_error=self._on_load_failed)

    def _on_load_failed(self, err: BaseException) -> None:
        log.warning("node state unavailable (%s); retrying in %d ms", err, self._retry_ms)
        self._load_retry.start(self._retry_ms)
        self._retry_ms = min(self._retry_ms * 2, 5000)

    def _on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.board.load(snapshot)
        self.vm.set_node_time(self.board.node_now)
        self._loaded = True
        self.vm.tick(force=True)  # the branch's time zone may differ from the configured one
        self.vm.languageChanged.emit()  # the branch name came with the snapshot
        self.vm.calls_updated()
        self.vm.services_updated()
        self.vm.set_stale(False)
        self._services_periodic.start()
        self.feed.start(self.board.seq)
        self.report_status()
        for counter in self.board.counters.values():  # the calls on screen from the start are shown too
            if counter.current is not None and self.board.in_zone(counter.id):
                self.acker.shown(counter.current)

    # -- events -----------------------------------------------------------------------------------------------------

    def _on_event(self, envelope: dict[str, Any]) -> None:
        if envelope.get("ephemeral"):
            self._on_message(envelope)
            return
        change = self.board.apply(envelope)
        if change.calls:
            self.vm.calls_updated(change.new_call)
        if change.services_stale and not self._services_soon.isActive():
            self._services_soon.start()
        if self._catch_up_target is not None and self.board.seq >= self._catch_up_target:
            self._end_catch_up()

    def _on_message(self, envelope: dict[str, Any]) -> None:
        if envelope.get("type") != "DisplayMessage":
            return  # CallShown and the like are for keypads
        data = envelope.get("data") or {}
        text = data.get("text") or {}
        texts = {lang: str(value) for lang, value in text.items() if value} if isinstance(text, dict) else {}
        if isinstance(text, str) and text:
            texts = {lang: text for lang in ("fr", "en", "ar")}
        until = None
        if data.get("until"):
            try:
                until = dt.datetime.fromisoformat(str(data["until"]).replace("Z", "+00:00"))
                if until.tzinfo is None:
                    until = until.replace(tzinfo=dt.UTC)
            except ValueError:
                log.warning("DisplayMessage with an unreadable 'until': %r", data["until"])
        self.vm.push_message(texts, until)

    def _on_new_call(self, call: Call) -> None:
        if self.catching_up:
            self._deferred.append(call)
            del self._deferred[:-MAX_DEFERRED]
            return
        self._show_and_announce(call)

    def _show_and_announce(self, call: Call) -> None:
        self.acker.shown(call)
        self.queue.enqueue(call)

    def _on_announced(self, call: Call, heard: bool) -> None:
        if heard:
            self.acker.announced(call)

    # -- connection -------------------------------------------------------------------------------------------------

    def _on_connection(self, connected: bool) -> None:
        if not connected:
            self.catching_up = True
            self._catch_up_target = None
            if not self._stale_timer.isActive() and not self.vm.stale:
                self._stale_timer.start()
            return
        self._stale_timer.stop()
        self.vm.set_stale(False)
        self.report_status()
        if self.catching_up:
            self.runner.submit(self.client.state, on_done=self._on_catch_up_snapshot,
                               on_error=lambda err: self._end_catch_up())

    def _on_catch_up_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.vm.set_node_time(str(snapshot.get("now") or ""))
        self.board.replace_services(snapshot)
        self.vm.services_updated()
        self._catch_up_target = int(snapshot["seq"])
        if self.board.seq >= self._catch_up_target:
            self._end_catch_up()

    def _end_catch_up(self) -> None:
        deferred, self._deferred = self._deferred, []
        self.catching_up = False
        self._catch_up_target = None
        latest: dict[str, Call] = {}
        for call in deferred:  # one per counter: its latest call, if it still stands
            latest[call.counter] = call
        fresh = set()
        for call in sorted(latest.values(), key=lambda c: c.seq):
            if self.board.still_current(call):
                self._show_and_announce(call)
                fresh.add(call.key)
        self._reacknowledge(skip=fresh)

    def _reacknowledge(self, skip: set[tuple[str, int]]) -> None:
        """Tell the node again what this board shows (and what it announced): a restarted node forgot the acks,
        and the agent's keypad would say "shown on 0 of 2 displays" while both show the call (issue 15)."""
        for counter in self.board.counters.values():
            call = counter.current
            if call is None or call.key in skip or not self.board.in_zone(counter.id):
                continue
            self.acker.resend(call)

    # -- services ---------------------------------------------------------------------------------------------------

    def refresh_services(self) -> None:
        """Waiting counts and estimates from the node (the engine's rules), at most one request in flight."""
        if not self._loaded:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        self.runner.submit(self.client.state, on_done=self._on_services, on_error=self._on_services_failed)

    def _on_services(self, snapshot: dict[str, Any]) -> None:
        self.board.replace_services(snapshot)
        self.vm.services_updated()
        self._services_done()

    def _on_services_failed(self, err: BaseException) -> None:
        log.info("services refresh failed: %s", err)
        self._refresh_again = False
        self._services_done()

    def _services_done(self) -> None:
        self._refreshing = False
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_services()

    # -- device status ----------------------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        audio = AudioState.OFF if self.queue.mode == "silent" else self.announcer.state
        body: dict[str, Any] = {"state": "ok" if audio in OPERATIONAL else "degraded",
                                "components": {"audio": str(audio)}}
        if self.version:
            body["version"] = self.version
        return body

    def report_status(self) -> None:
        """Tell the node how this display is (on start, on reconnection — maybe to a new node — and on change)."""
        body = self.status()
        self._last_status = body
        self.runner.submit(self._report, body, on_error=lambda err: log.info("status report failed: %s", err))

    def _report(self, body: dict[str, Any]) -> dict[str, Any]:
        """On a worker: the node only takes a device's status under the id its token was issued to, so ask."""
        if self._node_device_id is None:
            try:
                self._node_device_id = str(self.client.whoami()["device"])
            except (NodeError, KeyError, TypeError) as err:
                log.info("whoami failed (%s); reporting as %s", err, self.device_id)
        return self.client.report_status(self._node_device_id or self.device_id, body)
