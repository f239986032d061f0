"""The kiosk's hidden technician panel, as its own view-model (QML context name `tech`).

Opened by taps over the branch name (only when a technician PIN is configured), then a PIN checked off the GUI
thread with ground.hashing (the kiosk never imports the node's security module); wrong PINs in a row lock it for
a while, as agents' PINs are. It shows what a technician checks first — node, device, printer (translated), the
branch's local time, the last action's result and, apart from it, the recent errors — and offers a test ticket,
a refresh of the services, and a reload of the configuration file (validated off the GUI thread; the app
restarts on it only when it is valid). Its rules and words are in kiosk/technician_rules.py.

QML API:
- properties: `enabled` (a PIN is configured), `locked`, `pinError` (str), `status` (map: node, online, device,
  version, printer, paperLeft, errors, lines (translated status lines), result (the last action's)), notified by
  `changed`
- slots: `cornerTapped()`, `submitPin(pin)`, `printTestTicket()`, `refresh()`, `reloadConfig()`, `closePanel()`
Python: `reloadRequested` (a valid file: the composition root restarts the app), `config_path`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from ground.i18n import translate
from ground.version import VERSION
from kiosk import technician_rules as rules
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
        self._pin_error: tuple[str, dict[str, object]] = ("", {})  # template, values: translated when read
        self._checking_pin = False
        self._guard = rules.PinGuard(self.settings.technician_pin_attempts,
                                     self.settings.technician_lockout_minutes * 60)
        self._result: Callable[[Callable[..., str]], str] | None = None  # the last action's, given a translator
        for signal in (kiosk.problemNoted, kiosk.onlineChanged, kiosk.identified, kiosk.printer.stateChanged,
                       kiosk.languageChanged):
            signal.connect(self.changed)

    # -- what the panel shows ---------------------------------------------------------------------------------------

    def _t(self, message: str, **values: object) -> str:
        return translate(self.kiosk.language, message, **values)

    def _status(self) -> dict[str, Any]:
        kiosk, printer = self.kiosk, self.kiosk.printer
        lines = rules.panel_lines(kiosk.language, node=kiosk.client.known_url, online=kiosk.online,
                                  device=kiosk.device_id, version=VERSION, printer=printer.state,
                                  paper_left=printer.tickets_left, timezone=kiosk.config.branch.timezone,
                                  now=kiosk.clock())
        return {"node": kiosk.client.known_url or "(discovering)", "online": kiosk.online,
                "device": kiosk.device_id, "version": VERSION, "printer": printer.state,
                "paperLeft": -1 if printer.tickets_left is None else printer.tickets_left,
                "errors": list(kiosk.errors)[-PANEL_ERRORS:], "lines": lines,
                "result": self._result(self._t) if self._result else ""}

    def _pin_error_text(self) -> str:
        template, values = self._pin_error
        return self._t(template, **values) if template else ""

    status = Property("QVariantMap", _status, notify=changed)
    pinError = Property(str, _pin_error_text, notify=changed)
    enabled = Property(bool, lambda self: self.settings.technician_pin_hash is not None, constant=True)
    locked = Property(bool, lambda self: self._guard.locked_for() > 0, notify=changed)

    # -- opening: corner taps, then the PIN ------------------------------------------------------------------------

    @Slot()
    def cornerTapped(self) -> None:
        now = time.monotonic()
        self._corner_taps.append(now)
        window = self.settings.technician_tap_window_seconds
        recent = [t for t in self._corner_taps if now - t <= window]
        if len(recent) >= self.settings.technician_taps and self.settings.technician_pin_hash is not None:
            self._corner_taps.clear()
            self._pin_error = self._lock_message()
            self.changed.emit()
            self.kiosk.show_panel("techpin")

    def _lock_message(self) -> tuple[str, dict[str, object]]:
        locked = self._guard.locked_for()
        return (rules.LOCKED, {"minutes": str(math.ceil(locked / 60))}) if locked > 0 else ("", {})

    @Slot(str)
    def submitPin(self, pin: str) -> None:
        from ground.hashing import verify_pin

        encoded = self.settings.technician_pin_hash
        if encoded is None or self._checking_pin:
            return
        if self._guard.locked_for() > 0:  # even the right PIN waits for the lockout to end
            self._pin_error = self._lock_message()
            self.changed.emit()
            return
        self._checking_pin = True

        def checked(ok: bool) -> None:
            self._checking_pin = False
            if ok:
                self._guard.succeeded()
                self._pin_error = ("", {})
            else:
                self._guard.failed()
                log.warning("technician panel: wrong PIN")
                self._pin_error = self._lock_message() if self._guard.locked_for() > 0 else (rules.WRONG_PIN, {})
            self.changed.emit()
            if ok:
                self.kiosk.show_panel("technician")
                self.kiosk.printer.refresh()

        self.kiosk.runner.submit(verify_pin, pin, encoded.get_secret_value(), on_done=checked)

    @Slot()
    def closePanel(self) -> None:
        self.kiosk.leave_panel()

    # -- actions -----------------------------------------------------------------------------------------------------

    def _report(self, words: Callable[[Callable[..., str]], str]) -> None:
        """The last action's result: shown apart from the errors (a success is not an error). `words` builds it
        with a translator, so a language switch translates every part of it (a printer state inside it too)."""
        self._result = words
        log.info("technician panel: %s", words(lambda message, **values: translate("en", message, **values)))
        self.changed.emit()

    @Slot()
    def printTestTicket(self) -> None:
        from hardware.printer.ticket import TicketPrint

        kiosk = self.kiosk
        test = TicketPrint(branch_name=kiosk.branch_name(), number="TEST", service_name="",
                           language=kiosk.language,  # type: ignore[arg-type]
                           issued_at=dt.datetime.fromtimestamp(kiosk.clock(), dt.UTC),
                           tz_name=kiosk.config.branch.timezone, people_ahead=0, test=True)

        def done(outcome) -> None:
            if outcome is not None and outcome.printed:
                self._report(lambda t: t(rules.TEST_PRINTED))
                return
            state = kiosk.printer.state
            words = rules.PRINTER_STATES.get(state, rules.PRINTER_STATES["unknown"])
            self._report(lambda t: t(rules.TEST_NOT_PRINTED, state=t(words)))
            kiosk.note_problem(f"test ticket NOT printed ({state})")

        kiosk.printer.print_ticket(test, done)

    @Slot()
    def refresh(self) -> None:
        self.kiosk.refresh()
        self.kiosk.printer.refresh()

    @Slot()
    def reloadConfig(self) -> None:
        """Validate the configuration file again (off the GUI thread); ask for a restart only if it is valid."""
        from config.loader import ConfigError, load_config

        if not self.config_path:
            self._report(lambda t: t(rules.RELOAD_NO_FILE))
            return

        def invalid(err: BaseException) -> None:
            reason = err.problems[0] if isinstance(err, ConfigError) else str(err)
            self._report(lambda t: t(rules.RELOAD_INVALID, problem=reason))
            self.kiosk.note_problem(f"configuration NOT reloaded: {reason}")

        def valid(_: object) -> None:
            self._report(lambda t: t(rules.RELOAD_VALID))
            self.reloadRequested.emit()

        self.kiosk.runner.submit(load_config, self.config_path, on_done=valid, on_error=invalid)
