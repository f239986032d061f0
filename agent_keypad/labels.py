"""Words the agent reads, keyed by stable ids: node error codes, pause reasons, outcomes, positions, states.

The node answers with stable codes (STYLE.md habit 6: translated once, here, at the boundary); a code or id this
table does not know is shown as the node's own English message or the raw id, never hidden.
"""

from __future__ import annotations

from agent_keypad.words import Text, Words, render
from ground.i18n import N_

ERRORS: dict[str, str] = {
    "queue_empty": N_("Nobody is waiting for this counter."),
    "counter_paused": N_("The counter is paused: resume first."),
    "counter_not_paused": N_("The counter is not paused."),
    "no_current_ticket": N_("No ticket at the counter."),
    "ticket_not_called": N_("This ticket is already being served."),
    "ticket_not_waiting": N_("This ticket is not waiting."),
    "ticket_not_parked": N_("This ticket is not parked."),
    "ticket_reserved": N_("This ticket was transferred to another counter."),
    "ticket_closed": N_("This ticket is already closed."),
    "unknown_ticket": N_("No such ticket today."),
    "ambiguous_ticket": N_("Several tickets have this number: type the letter too."),
    "transfer_to_self": N_("A ticket cannot be transferred to its own counter."),
    "bad_credentials": N_("Unknown agent or wrong PIN."),
    "agent_locked": N_("Too many wrong PINs: wait a few minutes."),
    "counter_not_allowed": N_("You may not work at this counter."),
    "wrong_counter": N_("This keypad belongs to another counter."),
    "session_ended": N_("Your session has ended (logged out or logged in elsewhere)."),
    "session_idle": N_("Your session expired after inactivity: log in again."),
    "session_invalid": N_("Your session has expired: log in again."),
    "session_expired": N_("Your session has expired: log in again."),
    "not_logged_in": N_("You are no longer logged in at this counter."),
    "idle_logout": N_("Logged out after inactivity."),
    "node_unavailable": N_("The branch server cannot be reached. Actions are disabled; nothing is sent."),
    "invalid_token": N_("This keypad is not paired with the branch server."),
    "no_token": N_("This keypad is not paired with the branch server."),
    "agent_required": N_("Type your agent code."),
    "credentials_required": N_("Type your PIN."),
    "fingerprint_unknown": N_("Fingerprint not recognised."),
    "fingerprint_needs_counter": N_("This keypad has no counter: log in with your PIN."),
    "clock_behind": N_("The branch server's clock is not set yet: try again in a minute."),
    "rate_limited": N_("Too many requests: wait a moment."),
}

PAUSE_REASONS: dict[str, str] = {
    "break": N_("Break"), "lunch": N_("Lunch"), "admin": N_("Administrative work"), "other": N_("Other"),
}
OUTCOMES: dict[str, str] = {
    "done": N_("Done"), "incomplete": N_("Incomplete"), "referred": N_("Referred"), "other": N_("Other"),
}
POSITIONS: dict[str, str] = {
    "front": N_("Front of the queue"), "back": N_("Back of the queue"), "original": N_("By original time"),
}
FINGERPRINT_STATES: dict[str, str] = {
    "closed": N_("Fingerprint reader starting…"),
    "operational": N_("Or place your finger on the reader"),
    "not_responding": N_("Fingerprint reader not responding"),
    "disconnected": N_("Fingerprint reader disconnected"),
    "protocol_error": N_("Fingerprint reader error"),
    "wrong_password": N_("Fingerprint reader refused its password"),
}
MENU: dict[str, str] = {
    "start": N_("Start serving"), "finish": N_("Finish"), "no_show": N_("No-show"), "transfer": N_("Transfer"),
    "park": N_("Park"), "return_parked": N_("Return a parked ticket"), "pause_toggle": N_("Pause / resume"),
    "toggle_bar": N_("Bar mode"), "logout": N_("Log out"),
}


def error_words(code: str, fallback: str = "") -> Text:
    """The agent's words for a node error code; the node's English message when the code is unknown here."""
    msgid = ERRORS.get(code)
    return Words(msgid) if msgid else (fallback or code)


def error_text(language: str, code: str, fallback: str = "") -> str:
    return render(language, error_words(code, fallback))


def label_words(table: dict[str, str], key: str) -> Text:
    """The label for an id from one of the tables above; the id itself for ids the branch added."""
    msgid = table.get(key)
    return Words(msgid) if msgid else key


def label(language: str, table: dict[str, str], key: str) -> str:
    return render(language, label_words(table, key))
