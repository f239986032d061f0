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
from ground.i18n import Formatter, is_rtl, name_in, translate
from ground.phone_link import ticket_url
from ground.version import VERSION as __version__
from hardware.scanner.codes import AppointmentCode, CodeParser, ETicketCode, InvalidCode, InvalidReason, sign_ticket
from kiosk import messages
from kiosk.printing import TicketPrinter, ticket_print
from kiosk.technician_rules import local_stamp
from kiosk.tiles import menu_tiles, tile_grid
from nodeclient.client import NodeClient, NodeError, NodeUnavailable

log = logging.getLogger(__name__)
#: The technician panel closes after this long untouched (reading the status takes a while; a customer comes next).
TECH_PANEL_IDLE_S = 300
SCREENS = ("home", "priority", "ticket", "message", "offline", "techpin", "technician")
#: Printer states in which a ticket cannot be printed: the home screen says so before the customer chooses.
NOT_PRINTING = frozenset({"paper_out", "cover_open", "error", "offline"})
#: Large-text mode multiplies every font (and the tiles) by this: WCAG's resize goal is 200%, a kiosk's screen
#: fits 1.5x without scrolling.
LARGE_TEXT_SCALE = 1.5


class KioskViewModel(QObject):
    languageChanged = Signal()
    screenChanged = Signal()
    tilesChanged = Signal()
    ticketChanged = Signal()
    messageChanged = Signal()
    busyChanged = Signal()
    onlineChanged = Signal()
    accessibilityChanged = Signal()
    printerChanged = Signal()
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
        self._priority_category: str | None = None  # chosen first, in "entry" mode
        self._issued: dict[str, Any] = {}  # the node's ticket + print progress; shown in the current language
        self._message: tuple[str, dict[str, object]] = ("", {})  # template, values: translated when read
        self._busy = False
        self._online = False
        self._large = False
        self._contrast = False
        self._last_tap = 0.0
        self.errors: deque[str] = deque(maxlen=20)
        self.last_issue_ms: float | None = None  # tap → ticket on screen, for figures

        self._idle = QTimer(self, singleShot=True, interval=int(self.kiosk.inactivity_seconds * 1000))
        self._idle.timeout.connect(self.goHome)
        self._panel_idle = QTimer(self, singleShot=True, interval=TECH_PANEL_IDLE_S * 1000)
        self._panel_idle.timeout.connect(self.goHome)
        self._ticket_timer = QTimer(self, singleShot=True, interval=int(self.kiosk.ticket_screen_seconds * 1000))
        self._ticket_timer.timeout.connect(self.goHome)
        self._refresh = QTimer(self, interval=int(self.kiosk.services_refresh_seconds * 1000))
        self._refresh.timeout.connect(self.refresh)
        self._report = QTimer(self, interval=int(self.kiosk.status_report_seconds * 1000))
        self._report.timeout.connect(self.report_status)
        printer.stateChanged.connect(self._printer_changed)
        # QML reads a property once per binding: what takes work to build is built once per change. The memo is
        # cleared BEFORE the signal goes out (_tiles_changed, _ticket_changed): Qt notifies QML's bindings before
        # any ordinary connection, so a connection to the signal would clear it after QML re-read the old value.
        self._memo: dict[object, Any] = {}

    # -- lifecycle --------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.printer.start()
        self.runner.submit(self.client.whoami, on_done=self._identified)
        self.refresh()
        self._refresh.start()
        self._report.start()

    def stop(self) -> None:
        for timer in (self._idle, self._panel_idle, self._ticket_timer, self._refresh, self._report):
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
    tiles = Property("QVariantList", lambda self: self._memoised("tiles", self._tiles), notify=tilesChanged)
    heading = Property(str, lambda self: self._heading(), notify=tilesChanged)
    inGroup = Property(bool, lambda self: self._group is not None, notify=tilesChanged)
    showBack = Property(bool, lambda self: self._group is not None or self._priority_category is not None,
                        notify=tilesChanged)
    categories = Property("QVariantList", lambda self: [
        {"id": c["id"], "name": self._name(c["names"])} for c in self._categories], notify=tilesChanged)
    #: On the priority screen: offer "No, thank you" (asked after a service) or not (the home screen's entry).
    askingPriority = Property(bool, lambda self: self._pending_service is not None, notify=screenChanged)
    ticket = Property("QVariantMap", lambda self: self._memoised("ticket", self._ticket_view), notify=ticketChanged)
    message = Property(str, lambda self: self._t(self._message[0], **self._message[1]) if self._message[0] else "",
                       notify=messageChanged)
    printerNotice = Property(str, lambda self: self._printer_notice(), notify=printerChanged)
    busy = Property(bool, lambda self: self._busy, notify=busyChanged)
    online = Property(bool, lambda self: self._online, notify=onlineChanged)
    largeText = Property(bool, lambda self: self._large, notify=accessibilityChanged)
    highContrast = Property(bool, lambda self: self._contrast, notify=accessibilityChanged)
    textScale = Property(float, lambda self: LARGE_TEXT_SCALE if self._large else 1.0, notify=accessibilityChanged)
    screenDiagonalInches = Property(float, lambda self: self.kiosk.screen_diagonal_inches, constant=True)

    @Slot(int, float, float, float, result="QVariantMap")
    def tileGrid(self, count: int, scale: float, width: float, height: float) -> dict[str, float]:
        """Columns, tile height and text scale for the home screen's area (see kiosk.tiles.tile_grid), fitted to
        the tiles' texts in every language so a language switch never moves a tile. QML passes the tile count
        and text scale so its binding follows them."""
        def grid() -> dict[str, float]:
            every = [tile for language in self.config.branch.languages for tile in self._tiles(language)]
            return tile_grid(every, width, height, scale).as_map()

        return self._memoised(("grid", count, scale, width, height), grid)

    def _tiles_changed(self) -> None:
        self._memo.clear()
        self.tilesChanged.emit()

    def _ticket_changed(self) -> None:
        self._memo.pop("ticket", None)
        self.ticketChanged.emit()

    def _memoised(self, key: object, build):
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def _t(self, message: str, **values: object) -> str:
        return translate(self._language, message, **values)

    def _name(self, names: dict[str, str]) -> str:
        return name_in(names, self._language)

    def branch_name(self) -> str:
        return self._name(self.config.branch.name.as_dict())

    def _set_screen(self, screen: str) -> None:
        assert screen in SCREENS, screen
        if screen != self._screen:
            self._screen = screen
            self.screenChanged.emit()
        self._watch_idle()

    def _watch_idle(self) -> None:
        """A customer who walks away mid-way is sent home after the inactivity time; the ticket screen has its
        own timer, and the home screen's top level and the offline screen have none. The technician panel closes
        after TECH_PANEL_IDLE_S untouched: a technician who walks away must not leave it to the next customer."""
        mid_way = (self._screen in ("priority", "message", "techpin")
                   or (self._screen == "home" and (self._group is not None or self._priority_category is not None)))
        if mid_way:
            self._idle.start()
        else:
            self._idle.stop()
        if self._screen == "technician":
            self._panel_idle.start()
        else:
            self._panel_idle.stop()

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

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), ZoneInfo(self.config.branch.timezone))

    def _tiles(self, language: str | None = None) -> list[dict[str, Any]]:
        language = language or self._language
        entry = None
        if self.kiosk.priority_question == "entry" and self._categories and self._priority_category is None:
            entry = [name_in(c["names"], language) for c in self._categories]
        return menu_tiles(self._services, self._groups, self._group, language, self._now(), priority_entry=entry)

    def _heading(self) -> str:
        if self._group is not None:
            group = next((g for g in self._groups if g["id"] == self._group), None)
            if group is not None:
                return self._name(group["names"])
        if self._priority_category is not None:
            return self._t(messages.PRIORITY_CHOOSE_SERVICE, category=self._category_name(self._priority_category))
        return self._t(messages.CHOOSE_SERVICE)

    def _category_name(self, category: str | None) -> str:
        found = next((c for c in self._categories if c.get("id") == category), None)
        return self._name(found["names"]) if found else (category or "")

    def _printer_notice(self) -> str:
        state = self.printer.state
        if state not in NOT_PRINTING:
            return ""
        return self._t(messages.HOME_PRINTER["paper_out" if state == "paper_out" else "other"])

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
        self._tiles_changed()
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
            self._tiles_changed()
            self._ticket_changed()
            for changed in (self.messageChanged, self.printerChanged):
                changed.emit()
        self.touched()

    @Slot(str)
    def openGroup(self, group_id: str) -> None:
        if any(g["id"] == group_id for g in self._groups):
            self._group = group_id
            self._tiles_changed()
        self._watch_idle()

    @Slot()
    def back(self) -> None:
        """One level up: the parent group, else out of the priority entry's service choice."""
        if self._group is not None:
            self._group = next((g.get("parent") for g in self._groups if g["id"] == self._group), None)
        else:
            self._priority_category = None
        self._tiles_changed()
        self._set_screen("home")

    @Slot()
    def goHome(self) -> None:
        self._group = None
        self._pending_service = None
        self._priority_category = None
        self._ticket_timer.stop()
        self._tiles_changed()
        if self._language != self.config.branch.languages[0]:
            self.setLanguage(self.config.branch.languages[0])
        if self._large or self._contrast:
            self._large = self._contrast = False
            self.accessibilityChanged.emit()
        self._set_screen("home" if self._online else "offline")

    @Slot()
    def touched(self) -> None:
        """Any touch on the screen: the customer is still there."""
        for timer in (self._idle, self._panel_idle):
            if timer.isActive():
                timer.start()

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
            self._show_message(messages.NODE_ERRORS["service_closed"])
            return
        if self._priority_category is not None:  # chosen first, from the home screen's priority entry
            self._issue(service_id, self._priority_category, None)
            return
        if self.kiosk.priority_question == "ask" and self._categories:
            self._pending_service = service_id
            self._set_screen("priority")
            return
        self._issue(service_id, None, None)

    @Slot()
    def openPriority(self) -> None:
        """The home screen's priority entry: choose the category first, then the service."""
        if self.kiosk.priority_question == "entry" and self._categories:
            self._pending_service = None
            self._set_screen("priority")

    @Slot(str)
    def choosePriority(self, category: str) -> None:
        """"" means no priority. After a service ("ask"), issue; from the home screen's entry, choose a service."""
        if self._busy:
            return
        if self._pending_service is None:
            if category and any(c.get("id") == category for c in self._categories):
                self._priority_category = category
                self._tiles_changed()
                self._set_screen("home")
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
            self._show_ticket(ticket, language, priority)
            self.last_issue_ms = (time.perf_counter() - started) * 1000

        self.runner.submit(work, on_done=done, on_error=self._issue_failed)

    def _issue_failed(self, err: BaseException) -> None:
        self._set_busy(False)
        self.note_problem(f"issuing a ticket failed: {err}")
        if isinstance(err, NodeUnavailable):
            self._set_online(False)
        elif isinstance(err, NodeError) and err.code == "appointment_used" and err.details.get("number"):
            self._show_message(messages.APPOINTMENT_USED_NUMBER, number=str(err.details["number"]))
        elif isinstance(err, NodeError):
            self._show_message(messages.NODE_ERRORS.get(err.code, messages.GENERIC_ERROR))
        else:
            self._show_message(messages.GENERIC_ERROR)

    def _qr_payload(self, ticket_id: str) -> tuple[str | None, bool]:
        """(what the QR holds, whether it is a public link a phone can open).

        The ticket's phone page on central when the branch has one; else the signed e-ticket code, which only
        this branch's kiosks read — so nothing then promises online tracking.
        """
        branch = self.config.branch
        if branch.public_base_url is not None and branch.phone_link_key is not None:  # central's phone page
            return ticket_url(branch.public_base_url, bytes.fromhex(branch.phone_link_key.get_secret_value()),
                              branch.organisation, branch.id, ticket_id), True
        key = branch.appointment_key
        if key is None:
            return None, False
        return sign_ticket(key.get_secret_value().encode(), branch_id=branch.id, ticket_id=ticket_id), False

    def _show_ticket(self, ticket: dict[str, Any], language: str, priority: str | None = None) -> None:
        try:
            qr, public = self._qr_payload(ticket["id"])
            category = self._category_name(priority) if priority else None
            printable = ticket_print(self.config, ticket, language, qr, priority=category, public_link=public)
            self._issued = {"ticket": ticket, "qr": qr or "", "public": public, "priority": priority,
                            "printing": self.printer.present, "printed": False, "printer": self.printer.state}
            self._ticket_view()  # a malformed answer fails here, not later in a binding
        except (KeyError, TypeError, ValueError) as err:
            self._issued = {}
            self.note_problem(f"unexpected ticket payload: {err}")
            self._show_message(messages.GENERIC_ERROR)
            return
        self._ticket_changed()
        self._set_screen("ticket")
        self._hold_ticket(printed=False)
        self.printer.print_ticket(printable, lambda outcome: self._printed(ticket["id"], outcome))

    def _hold_ticket(self, *, printed: bool) -> None:
        """A printed ticket leaves the screen after a short time; one the customer must photograph stays longer."""
        seconds = self.kiosk.ticket_screen_seconds if printed else self.kiosk.unprinted_ticket_seconds
        self._ticket_timer.start(int(seconds * 1000))

    def _ticket_view(self) -> dict[str, Any]:
        """The ticket on screen, in the current language (the customer may switch language on this screen)."""
        if not self._issued:
            return {}
        ticket, issued = self._issued["ticket"], self._issued
        fmt = Formatter(self._language)
        ahead = ticket.get("people_ahead") or 0
        wait = ticket.get("estimated_wait_s")
        if issued["printing"]:
            note = ""
        elif issued["printed"]:
            note = self._t(messages.PRINTED)
        else:
            reason = messages.PRINTER_REASONS.get(issued["printer"], messages.PRINTER_REASONS["unknown"])
            keep = messages.KEEP_WITH_LINK if issued["public"] else messages.KEEP_NO_LINK
            note = " ".join(part for part in (self._t(reason) if reason else "", self._t(keep)) if part)
        slot = ticket.get("slot")
        appointment = ""
        if slot:
            local = dt.datetime.fromisoformat(slot.replace("Z", "+00:00")).astimezone(
                ZoneInfo(self.config.branch.timezone))
            appointment = self._t(messages.APPOINTMENT_AT, time=fmt.clock(local))
        return {
            "id": ticket["id"], "number": ticket["number"],
            "service": self._name(ticket.get("service_names") or {}) or ticket["service"],
            "ahead": (self._t(messages.NOBODY_AHEAD) if ahead == 0
                      else self._t(messages.PEOPLE_AHEAD, n=fmt.number(ahead))),
            "wait": (self._t(messages.WAIT_UNKNOWN) if wait is None
                     else self._t(messages.WAIT_ABOUT, duration=fmt.duration(wait))),
            "priority": self._t(messages.PRIORITY_TICKET, category=self._category_name(issued["priority"]))
            if issued["priority"] else "",
            "appointment": appointment,
            "qr": issued["qr"],
            "qrLabel": self._t(messages.QR_LINK if issued["public"] else messages.QR_AT_KIOSK) if issued["qr"] else "",
            "printing": issued["printing"], "printed": issued["printed"], "note": note,
        }

    def _printed(self, ticket_id: str, outcome) -> None:
        if self._issued.get("ticket", {}).get("id") != ticket_id:
            return  # the customer already left this screen; the state report still goes out
        printed = outcome is not None and outcome.printed
        state = self.printer.state
        self._issued = {**self._issued, "printing": False, "printed": printed, "printer": state}
        self._ticket_changed()
        if self._screen == "ticket":
            self._hold_ticket(printed=printed)
        if not printed and self.printer.present:  # no printer at all is a mode (on-screen and QR tickets), said
            self.note_problem(f"ticket {self._issued['ticket'].get('number')} not printed: printer {state}")  # once

    # -- scans -------------------------------------------------------------------------------------------------

    @Slot(str)
    def scanned(self, text: str) -> None:
        if self._screen in ("technician", "techpin") or self._debounced():
            return
        if self.codes is None:
            self._show_message(messages.SCAN_REFUSED)
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
            self._show_message(messages.SCAN_FORGED)
        else:
            log.info("unrecognised scan (%s)", getattr(code, "reason", "unknown"))
            self._show_message(messages.SCAN_REFUSED)

    def _ticket_status(self, ticket: dict[str, Any]) -> None:
        self._set_busy(False)
        template = messages.TICKET_STATUS.get(str(ticket.get("status")), messages.TICKET_STATUS["waiting"])
        self._show_message(template, number=ticket.get("number", "?"), counter=ticket.get("counter") or "",
                           n=str(ticket.get("people_ahead") or 0))

    def _show_message(self, template: str, **values: object) -> None:
        """Show a message; it is translated when read, so a language switch on this screen translates it too."""
        self._message = (template, values)
        self.messageChanged.emit()
        self._set_screen("message")

    # -- device health ----------------------------------------------------------------------------------------

    def _printer_changed(self, state: str) -> None:
        self.printerChanged.emit()
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
        self.errors.append(f"{local_stamp(self.clock(), self.config.branch.timezone)} {text}")
        log.warning("%s", text)
        self.problemNoted.emit()

    # -- the technician panel's screens (its view-model: kiosk/technician.py) ---------------------------------------

    def show_panel(self, screen: str) -> None:
        """Show the technician's PIN screen ("techpin") or panel ("technician") in place of the customer's."""
        assert screen in ("techpin", "technician"), screen
        self._set_screen(screen)

    def leave_panel(self) -> None:
        self._set_screen("home" if self._online else "offline")
