"""Words the agent reads, kept untranslated until they are shown, so switching the language re-words them.

The controller keeps a message or a picker option as a msgid with its values (`Words`), a name in every language
the branch configured (`Names`), or a plain `str` that no language changes (a ticket number, the node's own
message for a code this keypad does not know). The view-model renders them in the current language each time QML
reads them: a message or a picker open across a language switch follows it (the kiosk does the same).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ground.i18n import Formatter, name_in, translate


class Wording(Protocol):
    def render(self, language: str) -> str: ...


#: What a message, an option's label or a value in a sentence may be.
Text = str | Wording


@dataclass(frozen=True)
class Words:
    """A msgid and its values: a `str` value as is, an `int` in the language's digits, words rendered alike."""

    msgid: str
    values: Mapping[str, Text | int] = field(default_factory=dict)
    lower: bool = False  # inside a sentence ("… (front of the queue)")

    def render(self, language: str) -> str:
        text = translate(language, self.msgid, **{key: render(language, value) for key, value in self.values.items()})
        return text.lower() if self.lower else text


@dataclass(frozen=True)
class Names:
    """A service's or counter's name in each language (the node's `names`), the first one when one is missing."""

    names: Mapping[str, str]
    fallback: str = "?"

    def render(self, language: str) -> str:
        return name_in(self.names, language, self.fallback)


def render(language: str, value: Text | int) -> str:
    """`value` as a person reads it in `language`."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Formatter(language).number(value)
    return value.render(language)
