"""The display's composition root: the only place that picks concrete classes and wires them together."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from appkit.bootstrap import AppBootstrap, AppSpec, LaunchOptions, RunContext
from appkit.feed import EventFeed
from appkit.qml_host import QmlHost
from appkit.tasks import TaskRunner
from config.display import DisplayConfig
from config.schema import AppConfig
from display.acks import CallAcker
from display.announcements import AnnouncementQueue
from display.announcer import Announcer
from display.board import BoardModel
from display.controller import DisplayController
from display.media import MediaPlaylist
from display.viewmodel import DisplayViewModel
from ground.version import VERSION
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
    window_size: tuple[int, int] = (1280, 720)
    host: QmlHost | None = None

    def show(self, *, fullscreen: bool, size: tuple[int, int] | None = None) -> QmlHost:
        """Load the QML board; the translator follows the view-model's language, acks wait for a frame."""
        host = QmlHost(QML, {"vm": self.vm}, fullscreen=fullscreen, language=self.vm.language)
        if not fullscreen:
            host.window.resize(*(size or self.window_size))
        self.vm.languageChanged.connect(self._retranslate)
        self.acker.wait_for_frame = True
        host.window.frameSwapped.connect(self.acker.frame_swapped)
        self.host = host
        return host

    def _retranslate(self) -> None:
        if self.host is not None:
            self.host.retranslate(self.vm.language)

    def start(self) -> None:
        self.vm.start()
        self.controller.start()

    def screenshot(self, path: Path, then: Callable[[], None], timeout_ms: int = 10000) -> None:
        """Grab the board once it shows the node's data (or after a timeout, stale indicator and all)."""
        host = self.host
        assert host is not None
        done = {"started": False}

        def go() -> None:
            if not done["started"]:
                done["started"] = True
                host.screenshot_when_ready(path, then, settle_ms=800)

        self.vm.staleChanged.connect(lambda: None if self.vm.stale else go())
        QTimer.singleShot(timeout_ms, go)

    def close(self, wait: bool = True) -> None:
        """Stop timers, feed and sound; `wait` for node calls in flight (no thread outlives the board)."""
        self.controller.stop()
        self.vm.stop()
        self.queue.announcer.close()
        self.runner.shutdown(wait=wait)
        if self.host is not None:
            self.vm.languageChanged.disconnect(self._retranslate)
            self.host.close()
            self.host = None


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
    controller = DisplayController(client, runner, feed, board, vm, queue, acker, device_id,
                                   stale_grace_ms=stale_grace_ms, services_refresh_s=dc.services_refresh_seconds,
                                   version=VERSION, parent=parent)
    return DisplayApp(board, vm, queue, acker, controller, feed, runner, window_size=dc.window_size)


def build_run(context: RunContext) -> DisplayApp:
    """The bootstrap's way in: the real announcer, media next to the configuration file."""
    config = context.config
    app = build(config, context.client, make_announcer(config.display), context.device_id,
                language=context.language, base_dir=context.config_path.resolve().parent)
    app.feed.reloadRequested.connect(context.request_reload)  # central's "reload device" command
    return app


DISPLAY = AppSpec(role="display", build=build_run)


def run(args: argparse.Namespace) -> int:
    """`smartqueue display`: the board until SIGTERM."""
    return AppBootstrap(DISPLAY, LaunchOptions.from_args(args)).run()
