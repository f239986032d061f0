"""The one app bootstrap, driven in-process: a real kiosk and keypad on a real node, systemd's notify socket faked
by a real AF_UNIX datagram socket, reloads that must say RELOADING=1 … READY=1 and leak nothing."""

from __future__ import annotations

import gc
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase

from agent_keypad.app import keypad_spec
from appkit.bootstrap import AppBootstrap, LaunchOptions
from appkit.i18n import CatalogTranslator
from appkit.watchdog import GuiWatchdog, Notifier
from ground.assets import FONT_FILES
from ground.i18n import translate
from kiosk.app import KIOSK
from kiosk.technician_rules import TEST_PRINTED
from tests.appkit.app_files import app_file as write_app_file
from tests.branch.conftest import RunningNode, start_node, stop_node
from tests.qml_support import find


class FakeSystemd:
    """The notify socket's other end: every datagram the app sends, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.setblocking(False)
        self.messages: list[str] = []

    def notifier(self, watchdog_usec: int = 200_000) -> Notifier:
        return Notifier({"NOTIFY_SOCKET": str(self.path), "WATCHDOG_USEC": str(watchdog_usec)})

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(200).decode())
            except BlockingIOError:
                return self.messages

    def states(self) -> list[str]:
        """Every message but the pings, with the parts that vary (time, status) left out."""
        return [re.sub(r"\n(STATUS|MONOTONIC_USEC)=.*", "", m, flags=re.S) for m in self.drain() if m != "WATCHDOG=1"]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[FakeSystemd]:
    fake = FakeSystemd(tmp_path / "notify")
    yield fake
    fake.close()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[RunningNode]:
    running = start_node(tmp_path / "node")
    yield running
    stop_node(running)


def app_file(tmp_path: Path, node: RunningNode, role: str) -> Path:
    return write_app_file(tmp_path, role, node.tokens[role], node.url)


def live_translators() -> int:
    gc.collect()
    return sum(isinstance(obj, CatalogTranslator) for obj in gc.get_objects())


def next_font_id() -> int:
    """The id Qt would give the next application font (it reuses the first free slot): changes if fonts load."""
    font_id = QFontDatabase.addApplicationFont(str(next(iter(FONT_FILES.values()))))
    QFontDatabase.removeApplicationFont(font_id)
    return font_id


def on_home(boot: AppBootstrap) -> bool:
    return (boot.current is not None and boot.current.app.vm.screen == "home"
            and find(boot.current.host.window, "tile_loans") is not None)


def test_reload_restarts_in_place_and_never_tells_systemd_it_is_stopping(qtbot, qapp, tmp_path, node, systemd):
    boot = AppBootstrap(KIOSK, LaunchOptions(app_file(tmp_path, node, "kiosk"), windowed=True),
                        watchdog=GuiWatchdog(systemd.notifier()))
    boot.start()
    try:
        qtbot.waitUntil(lambda: on_home(boot) and systemd.states() == ["READY=1"], timeout=8000)
        first = boot.current.app
        first.technician.reloadConfig()  # what the technician's "Reload configuration" button calls
        qtbot.waitUntil(lambda: boot.reloads == 1 and systemd.states() == ["READY=1", "RELOADING=1", "READY=1"],
                        timeout=8000)
        qtbot.waitUntil(lambda: on_home(boot), timeout=5000)
        assert boot.current.app is not first and first.host is None  # a new run; the old scene is gone
        reloading = next(m for m in systemd.messages if m.startswith("RELOADING=1"))
        usec = int(re.search(r"MONOTONIC_USEC=(\d+)", reloading).group(1))
        assert abs(usec - time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000) < 30_000_000
        pings_after = len(systemd.messages)
        qtbot.wait(600)  # pings every 100 ms go on across and after the reload
        assert systemd.drain()[pings_after:].count("WATCHDOG=1") >= 2
        assert "STOPPING=1" not in systemd.states()
    finally:
        boot.stop()
    assert systemd.states()[-1] == "STOPPING=1"  # only the end of the process says so


def print_test_ticket(qtbot, boot: AppBootstrap) -> None:
    """The technician's test ticket: the run opens its printer and renders text with the shipped fonts."""
    app = boot.current.app
    app.technician.printTestTicket()
    printed = translate(app.vm.language, TEST_PRINTED)
    qtbot.waitUntil(lambda: app.technician.status["result"] == printed, timeout=8000)


