"""Numbers and calls as clip keys: each language's reading rules, as data tables."""

from __future__ import annotations

import pytest

from display.speech import CHIME, PAUSE, announcement, spell_code, spell_number, vocabulary


def words(language: str, keys: list[str]) -> list[str]:
    return [k.split(":", 1)[1] for k in keys]


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("fr", 0, ["n0"]),
        ("fr", 71, ["n71"]),  # soixante et onze: one clip, espeak-ng's own rule
        ("fr", 142, ["h1", "n42"]),  # cent quarante-deux: French joins nothing
        ("fr", 200, ["h2"]),
        ("fr", 1042, ["t1", "n42"]),
        ("en", 142, ["h1", "and", "n42"]),  # one hundred and forty-two
        ("en", 1100, ["t1", "h1"]),
        ("en", 1142, ["t1", "h1", "and", "n42"]),
        ("ar", 42, ["n42"]),  # اثنان وأربعون
        ("ar", 142, ["h1", "and", "n42"]),  # مئة واثنان وأربعون
        ("ar", 1142, ["t1", "and", "h1", "and", "n42"]),  # ألف ومئة واثنان وأربعون
        ("ar", 3000, ["t3"]),  # ثلاثة آلاف
        ("en", 9999, ["t9", "h9", "and", "n99"]),
    ],
)
def test_numbers_are_read_by_each_languages_rules(language, n, expected):
    keys = spell_number(language, n)
    assert all(k.startswith(language + ":") for k in keys)
    assert words(language, keys) == expected


def test_numbers_out_of_range_are_refused():
    with pytest.raises(ValueError):
        spell_number("fr", 10000)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("A-042", ["letter_A", "n42"]), ("AB-7", ["letter_A", "letter_B", "n7"]), ("3", ["n3"]),
     ("12", ["n12"]), ("B2", ["letter_B", "n2"]), ("x-y", ["letter_X", "letter_Y"])],
)
def test_codes_are_letters_then_the_number(code, expected):
    assert words("en", spell_code("en", code)) == expected


def test_an_announcement_is_the_chime_then_each_language_in_turn():
    parts = announcement("A-042", "3", ["fr", "ar"]).parts
    assert parts == (CHIME, PAUSE, "fr:ticket", "fr:letter_A", "fr:n42", PAUSE, "fr:counter", "fr:n3",
                     PAUSE, "ar:ticket", "ar:letter_A", "ar:n42", PAUSE, "ar:counter", "ar:n3")
    assert announcement("A-042", "3", ["fr"], voice=False).parts == (CHIME,)


def test_every_spoken_key_has_a_clip_text():
    for language in ("fr", "en", "ar"):
        texts = vocabulary(language)
        for n in (0, 7, 42, 99, 100, 342, 1000, 2019, 9999):
            assert set(spell_number(language, n)) <= set(texts)
    assert vocabulary("ar")["ar:letter_A"] == "إيه" and vocabulary("fr")["fr:n42"] == "42"
