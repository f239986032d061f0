"""The kiosk's hidden technician panel, as its own view-model (QML context name `tech`).

Opened by taps on the top corner, then a PIN (checked off the GUI thread with ground.hashing: the kiosk never
imports the node's security module). It shows what a technician checks first — node, device, printer, the last
errors — and offers a test ticket, a refresh of the services, and a reload of the configuration file (validated
off the GUI thread; the app restarts on it only when it is valid).

QML API (kept stable for the screens' rework):
- properties: `status` (map: node, online, device, version, printer, paperLeft, errors), `pinError` (str),
  both notified by `changed`
- slots: `cornerTapped()`, `submitPin(pin)`, `printTestTicket()`, `refresh()`, `reloadConfig()`, `closePanel()`
Python: `reloadRequested` (a valid file: the composition root restarts the app), `config_path`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from ground.version import VERSION
from kiosk.viewmodel import KioskViewModel

log = logging.getLogger(__name__)
PANEL_ERRORS = 8  # the last errors the panel lists


class TechnicianViewModel(QObject):
    changed = Signal()
    #: the configuration file is valid: restart the app on it (connected by the composition root)
    reloadRequested = Signal()

    def __init__(self, kiosk: KioskViewModel, config_path: str | Path | None = None) -> None:
        super().__init__()
        self.kiosk = kiosk
        self.settings = kiosk.config.kiosk
        self.config_path = str(config_path) if config_path else ""  # "": not started from a file, no reload
        self._corner_taps: deque[float] = deque(maxlen=10)
        self._pin_error = ""
        for signal in (kiosk.problemNoted, kiosk.onlineChanged, kiosk.identified, kiosk.printer.stateChanged):
            signal.connect(self.changed)

    # -- what the panel shows ---------------------------------------------------------------------------------------

    def _status(self) -> dict[str, Any]:
        kiosk, printer = self.kiosk, self.kiosk.printer
        return {"node": kiosk.client.known_url or "(discovering)", "online": kiosk.online,
                "device": kiosk.device_id, "version": VERSION, "printer": printer.state,
                "paperLeft": -1 if printer.tickets_left is None else printer.tickets_left,
                "errors": list(kiosk.errors)[-PANEL_ERRORS:]}

    status = Property("QVariantMap", _status, notify=changed)
    pinError = Property(str, lambda self: self._pin_error, notify=changed)

    # -- opening: corner taps, then the PIN ------------------------------------------------------------------------

    @Slot()
    def cornerTapped(self) -> None:
        now = time.monotonic()
        self._corner_taps.append(now)
        window = self.settings.technician_tap_window_seconds
        recent = [t for t in self._corner_taps if now - t <= window]
        if len(recent) >= self.settings.technician_taps and self.settings.technician_pin_hash is not None:
            self._corner_taps.clear()
            self._pin_error = ""
            self.changed.emit()
            self.kiosk.show_panel("techpin")

    @Slot(str)
    def submitPin(self, pin: str) -> None:
        from ground.hashing import verify_pin

        encoded = self.settings.technician_pin_hash
        if encoded is None:
            return

        def checked(ok: bool) -> None:
            self._pin_error = "" if ok else "wrong PIN"
            self.changed.emit()
            if ok:
                self.kiosk.show_panel("technician")
                self.kiosk.printer.refresh()

        self.kiosk.runner.submit(verify_pin, pin, encoded.get_secret_value(), on_done=checked)

    @Slot()
    def closePanel(self) -> None:
        self.kiosk.leave_panel()

    # -- actions -----------------------------------------------------------------------------------------------------

    @Slot()
    def printTestTicket(self) -> None:
        from hardware.printer.ticket import TicketPrint

        kiosk = self.kiosk
        test = TicketPrint(branch_name=kiosk.branch_name(), number="T-000", service_name="TEST",
                           language=kiosk.language, issued_at=dt.datetime.now(dt.UTC),  # type: ignore[arg-type]
                           tz_name=kiosk.config.branch.timezone, people_ahead=0, estimated_wait_s=None,
                           qr_payload="TEST")
        kiosk.printer.print_ticket(test, lambda outcome: kiosk.note_problem(
            f"test ticket: {'printed' if outcome and outcome.printed else 'NOT printed'} ({kiosk.printer.state})"))

    @Slot()
    def refresh(self) -> None:
        self.kiosk.refresh()

    @Slot()
    def reloadConfig(self) -> None:
        """Validate the configuration file again (off the GUI thread); ask for a restart only if it is valid."""
        from config.loader import ConfigError, load_config

        if not self.config_path:
            self.kiosk.note_problem("configuration NOT reloaded: this kiosk was not started from a file")
            return

        def invalid(err: BaseException) -> None:
            reason = err.problems[0] if isinstance(err, ConfigError) else str(err)
            self.kiosk.note_problem(f"configuration NOT reloaded: {reason}")

        def valid(_: object) -> None:
            self.kiosk.note_problem("configuration valid: restarting")
            self.reloadRequested.emit()

        self.kiosk.runner.submit(load_config, self.config_path, on_done=valid, on_error=invalid)
