"""The technician panel's rules and words: PIN attempts with a lockout, and the panel's lines in the kiosk's
language and the branch's local time. No Qt here; the panel's view-model (kiosk/technician.py) calls it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ground.i18n import N_, Formatter, translate_embedding

#: A printer state as a technician reads it (keys: hardware.printer.status.PrinterState values, and "none").
PRINTER_STATES: dict[str, str] = {
    "ready": N_("ready"),
    "paper_near_end": N_("paper nearly out"),
    "paper_out": N_("out of paper"),
    "cover_open": N_("cover open"),
    "error": N_("in error"),
    "offline": N_("not answering"),
    "unknown": N_("state unknown"),
    "none": N_("no printer configured"),
}

NODE_LINE = N_("Node: {url}")
NODE_CONNECTED = N_("connected")
NODE_NOT_CONNECTED = N_("NOT connected")
DEVICE_LINE = N_("Device: {device} · version {version}")
PRINTER_LINE = N_("Printer: {state}")
PAPER_LEFT = N_("about {n} tickets left")
CLOCK_LINE = N_("Local time: {time} ({zone})")
DISCOVERING = N_("(looking for the node)")
WRONG_PIN = N_("Wrong PIN.")
LOCKED = N_("Too many wrong PINs. Try again in {minutes} min.")

#: Outcomes of the panel's actions, shown as the last result (successes never go under "Last errors").
TEST_PRINTED = N_("Test ticket printed.")
TEST_NOT_PRINTED = N_("Test ticket NOT printed: printer {state}.")
RELOAD_NO_FILE = N_("Configuration NOT reloaded: this kiosk was not started from a file.")
RELOAD_INVALID = N_("Configuration NOT reloaded: {problem}")
RELOAD_VALID = N_("Configuration valid: restarting.")


@dataclass
class PinGuard:
    """Wrong PINs in a row lock the panel for a while, as agents' PINs are on the node."""

    attempts: int
    lockout_s: float
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _locked_until: float = 0.0

    def locked_for(self) -> float:
        """Seconds the panel stays locked (0: a PIN may be tried)."""
        return max(0.0, self._locked_until - self.clock())

    def failed(self) -> None:
        self._failures += 1
        if self._failures >= self.attempts:
            self._failures = 0
            self._locked_until = self.clock() + self.lockout_s

    def succeeded(self) -> None:
        self._failures = 0


def local_stamp(timestamp: float, timezone: str) -> str:
    """A time of day in the branch's time zone (the technician reads the branch's clock, not UTC)."""
    return dt.datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).strftime("%H:%M:%S")


def panel_lines(language: str, *, node: str | None, online: bool, device: str, version: str, printer: str,
                paper_left: int | None, timezone: str, now: float) -> list[str]:
    """The panel's status lines, translated; the time is the branch's local time, not UTC."""
    fmt = Formatter(language)

    def t(message: str, **values: object) -> str:
        return translate_embedding(language, message, **values)  # the URL, id, version, zone kept left to right

    printer_text = t(PRINTER_LINE, state=t(PRINTER_STATES.get(printer, PRINTER_STATES["unknown"])))
    if paper_left is not None:
        printer_text += " · " + t(PAPER_LEFT, n=fmt.number(paper_left))
    local = dt.datetime.fromtimestamp(now, ZoneInfo(timezone))
    return [
        t(NODE_LINE, url=node or t(DISCOVERING)) + " · " + t(NODE_CONNECTED if online else NODE_NOT_CONNECTED),
        t(DEVICE_LINE, device=device, version=version),
        printer_text,
        t(CLOCK_LINE, time=fmt.digits(local.strftime("%H:%M")), zone=timezone),
    ]
