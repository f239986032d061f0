"""What the keypad does, without the QML surface: login, counter actions, pickers, session and link state.

Threads: every node call goes through one `TaskRunner` worker (`sq-keypad`), so requests and their answers are
applied in the order they were made and a stale counter view never overwrites a newer one. Events come from
`EventFeed` (its own reader thread), queued to the GUI thread. Nothing here blocks the GUI thread.

Double presses: a press of the same key or button within `double_press_ms` is dropped, a node action is refused
while another one is in flight, and each press carries one Idempotency-Key that the client's retries reuse, so a
bounced key never calls two tickets.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from agent_keypad.actions import CounterActions, Picker
from agent_keypad.alert import IdleAlert
from agent_keypad.counter import CounterInfo
from agent_keypad.fingerprint import FingerprintLogin
from agent_keypad.labels import error_words
from agent_keypad.memory import AgentMemory
from agent_keypad.reads import CoalescedRead
from agent_keypad.staff import StaffAlerts
from agent_keypad.words import Text, Words
from appkit.feed import EventFeed
from appkit.tasks import TaskRunner
from config.keypad import KeypadConfig
from ground.i18n import N_
from nodeclient.client import NodeClient, NodeError, NodeUnavailable

log = logging.getLogger(__name__)

#: Error codes meaning the agent's session is over: back to the login screen with the reason.
SESSION_OVER = frozenset({"session_ended", "session_idle", "session_invalid", "not_logged_in", "agent_required"})
NODE_ACTIONS = frozenset({"call_next", "call_number", "recall", "start", "finish", "no_show", "transfer", "park",
                          "return_parked", "pause", "resume", "pause_toggle", "logout"})
DONE_MESSAGES = {
    "park": N_("Ticket {number} parked."), "no_show": N_("Ticket {number} marked as no-show."),
    "return_parked": N_("Ticket returned to the queue."),
}
STATE_RETRY_MS = 2000
ENTRY_MAX = 8


class KeypadController(CounterActions, QObject):
    """The keypad's behaviour; `KeypadViewModel` adds the QML properties and slots on top."""

    changed = Signal()  # any displayed value changed
    tick = Signal()  # once a second while a ticket is at the counter (its timer)
    loggedInChanged = Signal(bool)
    actionDone = Signal(str)
    actionFailed = Signal(str, str)
    sessionEnded = Signal(str)
    counterUpdated = Signal()
    barModeChanged = Signal(bool)
    languageSwitched = Signal(str)

    def __init__(self, client: NodeClient, counter_id: str, settings: KeypadConfig, runner: TaskRunner,
                 feed: EventFeed, *, language: str = "fr", languages: tuple[str, ...] = ("fr", "en", "ar"),
                 alert: IdleAlert | None = None, fingerprint: FingerprintLogin | None = None,
                 memory: AgentMemory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client, self.counter_id, self.settings = client, counter_id, settings
        self.runner, self.feed, self.alert, self.fingerprint = runner, feed, alert, fingerprint
        self.memory = memory or AgentMemory(None, 0)
        self.language, self.languages = language, languages
        self.bar_mode = settings.bar_mode
        self.my_figures: dict[str, Any] | None = None  # GET /agents/me/today
        self.allowed_agents: list[dict[str, Any]] = []  # who may log in here (GET /counters/{id}/agents)
        self.alerts = StaffAlerts()
        self._then: str | None = None  # an action to run once the current one succeeded (no-show, then next)
        self._transfer_to: Text = ""  # where the last transfer went, in words
        self.state: dict[str, Any] = {}
        self.counter: CounterInfo | None = None
        self.agent: str | None = None
        self.agent_name = ""
        self.agent_client: NodeClient | None = None
        self.busy = False
        self.picker: Picker | None = None
        self.entry = ""  # ticket number typed at the counter
        # Who logs in is never assumed: the agents remembered here are offered first (one tap), but nothing is
        # preselected, so digits typed first are always an agent number, never a PIN for the last agent.
        self.agent_input, self.pin_input, self.login_field = "", "", "agent"
        self._agent_chosen = False  # agent_input holds a tapped name's id: typing starts a new number
        # the message bar: kept untranslated (a msgid and its values), worded when shown, so it follows the language
        self.message: Text = ""
        self.message_is_error = False
        self.unreachable = False
        self._head_seq: int | None = None
        self._last_press: tuple[str, float] = ("", 0.0)  # a double press: the same key twice in a row, fast
        self._started = False
        self._counter_read = CoalescedRead(runner, lambda: client.counter(counter_id), self._counter_arrived,
                                           self._read_failed)
        self._state_read = CoalescedRead(runner, client.state, self._state_arrived, self._read_failed)
        self._alerts_read = CoalescedRead(runner, client.staff_alerts, self._alerts_arrived, self._alerts_failed)
        self._figures_read: CoalescedRead | None = None
        self._expiry = self._timer(True, self._session_expired)
        self._idle = self._timer(True, self._idle_timeout)
        self._state_retry = self._timer(True, self.start, STATE_RETRY_MS)
        self._ticker = self._timer(False, self.tick.emit, 1000)
        self._alerts_timer = self._timer(False, self._refresh_alerts, int(settings.alerts_refresh_s * 1000))
        feed.event.connect(self._on_event)
        feed.connectedChanged.connect(self._on_connected)
        if alert is not None:
            alert.activeChanged.connect(lambda _active: self.changed.emit())
        if fingerprint is not None:
            fingerprint.matched.connect(self._fingerprint_login)
            fingerprint.rejected.connect(self._fingerprint_rejected)
            fingerprint.stateChanged.connect(lambda _state: self.changed.emit())

    def _timer(self, single: bool, slot: Callable[[], None], interval: int = 0) -> QTimer:
        timer = QTimer(self, singleShot=single, interval=interval)
        timer.timeout.connect(slot)
        return timer

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Read the state (for the event cursor), then follow events. Retried while the node is unreachable."""
        self.runner.submit(self.client.state, on_done=self._started_with, on_error=self._start_failed)

    def _started_with(self, state: dict[str, Any]) -> None:
        self.state = state
        if self._started:
            return
        self._started = True
        self._head_seq = int(state.get("seq") or 0)
        self.feed.start(self._head_seq)  # the agent's figures come from the node (GET /agents/me/today)
        self._refresh_counter()
        self._refresh_alerts()
        self._alerts_timer.start()
        self.runner.submit(lambda: self.client.counter_agents(self.counter_id), on_done=self._agents_arrived,
                           on_error=lambda err: log.info("agents of counter %s unavailable: %s", self.counter_id, err))
        if self.fingerprint is not None:
            self.fingerprint.start()

    def _start_failed(self, err: BaseException) -> None:
        self._failed_call(err)
        self._state_retry.start()

    def stop(self) -> None:
        """Stop timers and the feed; the composition root shuts the runners down afterwards."""
        for timer in (self._expiry, self._idle, self._state_retry, self._ticker, self._alerts_timer):
            timer.stop()
        if self.fingerprint is not None:
            self.fingerprint.stop()
        self.feed.stop()

    # -- derived values ----------------------------------------------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self.agent_client is not None

    @property
    def online(self) -> bool:
        return self.feed.connected and not self.unreachable

    def can(self, action: str) -> bool:
        """Whether a button for `action` is enabled now (QML binds to this through `enabled`)."""
        if action in ("toggle_bar", "menu", "cancel", "clear", "confirm"):
            return True
        if not self.online or self.busy:
            return False
        if action == "login":
            return not self.logged_in
        if not self.logged_in or self.counter is None:
            return False
        current, paused = self.counter.current, self.counter.paused is not None
        rules = {
            "call_next": not paused, "call_number": not paused and bool(self.entry), "logout": True,
            "recall": current is not None and current.status == "called",
            "start": current is not None and current.status == "called",
            "finish": current is not None, "no_show": current is not None and current.status == "called",
            "transfer": current is not None, "park": current is not None,
            "return_parked": bool(self.state.get("parked")), "pause": not paused, "resume": paused,
            "pause_toggle": True,
        }
        return rules.get(action, False)

    # -- input -----------------------------------------------------------------------------------------------------

    def press(self, action: str, source: str = "") -> None:
        """A key or button: the one entry point, so keys, mouse and touch behave alike."""
        now = time.monotonic()
        source = source or f"button:{action}"
        last_source, last_time = self._last_press
        self._last_press = (source, now)
        if source == last_source and (now - last_time) * 1000 < self.settings.double_press_ms:
            log.info("ignored a double press of %s", source)
            return
        self._touch()
        self._dispatch(action)

    def _dispatch(self, action: str) -> None:
        """Run an action (a press, or the action a confirm, menu or toggle resolved to)."""
        handler = getattr(self, f"_do_{action}", None)
        if handler is None:
            log.warning("unknown keypad action %r", action)
            return
        if action in NODE_ACTIONS and not (self._ready_for_node(action) and self._allowed(action)):
            return
        handler()

    def type_text(self, text: str) -> None:
        """A digit or letter from the keypad, keyboard or on-screen pad."""
        self._touch()
        self._last_press = ("", 0.0)
        if self.picker is not None:
            if text.isdigit() and len(text) == 1:
                key = self.picker.type_digit(text)
                if key is not None:
                    self.choose(key)
                else:
                    self.changed.emit()  # the digits typed so far are shown in the title
            return
        if not self.logged_in:
            if self.login_field == "pin":
                if text.isdigit() and len(self.pin_input) < 12:
                    self.pin_input += text
            elif self._agent_chosen:
                self.agent_input, self._agent_chosen = text, False
            elif len(self.agent_input) < 64:
                self.agent_input += text
        elif len(self.entry) < ENTRY_MAX:
            self.entry += text.upper()
        self.changed.emit()

    def choose(self, key: str) -> None:
        """An option of the open picker."""
        picker, self.picker = self.picker, None
        self.changed.emit()
        if picker is not None and any(o["key"] == key for o in picker.options):
            picker.choose(key)

    def select_agent(self, agent: str) -> None:
        self.agent_input, self.pin_input, self.login_field = agent, "", "pin"
        self._agent_chosen = True
        self.changed.emit()

    def set_login_field(self, field: str) -> None:
        if field in ("agent", "pin"):
            self.login_field = field
            self.changed.emit()

    def set_language(self, language: str) -> None:
        if language != self.language and language in self.languages:
            self.language = language
            self.languageSwitched.emit(language)
            self.changed.emit()

    def _touch(self) -> None:
        if self.logged_in and self.settings.idle_logout_minutes:
            self._idle.start(self.settings.idle_logout_minutes * 60_000)

    def _ready_for_node(self, action: str) -> bool:
        if not self.online:
            self._say("node_unavailable", error=True)
            return False
        if self.busy:
            return False
        return self.logged_in or action == "login"

    def _allowed(self, action: str) -> bool:
        """Refuse here what the node would refuse anyway, with the same words and without a request."""
        if self.can(action):
            return True
        counter = self.counter
        if counter is not None and counter.paused and action in ("call_next", "call_number"):
            self._say("counter_paused", error=True)
        elif counter is not None and counter.current is None and action not in ("call_number", "return_parked"):
            self._say("no_current_ticket", error=True)
        elif action == "return_parked":
            self._say("ticket_not_parked", error=True)
        return False

    def _node(self, action: str, endpoint: str, body: dict[str, Any] | None = None) -> None:
        """One counter action: one Idempotency-Key for the press; the answer's counter view is shown at once."""
        if self.busy or self.agent_client is None:
            return
        self.busy = True
        self.changed.emit()
        number = self.counter.current.number if self.counter and self.counter.current else ""
        agent, key = self.agent_client, str(uuid.uuid4())  # one key per press: the client's retries reuse it
        self.runner.submit(lambda: agent.counter_action(self.counter_id, endpoint, body, idempotency_key=key),
                           on_done=lambda answer: self._action_done(action, number, answer),
                           on_error=lambda err: self._action_failed(action, err))

    def _action_done(self, action: str, number: str, answer: dict[str, Any]) -> None:
        self.busy, self.unreachable = False, False
        if action == "call_number":
            self.entry = ""
        self.message, self.message_is_error = self._done_message(action, number, answer), False
        self._apply_counter(answer["counter"])
        self.actionDone.emit(action)
        if action in ("park", "return_parked", "transfer"):
            self._refresh_state()
        if action in ("finish", "no_show", "call_next", "call_number"):
            self._refresh_figures()
        then, self._then = self._then, None
        if then is not None and action == "no_show":
            self._dispatch(then)

    def _done_message(self, action: str, number: str, answer: dict[str, Any]) -> Text:
        """What the agent reads after an action: where a transfer went, how many times a ticket was recalled."""
        if action == "transfer":
            return Words(N_("Ticket {number} transferred to {target}."),
                         {"number": number, "target": self._transfer_to})
        if action == "recall":
            current = (answer.get("counter") or {}).get("current") or {}
            if current.get("number") != number:  # the recall limit: the node marked the ticket no-show instead
                return Words(DONE_MESSAGES["no_show"], {"number": number})
            recalls = int(current.get("recalls") or 0)
            return Words(N_("Ticket {number} called again (recall {count})."), {"number": number, "count": recalls})
        done = DONE_MESSAGES.get(action)
        return Words(done, {"number": number}) if done else ""

    def _action_failed(self, action: str, err: BaseException) -> None:
        self.busy = False
        self._then = None
        code = self._failed_call(err)
        self.actionFailed.emit(action, code)
        self._refresh_counter()  # whatever happened on the node, show it

    def _failed_call(self, err: BaseException) -> str:
        """Translate a failed node call once, here; returns its code."""
        if isinstance(err, NodeUnavailable):
            self.unreachable = True
            self._say("node_unavailable", error=True)
            return err.code
        if isinstance(err, NodeError):
            if err.code in SESSION_OVER and self.logged_in:
                self.end_session(err.code)
            else:
                self._say(err.code, error=True, fallback=err.message)
            return err.code
        log.error("keypad call failed unexpectedly", exc_info=err)
        self._say("internal", error=True, fallback=str(err))
        return "internal"

    # -- login and session -------------------------------------------------------------------------------------------

    def login(self) -> None:
        if not self._ready_for_node("login") or self.logged_in:
            return
        agent, pin = self.agent_input.strip(), self.pin_input
        if not agent or not pin:
            self.login_field = "agent" if not agent else "pin"
            self._say("agent_required" if not agent else "credentials_required", error=True)
            return
        self._submit_login(lambda: self.client.login(agent, pin=pin))

    def _fingerprint_login(self, slot: int) -> None:
        if self.logged_in or not self.online:
            return
        self._submit_login(lambda: self.client.login(fingerprint_slot=slot))

    def _submit_login(self, call: Callable[[], dict[str, Any]]) -> None:
        self.busy = True
        self.changed.emit()
        self.runner.submit(call, on_done=self._logged_in, on_error=self._login_failed)

    def _logged_in(self, answer: dict[str, Any]) -> None:
        self.busy, self.unreachable = False, False
        self.agent_client = self.client.with_token(answer["session"])
        self.agent, self.agent_name = answer["agent"], answer.get("agent_name") or answer["agent"]
        self.memory.remember(self.agent)
        self.agent_input, self.pin_input, self.entry, self.message = self.agent, "", "", ""
        # the session's length by the node's clock: this keypad's own clock may be minutes off
        node_now = int(answer.get("now_ms") or time.time() * 1000)
        remaining = int(answer["expires_at_ms"] - node_now)
        self._expiry.start(max(1000, min(remaining, 2**31 - 1)))
        self._touch()
        if self.fingerprint is not None:
            self.fingerprint.stop()
        agent_client = self.agent_client
        self._figures_read = CoalescedRead(self.runner, agent_client.my_day, self._figures_arrived,
                                           lambda err: log.info("figures unavailable: %s", err))
        self._refresh_counter()
        self._refresh_state()
        self._refresh_figures()
        self.loggedInChanged.emit(True)
        self.changed.emit()

    def _login_failed(self, err: BaseException) -> None:
        self.busy = False
        self.pin_input = ""
        self._failed_call(err)
        if self.fingerprint is not None:
            self.fingerprint.start()
        self.changed.emit()

    def _do_logout(self) -> None:
        if self.agent_client is None:
            return
        self.busy = True
        self.changed.emit()
        self.runner.submit(self.agent_client.logout, on_done=lambda _: self._logged_out(),
                           on_error=lambda err: self._action_failed("logout", err))

    def _logged_out(self) -> None:
        self.busy = False
        self.end_session("")
        self.actionDone.emit("logout")

    def end_session(self, code: str) -> None:
        """Back to the login screen; `code` says why (empty for an ordinary logout)."""
        client, self.agent_client = self.agent_client, None
        if client is not None:
            self.runner.submit(client.close)  # after any call still queued with it
        self._expiry.stop()
        self._idle.stop()
        self._ticker.stop()
        self.agent = None
        self._figures_read, self._then, self.my_figures = None, None, None
        # the next person at the counter may be someone else: nobody preselected (see __init__)
        self.picker, self.entry, self.pin_input, self.login_field = None, "", "", "agent"
        self.agent_input, self._agent_chosen = "", False
        self.message, self.message_is_error = (error_words(code), True) if code else ("", False)
        self._update_alert()
        if self.fingerprint is not None:
            self.fingerprint.start()
        if code:
            self.sessionEnded.emit(code)
        self.loggedInChanged.emit(False)
        self.changed.emit()

    def _session_expired(self) -> None:
        if self.logged_in:
            self.end_session("session_expired")

    def _idle_timeout(self) -> None:
        if not self.logged_in:
            return
        if (self.counter is not None and self.counter.current is not None) or not self.online:
            self._touch()  # a customer is at the counter, or we cannot tell the node: keep the session
            return
        self.runner.submit(self.agent_client.logout, on_done=lambda _: self.end_session("idle_logout"),
                           on_error=lambda _err: self.end_session("idle_logout"))

    # -- node state and events ---------------------------------------------------------------------------------------

    def _refresh_counter(self) -> None:
        self._counter_read.request()

    def _check_session(self) -> None:
        """Read the counter with the agent's own session: a login elsewhere revoked it if the node says 401.

        Only on login/logout events of this counter or agent, so it does not keep an idle session alive.
        """
        if self.agent_client is not None:
            self.runner.submit(self.agent_client.counter, self.counter_id, on_done=self._counter_arrived,
                               on_error=self._read_failed)

    def _refresh_state(self) -> None:
        self._state_read.request()

    def _state_arrived(self, state: dict[str, Any]) -> None:
        self.unreachable = False
        self.state = state
        self.changed.emit()

    def _counter_arrived(self, view: dict[str, Any]) -> None:
        self.unreachable = False
        self._apply_counter(view)

    def _read_failed(self, err: BaseException) -> None:
        self._failed_call(err)
        self.changed.emit()

    def _apply_counter(self, view: dict[str, Any]) -> None:
        self.counter = CounterInfo.from_view(view)
        if self.logged_in and self.counter.agent != self.agent:
            self.end_session("session_ended")  # logged out elsewhere, or another agent took the counter
        if self.logged_in and self.counter.current is not None:
            self._ticker.start()
        else:
            self._ticker.stop()
        self._update_alert()
        self.counterUpdated.emit()
        self.changed.emit()

    def _update_alert(self) -> None:
        if self.alert is None:
            return
        counter = self.counter
        idle = (self.logged_in and counter is not None and counter.paused is None and counter.current is None
                and counter.waiting > 0)
        self.alert.set_condition(idle)

    def _on_event(self, envelope: dict[str, Any]) -> None:
        if envelope.get("ephemeral"):
            data = envelope.get("data") or {}
            if envelope.get("type") == "DeviceStatusChanged":
                self._refresh_alerts()
                return
            if envelope.get("type") == "CallShown" and data.get("counter") == self.counter_id and self.counter:
                self.counter = self.counter.with_shown(data.get("ticket_id", ""), int(data.get("recalls") or 0),
                                                       int(data.get("shown_on") or 0), int(data.get("displays") or 0))
                self.changed.emit()
            return
        if self._head_seq is None or int(envelope.get("seq") or 0) <= self._head_seq:
            return
        self._refresh_counter()  # the node's view is the truth; events only say when to look
        data = envelope.get("data") or {}
        if envelope.get("type") in ("AgentLoggedIn", "AgentLoggedOut") and self.logged_in and (
                data.get("counter") == self.counter_id or data.get("agent") == self.agent):
            self._check_session()
        if envelope.get("type") in ("TicketParked", "TicketReturned", "TicketIssued", "TicketTransferred"):
            self._refresh_state()
        if envelope.get("type") == "BusinessDayStarted":
            self._refresh_figures()

    def _on_connected(self, connected: bool) -> None:
        if connected:
            self.unreachable = False
            if self.message == error_words("node_unavailable"):
                self.message = ""
            self._refresh_counter()
            self._refresh_state()
            self._refresh_alerts()
            self._refresh_figures()
        self._update_alert()
        self.changed.emit()

    # -- staff-only reads: who may log in, the agent's day, device alerts -----------------------------------------

    def _agents_arrived(self, answer: dict[str, Any]) -> None:
        self.allowed_agents = list(answer.get("agents") or [])
        self.changed.emit()

    def _refresh_figures(self) -> None:
        if self._figures_read is not None:
            self._figures_read.request()

    def _figures_arrived(self, day: dict[str, Any]) -> None:
        if self.logged_in and day.get("agent") == self.agent:
            self.my_figures = day
            self.changed.emit()

    def _refresh_alerts(self) -> None:
        self._alerts_read.request()

    def _alerts_arrived(self, answer: dict[str, Any]) -> None:
        if self.alerts.update(answer.get("alerts") or []):
            self.changed.emit()

    def _alerts_failed(self, err: BaseException) -> None:
        log.info("staff alerts unavailable: %s", err)  # the link banner already says when the node is gone

    def _fingerprint_rejected(self) -> None:
        """An unknown finger matters only on the login screen; once logged in, the reader is not asking."""
        if not self.logged_in:
            self._say("fingerprint_unknown", error=True)

    def _say(self, code: str, *, error: bool, fallback: str = "") -> None:
        self.message, self.message_is_error = error_words(code, fallback), error
        self.changed.emit()
