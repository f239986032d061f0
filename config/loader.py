"""Load and validate a TOML configuration file; every error names the file, the section and the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from config.schema import AppConfig


class ConfigError(Exception):
    """The configuration cannot be used. `problems` lists one line per problem, each naming file and key."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


def _location(path: Path, loc: tuple[int | str, ...], data: dict) -> str:
    """Turn a pydantic location into section.key, naming list items by their id where they have one."""
    parts: list[str] = []
    node: object = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            ident = entry.get("id") if isinstance(entry, dict) else None
            parts.append(f"[{ident}]" if ident else f"[{item}]")
            node = entry
            continue
        if isinstance(item, str) and item in ("str", "CounterServiceSection") and not isinstance(node, dict):
            continue  # union branch names, not keys
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts).replace(".[", "[")


def parse_config(text: str, path: Path) -> AppConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, [f"{path}: not valid TOML: {err}"]) from err
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        problems = []
        for error in err.errors(include_url=False):
            where = _location(path, error["loc"], data) or "(top level)"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"{path}: {where}: {message}")
        raise ConfigError(path, problems) from None


def load_config(path: str | Path) -> AppConfig:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(path, [f"{path}: cannot read: {err.strerror}"]) from err
    except UnicodeDecodeError as err:
        raise ConfigError(path, [f"{path}: not UTF-8 text: {err}"]) from err
    return parse_config(text, path)
