"""The display's composition root: the only place that picks concrete classes and wires them together."""

from __future__ import annotations

import argparse
import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

from appkit.bootstrap import QmlHost, install_crash_policy, make_application
from appkit.feed import EventFeed
from appkit.i18n import CatalogTranslator, install_translator
from appkit.tasks import TaskRunner
from appkit.watchdog import GuiWatchdog
from config.display import DisplayConfig
from config.schema import AppConfig
from display.acks import CallAcker
from display.announcements import AnnouncementQueue
from display.announcer import Announcer
from display.board import BoardModel
from display.controller import DisplayController
from display.media import MediaPlaylist
from display.viewmodel import DisplayViewModel
from nodeclient.client import NodeClient

log = logging.getLogger(__name__)
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"


def display_languages(config: AppConfig, first: str | None = None) -> list[str]:
    """The board's languages (configured, else the branch's); `first` (from --language) leads."""
    languages = list(config.display.languages or config.branch.languages)
    if first:
        languages = [first] + [lang for lang in languages if lang != first]
    return languages


def make_announcer(config: DisplayConfig) -> Announcer:
    from display.qt_announcer import QtAnnouncer  # QtMultimedia only where sound is really played
    from display.sound import ClipLibrary

    return QtAnnouncer(ClipLibrary(Path(config.clip_dir)), config.volume)


@dataclass
class DisplayApp:
    """Everything one board needs, built by `build()`; `close()` releases it in reverse order."""

    board: BoardModel
    vm: DisplayViewModel
    queue: AnnouncementQueue
    acker: CallAcker
    controller: DisplayController
    feed: EventFeed
    runner: TaskRunner
    translator: CatalogTranslator | None = None
    host: QmlHost | None = None

    def show(self, *, fullscreen: bool, size: tuple[int, int]) -> QmlHost:
        """Load the QML board; the translator follows the view-model's language, acks wait for a frame."""
        self.translator = install_translator(self.vm.language)
        host = QmlHost(QML, {"vm": self.vm}, fullscreen=fullscreen)
        if not fullscreen:
            host.window.resize(*size)

        def retranslate() -> None:
            assert self.translator is not None
            self.translator.language = self.vm.language
            host.engine.retranslate()

        self.vm.languageChanged.connect(retranslate)
        self.acker.wait_for_frame = True
        host.window.frameSwapped.connect(self.acker.frame_swapped)
        self.host = host
        return host

    def start(self) -> None:
        self.vm.start()
        self.controller.start()

    def close(self, wait: bool = False) -> None:
        """Stop timers, feed and sound; `wait` for node calls in flight (tests: no thread may outlive them)."""
        self.controller.stop()
        self.vm.stop()
        self.queue.announcer.close()
        self.runner.shutdown(wait=wait)
        if self.host is not None:
            self.host.close()
        if self.translator is not None:
            QGuiApplication.removeTranslator(self.translator)


def build(config: AppConfig, client: NodeClient, announcer: Announcer, device_id: str, *,
          language: str | None = None, base_dir: Path | None = None, stale_grace_ms: int = 2000,
          parent: QObject | None = None) -> DisplayApp:
    """Wire one board from its configuration, a node client and an announcer (the real one, or a fake)."""
    dc = config.display
    languages = display_languages(config, language)
    runner = TaskRunner(name="sq-display")
    feed = EventFeed(client, parent=parent)
    board = BoardModel(zone=dc.zone, recent_limit=dc.recent_calls, calling_max=dc.calling_max,
                       timezone=config.branch.timezone, branch_names=config.branch.name.as_dict())
    vm = DisplayViewModel(dc, board, languages, media=MediaPlaylist(dc.media, base_dir), parent=parent)
    queue = AnnouncementQueue(announcer, dc.sound, dc.announce_languages or languages,
                              still_current=board.still_current, parent=parent)
    acker = CallAcker(client, runner, parent=parent)
    from ground.version import VERSION as __version__

    controller = DisplayController(client, runner, feed, board, vm, queue, acker, device_id,
                                   stale_grace_ms=stale_grace_ms, services_refresh_s=dc.services_refresh_seconds,
                                   version=__version__, parent=parent)
    return DisplayApp(board, vm, queue, acker, controller, feed, runner)


def run(args: argparse.Namespace) -> int:
    from appkit.bootstrap import load_device
    from appkit.device import device_id, make_client
    from ground.logs import setup_logging

    setup_logging("INFO")
    loaded = load_device(args.config, "display")
    if loaded is None:
        return 2
    config, token = loaded
    app = make_application("smartqueue-display")
    install_crash_policy(app)
    client = make_client(config, token)
    display = build(config, client, make_announcer(config.display), device_id(config, "display"),
                    language=args.language, base_dir=Path(args.config).resolve().parent)
    windowed = args.windowed or args.screenshot is not None
    host = display.show(fullscreen=not windowed, size=config.display.window_size)
    watchdog = GuiWatchdog()  # systemd restarts a display whose GUI thread stops answering
    watchdog.attach(host.window)
    if args.screenshot is not None:
        _screenshot_once_loaded(display, host, args.screenshot, app)
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    wake = QTimer(interval=500)  # lets Python run its signal handlers while Qt's loop waits
    wake.timeout.connect(lambda: None)
    wake.start()
    display.start()
    try:
        return app.exec()
    finally:
        watchdog.stop()
        display.close()
        client.close()
        if client.discovery is not None:  # make_client started it; nobody else stops it
            client.discovery.close()


def _screenshot_once_loaded(display: DisplayApp, host: QmlHost, path: Path, app: QGuiApplication,
                            timeout_ms: int = 10000) -> None:
    """Grab the board once it shows the node's data (or after a timeout, stale indicator and all)."""
    done = {"started": False}

    def go() -> None:
        if not done["started"]:
            done["started"] = True
            host.screenshot_when_ready(path, app.quit, settle_ms=800)

    display.vm.staleChanged.connect(lambda: None if display.vm.stale else go())
    QTimer.singleShot(timeout_ms, go)
