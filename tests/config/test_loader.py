"""Configuration errors name the file, the section and the key; the examples are valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import ConfigError, load_config, parse_config

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
BASE = (EXAMPLES / "node.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["node", "kiosk", "display", "keypad"])
def test_examples_are_valid(name):
    config = load_config(EXAMPLES / f"{name}.toml")
    assert config.branch.id == "BR042"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(text, Path("branch.toml"))
    return err.value.problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("port = 8470", "port = 99999"), "branch.toml: node.port: Input should be less than or equal to 65535"),
        (("port = 8470", "prot = 8470"), "branch.toml: node.prot: unknown key"),
        (('timezone = "Africa/Casablanca"', 'timezone = "Mars/Olympus"'),
         "branch.toml: branch.timezone: unknown time zone 'Mars/Olympus'"),
        (('day_starts_at = "04:00"', 'day_starts_at = "4h"'), "branch.toml: branch.day_starts_at: use HH:MM"),
        (('prefix = "A"', 'prefix = "a1"'), "branch.toml: services[accounts].prefix"),
        (('services = ["accounts", "cash"]', 'services = ["accounts", "teleport"]'),
         "unknown service 'teleport'"),
        (('level = 1\nnames = { fr = "Femme', 'level = 5\nnames = { fr = "Femme'),
         "rules.level_weights has levels 0..1"),
    ],
)
def test_errors_name_file_section_and_key(change, expected):
    old, new = change
    assert old in BASE
    found = problems(BASE.replace(old, new, 1))
    assert any(expected in p for p in found), found


def test_not_toml_and_missing_file(tmp_path):
    assert "not valid TOML" in problems("[branch\nid=1")[0]
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "missing.toml")
    assert "cannot read" in str(err.value)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[branch]")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert "not UTF-8" in str(err.value)


def test_secrets_never_show_in_reprs():
    config = parse_config(BASE, Path("x.toml"))
    assert "demo-appointment-key" not in repr(config)
    assert "scrypt$" not in repr(config.agents)
