"""The kiosk's view-model for customers: every decision the screen shows; QML only binds to it and calls its slots.

All node and device I/O goes through TaskRunner / TicketPrinter workers; this object lives on the GUI thread.
The technician panel has its own view-model (kiosk/technician.py); this one only owns the screen it is shown on
(`show_panel`, `leave_panel`) and the error log it lists (`errors`, `note_problem`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections import deque
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from appkit.status_file import remove_status, write_status
from appkit.tasks import TaskRunner
from config.schema import AppConfig
from ground.i18n import Formatter, is_rtl, translate
from ground.phone_link import ticket_url
from ground.version import VERSION as __version__
from hardware.scanner.codes import AppointmentCode, CodeParser, ETicketCode, InvalidCode, InvalidReason, sign_ticket
from kiosk import messages
from kiosk.printing import TicketPrinter, ticket_print
from nodeclient.client import NodeClient, NodeError, NodeUnavailable

log = logging.getLogger(__name__)
SCREENS = ("home", "priority", "ticket", "message", "offline", "techpin", "technician")


class KioskViewModel(QObject):
    languageChanged = Signal()
    screenChanged = Signal()
    tilesChanged = Signal()
    ticketChanged = Signal()
    messageChanged = Signal()
    busyChanged = Signal()
    onlineChanged = Signal()
    accessibilityChanged = Signal()
    #: the translator must follow the language before QML re-reads qsTr (connected by the composition root)
    retranslate = Signal(str)
    #: a line was added to `errors` (for the technician panel)
    problemNoted = Signal()
    #: the node told this device its id (`device_id`)
    identified = Signal()

    def __init__(self, config: AppConfig, client: NodeClient, printer: TicketPrinter, device_id: str,
                 runner: TaskRunner | None = None, clock=time.time) -> None:
        super().__init__()
        self.config = config
        self.client = client
        self.printer = printer
        self.device_id = device_id
        self.runner = runner or TaskRunner(workers=2, name="sq-kiosk")
        self.clock = clock
        self.kiosk = config.kiosk
        key = config.branch.appointment_key
        self.codes = CodeParser(config.branch.id, key.get_secret_value().encode()) if key else None
        self._language = config.branch.languages[0]
        self._screen = "offline"
        self._services: list[dict[str, Any]] = []
        self._groups: list[dict[str, Any]] = []
        self._categories: list[dict[str, Any]] = []
        self._group: str | None = None
        self._pending_service: str | None = None
        self._ticket: dict[str, Any] = {}
        self._message = ""
        self._busy = False
        self._online = False
        self._large = False
        self._contrast = False
        self._last_tap = 0.0
        self.errors: deque[str] = deque(maxlen=20)
        self.last_issue_ms: float | None = None  # tap → ticket on screen, for figures

        self._idle = QTimer(self, singleShot=True, interval=int(self.kiosk.inactivity_seconds * 1000))
        self._idle.timeout.connect(self.goHome)
        self._ticket_timer = QTimer(self, singleShot=True, interval=int(self.kiosk.ticket_screen_seconds * 1000))
        self._ticket_timer.timeout.connect(self.goHome)
        self._refresh = QTimer(self, interval=int(self.kiosk.services_refresh_seconds * 1000))
        self._refresh.timeout.connect(self.refresh)
        self._report = QTimer(self, interval=int(self.kiosk.status_report_seconds * 1000))
        self._report.timeout.connect(self.report_status)
        printer.stateChanged.connect(self._printer_changed)

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.printer.start()
        self.runner.submit(self.client.whoami, on_done=self._identified)
        self.refresh()
        self._refresh.start()
        self._report.start()

    def stop(self) -> None:
        for timer in (self._idle, self._ticket_timer, self._refresh, self._report):
            timer.stop()
        self.runner.shutdown(wait=True)
        # after the workers (a last report must not write it again); one unlink while the window closes anyway
        remove_status(self.config.device.data_dir)  # doctor opens the printer itself again

    # -- properties ---------------------------------------------------------------------------------------------

    def _get_language(self) -> str:
        return self._language

    language = Property(str, _get_language, notify=languageChanged)
    rtl = Property(bool, lambda self: is_rtl(self._language), notify=languageChanged)
    languages = Property("QVariantList", lambda self: [
        {"code": code, "label": messages.LANGUAGE_NAMES[code]} for code in self.config.branch.languages], constant=True)
    branchName = Property(str, lambda self: self.branch_name(), notify=languageChanged)
    screen = Property(str, lambda self: self._screen, notify=screenChanged)
    tiles = Property("QVariantList", lambda self: self._tiles(), notify=tilesChanged)
    inGroup = Property(bool, lambda self: self._group is not None, notify=tilesChanged)
    categories = Property("QVariantList", lambda self: [
        {"id": c["id"], "name": self._name(c["names"])} for c in self._categories], notify=tilesChanged)
    ticket = Property("QVariantMap", lambda self: self._ticket, notify=ticketChanged)
    message = Property(str, lambda self: self._message, notify=messageChanged)
    busy = Property(bool, lambda self: self._busy, notify=busyChanged)
    online = Property(bool, lambda self: self._online, notify=onlineChanged)
    largeText = Property(bool, lambda self: self._large, notify=accessibilityChanged)
    highContrast = Property(bool, lambda self: self._contrast, notify=accessibilityChanged)

    def _t(self, message: str, **values: object) -> str:
        return translate(self._language, message, **values)

    def _name(self, names: dict[str, str]) -> str:
        return names.get(self._language) or next(iter(names.values()), "")

    def branch_name(self) -> str:
        return self._name(self.config.branch.name.as_dict())

    def _set_screen(self, screen: str) -> None:
        assert screen in SCREENS, screen
        if screen != self._screen:
            self._screen = screen
            self.screenChanged.emit()
        if screen == "home":
            self._idle.stop()
        elif screen not in ("offline", "technician"):
            self._idle.start()

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit()

    def _set_online(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self.onlineChanged.emit()
            log.info("node %s", "reachable" if online else "unreachable")
        if not online and self._screen not in ("technician", "techpin"):
            self._set_screen("offline")
        elif online and self._screen == "offline":
            self._set_screen("home")

    # -- menu ----------------------------------------------------------------------------------------------------

    def _tiles(self) -> list[dict[str, Any]]:
        fmt = Formatter(self._language)
        tiles = [{"kind": "group", "id": g["id"], "name": self._name(g["names"]), "detail": "", "open": True}
                 for g in self._groups if g.get("parent") == self._group]
        for service in self._services:
            if service.get("group") != self._group:
                continue
            if not service["open_now"]:
                detail = self._t(messages.TILE_CLOSED)
            elif service["estimated_wait_s"] is None:
                detail = ""
            elif service["estimated_wait_s"] < 60:
                detail = self._t(messages.TILE_NO_WAIT)
            else:
                detail = self._t(messages.TILE_WAIT, duration=fmt.duration(service["estimated_wait_s"]))
            tiles.append({"kind": "service", "id": service["id"], "name": self._name(service["names"]),
                          "detail": detail, "open": service["open_now"]})
        return tiles

    @Slot()
    def refresh(self) -> None:
        self.runner.submit(self.client.services, on_done=self._services_loaded, on_error=self._node_failed)

    def _services_loaded(self, payload: Any) -> None:
        try:
            self._services = [s for s in payload["services"] if isinstance(s, dict) and "id" in s and "names" in s]
            self._groups = [g for g in payload.get("groups", []) if isinstance(g, dict) and "id" in g]
            self._categories = [c for c in payload.get("priority_categories", []) if isinstance(c, dict)]
        except (TypeError, KeyError) as err:  # bad data from the node: logged, ignored, never a crash
            self.note_problem(f"unexpected services payload: {err}")
            return
        self.tilesChanged.emit()
        self._set_online(True)

    def _identified(self, me: dict[str, Any]) -> None:
        """The node knows this device by its token: use that id (technician panel, logs)."""
        self.device_id = str(me.get("device", self.device_id))
        self.identified.emit()

    def _node_failed(self, err: BaseException) -> None:
        self.note_problem(f"node: {err}")
        if isinstance(err, NodeUnavailable):
            self._set_online(False)

    @Slot(str)
    def setLanguage(self, code: str) -> None:
        if code in self.config.branch.languages and code != self._language:
            self._language = code
            self.retranslate.emit(code)
            self.languageChanged.emit()
            self.tilesChanged.emit()
        self.touched()

    @Slot(str)
    def openGroup(self, group_id: str) -> None:
        if any(g["id"] == group_id for g in self._groups):
            self._group = group_id
            self.tilesChanged.emit()
        self.touched()

    @Slot()
    def back(self) -> None:
        parent = next((g.get("parent") for g in self._groups if g["id"] == self._group), None)
        self._group = parent
        self.tilesChanged.emit()
        self._set_screen("home")

    @Slot()
    def goHome(self) -> None:
        self._group = None
        self._pending_service = None
        self._ticket_timer.stop()
        self.tilesChanged.emit()
        if self._language != self.config.branch.languages[0]:
            self.setLanguage(self.config.branch.languages[0])
        if self._large or self._contrast:
            self._large = self._contrast = False
            self.accessibilityChanged.emit()
        self._set_screen("home" if self._online else "offline")

    @Slot()
    def touched(self) -> None:
        """Any touch on the screen: the customer is still there."""
        if self._screen not in ("home", "offline", "technician"):
            self._idle.start()

    @Slot()
    def toggleLargeText(self) -> None:
        self._large = not self._large
        self.accessibilityChanged.emit()
        self.touched()

    @Slot()
    def toggleHighContrast(self) -> None:
        self._contrast = not self._contrast
        self.accessibilityChanged.emit()
        self.touched()

    # -- issuing a ticket ------------------------------------------------------------------------------------------

    def _debounced(self) -> bool:
        now = time.monotonic()
        if self._busy or now - self._last_tap < self.kiosk.tap_debounce_ms / 1000:
            return True
        self._last_tap = now
        return False

    @Slot(str)
    def chooseService(self, service_id: str) -> None:
        if self._debounced():
            return
        service = next((s for s in self._services if s["id"] == service_id), None)
        if service is None:
            return
        if not service["open_now"]:
            self._show_message(self._t(messages.NODE_ERRORS["service_closed"]))
            return
        if self.kiosk.offer_priority and self._categories:
            self._pending_service = service_id
            self._set_screen("priority")
            return
        self._issue(service_id, None, None)

    @Slot(str)
    def choosePriority(self, category: str) -> None:
        """"" means no priority. Called from the priority screen."""
        if self._pending_service is None or self._busy:
            return
        service, self._pending_service = self._pending_service, None
        self._issue(service, category or None, None)

    def _issue(self, service: str, priority: str | None, appointment: dict[str, str] | None) -> None:
        self._set_busy(True)
        started = time.perf_counter()
        key = str(uuid.uuid4())  # one key for this tap: every retry below reuses it, so never two tickets
        language = self._language
        deadline = time.monotonic() + self.kiosk.issue_retry_seconds

        def work() -> dict[str, Any]:
            while True:
                try:
                    return self.client.issue_ticket(service, priority=priority, appointment=appointment,
                                                    language=language, idempotency_key=key)
                except NodeUnavailable:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)

        def done(ticket: dict[str, Any]) -> None:
            self._set_busy(False)
            self._show_ticket(ticket, language)
            self.last_issue_ms = (time.perf_counter() - started) * 1000

        self.runner.submit(work, on_done=done, on_error=self._issue_failed)

    def _issue_failed(self, err: BaseException) -> None:
        self._set_busy(False)
        self.note_problem(f"issuing a ticket failed: {err}")
        if isinstance(err, NodeUnavailable):
            self._set_online(False)
        elif isinstance(err, NodeError):
            self._show_message(self._t(messages.NODE_ERRORS.get(err.code, messages.GENERIC_ERROR)))
        else:
            self._show_message(self._t(messages.GENERIC_ERROR))

    def _qr_payload(self, ticket_id: str) -> str | None:
        branch = self.config.branch
        if branch.public_base_url is not None and branch.phone_link_key is not None:  # central's phone page
            return ticket_url(branch.public_base_url, bytes.fromhex(branch.phone_link_key.get_secret_value()),
                              branch.organisation, branch.id, ticket_id)
        key = self.config.branch.appointment_key
        if key is None:
            return None
        code = sign_ticket(key.get_secret_value().encode(), branch_id=self.config.branch.id, ticket_id=ticket_id)
        return (self.kiosk.qr_base_url or "") + code

    def _show_ticket(self, ticket: dict[str, Any], language: str) -> None:
        try:
            fmt = Formatter(language)
            ahead = ticket.get("people_ahead") or 0
            wait = ticket.get("estimated_wait_s")
            qr = self._qr_payload(ticket["id"])
            self._ticket = {
                "id": ticket["id"], "number": ticket["number"],
                "service": self._name(ticket.get("service_names") or {}) or ticket["service"],
                "ahead": (self._t(messages.NOBODY_AHEAD) if ahead == 0
                          else self._t(messages.PEOPLE_AHEAD, n=fmt.number(ahead))),
                "wait": self._t(messages.WAIT_UNKNOWN) if wait is None else self._t(messages.WAIT_ABOUT,
                                                                                duration=fmt.duration(wait)),
                "qr": qr or "", "printing": self.printer.present, "printed": False, "note": "",
            }
            printable = ticket_print(self.config, ticket, language, qr)
        except (KeyError, TypeError, ValueError) as err:
            self.note_problem(f"unexpected ticket payload: {err}")
            self._show_message(self._t(messages.GENERIC_ERROR))
            return
        self.ticketChanged.emit()
        self._set_screen("ticket")
        self._ticket_timer.start()
        self.printer.print_ticket(printable, lambda outcome: self._printed(ticket["id"], outcome))

    def _printed(self, ticket_id: str, outcome) -> None:
        if self._ticket.get("id") != ticket_id:
            return  # the customer already left this screen; the state report still goes out
        printed = outcome is not None and outcome.printed
        state = self.printer.state
        note = messages.PRINTED if printed else messages.PRINTER_NOTES.get(state, messages.PRINTER_NOTES["unknown"])
        self._ticket = {**self._ticket, "printing": False, "printed": printed, "note": self._t(note)}
        self.ticketChanged.emit()
        if not printed:
            self.note_problem(f"ticket {self._ticket.get('number')} not printed: printer {state}")

    # -- scans -------------------------------------------------------------------------------------------------

    @Slot(str)
    def scanned(self, text: str) -> None:
        if self._screen in ("technician", "techpin") or self._debounced():
            return
        if self.codes is None:
            self._show_message(self._t(messages.SCAN_REFUSED))
            return
        code = self.codes.parse(text)
        # codes are canonical upper case (a wedge scanner under Caps Lock still reads them): map back to our ids
        if isinstance(code, AppointmentCode):
            slot = code.slot.replace(tzinfo=ZoneInfo(self.config.branch.timezone))
            service = next((s["id"] for s in self._services if s["id"].upper() == code.service.upper()),
                           code.service)
            self._issue(service, None, {"ref": code.appointment_ref, "slot": slot.isoformat()})
        elif isinstance(code, ETicketCode):
            self._set_busy(True)
            self.runner.submit(self.client.ticket, code.ticket_id.lower(), on_done=self._ticket_status,
                               on_error=self._issue_failed)
        elif isinstance(code, InvalidCode) and code.reason in (InvalidReason.BAD_SIGNATURE, InvalidReason.WRONG_BRANCH):
            log.warning("refused scan: %s (%s)", code.reason.value, code.detail)
            self._show_message(self._t(messages.SCAN_FORGED))
        else:
            log.info("unrecognised scan (%s)", getattr(code, "reason", "unknown"))
            self._show_message(self._t(messages.SCAN_REFUSED))

    def _ticket_status(self, ticket: dict[str, Any]) -> None:
        self._set_busy(False)
        template = messages.TICKET_STATUS.get(str(ticket.get("status")), messages.TICKET_STATUS["waiting"])
        fmt = Formatter(self._language)
        self._show_message(self._t(template, number=ticket.get("number", "?"), counter=ticket.get("counter") or "",
                                   n=fmt.number(ticket.get("people_ahead") or 0)))

    def _show_message(self, text: str) -> None:
        self._message = text
        self.messageChanged.emit()
        self._set_screen("message")

    # -- device health ----------------------------------------------------------------------------------------

    def _printer_changed(self, state: str) -> None:
        self.report_status()

    def health(self) -> dict[str, Any]:
        printer = self.printer.state
        operational = printer in ("ready", "paper_near_end", "none")
        body: dict[str, Any] = {"state": "ok" if operational else "degraded", "version": __version__,
                                "components": {"printer": printer}}
        if self.printer.tickets_left is not None:
            body["paper_left_estimate"] = self.printer.tickets_left
        return body

    @Slot()
    def report_status(self) -> None:
        health = self.health()
        self.runner.submit(self.client.report_status, "me", health,
                           on_error=lambda err: self.note_problem(f"status report: {err}"))
        # the same health for `smartqueue doctor` on this machine (the kiosk holds the printer's port)
        self.runner.submit(write_status, self.config.device.data_dir, "kiosk", health,
                           on_error=lambda err: log.warning("cannot write the status file: %s", err))

    def note_problem(self, text: str) -> None:
        """Log a problem for the technician (journal and the panel's list); the customer sees their own message."""
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.errors.append(f"{stamp} {text}")
        log.warning("%s", text)
        self.problemNoted.emit()

    # -- the technician panel's screens (its view-model: kiosk/technician.py) ---------------------------------------

    def show_panel(self, screen: str) -> None:
        """Show the technician's PIN screen ("techpin") or panel ("technician") in place of the customer's."""
        assert screen in ("techpin", "technician"), screen
        self._set_screen(screen)

    def leave_panel(self) -> None:
        self._set_screen("home" if self._online else "offline")
