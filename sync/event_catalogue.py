"""The catalogue of event types and their `data` fields, generated from `queue_engine.events` for the contract.

`python -m sync.event_catalogue` prints the Markdown table that docs/mqtt-contract.md holds between the
`<!-- event-catalogue -->` markers; a test fails when the two differ, so the contract follows the engine.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import fields

from queue_engine import events as domain

_JSON = {"str": "string", "int": "integer", "bool": "boolean"}
_COMMENT = re.compile(r"^\s+(\w+):\s*[^#]+#\s*(.+)$")


def _json_type(annotation: str) -> str:
    parts = [part.strip() for part in annotation.split("|")]
    words = []
    for part in parts:
        if part == "None":
            words.append("null")
        elif part.startswith("tuple["):
            words.append(f"array of {_json_type(part[6:].split(',')[0])}")
        else:
            words.append(_JSON.get(part, part))
    return " or ".join(words)


def _comments(cls: type) -> dict[str, str]:
    try:
        source = inspect.getsource(cls)
    except OSError:
        return {}
    return {m.group(1): m.group(2).strip() for line in source.splitlines() if (m := _COMMENT.match(line))}


def catalogue() -> str:
    """One row per event type: its data fields with their JSON types and meaning."""
    lines = ["| type | data fields |", "|---|---|"]
    for name in domain.EVENT_TYPES:
        cls = domain._REGISTRY[name]
        notes = _comments(cls)
        described = []
        for item in fields(cls):
            if item.name == "at_ms":
                continue
            text = f"`{item.name}` {_json_type(str(item.type))}"
            if item.name in notes:
                text += f" ({notes[item.name]})"
            described.append(text)
        lines.append(f"| `{name}` | {'; '.join(described).replace('|', '/')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue(), end="")
