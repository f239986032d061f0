"""Every kiosk screen for the layout audit, reached as a customer and a technician would, against a real node, a
virtual printer on a pty and the real QML window (offscreen).

`KioskScreens` implements `devtools.screen_audit.Screens`: `enter(state)` brings the kiosk to a state through the
view-model's slots and the devices (paper out, node stopped), `show()` switches language, mode and resolution.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from PySide6.QtGui import QGuiApplication

from appkit.fonts import load_fonts
from appkit.qml_host import QmlHost
from config.loader import load_config
from config.schema import AppConfig, ServiceSection
from devtools.screen_audit import pump
from ground.hashing import hash_pin
from hardware.printer.simulator import with_faults
from hardware.scanner.codes import sign_appointment
from kiosk.app import QML
from kiosk.qr import register_qml_types
from tests.branch.conftest import EXAMPLE, stop_node

from .conftest import KEY, KioskRig, close_rig, make_rig

TECH_PIN = "2468"
LANGUAGES = ("fr", "en", "ar")
MODES = ("normal", "large", "contrast")
SIZES = ((1080, 1920), (1920, 1080))
#: The example branch, a customer asked about priority: every screen a customer and a technician meet.
STATES = ("home", "group", "priority", "ticket", "appointment_ticket", "appointment_used", "paper_out_home",
          "paper_out_ticket", "techpin", "technician", "offline")
#: A busy branch with twelve services (some closed), people waiting, and a priority entry on the home screen.
BUSY_STATES = ("home_many", "priority_entry", "home_priority")

#: Nine more services for the busy branch, named in the three languages.
MORE_SERVICES = [
    ("opening", "Ouverture de compte", "Account opening", "فتح حساب"),
    ("transfers", "Virements", "Transfers", "التحويلات"),
    ("exchange", "Change de devises", "Currency exchange", "صرف العملات"),
    ("insurance", "Assurances", "Insurance", "التأمين"),
    ("cards", "Cartes bancaires", "Bank cards", "البطاقات البنكية"),
    ("savings", "Épargne et placements", "Savings and investments", "الادخار والتوظيفات"),
    ("business", "Entreprises et professionnels", "Business customers", "المقاولات والمهنيون"),
    ("complaints", "Réclamations", "Complaints", "الشكايات"),
    ("pensions", "Retraites", "Pensions", "المعاشات"),
]


def busy_branch_config() -> AppConfig:
    """The example branch with twelve services at the top level; two open only on coming days."""
    config = load_config(EXAMPLE)
    today = dt.datetime.now(ZoneInfo(config.branch.timezone)).date()
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    tomorrow, later = weekday[(today.weekday() + 1) % 7], weekday[(today.weekday() + 3) % 7]
    services = [s.model_copy(update={"group": None}) for s in config.services]
    for n, (ident, fr, en, ar) in enumerate(MORE_SERVICES):
        hours = {tomorrow: ["08:30-12:00"]} if ident == "insurance" else (
            {later: ["09:00-16:00"]} if ident == "business" else None)
        services.append(ServiceSection(id=ident, prefix="DEFGHIJKL"[n], names={"fr": fr, "en": en, "ar": ar},
                                       hours=hours))
    return config.model_copy(update={
        "services": services, "groups": [],
        "node": config.node.model_copy(update={"advertise": False, "ticket_burst": 100}),
    })


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"kiosk did not reach: {what or condition}")
        pump(20)


class KioskScreens:
    """The kiosk's window on a rig; see the module docstring."""

    app = "kiosk"
    languages = LANGUAGES
    modes = MODES
    sizes = SIZES
    #: A customer standing at the kiosk reads it from 50-60 cm (a floor kiosk's screen at chest height, or a
    #: counter kiosk, at about arm's length: the screen is touched); held to the farther 60 cm, at ISO 9241-303's
    #: 16 arcmin: a 2.79 mm cap, 11.3 px on the 21.5" 1080×1920 (docs/architecture.md, "The layout audit").
    viewing_cm = 60.0

    def __init__(self, tmp_path: Path, *, busy: bool = False) -> None:
        settings = {"inactivity_seconds": 600, "ticket_screen_seconds": 120, "unprinted_ticket_seconds": 300,
                    "services_refresh_seconds": 300, "tap_debounce_ms": 100,
                    "technician_pin_hash": SecretStr(hash_pin(TECH_PIN)),
                    "priority_question": "entry" if busy else "ask"}
        self.rig: KioskRig = make_rig(tmp_path, node_config=busy_branch_config() if busy else None, **settings)
        self.states = BUSY_STATES if busy else STATES
        self.diagonal_inches = self.rig.vm.kiosk.screen_diagonal_inches
        self.node_stopped = False
        load_fonts(QGuiApplication.instance())  # the shipped fonts, as the app has them (Arabic metrics differ)
        register_qml_types()
        self.host = QmlHost(QML, {"vm": self.rig.vm, "tech": self.rig.tech}, fullscreen=False, language="fr")
        self.window = self.host.window
        self.rig.vm.retranslate.connect(self.host.retranslate)
        self.window.resize(*SIZES[0])
        if busy:
            self._fill_queues()
        self.rig.vm.start()
        wait_for(lambda: self.vm.screen == "home" and bool(self.vm.tiles), what="home")
        wait_for(lambda: self.rig.printer.state == "ready", what="printer ready")

    @property
    def vm(self):
        return self.rig.vm

    @property
    def tech(self):
        return self.rig.tech

    def _fill_queues(self) -> None:
        """People waiting in several services; an agent at counter 1 so its services have an estimate."""
        kiosk = self.rig.node.client("kiosk")
        for service, count in (("accounts", 7), ("cash", 3), ("loans", 2), ("transfers", 4), ("exchange", 1)):
            for _ in range(count):
                kiosk.issue_ticket(service)
        self.rig.node.agent("alice", "1234", "1")

    def rtl(self, language: str) -> bool:
        return language == "ar"

    def show(self, language: str, mode: str, size: tuple[int, int]) -> None:
        if (self.window.width(), self.window.height()) != size:
            self.window.resize(*size)
        self.vm.setLanguage(language)
        if self.vm.largeText != (mode == "large"):
            self.vm.toggleLargeText()
        if self.vm.highContrast != (mode == "contrast"):
            self.vm.toggleHighContrast()
        pump(20)

    # -- states ----------------------------------------------------------------------------------------------

    def enter(self, state: str) -> None:
        vm = self.vm
        if self.vm.screen != "home" or vm.inGroup:
            vm.goHome()
        vm._last_tap = 0.0  # the debounce is for a person's double tap, not for the audit's next state
        getattr(self, f"_enter_{state}")()
        pump(50)

    def _issue(self, service: str, priority: str = "") -> None:
        self.vm.chooseService(service)
        if self.vm.screen == "priority":
            self.vm.choosePriority(priority)
        wait_for(lambda: self.vm.screen == "ticket", what="ticket screen")
        wait_for(lambda: not self.vm.ticket["printing"], what="print result")

    def _enter_home(self) -> None:
        pass

    def _enter_group(self) -> None:
        self.vm.openGroup("everyday")

    def _enter_priority(self) -> None:
        self.vm.chooseService("loans")
        assert self.vm.screen == "priority"

    def _enter_ticket(self) -> None:
        self._issue("loans", "pregnant")

    def _appointment(self, ref: str) -> str:
        tz = ZoneInfo(self.vm.config.branch.timezone)
        slot = (dt.datetime.now(tz) + dt.timedelta(minutes=20)).replace(second=0, microsecond=0, tzinfo=None)
        return sign_appointment(KEY.encode(), branch_id="BR042", appointment_ref=ref, service="accounts", slot=slot)

    def _enter_appointment_ticket(self) -> None:
        self.vm.scanned(self._appointment("APT-1"))
        wait_for(lambda: self.vm.screen == "ticket", what="appointment ticket")
        wait_for(lambda: not self.vm.ticket["printing"], what="print result")

    def _enter_appointment_used(self) -> None:
        self.vm.scanned(self._appointment("APT-1"))
        wait_for(lambda: self.vm.screen == "message", what="already checked in")

    def _paper_out(self) -> None:
        assert self.rig.virtual is not None
        with_faults(self.rig.virtual, paper_out_after=0)
        self.rig.printer.refresh()
        wait_for(lambda: self.rig.printer.state == "paper_out", what="paper out")

    def _enter_paper_out_home(self) -> None:
        self._paper_out()

    def _enter_paper_out_ticket(self) -> None:
        self._paper_out()
        self._issue("cash")

    def _enter_techpin(self) -> None:
        for _ in range(self.vm.kiosk.technician_taps):
            self.tech.cornerTapped()
        assert self.vm.screen == "techpin"
        self.tech.submitPin("0000")
        wait_for(lambda: bool(self.tech.pinError), what="wrong PIN")

    def _enter_technician(self) -> None:
        for _ in range(self.vm.kiosk.technician_taps):
            self.tech.cornerTapped()
        self.tech.submitPin(TECH_PIN)
        wait_for(lambda: self.vm.screen == "technician", what="technician panel")
        self.tech.printTestTicket()  # paper is still out: a result and an error to show
        wait_for(lambda: bool(self.tech.status["result"]), what="test print result")

    def _enter_offline(self) -> None:
        stop_node(self.rig.node)
        self.node_stopped = True
        self.vm.refresh()
        wait_for(lambda: self.vm.screen == "offline", timeout=20, what="offline screen")

    def _enter_home_many(self) -> None:
        pass

    def _enter_priority_entry(self) -> None:
        self.vm.openPriority()
        assert self.vm.screen == "priority"

    def _enter_home_priority(self) -> None:
        self.vm.openPriority()
        self.vm.choosePriority("disabled")
        assert self.vm.screen == "home"

    def close(self) -> None:
        self.host.close()  # and its translator
        if not self.node_stopped:
            close_rig(self.rig)
            return
        rig = self.rig  # the node is already stopped: close the rest as close_rig does
        rig.vm.stop()
        rig.printer.close()
        rig.vm.client.close()
        if rig.server is not None:
            rig.server.close()
