"""The last will: kill -9 of a node process turns its retained status "offline" at once; a clean stop says so too."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sync.central import CentralReceiver

from .conftest import branch_row, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _start(tmp_path: Path, port: int) -> subprocess.Popen:
    """`smartqueue node` itself, with a [sync] section: the real composition root starts the link."""
    config = tmp_path / "node.toml"
    config.write_text((ROOT / "config" / "examples" / "node.toml").read_text(encoding="utf-8") + f"""
[sync]
enabled = true
host = "127.0.0.1"
port = {port}
keepalive_s = 5
reconnect_min_s = 0.1
reconnect_max_s = 0.5
client_id = "sq-proc-BR042"
""", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", "--config", str(config), "--data-dir",
                             str(tmp_path / "proc-node"), "--port", "0", "--no-advertise"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    assert line.startswith("SmartQueue node"), line
    return proc


def _status(db: Path) -> dict:
    return branch_row(db)


def test_last_will_on_kill_9_and_clean_offline_on_stop(tmp_path: Path, central: CentralReceiver) -> None:
    db = Path(central.config.db_path)
    port = central.config.port
    proc = _start(tmp_path, port)
    try:
        wait_for(lambda: _status(db).get("state") == "online", what="online status")
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        row = wait_for(lambda: (r := _status(db)).get("state") == "offline" and r, timeout=5, what="last will")
        assert row["reason"] == "connection lost"
        proc = _start(tmp_path, port)
        wait_for(lambda: _status(db).get("state") == "online", what="online again")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        row = wait_for(lambda: (r := _status(db)).get("state") == "offline" and r, timeout=5, what="clean offline")
        assert row["reason"] == "stopped"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
