"""Translations and locale formatting for everything a person reads (fr, en, ar; Arabic right to left).

One gettext domain, `smartqueue`, managed with Babel: `make catalogs` extracts messages from Python (`_`, `N_`)
and QML (`qsTr`) into `ground/locale/messages.pot` and updates each language's `.po`. The `.po` files are
read at run time with Babel (no compiled `.mo` to keep in step). Qt's `qsTr()` reaches the same catalogs through
`appkit.i18n.CatalogTranslator`.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import io
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.units import format_unit

DOMAIN = "smartqueue"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("fr", "en", "ar")
RTL_LANGUAGES = frozenset({"ar"})
#: Each language's name in its own script (a language key or option reads the same in every language).
NATIVE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
#: The Babel locale used to format numbers, dates and durations for each language (configurable per branch).
DEFAULT_LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar"}
_DIGITS = {"arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


@lru_cache(maxsize=8)
def translations(language: str) -> gettext_module.NullTranslations:
    """The language's catalog, compiled in memory from its .po (plural rules included)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(language: str, message: str) -> str:
    """The translation of `message`, or the message itself (English) when there is none."""
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


def translate(language: str, message: str, **values: object) -> str:
    """gettext, then str.format with named values (format them with the helpers below first)."""
    text = gettext(language, message)
    return text.format(**values) if values else text


def name_in(names: Mapping[str, str], language: str, fallback: str = "") -> str:
    """A name in the wanted language, else in the first language it has (a branch may not translate everything),
    else `fallback`. A blank name ("   ", which a configuration accepts) counts as none: shown, it is a hole."""
    wanted = names.get(language) or ""
    return wanted if wanted.strip() else next((name for name in names.values() if name and name.strip()), fallback)


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate, pop directional isolate (Unicode UAX #9)
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def embed(language: str, value: object) -> object:
    """`value` ready to sit in a sentence of `language`: in a right-to-left language a path, URL, id or number
    (anything without a right-to-left letter) goes in a left-to-right isolate, so "/etc/smartqueue/kiosk.toml"
    keeps its slash in front instead of moving to the end; words of the language itself are left as they are."""
    if not is_rtl(language) or value is None or isinstance(value, bool):
        return value
    text = str(value)
    if not text or _RTL_LETTER.search(text) or text.startswith(LRI):
        return value
    return f"{LRI}{text}{PDI}"


def translate_embedding(language: str, message: str, **values: object) -> str:
    """`translate`, with every value `embed`ded: for text a technician reads that carries paths, URLs and ids."""
    return translate(language, message, **{key: embed(language, value) for key, value in values.items()})


class Formatter:
    """Numbers, dates, times and durations for one language, with the locale's own digits."""

    def __init__(self, language: str, locale_id: str | None = None) -> None:
        self.language = language
        self.locale = Locale.parse(locale_id or DEFAULT_LOCALES.get(language, language))
        digits = _DIGITS.get(self.locale.default_numbering_system)
        self._digit_map = str.maketrans("0123456789", digits) if digits else None

    def digits(self, text: str) -> str:
        """Latin digits → the locale's digits (Babel itself leaves digits Latin)."""
        return text.translate(self._digit_map) if self._digit_map else text

    def number(self, value: float) -> str:
        return self.digits(format_decimal(value, locale=self.locale))

    def date(self, when: dt.date, width: str = "full") -> str:
        return self.digits(format_date(when, width, locale=self.locale))

    def time(self, when: dt.datetime | dt.time, width: str = "short") -> str:
        return self.digits(format_time(when, width, locale=self.locale))

    def clock(self, when: dt.datetime | dt.time) -> str:
        """24-hour "HH:mm" in every language: screens and tickets never mix 12- and 24-hour times (CLDR's short
        Arabic time is 12-hour with ص/م)."""
        return self.digits(format_time(when, "HH:mm", locale=self.locale))

    def weekday(self, when: dt.date) -> str:
        return format_date(when, "EEEE", locale=self.locale)

    def duration(self, seconds: float, length: str = "long") -> str:
        """A wait, in whole minutes up to an hour, then hours and minutes ("1 hour, 5 minutes").

        Babel's format_timedelta rounds to the coarsest unit (90 min → "2 hours"), which misleads a customer.
        """
        minutes = max(1, math.ceil(seconds / 60))
        hours, minutes = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(format_unit(hours, "duration-hour", length=length, locale=self.locale))
        if minutes:
            parts.append(format_unit(minutes, "duration-minute", length=length, locale=self.locale))
        # style "standard": Babel 2.18's Arabic "unit" list pattern repeats the last item ("A، وB، وB")
        return self.digits(format_list(parts, style="standard", locale=self.locale))