def test_reloads_leak_no_thread_translator_font_or_client(qtbot, qapp, tmp_path, node):
    boot = AppBootstrap(KIOSK, LaunchOptions(app_file(tmp_path, node, "kiosk"), windowed=True),
                        watchdog=GuiWatchdog(Notifier({})))
    translators = live_translators()
    before = set(threading.enumerate())
    boot.start()
    try:
        qtbot.waitUntil(lambda: on_home(boot), timeout=8000)
        print_test_ticket(qtbot, boot)
        assert live_translators() == translators + 1
        font_id = next_font_id()
        for n in range(1, 4):
            started_by_run = set(threading.enumerate()) - before - {t for t in threading.enumerate()
                                                                    if t.name.startswith("sq-kiosk-reload")}
            boot.reload()
            qtbot.waitUntil(lambda n=n: boot.reloads == n and on_home(boot), timeout=8000)
            for thread in started_by_run:
                thread.join(2)
            assert not [t.name for t in started_by_run if t.is_alive()], "a closed run left threads behind"
            print_test_ticket(qtbot, boot)
        assert live_translators() == translators + 1  # one, not one per reload
        assert next_font_id() == font_id  # no run loaded the fonts again (the app's, the printer's)
    finally:
        boot.stop()
    assert live_translators() == translators


def test_an_invalid_file_is_not_reloaded_and_the_app_goes_on(qtbot, qapp, tmp_path, node, systemd, caplog):
    path = app_file(tmp_path, node, "kiosk")
    boot = AppBootstrap(KIOSK, LaunchOptions(path, windowed=True), watchdog=GuiWatchdog(systemd.notifier()))
    boot.start()
    try:
        qtbot.waitUntil(lambda: on_home(boot), timeout=8000)
        running = boot.current
        path.write_text("[branch]\nid = 'BR042'\nbogus = 1\n", encoding="utf-8")
        boot.reload()
        qtbot.waitUntil(lambda: "configuration NOT reloaded" in caplog.text, timeout=5000)
        assert boot.current is running and boot.reloads == 0
        assert systemd.states() == ["READY=1"]  # no RELOADING=1 for a reload that does not happen
    finally:
        boot.stop()


def test_a_file_this_app_cannot_run_on_keeps_the_previous_one(qtbot, qapp, tmp_path, node, systemd, caplog):
    """A keypad without a counter is a valid file but no keypad: the bootstrap goes on with what worked."""
    path = app_file(tmp_path, node, "keypad")
    boot = AppBootstrap(keypad_spec(), LaunchOptions(path, windowed=True), watchdog=GuiWatchdog(systemd.notifier()))
    boot.start()
    try:
        qtbot.waitUntil(lambda: boot.current.app.controller.online, timeout=8000)
        assert boot.current.device.config.device.counter == "1"
        path.write_text(re.sub(r'(?m)^counter = .*$', "", path.read_text(encoding="utf-8")), encoding="utf-8")
        boot.reload()
        qtbot.waitUntil(lambda: boot.reloads == 1 and systemd.states()[-1] == "READY=1", timeout=8000)
        assert "cannot run" in caplog.text and boot.current.device.config.device.counter == "1"
        qtbot.waitUntil(lambda: boot.current.app.controller.online, timeout=8000)
    finally:
        boot.stop()


def test_central_asks_a_keypad_to_reload_and_only_that_device_reloads(qtbot, qapp, tmp_path, node, systemd):
    """The `reload_device` command (sync/commands.py) reaches the named device's event stream only, and the app
    reloads through its bootstrap (RELOADING=1 … READY=1), as the technician's button does."""
    boot = AppBootstrap(keypad_spec(), LaunchOptions(app_file(tmp_path, node, "keypad"), windowed=True),
                        watchdog=GuiWatchdog(systemd.notifier()))
    boot.start()
    try:
        qtbot.waitUntil(lambda: boot.current.app.controller.online and boot.current.app.feed.connected,
                        timeout=8000)
        me = node.client("keypad").whoami()["device"]
        others = node.call(_publish(node, "DeviceReloadRequested", {"device": "someone-else"}, {"someone-else"}))
        others += node.call(_publish(node, "DeviceReloadRequested", {"device": me}, {"someone-else"}))
        assert others == 0
        qtbot.wait(300)
        assert boot.reloads == 0
        delivered = node.call(_publish(node, "DeviceReloadRequested", {"device": me}, {me}))
        assert delivered == 1
        qtbot.waitUntil(lambda: boot.reloads == 1 and systemd.states()[-2:] == ["RELOADING=1", "READY=1"],
                        timeout=8000)
    finally:
        boot.stop()


async def _publish(node: RunningNode, type_: str, data: dict, devices: set[str]) -> int:
    """On the node's loop, as sync/commands.py does."""
    return node.node.hub.publish_ephemeral(type_, data, devices=devices)
