"""The node's event stream as Qt signals: a reader thread, resumable cursor, connection state."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot

from nodeclient.client import EventStream, NodeClient

log = logging.getLogger(__name__)


class EventFeed(QObject):
    """Emits `event(envelope: dict)` for each node event, in order and once, and `connectedChanged(bool)`.

    `reloadRequested` too, when central asks this device to reload its configuration (the node sends the ephemeral
    `DeviceReloadRequested` to the named device's streams only); the app connects it to the bootstrap's reload.
    """

    event = Signal(object)
    connectedChanged = Signal(bool)
    reloadRequested = Signal()
    _connected_from_thread = Signal(bool)

    def __init__(self, client: NodeClient, last_seq: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.last_seq = last_seq
        self._stream: EventStream | None = None
        self._thread: threading.Thread | None = None
        self._connected = False
        self._connected_from_thread.connect(self._set_connected, Qt.ConnectionType.QueuedConnection)

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self, last_seq: int | None = None) -> None:
        if last_seq is not None:
            self.last_seq = last_seq
        self._stream = EventStream(self.client, self.last_seq, on_connected=self._connected_from_thread.emit)
        self._thread = threading.Thread(target=self._run, args=(self._stream,), name="sq-event-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.close()
        if self._thread is not None:
            self._thread.join(5)
        self._thread = self._stream = None
        self._set_connected(False)

    def _run(self, stream: EventStream) -> None:
        for event in stream:
            self.last_seq = event.seq
            if isinstance(event.data, dict) and event.data.get("ephemeral") \
                    and event.data.get("type") == "DeviceReloadRequested":
                self.reloadRequested.emit()  # queued to the GUI thread, like `event`
                continue
            self.event.emit(event.data)  # queued to receivers on the GUI thread

    @Slot(bool)
    def _set_connected(self, value: bool) -> None:
        if value != self._connected:
            self._connected = value
            self.connectedChanged.emit(value)
