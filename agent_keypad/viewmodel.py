"""The QML surface of the keypad: camelCase properties (all notified by `changed`) and slots.

QML only binds to these and calls the slots; every decision is in `KeypadController`. Words computed here are
translated with the same catalogs as QML's qsTr (ground.i18n), and numbers use the language's digits. Nothing is
translated ahead: the controller keeps messages and picker options as msgids with their values (words.py), worded
here each time QML reads them, so a language switch (which emits `changed`) re-words everything on screen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Property, QObject, Signal, Slot

from agent_keypad.counter import CurrentTicket
from agent_keypad.labels import FINGERPRINT_STATES, PAUSE_REASONS, error_text, label
from agent_keypad.logic import KeypadController
from agent_keypad.staff import SHORT_NAME
from agent_keypad.words import render
from ground.i18n import N_, Formatter, is_rtl, ngettext, translate

STATUS = {"called": N_("Called"), "serving": N_("Serving")}


class KeypadViewModel(QObject):
    """Exposed to QML as `vm`; reads and drives one `KeypadController` (`self.controller`)."""

    changed = Signal()
    tick = Signal()

    def __init__(self, controller: KeypadController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        controller.changed.connect(self.changed)
        controller.tick.connect(self.tick)
        controller.changed.connect(self.tick)  # a new ticket restarts its timer text at once

    def _t(self, msgid: str, **values: object) -> str:
        return translate(self.controller.language, msgid, **values)

    def _fmt(self) -> Formatter:
        return Formatter(self.controller.language)

    # -- slots -----------------------------------------------------------------------------------------------------

    @Slot(str)
    @Slot(str, str)
    def press(self, action: str, source: str = "") -> None:
        self.controller.press(action, source)

    @Slot(str)
    def typeText(self, text: str) -> None:
        self.controller.type_text(text)

    @Slot(str)
    def choose(self, key: str) -> None:
        self.controller.choose(key)

    @Slot(str)
    def selectAgent(self, agent: str) -> None:
        self.controller.select_agent(agent)

    @Slot(str)
    def setLoginField(self, field: str) -> None:
        self.controller.set_login_field(field)

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        self.controller.set_language(language)

    @Slot()
    def simulateFinger(self) -> None:
        if self.controller.fingerprint is not None:
            self.controller.fingerprint.simulate_touch()

    @Slot(str, result=bool)
    def can(self, action: str) -> bool:
        return self.controller.can(action)

    # -- screen, language, link ------------------------------------------------------------------------------------

    def _screen(self) -> str:
        return "counter" if self.controller.logged_in else "login"

    def _language(self) -> str:
        return self.controller.language

    def _rtl(self) -> bool:
        return is_rtl(self.controller.language)

    def _languages(self) -> list[str]:
        return list(self.controller.languages)

    def _online(self) -> bool:
        return self.controller.online

    def _offline_text(self) -> str:
        return "" if self.controller.online else error_text(self.controller.language, "node_unavailable")

    def _busy(self) -> bool:
        return self.controller.busy

    def _message(self) -> str:
        return render(self.controller.language, self.controller.message)

    def _message_is_error(self) -> bool:
        return self.controller.message_is_error

    def _bar(self) -> bool:
        return self.controller.bar_mode

    def _enabled(self) -> dict[str, bool]:
        names = ("call_next", "call_number", "recall", "start", "finish", "no_show", "transfer", "park",
                 "return_parked", "pause", "resume", "pause_toggle", "logout", "login", "menu", "confirm", "cancel",
                 "clear", "toggle_bar")
        return {name: self.controller.can(name) for name in names}

    screen = Property(str, _screen, notify=changed)
    lang = Property(str, _language, notify=changed)
    rtl = Property(bool, _rtl, notify=changed)
    languageList = Property(list, _languages, notify=changed)
    isOnline = Property(bool, _online, notify=changed)
    offlineText = Property(str, _offline_text, notify=changed)
    isBusy = Property(bool, _busy, notify=changed)
    messageText = Property(str, _message, notify=changed)
    messageIsError = Property(bool, _message_is_error, notify=changed)
    barMode = Property(bool, _bar, notify=changed)
    enabled = Property("QVariantMap", _enabled, notify=changed)

    # -- login -----------------------------------------------------------------------------------------------------

    def _agent_input(self) -> str:
        """The agent as typed or chosen: a chosen agent shows by name."""
        chosen = next((a for a in self.controller.allowed_agents if a["id"] == self.controller.agent_input), None)
        return (chosen.get("name") or chosen["id"]) if chosen else self.controller.agent_input

    def _pin_mask(self) -> str:
        return "●" * len(self.controller.pin_input)

    def _login_field(self) -> str:
        return self.controller.login_field

    def _recent(self) -> list[str]:
        return list(self.controller.memory.ids)

    def _fp_enabled(self) -> bool:
        return self.controller.fingerprint is not None

    def _fp_simulated(self) -> bool:
        return self.controller.fingerprint is not None and self.controller.fingerprint.simulator is not None

    def _fp_text(self) -> str:
        if self.controller.fingerprint is None:
            return ""
        return label(self.controller.language, FINGERPRINT_STATES, self.controller.fingerprint.state)

    agentInput = Property(str, _agent_input, notify=changed)
    pinMask = Property(str, _pin_mask, notify=changed)
    loginField = Property(str, _login_field, notify=changed)
    recentAgents = Property(list, _recent, notify=changed)
    fingerprintEnabled = Property(bool, _fp_enabled, notify=changed)
    fingerprintSimulated = Property(bool, _fp_simulated, notify=changed)
    fingerprintText = Property(str, _fp_text, notify=changed)

    # -- counter ---------------------------------------------------------------------------------------------------

    def _agent_name(self) -> str:
        return self.controller.agent_name if self.controller.logged_in else ""

    def _current(self) -> CurrentTicket | None:
        """The ticket at this counter now, or None."""
        counter = self.controller.counter
        return counter.current if counter else None

    def _counter_name(self) -> str:
        counter = self.controller.counter
        return counter.name(self.controller.language) if counter else self.controller.counter_id

    def _paused(self) -> bool:
        return bool(self.controller.counter and self.controller.counter.paused)

    def _paused_text(self) -> str:
        if not (self.controller.counter and self.controller.counter.paused):
            return ""
        reason = label(self.controller.language, PAUSE_REASONS, self.controller.counter.paused)
        return self._t(N_("Paused: {reason}"), reason=reason)

    def _has_current(self) -> bool:
        return bool(self._current())

    def _number(self) -> str:
        current = self._current()
        return current.number if current else ""

    def _status(self) -> str:
        current = self._current()
        return current.status if current else ""

    def _status_text(self) -> str:
        status = self._status()
        return self._t(STATUS[status]) if status in STATUS else status

    def _waited_text(self) -> str:
        current = self._current()
        waited = current.waited_s if current else None
        if waited is None:
            return ""
        return self._t(N_("Waited {duration}"), duration=self._fmt().duration(waited))

    def _elapsed_text(self) -> str:
        current = self._current()
        if current is None or current.called_ms is None:
            return ""
        seconds = max(0, int(time.time() - current.called_ms / 1000))
        minutes, seconds = divmod(seconds, 60)
        return self._fmt().digits(f"{minutes:02d}:{seconds:02d}")

    def _shown_text(self) -> str:
        current = self._current()
        if current is None:
            return ""
        if not current.displays:
            return self._t(N_("No display connected"))
        fmt = self._fmt()
        return self._t(N_("Shown on {shown} of {displays} displays"), shown=fmt.number(current.shown_on),
                       displays=fmt.number(current.displays))

    def _shown_ok(self) -> bool:
        current = self._current()
        return bool(current and current.displays and current.shown_on >= current.displays)

    def _waiting(self) -> int:
        return self.controller.counter.waiting if self.controller.counter else 0

    def _waiting_text(self) -> str:
        count = self._waiting()
        text = ngettext(self.controller.language, "{count} customer waiting", "{count} customers waiting", count)
        return text.format(count=self._fmt().number(count))

    def _entry(self) -> str:
        return self.controller.entry

    def _alert(self) -> bool:
        return bool(self.controller.alert and self.controller.alert.active)

    agentName = Property(str, _agent_name, notify=changed)
    counterName = Property(str, _counter_name, notify=changed)
    paused = Property(bool, _paused, notify=changed)
    pausedText = Property(str, _paused_text, notify=changed)
    hasCurrent = Property(bool, _has_current, notify=changed)
    currentNumber = Property(str, _number, notify=changed)
    currentStatus = Property(str, _status, notify=changed)
    currentStatusText = Property(str, _status_text, notify=changed)
    waitedText = Property(str, _waited_text, notify=changed)
    elapsedText = Property(str, _elapsed_text, notify=tick)
    shownText = Property(str, _shown_text, notify=changed)
    shownOk = Property(bool, _shown_ok, notify=changed)
    waitingCount = Property(int, _waiting, notify=changed)
    waitingText = Property(str, _waiting_text, notify=changed)
    entryText = Property(str, _entry, notify=changed)
    alertActive = Property(bool, _alert, notify=changed)

    # -- figures and pickers ---------------------------------------------------------------------------------------

    def _figures_text(self) -> str:
        """The agent's day, as the node counts it (GET /agents/me/today)."""
        day = self.controller.my_figures or {}
        fmt = self._fmt()
        served, no_shows, average = int(day.get("served") or 0), int(day.get("no_shows") or 0), \
            day.get("average_service_s")
        text = self._t(N_("Served today: {served}"), served=fmt.number(served))
        if average is not None:
            text += " · " + self._t(N_("average {duration}"), duration=fmt.duration(average, length="short"))
        if no_shows:
            text += " · " + self._t(N_("no-shows: {count}"), count=fmt.number(no_shows))
        return text

    def _served(self) -> int:
        return int((self.controller.my_figures or {}).get("served") or 0)

    def _alert_lines(self) -> list[str]:
        return self.controller.alerts.lines(self.controller.language)

    def _alerts_urgent(self) -> bool:
        return self.controller.alerts.urgent

    def _alert_summary(self) -> str:
        """The strip's one line: the most urgent alert, and how many more (tap the strip for all of them)."""
        lines = self.controller.alerts.lines(self.controller.language, SHORT_NAME)  # one line: long names cut
        if not lines:
            return ""
        more = len(lines) - 1
        return lines[0] + (f"  (+{self._fmt().number(more)})" if more else "")

    @Slot()
    def showAlerts(self) -> None:
        self.controller.show_alerts()

    def _login_agents(self) -> list[dict[str, str]]:
        """Agents allowed at this counter, those who logged in here recently first: tap a name, then the PIN."""
        recent = {agent: i for i, agent in enumerate(self.controller.memory.ids)}
        ordered = sorted(self.controller.allowed_agents,
                         key=lambda a: (recent.get(a["id"], 99), a.get("name") or a["id"]))
        fmt = self._fmt()
        return [{"id": a["id"], "name": a.get("name") or a["id"],
                 "number": fmt.digits(a["number"]) if a.get("number") else ""} for a in ordered]

    def _picker_open(self) -> bool:
        return self.controller.picker is not None

    def _picker_title(self) -> str:
        picker = self.controller.picker
        if picker is None:
            return ""
        title = self._t(picker.title, **picker.values)
        return f"{title} · {self._fmt().digits(picker.typed)}…" if picker.typed else title

    def _picker_options(self) -> list[dict[str, str]]:
        if self.controller.picker is None:
            return []
        language, fmt = self.controller.language, self._fmt()
        return [{"key": option["key"], "label": render(language, option["label"]),
                 "hint": fmt.digits(str(i + 1))}
                for i, option in enumerate(self.controller.picker.options)]

    figuresText = Property(str, _figures_text, notify=changed)
    staffAlerts = Property(list, _alert_lines, notify=changed)
    staffAlertSummary = Property(str, _alert_summary, notify=changed)
    staffAlertsUrgent = Property(bool, _alerts_urgent, notify=changed)
    loginAgents = Property(list, _login_agents, notify=changed)
    servedToday = Property(int, _served, notify=changed)
    pickerOpen = Property(bool, _picker_open, notify=changed)
    pickerTitle = Property(str, _picker_title, notify=changed)
    pickerOptions = Property(list, _picker_options, notify=changed)
