"""The kiosk's ticket printer: one device, one worker thread (the wire is serial), results on the GUI thread."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from appkit.tasks import TaskRunner
from config.printer import PrinterConfig
from config.schema import AppConfig
from ground.i18n import name_in
from hardware.printer.device import PrinterDevice, PrintOutcome
from hardware.printer.status import PrinterState, PrinterStatus
from hardware.printer.ticket import TicketPrint

log = logging.getLogger(__name__)
NO_PRINTER = "none"


def _instant(text: str | None) -> dt.datetime | None:
    return None if not text else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def ticket_print(config: AppConfig, ticket: dict[str, Any], language: str, qr_payload: str | None, *,
                 priority: str | None = None, public_link: bool = False) -> TicketPrint:
    """What goes on paper, from the node's answer to "issue a ticket" (`priority`: the category's name)."""
    names = config.branch.name.as_dict()
    service_names = ticket.get("service_names") or {}
    issued = _instant(ticket["issued_at"])
    assert issued is not None
    return TicketPrint(
        branch_name=name_in(names, language),
        number=ticket["number"],
        service_name=name_in(service_names, language, ticket["service"]),
        language=language,  # type: ignore[arg-type]
        issued_at=issued,
        tz_name=config.branch.timezone,
        people_ahead=ticket.get("people_ahead") or 0,
        estimated_wait_s=ticket.get("estimated_wait_s"),
        qr_payload=qr_payload,
        qr_is_link=public_link,
        priority=priority,
        appointment_at=_instant(ticket.get("slot")),
    )


class TicketPrinter(QObject):
    """State changes arrive as `stateChanged(str)` (a PrinterState value, or "none" without a printer)."""

    stateChanged = Signal(str)

    def __init__(self, config: PrinterConfig | None, make_device: Callable[[PrinterConfig], PrinterDevice]) -> None:
        super().__init__()
        self.config = config
        self._make_device = make_device
        self._device: PrinterDevice | None = None
        self._runner = TaskRunner(workers=1, name="sq-printer")
        self.state = NO_PRINTER if config is None else PrinterState.UNKNOWN.value
        self.tickets_left: int | None = None

    @property
    def present(self) -> bool:
        return self.config is not None

    def start(self) -> None:
        if self.config is None:  # a mode, not a fault: said once here, never per ticket
            log.info("no printer configured: tickets are shown on screen with their QR code, not printed")
            return
        self._runner.submit(self._open, on_done=self._status_read, on_error=self._failed)

    def _open(self) -> PrinterStatus:
        assert self.config is not None
        device = self._make_device(self.config)
        try:
            device.open()
            status = device.status()
        except BaseException:
            _close_quietly(device)  # a half-opened simulator or port must not outlive the attempt
            raise
        self._device = device
        return status

    def _close_device(self) -> None:
        """Close the device open now, if any (on the worker, or once the worker has stopped)."""
        device, self._device = self._device, None
        if device is not None:
            _close_quietly(device)

    def refresh(self) -> None:
        """Read the status again (a technician loaded paper, the cover was closed)."""
        if self._device is not None:
            self._runner.submit(self._device.status, on_done=self._status_read, on_error=self._failed)
        elif self.config is not None:
            self.start()

    def print_ticket(self, ticket: TicketPrint, on_done: Callable[[PrintOutcome | None], None]) -> None:
        """Print off the GUI thread; `on_done(outcome)` on the GUI thread (None without a usable printer)."""
        if self.config is None:
            on_done(None)
            return

        def work() -> PrintOutcome | None:
            if self._device is None:
                self._open()
            assert self._device is not None
            return self._device.print_ticket(ticket)

        def done(outcome: PrintOutcome | None) -> None:
            if outcome is not None:
                self._status_read(outcome.status_after)
            on_done(outcome)

        def failed(err: BaseException) -> None:
            self._failed(err)
            on_done(None)

        self._runner.submit(work, on_done=done, on_error=failed)

    def _status_read(self, status: PrinterStatus) -> None:
        self.tickets_left = status.tickets_left
        self._set_state(status.state.value)

    def _failed(self, err: BaseException) -> None:
        """The device is dropped and closed (on the printer thread): the next ticket opens it afresh, and no
        descriptor is left behind per failed ticket."""
        log.warning("printer unusable: %s", err)
        self._runner.submit(self._close_device)  # the next print opens it again
        self._set_state(PrinterState.OFFLINE.value)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            log.info("printer state: %s → %s", self.state, state)
            self.state = state
            self.stateChanged.emit(state)

    def close(self) -> None:
        # queued work is cancelled, the running one finished (an open included); then nothing else uses the device
        self._runner.shutdown(wait=True)
        self._close_device()


def _close_quietly(device: PrinterDevice) -> None:
    try:
        device.close()
    except Exception as err:  # closing a port that already failed: worth a line, not an error
        log.info("closing the printer: %s", err)
