"""What each keypad action does before (or instead of) a node call: pickers, confirm, cancel, toggles.

A mixin of `KeypadController` (kept apart so each file stays readable); `_node()` sends the counter action,
`_open()` shows a picker whose choice continues the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent_keypad import pickers
from agent_keypad.counter import resolve_ticket
from agent_keypad.labels import POSITIONS
from agent_keypad.pickers import Option, option
from agent_keypad.words import Words
from ground.i18n import N_


@dataclass
class Picker:
    """An open choice: its title (a msgid), the options (labels untranslated: pickers.py), what choosing one does."""

    title: str
    options: list[Option]
    choose: Callable[[str], None]
    values: dict[str, str] = field(default_factory=dict)  # filled into the title (a ticket's number)
    typed: str = ""  # digits typed so far when ten options or more need two (Enter picks, or the second digit)

    def type_digit(self, digit: str) -> str | None:
        """A digit from the numeric keypad: the option's key it picks, or None while a second digit may follow
        ("1" of eleven options may be 1, 10 or 11; "2" can only be 2). A number no option has starts again."""
        for typed in (self.typed + digit, digit):
            number = int(typed)
            if 1 <= number <= len(self.options):
                if number * 10 > len(self.options):  # no option's number goes on from these digits
                    self.typed = ""
                    return self.options[number - 1]["key"]
                self.typed = typed
                return None
        self.typed = ""
        return None

    def typed_choice(self) -> str | None:
        """Enter after digits that may still go on ("1" of eleven): that option."""
        return self.options[int(self.typed) - 1]["key"] if self.typed else None


class CounterActions:
    """`_do_<action>` for every action a key or button can name (see `config.keypad.KeypadAction`)."""

    # -- actions without the node ------------------------------------------------------------------------------------

    def _do_confirm(self) -> None:
        if self.picker is not None:
            typed = self.picker.typed_choice()
            if typed is not None:
                self.choose(typed)
            elif len(self.picker.options) == 1:  # a confirmation ("Mark A-005 as no-show?"): Enter says yes
                self.choose(self.picker.options[0]["key"])
            return
        if not self.logged_in:
            if self.login_field == "agent" and self.agent_input:
                self.set_login_field("pin")
            else:
                self.login()
            return
        current = self.counter.current if self.counter else None
        if self.entry:
            self._dispatch("call_number")
        elif current is None:
            self._dispatch("call_next")
        elif current.status == "called":
            self._dispatch("start")
        else:
            self._dispatch("finish")

    def _do_cancel(self) -> None:
        if self.picker is not None:
            self.picker = None
        elif self.entry or self.pin_input:
            self.entry = self.pin_input = ""
        else:
            self.message = ""
        self.changed.emit()

    def _do_clear(self) -> None:
        if self.logged_in:
            self.entry = self.entry[:-1]
        elif self.login_field == "pin":
            self.pin_input = self.pin_input[:-1]
        else:  # a tapped name goes as a whole; a typed number a digit at a time
            self.agent_input = "" if self._agent_chosen else self.agent_input[:-1]
            self._agent_chosen = False
        self.changed.emit()

    def _do_toggle_bar(self) -> None:
        self.bar_mode = not self.bar_mode
        self.barModeChanged.emit(self.bar_mode)
        self.changed.emit()

    def _do_menu(self) -> None:
        """Before login the languages and the bar mode; after it every action by digit (pickers.menu) — on the
        screen the way to the rare ones, which have no key (issue 15)."""
        if not self.logged_in:
            self._open(N_("Menu"), pickers.login_menu(self.languages, self.language), self._login_menu_chosen)
            return
        paused = bool(self.counter and self.counter.paused)
        has_current = bool(self.counter and self.counter.current)
        self._open(N_("Menu"), pickers.menu(paused, has_current), self._dispatch)

    def _login_menu_chosen(self, key: str) -> None:
        code = key.removeprefix("lang:")
        if code != key:
            self.set_language(code)
        else:
            self._dispatch(key)

    def show_alerts(self) -> None:
        """Every staff alert in a list (the strip shows the first); choosing one just closes the list."""
        lines = self.alerts.words()
        if lines:
            self._open(N_("Staff alerts"), [option(str(i), line) for i, line in enumerate(lines)], lambda _key: None)

    def _open(self, title: str, options: list[Option], choose: Callable[[str], None],
              **values: str) -> None:
        if not options:
            self._say("queue_empty" if title == N_("Parked tickets") else "no_current_ticket", error=True)
            return
        self.picker = Picker(title, options, choose, values)
        self.changed.emit()

    # -- node actions ------------------------------------------------------------------------------------------------

    def _ask_if_unserved(self, then: str) -> bool:
        """Called but never started: calling another ticket would record it as served with no outcome (the node
        releases it) — ask instead, whether the next one comes from the queue or from a typed number."""
        current = self.counter.current if self.counter else None
        if current is None or current.status != "called":
            return False
        self._open(N_("Ticket {number} was called but not served"), [
            option("no_show_next", Words(N_("Did not come: no-show, then next"))),
            option("start", Words(N_("Here: start serving"))),
        ], lambda choice: self._after_unserved(choice, then), number=current.number)
        return True

    def _do_call_next(self) -> None:
        if not self._ask_if_unserved("call_next"):
            self._node("call_next", "call-next")

    def _after_unserved(self, choice: str, then: str = "call_next") -> None:
        if choice == "no_show_next":
            self._then = then
            self._node("no_show", "no-show")
        else:
            self._dispatch("start")

    def _do_call_number(self) -> None:
        services = self.counter.services if self.counter else ()
        ref, problem = resolve_ticket(self.entry, self.state.get("waiting") or [], services)
        if ref is None:
            self._say(problem, error=True)
            return
        if not self._ask_if_unserved("call_number"):
            self._node("call_number", "call", {"ticket": ref})

    def _do_recall(self) -> None:
        self._node("recall", "recall")

    def _do_start(self) -> None:
        self._node("start", "start")

    def _do_no_show(self) -> None:
        """One more tap: a no-show sends the customer away for good (and counts against them)."""
        if self.picker is not None and self.picker.title == N_("Mark ticket {number} as no-show?"):
            self.choose("yes")  # the no-show key pressed again confirms
            return
        number = self.counter.current.number if self.counter and self.counter.current else ""
        self._open(N_("Mark ticket {number} as no-show?"), [
            option("yes", Words(N_("Yes: no-show"))),
        ], lambda _choice: self._node("no_show", "no-show"), number=number)

    def _do_park(self) -> None:
        self._node("park", "park")

    def _do_resume(self) -> None:
        self._node("resume", "resume")

    def _do_pause(self) -> None:
        self._open(N_("Pause reason"), pickers.pause_reasons(self.state),
                   lambda reason: self._node("pause", "pause", {"reason": reason}))

    def _do_pause_toggle(self) -> None:
        self._dispatch("resume" if self.counter and self.counter.paused else "pause")

    def _do_finish(self) -> None:
        if self.settings.default_outcome:
            self._node("finish", "finish", {"outcome": self.settings.default_outcome})
            return
        self._open(N_("Outcome"), pickers.outcomes(self.state),
                   lambda outcome: self._node("finish", "finish", {"outcome": outcome}))

    def _do_transfer(self) -> None:
        targets = pickers.transfer_targets(self.state, self.counter_id)

        def target_chosen(target: str) -> None:
            kind, _, ident = target.partition(":")
            target_label = next((o["label"] for o in targets if o["key"] == target), ident)

            def position_chosen(position: str) -> None:
                where = Words(POSITIONS[position], lower=True)  # the picker offers POSITIONS only
                # TRANSLATORS: where a ticket went: a service or counter, then where in its queue (lower case)
                self._transfer_to = Words(N_("{target} ({position})"), {"target": target_label, "position": where})
                self._node("transfer", "transfer", {kind: ident, "position": position})

            self._open(N_("Where in the queue?"), pickers.positions(), position_chosen)

        self._open(N_("Transfer to"), targets, target_chosen)

    def _do_return_parked(self) -> None:
        def ticket_chosen(ticket: str) -> None:
            self._open(N_("Where in the queue?"), pickers.positions(),
                       lambda position: self._node("return_parked", "return", {"ticket": ticket, "position": position}))

        services = self.counter.services if self.counter else ()
        if self.entry:
            ref, problem = resolve_ticket(self.entry, self.state.get("parked") or [], services)
            if ref is None:
                self._say(problem, error=True)
                return
            ticket_chosen(ref)
            return
        self._open(N_("Parked tickets"), pickers.parked(self.state, services), ticket_chosen)
