"""The calling display's screens for the layout audit: empty, calling, and reconnecting, in both orientations.

The board is fed the preview's snapshot of the example branch (display.preview), so no node is needed: the
display only shows what the node's state says. One view per orientation (the layout is fixed by configuration).
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
from devtools.screen_audit import pump
from display.board import BoardModel
from display.preview import MESSAGES, QML, sample_snapshot
from display.viewmodel import DisplayViewModel

STATES = ("empty", "calls", "offline")
SIZES = ((1920, 1080), (1080, 1920))
FIXED_NOW = dt.datetime(2026, 11, 24, 9, 47, tzinfo=dt.UTC)


def snapshot(state: str) -> dict[str, Any]:
    snap = sample_snapshot()
    if state == "empty":  # the morning before the first call
        snap["recent_calls"] = []
        for counter in snap["counters"]:
            counter["current"] = None
    return snap


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
        config = DisplayConfig(layout=layout, languages=list(self.languages), message=MESSAGES)
        board = BoardModel(recent_limit=config.recent_calls)
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
