"""What a ticket says: the input record, the ticket's own labels (fr/en/ar) and locale formatting.

Labels come from the Babel catalogs (``LABELS`` per language). Babel formats dates and durations;
it leaves digits Latin, so digits are shaped here to the locale's default numbering system (CLDR: ``ar`` uses
Latin digits, ``ar_EG`` Arabic-Indic), as DESIGN.md asks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta

from ground.i18n import LANGUAGES, N_, gettext

Language = Literal["fr", "en", "ar"]

#: The ticket's own labels; the texts live in the Babel catalogs (ground/locale), keyed by English.
LABEL_MESSAGES: dict[str, str] = {
    "your_number": N_("Your number"),
    "people_ahead": N_("People ahead of you: {n}"),
    "nobody_ahead": N_("You are next"),
    "estimated_wait": N_("Estimated wait: {duration}"),
    # the same sentence as the kiosk's screen: screen and paper never disagree (issue 14)
    "wait_unknown": N_("No counter is open for this service yet"),
    "scan_to_follow": N_("Follow your turn online"),
    "scan_at_kiosk": N_("Scan this code at the kiosk to see your place in the queue"),
    "priority": N_("Priority: {category}"),
    "appointment_at": N_("Appointment at {time}"),
    "test_ticket": N_("TEST TICKET"),
    "test_note": N_("Printer test: this is not a queue ticket."),
}
LABELS: dict[str, dict[str, str]] = {
    language: {key: gettext(language, message) for key, message in LABEL_MESSAGES.items()} for language in LANGUAGES
}

#: Digits of the CLDR numbering systems a supported locale may default to.
_DIGITS = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket; built by the kiosk from the node's TicketIssued answer."""

    branch_name: str
    number: str
    service_name: str
    language: Language
    issued_at: dt.datetime
    tz_name: str
    people_ahead: int
    estimated_wait_s: int | None = None
    qr_payload: str | None = None
    footer: str | None = None
    qr_is_link: bool = False  # a public page a phone opens; else a code only the branch's kiosks read
    priority: str | None = None  # the priority category's name, printed as a mark
    appointment_at: dt.datetime | None = None  # the appointment's slot
    test: bool = False  # a technician's test print: says so, carries no queue information

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware")
        if self.language not in LABELS:
            raise ValueError(f"unsupported ticket language {self.language!r}")
        if self.people_ahead < 0:
            raise ValueError("people_ahead must be >= 0")


class TicketText:
    """Formats a ticket's lines for one Babel locale."""

    def __init__(self, language: Language, locale_id: str) -> None:
        self.language = language
        self.locale = Locale.parse(locale_id)
        self._labels = LABELS[language]
        digits = _DIGITS.get(self.locale.default_numbering_system)
        self._digit_map = str.maketrans("0123456789", digits) if digits else None

    def label(self, key: str, **values: object) -> str:
        return self.shape_digits(self._labels[key].format(**values))

    def shape_digits(self, text: str) -> str:
        """Latin digits → the locale's digits (Babel leaves them Latin)."""
        return text.translate(self._digit_map) if self._digit_map else text

    def date_time(self, when: dt.datetime, tz_name: str) -> str:
        """Date and 24-hour time. No AM/PM word: on an Arabic ticket the line is digits, which the printer's own
        font prints (no raster); on a right-to-left ticket it comes in visual order, as the paper shows it."""
        local = when.astimezone(ZoneInfo(tz_name))
        date = format_date(local.date(), "medium", locale=self.locale)
        time = format_time(local.timetz(), "HH:mm", locale=self.locale)
        line = self.shape_digits(f"{date}  {time}")
        return visual_rtl(line) if self.locale.character_order == "right-to-left" else line

    def clock(self, when: dt.datetime, tz_name: str) -> str:
        """24-hour "HH:mm" in every language (CLDR's short Arabic time is 12-hour)."""
        return self.shape_digits(format_time(when.astimezone(ZoneInfo(tz_name)).timetz(), "HH:mm", locale=self.locale))

    def people_ahead(self, n: int) -> str:
        return self.label("nobody_ahead") if n == 0 else self.label("people_ahead", n=n)

    def estimated_wait(self, seconds: int | None) -> str:
        if seconds is None:
            return self.label("wait_unknown")
        # Babel rounds to the coarsest unit by default (90 min → "2 hours"); minutes up to 3 h read better.
        duration = format_timedelta(
            dt.timedelta(seconds=max(seconds, 60)), granularity="minute", threshold=3, locale=self.locale
        )
        return self.label("estimated_wait", duration=duration)


#: Bidi marks Babel puts in right-to-left dates (05\u200f/03\u200f/2026): they split the numbers into runs.
_RTL_MARKS = "\u200f\u061c"
_RUN_JOINERS = ":.,/-"


def visual_rtl(text: str) -> str:
    """A right-to-left line without letters that need shaping, in the left-to-right order it is printed in.

    The Unicode bidi algorithm keeps runs of digits and Latin letters (with a separator between two digits, as in
    08:07) left to right, and lays the runs and everything else out from right to left; the marks split runs.
    Lines with Arabic letters are returned as they are: they are rasterised, and Qt orders them.
    """
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text if c not in _RTL_MARKS):
        return text
    tokens: list[str] = []
    for piece in re.split(f"[{_RTL_MARKS}]", text.replace("\u200e", "")):
        i = 0
        while i < len(piece):
            j = i + 1
            if piece[i].isalnum():
                while j < len(piece) and (piece[j].isalnum() or (
                        piece[j] in _RUN_JOINERS and j + 1 < len(piece) and piece[j + 1].isalnum()
                        and piece[j - 1].isalnum())):
                    j += 1
            tokens.append(piece[i:j])
            i = j
    return "".join(reversed(tokens))
