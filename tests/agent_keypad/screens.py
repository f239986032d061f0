"""The agent keypad's screens for the layout audit: login, serving, paused and a picker, against a real node.

`KeypadScreens` implements devtools.screen_audit.Screens; states are reached through the controller, as the
keys and buttons reach them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from agent_keypad.theme import TOUCH_MM
from appkit.fonts import load_fonts
from devtools.screen_audit import pump
from tests.agent_keypad.conftest import make_rig
from tests.branch.conftest import RunningNode

STATES = ("login", "serving", "paused", "picker")
SIZES = ((800, 480), (1024, 600))


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"keypad did not reach: {what}")
        pump(20)


class KeypadScreens:
    app = "keypad"
    states = STATES
    languages = ("fr", "en", "ar")
    modes = ("normal",)  # the keypad has no large-text or contrast mode
    sizes = SIZES
    touch_mm = TOUCH_MM  # a staff device: 12 mm, not the public kiosk's 15 mm (agent_keypad/theme.py)

    def __init__(self, node: RunningNode, tmp_path: Path) -> None:
        load_fonts(QGuiApplication.instance())
        self.node = node
        self.rig = make_rig(node, tmp_path, alert_enabled=False)
        self.diagonal_inches = self.rig.keypad.settings.screen_diagonal_inches
        self.rig.keypad.show(fullscreen=False)
        self.window = self.rig.keypad.window
        self.rig.keypad.start()
        wait_for(lambda: self.c.online and self.c.counter is not None, what="online")

    @property
    def c(self):
        return self.rig.controller

    def rtl(self, language: str) -> bool:
        return language == "ar"

    def show(self, language: str, mode: str, size: tuple[int, int]) -> None:
        if (self.window.width(), self.window.height()) != size:
            self.window.resize(*size)
        self.c.set_language(language)
        pump(40)

    def _logged_in(self) -> None:
        if self.c.logged_in:
            return
        self.c.select_agent("alice")
        for digit in "1234":
            self.c.type_text(digit)
        self.c.login()
        wait_for(lambda: self.c.logged_in and self.c.counter is not None and self.c.counter.agent == "alice",
                 what="logged in")

    def _acted(self, act: Callable[[], None], what: str) -> None:
        done: list[str] = []
        self.c.actionDone.connect(done.append)
        try:
            act()
            wait_for(lambda: bool(done), what=what)
        finally:
            self.c.actionDone.disconnect(done.append)

    def _press(self, action: str) -> None:
        self._acted(lambda: self.c.press(action), action)

    def enter(self, state: str) -> None:
        if state == "login":
            self.c.select_agent("alice")
            for digit in "12":
                self.c.type_text(digit)
        elif state == "serving":
            self._logged_in()
            kiosk = self.node.client("kiosk")
            for service in ("accounts", "accounts", "cash"):
                kiosk.issue_ticket(service)
            self._press("call_next")
        elif state == "paused":
            self._logged_in()
            self.c.press("pause_toggle")  # asks why: a picker of reasons
            wait_for(lambda: self.c.picker is not None, what="pause reasons")
            self._acted(lambda: self.c.choose("lunch"), "paused")
        elif state == "picker":
            self._logged_in()
            if self.c.counter is not None and self.c.counter.paused is not None:
                self._press("pause_toggle")  # resume
            if self.c.counter is None or self.c.counter.current is None:
                self.node.client("kiosk").issue_ticket("accounts")
                self._press("call_next")
            self.c.press("transfer")
            wait_for(lambda: self.c.picker is not None, what="transfer picker")
        pump(80)

    def close(self) -> None:
        self.rig.keypad.close()
