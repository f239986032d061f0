"""What a ticket says: the input record, the ticket's own labels (fr/en/ar) and locale formatting.

Labels come from the Babel catalogs (``LABELS`` per language). Babel formats dates and durations;
it leaves digits Latin, so digits are shaped here to the locale's default numbering system (CLDR: ``ar`` uses
Latin digits, ``ar_EG`` Arabic-Indic), as DESIGN.md asks.
"""

from __future__ import annotations

import datetime as dt
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
    "wait_unknown": N_("Estimated wait: unknown"),
    "scan_to_follow": N_("Follow your turn online"),
    "test_ticket": N_("TEST TICKET"),
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
        local = when.astimezone(ZoneInfo(tz_name))
        date = format_date(local.date(), "medium", locale=self.locale)
        time = format_time(local.timetz(), "short", locale=self.locale)
        return self.shape_digits(f"{date}  {time}")

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
