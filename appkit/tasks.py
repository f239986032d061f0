"""Run blocking work (node calls, device I/O) off the GUI thread; results come back on the GUI thread.

A kiosk that freezes is a broken kiosk: every NodeClient call and device call goes through a TaskRunner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from a worker is queued to it."""

    done = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.closed = False
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, item: tuple[Callable[[Any], None] | None, Any]) -> None:
        callback, value = item
        if callback is None or self.closed:  # after shutdown: the owner is gone (a reloaded app's old run)
            return
        try:
            callback(value)
        except Exception:
            log.exception("a result callback failed")


class TaskRunner:
    def __init__(self, workers: int = 2, name: str = "sq-worker") -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._relay = _Relay()
        self._closed = False

    def submit(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> Future | None:
        """Run fn(*args) on a worker; on_done(result) or on_error(exception) later on the GUI thread."""
        if self._closed:
            return None

        def run() -> None:
            try:
                result = fn(*args)
            except BaseException as err:
                self._relay.done.emit((on_error, err))
                if on_error is None and not self._closed:
                    log.warning("background task %s failed: %s", getattr(fn, "__name__", fn), err)
                return
            self._relay.done.emit((on_done, result))

        return self._pool.submit(run)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel queued work, optionally wait for running work; results not yet delivered are dropped."""
        self._closed = self._relay.closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
