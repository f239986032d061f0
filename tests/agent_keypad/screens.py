"""The agent keypad's screens for the layout audit, against a real node.

`KeypadScreens` implements devtools.screen_audit.Screens; states are reached through the controller, as the
keys and buttons reach them. Besides login, serving, paused and the transfer picker: each of those three with the
most a screen ever stacks above and below it (the staff alerts strip and a message), the question "Next" asks on
a ticket called but never started, the menu (the longest picker), the staff alerts list, and the login with a
(simulated) fingerprint reader, its row and key added to the strip and the message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from agent_keypad.fingerprint import FingerprintLogin
from agent_keypad.theme import TEXT_ARCMIN, TOUCH_MM, VIEWING_CM
from appkit.fonts import load_fonts
from config.fingerprint import FingerprintConfig
from devtools.screen_audit import pump
from tests.agent_keypad.conftest import make_rig
from tests.branch.conftest import RunningNode

STATES = ("login", "login_message", "login_fingerprint", "serving", "serving_message", "paused", "paused_message",
          "picker", "question", "menu", "staff_alerts")
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
    viewing_cm, text_arcmin = VIEWING_CM, TEXT_ARCMIN  # an agent seated at arm's length; ISO 9241-303's 16'

    def __init__(self, node: RunningNode, tmp_path: Path, *, fingerprint: bool = False) -> None:
        load_fonts(QGuiApplication.instance())
        self.node = node
        reader = FingerprintLogin(FingerprintConfig(enabled=True, simulated=True, timeout_s=0.3)) if fingerprint \
            else None
        self.rig = make_rig(node, tmp_path, alert_enabled=False, fingerprint=reader)
        self._state, self._presses = "", 0
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
        if language != self.c.language:
            self.c.set_language(language)
            self._reopen_picker()
        pump(40)

    def _reopen_picker(self) -> None:
        """A picker's options are worded when it opens (an agent cannot switch language with one open): open it
        again, so each language's own words are laid out and audited, not the first language's."""
        if self.c.picker is None:
            return
        self.c.picker = None
        if self._state == "staff_alerts":
            self.rig.vm.showAlerts()
            wait_for(lambda: self.c.picker is not None, what="the staff alerts list")
        else:
            self._picker({"picker": "transfer", "question": "call_next", "menu": "menu"}[self._state])

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

    def _staff_alert(self) -> None:
        """A kiosk's printer out of paper: the staff strip shows it on every screen."""
        self.node.client("kiosk").report_status("me", {"state": "degraded", "components": {"printer": "paper_out"}})
        wait_for(lambda: bool(self.rig.vm.staffAlerts), what="the staff alert")

    def _called(self) -> None:
        self._logged_in()
        if self.c.counter is not None and self.c.counter.paused is not None:
            self._press("pause_toggle")  # resume
        if self.c.counter is None or self.c.counter.current is None:
            kiosk = self.node.client("kiosk")
            for service in ("accounts", "accounts", "cash"):
                kiosk.issue_ticket(service)
            self._press("call_next")

    def _paused(self) -> None:
        self._logged_in()
        self.c.press("pause_toggle")  # asks why: a picker of reasons
        wait_for(lambda: self.c.picker is not None, what="pause reasons")
        self._acted(lambda: self.c.choose("lunch"), "paused")

    def _picker(self, action: str) -> None:
        # a source of its own, each time: a repeat of one source inside the double-press time would be dropped
        self._presses += 1
        self.c.press(action, f"audit:{action}:{self._presses}")
        wait_for(lambda: self.c.picker is not None, what=f"the {action} picker")

    def enter(self, state: str) -> None:
        self._state = state
        if state.endswith(("_message", "_fingerprint")) or state == "staff_alerts":
            self._staff_alert()
        if state == "login_fingerprint":
            wait_for(lambda: self.rig.vm.fingerprintEnabled and self.rig.vm.fingerprintSimulated,
                     what="the fingerprint reader")
        if state in ("login", "login_message", "login_fingerprint"):
            self.c.select_agent("alice")
            if state == "login":
                for digit in "12":
                    self.c.type_text(digit)
            else:
                self.c.login()  # no PIN typed: the message bar says so
                wait_for(lambda: bool(self.c.message), what="the missing PIN message")
        elif state in ("serving", "serving_message"):
            self._called()
            if state == "serving_message":
                self._press("recall")  # "called again (recall 1)"
        elif state in ("paused", "paused_message"):
            self._paused()
            if state == "paused_message":
                self.c.press("call_next")  # refused while paused: the message bar says why
                wait_for(lambda: bool(self.c.message), what="the paused message")
        elif state == "picker":
            self._called()
            self._picker("transfer")
        elif state == "question":
            self._called()
            self._picker("call_next")  # called, never started: no-show then next, or start serving
        elif state == "menu":
            self._called()
            self._picker("menu")
        elif state == "staff_alerts":
            self._logged_in()
            self.rig.vm.showAlerts()
            wait_for(lambda: self.c.picker is not None, what="the staff alerts list")
        pump(80)

    def close(self) -> None:
        self.rig.keypad.close()
