"""Sections pushed by central over the local file: which ones may be pushed, and the merge (validated like the file).

Used by the sync service (to validate a push before it is applied) and by the node (every member of a cluster
re-applies the replicated push over its own file, at start-up and when the push arrives through the log).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from config.schema import AppConfig

OVERRIDABLE = ("rules", "priority_categories", "groups", "services", "counters")


class OverrideError(ValueError):
    """A push that does not fit: `problems` lists 'section.key: problem'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def merge(base: AppConfig, sections: dict[str, Any]) -> AppConfig:
    """The local config with `sections` replaced, validated by AppConfig; OverrideError lists what does not fit."""
    unknown = sorted(set(sections) - set(OVERRIDABLE))
    if unknown:
        raise OverrideError([f"sections.{name}: central may not set this section" for name in unknown])
    data: dict[str, Any] = {name: getattr(base, name) for name in type(base).model_fields}
    data.update(sections)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        raise OverrideError([_problem(error, sections) for error in err.errors(include_url=False)][:20]) from None


def _problem(error: dict[str, Any], sections: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = sections
    for item in error["loc"]:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts.append(f"[{ident or item}]")
            node = entry
        elif isinstance(item, str) and item in ("str", "CounterServiceSection") and not isinstance(node, dict):
            continue
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    where = ".".join(parts).replace(".[", "[") or "(top level)"
    message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"
