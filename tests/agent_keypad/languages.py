"""Which language a keypad screen speaks, looked up in the catalogs its words come from.

Every visible text of the window (devtools.screen_audit's tree) is checked against the words of the *other*
languages: each translation of a message the keypad uses (the .pot's locations under agent_keypad/), split at its
placeholders, and the branch's names (services, counters) in those languages. A piece counts as foreign only where
the language shown does not use the same words itself ("Pause" is French and English). In Arabic, Latin letters are
foreign too (but for those its own translations use: "PIN"), and so are Latin digits where the language's locale
has its own (ground.i18n.Formatter: the default "ar" locale writes 0-9), except in ticket numbers and in what the
test says is verbatim (an agent's name, a device's name or id, the languages' own names).
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel.messages.pofile import read_po
from PySide6.QtQuick import QQuickWindow

from devtools.screen_audit.tree import read_tree
from ground.i18n import LANGUAGES, LOCALE_DIR, NATIVE_NAMES, Formatter, is_rtl

PLACEHOLDER = re.compile(r"\{[^}]*\}")
TICKET_NUMBER = re.compile(r"\b[A-Z]{1,3}-?\d{1,4}\b")
LATIN_WORD = re.compile(r"[A-Za-z]+")
TRIM = " .:,;()…·،؛!?"
MIN_PIECE = 4  # shorter pieces ("de", "to") say nothing about the language


@lru_cache(maxsize=1)
def keypad_catalog() -> dict[str, dict[str, list[str]]]:
    """msgid → language → its text(s) (plural forms too), for every message the keypad's sources use."""
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        wanted = {_key(m.id) for m in read_po(handle) if m.id and any(
            path.startswith("agent_keypad/") for path, _line in m.locations)}
    table: dict[str, dict[str, list[str]]] = {key: {} for key in wanted}
    for language in LANGUAGES:
        with (LOCALE_DIR / language / "LC_MESSAGES" / "smartqueue.po").open("rb") as handle:
            for message in read_po(handle, locale=language):
                key = _key(message.id)
                if key not in table:
                    continue
                ids = list(message.id) if isinstance(message.id, tuple) else [message.id]
                strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
                table[key][language] = [s for s in strings if s] or ids  # English: the msgid itself
    return table


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _pieces(text: str) -> list[str]:
    return [piece.strip(TRIM) for piece in PLACEHOLDER.split(text)]


def foreign_pieces(language: str, names: list[dict[str, str]] = ()) -> set[str]:
    """Words that only another language uses: pieces of its translations, its names of services and counters."""
    own_texts = [text for texts in keypad_catalog().values() for text in texts.get(language, [])]
    own_texts += [n[language] for n in names if n.get(language)]
    foreign = set()
    for texts in keypad_catalog().values():
        for other, strings in texts.items():
            if other != language:
                foreign.update(piece for s in strings for piece in _pieces(s))
    foreign.update(n[other] for n in names for other in n if other != language)
    return {piece for piece in foreign if len(piece) >= MIN_PIECE and not any(piece in own for own in own_texts)}


@lru_cache(maxsize=4)
def own_latin_words(language: str) -> frozenset[str]:
    """Latin words a right-to-left language's own translations use ("رمز PIN")."""
    return frozenset(word for texts in keypad_catalog().values() for text in texts.get(language, [])
                     for word in LATIN_WORD.findall(PLACEHOLDER.sub("", text)))


def visible_texts(window: QQuickWindow) -> list[str]:
    return [item.text.text for item in read_tree(window) if item.text is not None]


def wrong_language(texts: list[str], language: str, *, names: list[dict[str, str]] = (),
                   verbatim: tuple[str, ...] = ()) -> list[str]:
    """The texts (with what gave them away) that are not in `language`; empty when the whole screen is."""
    foreign = foreign_pieces(language, names)
    latin = "A-Za-z" + ("0-9" if Formatter(language).digits("0123456789") != "0123456789" else "")
    found = []
    for text in texts:
        pieces = sorted(piece for piece in foreign if piece in text)
        rest = TICKET_NUMBER.sub("", text)
        # longest first: a device named "kiosk" must not eat the middle of its id "dev-kiosk"
        for allowed in sorted((*verbatim, *(n.get(language, "") for n in names)), key=len, reverse=True):
            rest = rest.replace(allowed, "") if allowed else rest
        rest = LATIN_WORD.sub(lambda word: "" if word[0] in own_latin_words(language) else word[0], rest)
        if is_rtl(language) and re.search(f"[{latin}]", rest):
            pieces.append("Latin letters" + (" or digits" if "0" in latin else ""))
        if pieces:
            found.append(f"{text!r}: {', '.join(pieces)}")
    return found


def keypad_words(controller) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    """What a keypad's screen may show besides its catalog's words: the branch's names of services and counters
    (each language its own), and what no language changes (agents' and devices' names, each language's own name in
    the login menu)."""
    state = controller.state
    names = [dict(item.get("names") or {}) for item in (state.get("services") or []) + (state.get("counters") or [])]
    verbatim = (controller.agent_name, *(str(a.get("name") or "") for a in controller.allowed_agents),
                *(str(a.get(key) or "") for a in controller.alerts.items for key in ("name", "device")),
                *(NATIVE_NAMES.get(code, code) for code in controller.languages))
    return names, verbatim
