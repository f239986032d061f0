"""A small JSON Schema (2020-12 subset) validator for the contract's schemas in `sync/schemas/`.

Why not the `jsonschema` package: it is not a dependency, and the contract uses a handful of keywords. This checks
exactly those and refuses a schema using any other, so a schema edit cannot silently stop being enforced.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,), "null": (type(None),),
}
_KNOWN = {"$schema", "$id", "$defs", "$ref", "title", "description", "examples", "type", "enum", "const",
          "properties", "required", "additionalProperties", "propertyNames", "maxProperties", "minProperties",
          "items", "minItems",
          "maxItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "allOf", "anyOf", "oneOf",
          "if", "then", "else", "format", "default"}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema of the contract by file stem, e.g. `events` for sync/schemas/events.schema.json."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def validate(name: str, value: Any) -> list[str]:
    """Problems of `value` against schema `name`, as 'path: message' lines; empty when valid."""
    root = load_schema(name)
    problems: list[str] = []
    _check(root, root, value, "$", problems)
    return problems


def _is_type(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[name])


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _check(root: dict, schema: dict | bool, value: Any, path: str, out: list[str]) -> None:
    if schema is True:
        return
    if schema is False:
        out.append(f"{path}: not allowed")
        return
    unknown = set(schema) - _KNOWN
    if unknown:
        raise ValueError(f"schema uses unsupported keyword(s) {sorted(unknown)}")
    if "$ref" in schema:
        _check(root, _resolve(root, schema["$ref"]), value, path, out)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is_type(value, n) for n in names):
            out.append(f"{path}: expected {' or '.join(names)}")
            return
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: must be {json.dumps(schema['const'])}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: must be one of {', '.join(json.dumps(v) for v in schema['enum'])}")
    if isinstance(value, str):
        _check_string(schema, value, path, out)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: must be >= {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: must be <= {schema['maximum']}")
    if isinstance(value, dict):
        _check_object(root, schema, value, path, out)
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{path}: needs at least {schema['minItems']} item(s)")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{path}: at most {schema['maxItems']} item(s)")
        if "items" in schema:
            for index, item in enumerate(value):
                _check(root, schema["items"], item, f"{path}[{index}]", out)
    _check_combinators(root, schema, value, path, out)


def _check_string(schema: dict, value: str, path: str, out: list[str]) -> None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(f"{path}: at least {schema['minLength']} character(s)")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(f"{path}: at most {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        out.append(f"{path}: does not match {schema['pattern']}")


def _check_object(root: dict, schema: dict, value: dict, path: str, out: list[str]) -> None:
    for key in schema.get("required", []):
        if key not in value:
            out.append(f"{path}.{key}: required")
    if "minProperties" in schema and len(value) < schema["minProperties"]:
        out.append(f"{path}: needs at least {schema['minProperties']} key(s)")
    if "maxProperties" in schema and len(value) > schema["maxProperties"]:
        out.append(f"{path}: at most {schema['maxProperties']} key(s)")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if "propertyNames" in schema:
            _check(root, schema["propertyNames"], key, f"{path}.{key} (name)", out)
        if key in properties:
            _check(root, properties[key], item, f"{path}.{key}", out)
        elif extra is False:
            out.append(f"{path}.{key}: unknown field")
        elif isinstance(extra, dict):
            _check(root, extra, item, f"{path}.{key}", out)


def _check_combinators(root: dict, schema: dict, value: Any, path: str, out: list[str]) -> None:
    for sub in schema.get("allOf", []):
        _check(root, sub, value, path, out)
    for key in ("anyOf", "oneOf"):
        if key not in schema:
            continue
        results = []
        for sub in schema[key]:
            found: list[str] = []
            _check(root, sub, value, path, found)
            results.append(found)
        passing = sum(1 for r in results if not r)
        if passing == 0 or (key == "oneOf" and passing > 1):
            best = min(results, key=len) if results else []
            out.extend(best or [f"{path}: matches more than one alternative"])
    if "if" in schema:
        probe: list[str] = []
        _check(root, schema["if"], value, path, probe)
        branch = schema.get("then") if not probe else schema.get("else")
        if branch is not None:
            _check(root, branch, value, path, out)
