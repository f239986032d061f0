"""The calling display's screens for the layout audit: empty, calling, reconnecting, no counter open, more calls
than the list holds, counters known by identifiers, and long counter names, on a 55" 1080p panel read from 10 m, a
32" 720p one from 6 m and a 15" 800x480 one from 3 m, in both orientations.

The board is fed the preview's snapshot of the example branch (display.preview), so no node is needed: the
display only shows what the node's state says. One view per size (the layout is fixed by configuration).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from appkit.fonts import load_fonts
from appkit.i18n import CatalogTranslator
from appkit.qml_host import QmlHost
from config.display import DisplayConfig
from devtools.board_sweep import many_calls
from devtools.screen_audit import Rules, audit_window, pump
from display.board import BoardModel
from display.preview import MESSAGES, QML, sample_snapshot
from display.viewmodel import DisplayViewModel

STATES = ("empty", "calls", "offline", "closed", "many", "longids", "longnames")
#: window size → the panel's diagonal (inches) and the farthest reader (metres) it is installed for
PANELS = {(1920, 1080): (55, 10), (1280, 720): (32, 6), (800, 480): (15, 3), (1080, 1920): (55, 10),
          (480, 800): (15, 3)}
SIZES = tuple(PANELS)
#: counters known by identifiers, not numbers: the board shows their names, not "guichet-ouest"
RENAMED = {"1": "guichet-ouest", "2": "caisse-rapide-2", "3": "bureau-credits"}
FIXED_NOW = dt.datetime(2026, 11, 24, 9, 47, tzinfo=dt.UTC)
#: Counter names a branch may well configure (22-37 characters), each with a short one (the cash desk)
LONG_NAMES = {
    "fr": ["Guichet clientèle principal", "Bureau des prêts immobiliers", "Caisse", "Guichet comptes et cartes",
           "Accueil et orientation", "Guichet des professionnels", "Bureau de change",
           "Guichet virements internationaux"],
    "en": ["Main customer service counter", "Mortgage and consumer loans", "Cashier",
           "Accounts and bank cards counter", "Reception and guidance desk", "Business and professionals desk",
           "Currency exchange", "International transfers counter"],
    "ar": ["شباك خدمة الزبائن الرئيسي", "مكتب القروض العقارية والاستهلاكية", "الصندوق",
           "شباك الحسابات والبطاقات البنكية", "مكتب الاستقبال والتوجيه", "شباك الشركات والمهنيين", "مكتب الصرف",
           "شباك التحويلات الدولية"]}


def snapshot(state: str) -> dict[str, Any]:
    snap = sample_snapshot()
    if state in ("empty", "closed"):  # the morning before the first call; or no counter open yet
        snap["recent_calls"] = []
        for counter in snap["counters"]:
            counter["current"] = None
            if state == "closed":
                counter.update(open=False, agent=None)
        if state == "closed":
            for service in snap["services"]:
                service.update(open_counters=0, waiting=4)
    elif state == "many":  # eight counters calling within a minute: the list pages through them
        many_calls(snap)
    elif state == "longids":
        for counter in snap["counters"]:
            counter["id"] = RENAMED[counter["id"]]
            if counter["current"]:
                counter["current"]["counter"] = counter["id"]
        for call in snap["recent_calls"]:
            call["counter"] = RENAMED[call["counter"]]
    elif state == "longnames":  # eight counters calling, with names long enough to take two or three lines
        many_calls(snap)
        for n, counter in enumerate(snap["counters"]):
            counter["names"] = {language: names[n] for language, names in LONG_NAMES.items()}
    return snap


def audit_findings(host: QmlHost) -> list[str]:
    """The layout audit's findings on a board as it is now (display.preview's window), one line each."""
    window = host.window
    vm = host.engine.rootContext().contextProperty("vm")
    rules = Rules.for_screen((window.width(), window.height()), vm.config.screen_diagonal_inches)
    report = audit_window(window, rules, language=vm.property("language"), rtl=vm.property("layoutRtl"))
    return [str(finding) for finding in report.findings]


class DisplayScreens:
    """Implements devtools.screen_audit.Screens for the display (no large-text or contrast mode: one mode)."""

    app = "display"
    states = STATES
    languages = ("fr", "en", "ar")
    modes = ("normal",)
    sizes = SIZES

    def __init__(self) -> None:
        load_fonts(QGuiApplication.instance())
        self.diagonal_inches = DisplayConfig().screen_diagonal_inches
        self.translator = CatalogTranslator("fr")  # one for every view built here (QmlHost's lives with its view)
        QCoreApplication.installTranslator(self.translator)
        self.state = STATES[0]
        self.size: tuple[int, int] | None = None
        self.host: QmlHost | None = None
        self.vm: DisplayViewModel | None = None

    def rtl(self, language: str) -> bool:
        """The board keeps its first language's direction while it alternates (issue 15): only words move."""
        return self.languages[0] == "ar"

    def _build(self, size: tuple[int, int]) -> None:
        self._drop()
        layout = "landscape" if size[0] > size[1] else "portrait"
        inches, distance = PANELS[size]
        config = DisplayConfig(layout=layout, languages=list(self.languages), message=MESSAGES, screen_inches=inches,
                               viewing_distance_m=distance)
        board = BoardModel(recent_limit=config.recent_calls, calling_max=config.calling_max)
        board.load(snapshot(self.state))
        self.vm = DisplayViewModel(config, board, list(self.languages), clock=lambda: FIXED_NOW)
        self.vm.set_stale(self.state == "offline")
        self.host = QmlHost(QML, {"vm": self.vm}, fullscreen=False)
        self.window = self.host.window
        self.window.resize(*size)
        self.size = size

    def _drop(self) -> None:
        if self.host is not None:
            self.host.close()
            self.host = None
        if self.vm is not None:
            self.vm.stop()
            self.vm.deleteLater()
            self.vm = None

    def enter(self, state: str) -> None:
        self.state = state
        self.size = None  # rebuilt on the next show(), fed this state's snapshot

    def show(self, language: str, mode: str, size: tuple[int, int]) -> None:
        if self.size != size or self.vm is None:
            self._build(size)
        assert self.vm is not None and self.host is not None
        self.translator.language = language
        self.vm.set_language(language)
        self.host.engine.retranslate()
        pump(60)

    def close(self) -> None:
        self._drop()
        QCoreApplication.removeTranslator(self.translator)
