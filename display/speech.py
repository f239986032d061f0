"""What a call sounds like, as a list of clip keys: "Ticket A 42, counter 3" in each language, numbers read right.

Why clips of words and not a text-to-speech engine at run time: the appliance must speak offline, and the Qt wheels
ship no usable engine (research notes §5). Why *whole numbers 0–99* as clips rather than digits or a full speller:
French (soixante-et-onze, quatre-vingt-dix-sept) and Arabic (اثنان وأربعون: units before tens, joined by و) build
their numbers below 100 in irregular ways that espeak-ng already knows; one clip per number keeps their prosody.
Above 99 every language here composes regularly: a hundreds clip (espeak-ng reads "200" as "deux cents", "مئتان",
"two hundred"), a thousands clip, and the language's joiner ("and", "و"), which is what the small spellers below do.
Ticket numbers stay below 10,000 (a prefix and a daily counter), the largest a speller must handle.

A key is `<lang>:<word>`; `PAUSE` is a short silence; `CHIME` is the chime. `vocabulary()` lists every key with
the text espeak-ng reads to make its clip (display.clips).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

CHIME = "chime"
PAUSE = "pause"
MAX_NUMBER = 9999

#: Words said around the numbers. Arabic: "the ticket number … the counter number …" is how the call is phrased.
PHRASES: dict[str, dict[str, str]] = {
    "fr": {"ticket": "Ticket", "counter": "guichet", "and": "et"},
    "en": {"ticket": "Ticket", "counter": "counter", "and": "and"},
    "ar": {"ticket": "التذكرة رقم", "counter": "الشباك رقم", "and": "و"},
}

#: How each language names the Latin letters of ticket prefixes. Arabic: the letters' usual names written in Arabic
#: script, so the Arabic voice says them (given "A" itself, espeak-ng switches to its English voice). Reviewed as data.
LETTERS: dict[str, dict[str, str]] = {
    "fr": {c: c for c in string.ascii_uppercase},
    "en": {c: c for c in string.ascii_uppercase},
    "ar": dict(zip(string.ascii_uppercase, (
        "إيه", "بي", "سي", "دي", "إي", "إف", "جي", "إتش", "آي", "جيه", "كيه", "إل", "إم", "إن", "أو", "پي",
        "كيو", "آر", "إس", "تي", "يو", "ڤي", "دبليو", "إكس", "واي", "زد"), strict=True)),
}
LANGUAGES = tuple(PHRASES)
_NUMBER = re.compile(r"^([A-Z]*)-?0*(\d+)$")


def key(language: str, word: str) -> str:
    return f"{language}:{word}"


def spell_number(language: str, n: int) -> list[str]:
    """Clip keys reading `n` (0 ≤ n ≤ 9999) in `language`."""
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"{n} is out of the spoken range 0..{MAX_NUMBER}")
    thousands, rest = divmod(n, 1000)
    hundreds, units = divmod(rest, 100)
    parts: list[str] = []
    if thousands:
        parts.append(f"t{thousands}")
    if hundreds:
        if language == "ar" and parts:
            parts.append("and")
        parts.append(f"h{hundreds}")
    if units or not parts:
        if parts and language in ("en", "ar"):
            parts.append("and")  # "two hundred and forty-two", "مئتان واثنان وأربعون"; French joins nothing
        parts.append(f"n{units}")
    return [key(language, part) for part in parts]


def spell_code(language: str, code: str) -> list[str]:
    """A ticket number ("A-042") or a counter id ("3", "B2"): letters by name, then the number."""
    text = code.strip().upper()
    match = _NUMBER.match(text)
    if match and int(match.group(2)) <= MAX_NUMBER:
        letters, digits = match.group(1), int(match.group(2))
        return [key(language, f"letter_{c}") for c in letters] + spell_number(language, digits)
    out: list[str] = []
    for char in text:  # anything else, character by character
        if char.isdigit():
            out += spell_number(language, int(char))
        elif char in LETTERS[language]:
            out.append(key(language, f"letter_{char}"))
    return out


@dataclass(frozen=True, slots=True)
class Utterance:
    """What the announcer plays for one call: clip keys in order (chime, then each language)."""

    parts: tuple[str, ...]

    def languages(self) -> list[str]:
        seen: list[str] = []
        for part in self.parts:
            lang = part.split(":", 1)[0] if ":" in part else None
            if lang and lang not in seen:
                seen.append(lang)
        return seen


def announcement(number: str, counter: str, languages: Iterable[str], *, voice: bool = True,
                 chime: bool = True) -> Utterance:
    """Chime, then "Ticket <number>, counter <counter>" in each language in turn, with pauses between."""
    parts: list[str] = [CHIME] if chime else []
    if voice:
        for language in languages:
            if parts:
                parts.append(PAUSE)
            parts += [key(language, "ticket"), *spell_code(language, number), PAUSE,
                      key(language, "counter"), *spell_code(language, counter)]
    return Utterance(tuple(parts))


def vocabulary(language: str) -> dict[str, str]:
    """Every clip key of a language and the text espeak-ng reads for it (numbers as digits: espeak's rules)."""
    words = {key(language, word): text for word, text in PHRASES[language].items()}
    words.update({key(language, f"letter_{c}"): name for c, name in LETTERS[language].items()})
    words.update({key(language, f"n{i}"): str(i) for i in range(100)})
    words.update({key(language, f"h{i}"): str(i * 100) for i in range(1, 10)})
    words.update({key(language, f"t{i}"): str(i * 1000) for i in range(1, 10)})
    return words
