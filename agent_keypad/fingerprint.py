"""Fingerprint login: the reader identifies a finger on its own worker; a match becomes `matched(slot)`.

Each identification is one short blocking call (`identify(1 s)`) on a one-thread TaskRunner, re-submitted while
the login screen is up, so stopping never waits more than about a second and the GUI thread never blocks. A
reader that fails is reopened after a pause; its state (FingerprintState) is what the login screen shows.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from PySide6.QtCore import QObject, QTimer, Signal

from appkit.tasks import TaskRunner
from config.fingerprint import FingerprintConfig
from hardware.errors import HardwareError
from hardware.fingerprint.device import FingerprintReader, FingerprintState, Match, NoMatch

log = logging.getLogger(__name__)
IDENTIFY_WAIT_S = 1.0  # short, so stop() is prompt; the loop re-arms at once
REOPEN_AFTER_MS = 3000


class FingerprintLogin(QObject):
    """Owns the reader (and its simulator when `simulated`); `start()`/`stop()` the identification loop."""

    matched = Signal(int)
    rejected = Signal()
    stateChanged = Signal(str)

    def __init__(self, config: FingerprintConfig, parent: QObject | None = None, *,
                 reader: FingerprintReader | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.simulator = None
        self._stack = ExitStack()
        if reader is None:
            port = None
            if config.simulated:
                from hardware.fingerprint.simulator import FingerprintSimulator, SensorModel

                self.simulator = self._stack.enter_context(
                    FingerprintSimulator(SensorModel(password=config.password, auto_lift=True)))
                self.simulator.enroll_directly(1, 1)  # the example branch's alice has slot 1
                port = self.simulator.port
            reader = FingerprintReader.from_config(config, port=port)
        self.reader = reader
        self._runner = TaskRunner(workers=1, name="sq-fingerprint")
        self._running = False
        self._opened = False
        self._pending = False
        self._state = FingerprintState.CLOSED.value
        self._retry = QTimer(self, singleShot=True, interval=REOPEN_AFTER_MS)
        self._retry.timeout.connect(self._next)

    @property
    def state(self) -> str:
        return self._state

    def start(self) -> None:
        if not self._running:
            self._running = True
            self._next()

    def stop(self) -> None:
        self._running = False
        self._retry.stop()

    def simulate_touch(self, finger: int = 1) -> None:
        """Simulated reader only: put `finger` on the glass for the next identification."""
        if self.simulator is not None:
            self.simulator.place_finger(finger)

    def close(self) -> None:
        self.stop()
        self._runner.submit(self.reader.close)
        self._runner.shutdown(wait=True)
        self._stack.close()

    def _next(self) -> None:
        if not self._running or self._pending:
            return
        self._pending = True
        if not self._opened:
            self._runner.submit(self._reopen, on_done=self._on_open, on_error=self._on_error)
        else:
            self._runner.submit(self.reader.identify, IDENTIFY_WAIT_S, on_done=self._on_result,
                                on_error=self._on_error)

    def _reopen(self) -> None:
        """Worker thread: close whatever is left of a failed link, then open and handshake again."""
        self.reader.close()
        self.reader.open()

    def _on_open(self, _: object) -> None:
        self._pending = False
        self._opened = True
        self._set_state(self.reader.state.value)
        self._next()

    def _on_result(self, result: object) -> None:
        self._pending = False
        self._set_state(self.reader.state.value)
        if isinstance(result, Match):
            if self.simulator is not None:
                self.simulator.place_finger(None)  # lifted after a simulated touch
            if self._running:
                self._running = False  # the view-model restarts the loop when back at the login screen
                self.matched.emit(result.slot)
            return
        if isinstance(result, NoMatch):
            self.rejected.emit()
        self._next()

    def _on_error(self, err: BaseException) -> None:
        self._pending = False
        if not isinstance(err, HardwareError):
            log.error("fingerprint reader failed unexpectedly", exc_info=err)
        else:
            log.info("fingerprint reader: %s", err)
        self._opened = False
        self._set_state(self.reader.state.value if self.reader.state is not FingerprintState.OPERATIONAL
                        else FingerprintState.NOT_RESPONDING.value)
        if self._running:
            self._retry.start()

    def _set_state(self, value: str) -> None:
        if value != self._state:
            self._state = value
            self.stateChanged.emit(value)
