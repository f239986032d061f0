"""Catalogs: complete in fr and ar, placeholders kept, in step with the sources; locale formatting."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from ground.i18n import DOMAIN, LOCALE_DIR, Formatter, gettext, is_rtl
from smartqueue.i18n_build import extract

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\d")


def catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_catalogs_are_in_step_with_the_sources():
    extracted = {m.id for m in extract() if m.id}
    for language in ("fr", "en", "ar"):
        ids = {m.id for m in catalog(language) if m.id}
        assert extracted <= ids, f"{language}: run `make catalogs`; missing {sorted(extracted - ids)[:5]}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_message_is_translated_with_its_placeholders(language):
    used = {m.id for m in extract() if m.id}
    for message in catalog(language):
        if not message.id or message.id not in used:
            continue
        singular = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: untranslated {singular!r}"
        assert not message.fuzzy, f"{language}: fuzzy {singular!r}"
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(singular)), (language, singular)


def test_lookup_and_direction():
    assert gettext("fr", "You are next") == "Vous êtes le prochain"
    assert gettext("en", "You are next") == "You are next"
    assert gettext("xx", "You are next") == "You are next"
    assert is_rtl("ar") and not is_rtl("fr")


@pytest.mark.parametrize(
    ("language", "locale", "seconds", "expected"),
    [
        ("fr", None, 300, "5 minutes"),
        ("fr", None, 5400, "1\u00a0heure et 30 minutes"),  # CLDR spacing; not Babel's default "2 heures"
        ("en", None, 59, "1 minute"),
        ("ar", None, 5400, "ساعة و30 دقيقة"),
        ("ar", "ar_EG", 300, "٥ دقائق"),  # Arabic-Indic digits where the locale wants them
    ],
)
def test_durations(language, locale, seconds, expected):
    assert Formatter(language, locale).duration(seconds) == expected
