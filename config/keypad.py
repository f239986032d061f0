"""The [keypad] section: how the agent keypad app behaves (owned by the keypad package's authors).

Key names are Qt's without the `Key_` prefix ("Plus", "Enter", "F1", "Asterisk"); the keypad app resolves them
against Qt at start-up and refuses an unknown name there (this module must not import Qt: the node loads it too).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from config.base import Section

#: What a key (or a button) can do on the keypad.
KeypadAction = Literal[
    "call_next", "call_number", "recall", "start", "finish", "no_show", "transfer", "park", "return_parked",
    "pause", "resume", "pause_toggle", "logout", "menu", "confirm", "cancel", "clear", "toggle_bar",
]
KeyName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,32}$")]


def _default_keys() -> dict[str, str]:
    # A common 17/18-key USB numeric keypad (digits, . / * - + Enter, Backspace on some models), then the F keys
    # of a desktop keyboard for agents who use the bar mode beside their PC.
    return {
        "Plus": "call_next", "Minus": "recall", "Asterisk": "menu", "Slash": "finish", "Enter": "confirm",
        "Return": "confirm", "Backspace": "clear", "Period": "clear", "Escape": "cancel",
        "F1": "call_next", "F2": "recall", "F3": "start", "F4": "finish", "F5": "no_show", "F6": "transfer",
        "F7": "park", "F8": "return_parked", "F9": "pause_toggle", "F10": "logout", "F11": "toggle_bar",
    }


class KeypadConfig(Section):
    """Settings of the keypad app; every field has a range and a description."""

    keys: dict[KeyName, KeypadAction] = Field(
        default_factory=_default_keys, min_length=1, max_length=64,
        description="Qt key name (without Key_) → action. Digits not listed here type into the PIN or ticket "
                    "number. A USB numeric keypad sends Plus, Minus, Asterisk, Slash, Enter, Period, 0-9.")
    alert_enabled: bool = Field(True, description="Alert when a customer starts waiting while the counter is idle.")
    alert_delay_s: float = Field(
        5.0, ge=0, le=600, description="How long a customer must be waiting at an idle counter before the alert.")
    alert_sound: bool = Field(True, description="Play a sound with the visual alert.")
    alert_sound_file: str | None = Field(
        None, min_length=1, description="WAV file for the alert; none = the built-in two-tone chime.")
    alert_volume: float = Field(0.8, ge=0, le=1, description="Alert volume, 0 to 1.")
    alert_repeat_s: float = Field(
        60.0, ge=0, le=3600, description="Repeat the sound this often while the alert lasts; 0 = once.")
    bar_mode: bool = Field(
        False, description="Start as a small always-on-top bar (agents working on a desktop PC beside it).")
    bar_width: int = Field(900, ge=400, le=3840, description="Width of the bar, in pixels.")
    default_outcome: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")] | None = Field(
        None, description="Outcome the finish key records without asking; none = ask (the branch's outcomes).")
    idle_logout_minutes: int | None = Field(
        30, ge=1, le=720,
        description="Log the agent out after this long without a press and without a customer; none = never.")
    screen_diagonal_inches: float = Field(
        7, ge=3, le=40, description="The keypad's screen diagonal: touch targets are sized in millimetres on it.")
    double_press_ms: int = Field(
        700, ge=100, le=5000, description="A second press of the same key within this time is ignored.")
    remember_agents: int = Field(
        4, ge=0, le=10, description="Agent ids remembered on this keypad for one-tap login; 0 keeps none.")
    alerts_refresh_s: float = Field(
        20, ge=2, le=600, description="How often the staff alerts strip is read again (a device's report also "
                                      "triggers a read at once).")
