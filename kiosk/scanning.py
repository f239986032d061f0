"""Scanners feeding the kiosk: keyboard-wedge (on the window), serial or camera (worker threads).

Whatever the kind, codes arrive on the GUI thread as `scanned(str)`; parsing happens in the view-model.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QWindow

from config.scanner import CameraScannerConfig, ScannerConfig, SerialScannerConfig, WedgeScannerConfig

log = logging.getLogger(__name__)


class ScannerHub(QObject):
    scanned = Signal(str)
    stateChanged = Signal(str)
    _from_worker = Signal(str)
    _state_from_worker = Signal(str)

    def __init__(self, config: ScannerConfig | None) -> None:
        super().__init__()
        self.config = config
        self.state = "none" if config is None or not config.enabled else "connecting"
        self._device = None
        self._filter = None
        self._from_worker.connect(self.scanned, Qt.ConnectionType.QueuedConnection)
        self._state_from_worker.connect(self._set_state, Qt.ConnectionType.QueuedConnection)

    def start(self, window: QWindow | None) -> None:
        if self.config is None or not self.config.enabled:
            return
        device = self.config.device
        if isinstance(device, WedgeScannerConfig):
            from hardware.scanner.wedge import WedgeScanFilter

            if window is None:
                log.warning("a keyboard-wedge scanner needs the kiosk window")
                return
            self._filter = WedgeScanFilter(device, window)
            self._filter.scanned.connect(self.scanned)
            window.installEventFilter(self._filter)
            self._set_state("operational")
        elif isinstance(device, SerialScannerConfig):
            from hardware.scanner.serial_scanner import SerialScanner

            self._device = SerialScanner(device, self._from_worker.emit, self._on_state)
            self._device.start()
        elif isinstance(device, CameraScannerConfig):
            from hardware.scanner.camera import CameraScanner

            self._device = CameraScanner(device, self._from_worker.emit, self._on_state)
            self._device.start()

    def _on_state(self, state) -> None:
        self._state_from_worker.emit(getattr(state, "value", str(state)).lower())

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)

    def stop(self) -> None:
        if self._device is not None:
            self._device.stop()
            self._device = None
