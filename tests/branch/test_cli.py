"""`smartqueue node` subcommands, run as a technician would: real processes, real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from branch.security import verify_pin
from branch.store import Store

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "examples" / "node.toml"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smartqueue", *args], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=60)


def test_token_pair_code_revoke(tmp_path):
    data = str(tmp_path)
    kiosk = run("node", "token", "--config", str(CONFIG), "--data-dir", data, "--role", "kiosk", "--device-id", "k1")
    assert kiosk.returncode == 0 and kiosk.stdout.strip().startswith("sqd_")
    assert kiosk.stdout.count("\n") == 1  # the token alone, for scripts: TOKEN=$(smartqueue node token ...)
    keypad = run("node", "token", "--config", str(CONFIG), "--data-dir", data, "--role", "keypad")
    assert keypad.returncode == 2 and "--counter" in keypad.stderr
    wrong = run("node", "token", "--config", str(CONFIG), "--data-dir", data, "--role", "keypad", "--counter", "9")
    assert wrong.returncode == 2 and "unknown counter" in wrong.stderr
    code = run("node", "pair-code", "--config", str(CONFIG), "--data-dir", data, "--role", "display")
    assert code.returncode == 0 and len(code.stdout.strip()) == 8 and code.stdout.strip().isdigit()
    store = Store(tmp_path / "branch.sqlite3")
    try:
        assert store.query("SELECT role FROM devices WHERE id = 'k1'")[0]["role"] == "kiosk"
        assert kiosk.stdout.strip() not in str([tuple(r) for r in store.query("SELECT * FROM devices")])
    finally:
        store.close()
    assert run("node", "revoke", "--config", str(CONFIG), "--data-dir", data, "k1").returncode == 0
    assert run("node", "revoke", "--config", str(CONFIG), "--data-dir", data, "k1").returncode == 1


def test_hash_pin_and_bad_pin():
    result = run("node", "hash-pin", "--stdin", stdin="2468\n")
    assert result.returncode == 0 and verify_pin("2468", result.stdout.strip())
    assert not verify_pin("2469", result.stdout.strip())
    assert run("node", "hash-pin", "--stdin", stdin="12\n").returncode == 2


def test_bad_config_refuses_to_start_naming_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(CONFIG.read_text(encoding="utf-8").replace("port = 8470", "port = -1"), encoding="utf-8")
    result = run("node", "--config", str(bad), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert f"{bad}: node.port" in result.stderr
