"""A small TOML writer for the configuration files `smartqueue setup` writes (tables of scalars and inline tables).

The standard library reads TOML but cannot write it, and the files we write are simple enough not to add a
dependency (tomli-w) to the bundle for them.
"""

from __future__ import annotations

import json
from typing import Any


def value(item: Any) -> str:
    """One TOML value: strings as JSON-escaped basic strings (valid TOML), inline tables for dicts."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return repr(item)
    if isinstance(item, str):
        return json.dumps(item, ensure_ascii=False)
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, dict):
        inner = ", ".join(f"{key} = {value(v)}" for key, v in item.items() if v is not None)
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(f"cannot write {type(item).__name__} as TOML")


def dumps(tables: dict[str, dict[str, Any] | list[dict[str, Any]]], header: str = "") -> str:
    """`{"branch": {...}, "services": [{...}, ...]}` → TOML text: a dict is a `[table]`, a list of dicts an array of
    `[[tables]]`; None values are left out (the schema's default applies)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    for name, content in tables.items():
        for table, head in ([(t, f"[[{name}]]") for t in content] if isinstance(content, list)
                            else [(content, f"[{name}]")]):
            if lines:
                lines.append("")
            lines.append(head)
            lines.extend(f"{key} = {value(item)}" for key, item in table.items() if item is not None)
    return "\n".join(lines) + "\n"
