"""The keypad's composition root: the only place that wires concrete classes together and owns their lifecycles.

Threads (see docs/architecture.md): the Qt GUI thread; `sq-keypad` (one TaskRunner worker: every node call, in
order); `sq-event-feed` (EventFeed's SSE reader); `sq-fingerprint` (one worker: reader open/identify); with a
simulated reader, the simulator's serving thread; `sq-keypad-reload` (the bootstrap reading a configuration file).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickWindow

from agent_keypad.alert import AlertSound, IdleAlert, QtSound, SilentSound, write_chime
from agent_keypad.fingerprint import FingerprintLogin
from agent_keypad.keys import KeyRouter
from agent_keypad.logic import KeypadController
from agent_keypad.memory import AgentMemory
from agent_keypad.theme import theme_for
from agent_keypad.viewmodel import KeypadViewModel
from appkit.bootstrap import AppBootstrap, AppSetupError, AppSpec, LaunchOptions, RunContext
from appkit.feed import EventFeed
from appkit.fonts import cap_ratio
from appkit.qml_host import QmlHost
from appkit.tasks import TaskRunner
from config.schema import AppConfig
from nodeclient.client import NodeClient

log = logging.getLogger(__name__)
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"
WINDOW_SIZE = (800, 480)
BAR_HEIGHT, BAR_PICKER_HEIGHT = 64, 440  # the menu's nine options in two columns at the bar's 15 px


class Keypad:
    """Everything one keypad runs: controller, view-model, feed, runners, alert, fingerprint; `close()` ends all."""

    def __init__(self, config: AppConfig, client: NodeClient, *, language: str | None = None, bar: bool = False,
                 sound: AlertSound | None = None, fingerprint: FingerprintLogin | None = None) -> None:
        if not config.device.counter:
            raise AppSetupError("[device] counter: a keypad belongs to one counter; set it (e.g. counter = \"1\")")
        settings = config.keypad.model_copy(update={"bar_mode": True}) if bar else config.keypad
        data_dir = Path(config.device.data_dir)
        self.client = client
        self.runner = TaskRunner(workers=1, name="sq-keypad")
        self.feed = EventFeed(client)
        if fingerprint is None and config.fingerprint is not None and config.fingerprint.enabled:
            fingerprint = FingerprintLogin(config.fingerprint)
        self.fingerprint = fingerprint
        if sound is None:
            sound = _sound(settings, data_dir)
        self.alert = IdleAlert(sound, enabled=settings.alert_enabled, delay_s=settings.alert_delay_s,
                               repeat_s=settings.alert_repeat_s)
        languages = tuple(config.branch.languages)
        self.controller = KeypadController(
            client, config.device.counter, settings, self.runner, self.feed, language=language or languages[0],
            languages=languages, alert=self.alert, fingerprint=fingerprint,
            memory=AgentMemory(data_dir / "keypad-agents.json", settings.remember_agents))
        self.vm = KeypadViewModel(self.controller)
        self.settings = settings
        self.host: QmlHost | None = None
        self.router = KeyRouter(settings.keys, self.vm)

    def show(self, *, fullscreen: bool) -> QmlHost:
        """Load the QML (its translator in the controller's language) and hook the keys and the window mode."""
        theme = theme_for(self.settings.screen_diagonal_inches, cap_ratio())
        self.host = QmlHost(QML, {"vm": self.vm, "theme": theme}, fullscreen=fullscreen,
                            language=self.controller.language)
        self.window: QQuickWindow = self.host.window
        self.window.installEventFilter(self.router)
        self._fullscreen = fullscreen
        self.controller.languageSwitched.connect(self._retranslate)
        self.controller.barModeChanged.connect(self.apply_window_mode)
        self.controller.changed.connect(self._follow_picker)
        self.apply_window_mode()
        return self.host

    def start(self) -> None:
        """Start talking to the node (and the fingerprint reader once the node answers)."""
        self.controller.start()

    def screenshot(self, path: Path, then: Callable[[], None]) -> None:
        assert self.host is not None
        self.host.screenshot_when_ready(path, then)

    def _retranslate(self, language: str) -> None:
        if self.host is not None:
            self.host.retranslate(language)

    def _follow_picker(self) -> None:
        if self.controller.bar_mode and self.host is not None:
            wanted = BAR_PICKER_HEIGHT if self.controller.picker is not None else BAR_HEIGHT
            if self.window.height() != wanted:
                self.window.resize(self.settings.bar_width, wanted)

    def apply_window_mode(self, *_: object) -> None:
        """Bar: a small window kept above the agent's other windows; else full screen (or 800×480 windowed)."""
        window = self.window
        bar = self.controller.bar_mode
        window.setFlag(Qt.WindowType.WindowStaysOnTopHint, bar)
        if bar:
            window.showNormal()
            window.resize(self.settings.bar_width, BAR_HEIGHT)
            window.setPosition(0, 0)
        elif self._fullscreen:
            window.showFullScreen()
        else:
            window.showNormal()
            window.resize(*WINDOW_SIZE)

    def close(self) -> None:
        if self.host is not None:  # late signals (feed stopping, queued results) must not reach a dead window
            self.controller.languageSwitched.disconnect(self._retranslate)
            self.controller.barModeChanged.disconnect(self.apply_window_mode)
            self.controller.changed.disconnect(self._follow_picker)
        self.controller.stop()
        if self.fingerprint is not None:
            self.fingerprint.close()
        self.runner.shutdown(wait=True)
        if self.host is not None:
            self.window.removeEventFilter(self.router)
            self.host.close()
            self.host = None
        self.client.close()


def _sound(settings, data_dir: Path) -> AlertSound:
    if not (settings.alert_enabled and settings.alert_sound):
        return SilentSound()
    try:
        wav = Path(settings.alert_sound_file) if settings.alert_sound_file else write_chime(data_dir / "alert.wav")
        return QtSound(wav, settings.alert_volume)
    except (OSError, ImportError) as err:
        log.warning("alert sound unavailable (%s): the alert is visual only", err)
        return SilentSound()


def keypad_spec(*, bar: bool = False) -> AppSpec:
    """The keypad for the bootstrap; `bar` (--bar) starts it as the small always-on-top bar."""

    def build(context: RunContext) -> Keypad:
        keypad = Keypad(context.config, context.client, language=context.language, bar=bar)
        keypad.feed.reloadRequested.connect(context.request_reload)  # central's "reload device" command
        return keypad

    return AppSpec(role="keypad", build=build)


def run(args: argparse.Namespace) -> int:
    """`smartqueue keypad`: the keypad until SIGTERM."""
    return AppBootstrap(keypad_spec(bar=args.bar), LaunchOptions.from_args(args)).run()
