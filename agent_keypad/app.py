"""The keypad's composition root: the only place that wires concrete classes together and owns their lifecycles.

Threads (see docs/architecture.md): the Qt GUI thread; `sq-keypad` (one TaskRunner worker: every node call, in
order); `sq-event-feed` (EventFeed's SSE reader); `sq-fingerprint` (one worker: reader open/identify); and, with a
simulated reader, the simulator's serving thread.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickWindow

from agent_keypad.alert import AlertSound, IdleAlert, QtSound, SilentSound, write_chime
from agent_keypad.fingerprint import FingerprintLogin
from agent_keypad.keys import KeyRouter
from agent_keypad.logic import KeypadController
from agent_keypad.memory import AgentMemory
from agent_keypad.theme import THEME
from agent_keypad.viewmodel import KeypadViewModel
from appkit.feed import EventFeed
from appkit.tasks import TaskRunner
from appkit.watchdog import GuiWatchdog
from config.schema import AppConfig
from nodeclient.client import NodeClient

log = logging.getLogger(__name__)
QML = Path(__file__).resolve().parent / "qml" / "Main.qml"
WINDOW_SIZE = (800, 480)
BAR_HEIGHT, BAR_PICKER_HEIGHT = 64, 380


class Keypad:
    """Everything one keypad runs: controller, view-model, feed, runners, alert, fingerprint; `close()` ends all."""

    def __init__(self, config: AppConfig, client: NodeClient, *, language: str | None = None, bar: bool = False,
                 sound: AlertSound | None = None, fingerprint: FingerprintLogin | None = None) -> None:
        if not config.device.counter:
            raise ValueError("[device] counter: a keypad belongs to one counter; set it (e.g. counter = \"1\")")
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
        self.host = None
        self.router = KeyRouter(settings.keys, self.vm)

    def show(self, *, fullscreen: bool) -> None:
        """Load the QML (after a translator is installed), hook the keys, start talking to the node."""
        from appkit.bootstrap import QmlHost
        from appkit.i18n import install_translator

        self.translator = install_translator(self.controller.language)
        self.host = QmlHost(QML, {"vm": self.vm, "theme": THEME}, fullscreen=fullscreen)
        self.window: QQuickWindow = self.host.window
        self.window.installEventFilter(self.router)
        self._fullscreen = fullscreen
        self.controller.languageSwitched.connect(self._retranslate)
        self.controller.barModeChanged.connect(self.apply_window_mode)
        self.controller.changed.connect(self._follow_picker)
        self.apply_window_mode()
        self.controller.start()

    def _retranslate(self, language: str) -> None:
        self.translator.language = language
        if self.host is not None:
            self.host.engine.retranslate()

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
            from PySide6.QtCore import QCoreApplication

            self.window.removeEventFilter(self.router)
            self.window.close()
            self.host.close()
            QCoreApplication.removeTranslator(self.translator)
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


def _since_process_start_s() -> float:
    """Seconds since the kernel started this process (Linux /proc), so interpreter start-up counts too."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def run(args: argparse.Namespace) -> int:
    """`smartqueue keypad`: load the configuration, build the keypad, run Qt's loop."""
    started = time.perf_counter()
    from appkit.bootstrap import install_crash_policy, load_device, make_application
    from appkit.device import make_client
    from ground.logs import setup_logging

    setup_logging()
    loaded = load_device(args.config, "keypad")
    if loaded is None:
        return 2
    config, token = loaded
    app = make_application("smartqueue-keypad")
    install_crash_policy(app)
    try:
        keypad = Keypad(config, make_client(config, token), language=args.language, bar=args.bar)
    except ValueError as err:
        print(err)
        return 2
    keypad.show(fullscreen=not args.windowed)
    watchdog = GuiWatchdog()  # systemd restarts a keypad whose GUI thread stops answering
    watchdog.attach(keypad.window)

    def first_frame() -> None:
        keypad.window.frameSwapped.disconnect(first_frame)
        log.info("keypad: first frame %.0f ms after process start (%.0f ms after the keypad command began)",
                 _since_process_start_s() * 1000, (time.perf_counter() - started) * 1000)

    keypad.window.frameSwapped.connect(first_frame)
    if args.screenshot:
        keypad.host.screenshot_when_ready(args.screenshot, app.quit)
    try:
        return app.exec()
    finally:
        watchdog.stop()
        keypad.close()
