"""The README's "driving the node by hand" block, run as written by bash + curl against a real node.

The block is taken from README.md itself (the ```sh fence after "Driving the node by hand"), so an example that
drifts from the API (a missing header, a wrong path) fails here. Only the live-events line, which streams forever,
is bounded: `curl` is wrapped to add `--max-time` and to accept its time-out.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl (scripts/install-system-deps.sh)")


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split("Driving the node by hand", 1)[1]
    match = re.search(r"```sh\n(.*?)```", after, re.S)
    assert match, "README: no sh block after 'Driving the node by hand'"
    return match.group(1)


@pytest.fixture
def node(tmp_path):
    text = (ROOT / "config/examples/node.toml").read_text(encoding="utf-8")
    text = re.sub(r'^data_dir = ".*"', f'data_dir = "{tmp_path / "node"}"', text, flags=re.M)
    config = tmp_path / "node.toml"
    config.write_text(text, encoding="utf-8")

    def token(role: str, *extra: str) -> str:
        return subprocess.run([sys.executable, "-m", "smartqueue", "node", "token", "--config", str(config),
                               "--role", role, *extra], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()

    tokens = {"KIOSK_TOKEN": token("kiosk"), "DISPLAY_TOKEN": token("display"),
              "KEYPAD_TOKEN": token("keypad", "--counter", "1")}
    proc = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", "--config", str(config), "--port", "0",
                             "--no-advertise"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    port = re.search(r"http://[\d.]+:(\d+)", line)
    assert port, line
    try:
        yield {"NODE": f"http://127.0.0.1:{port.group(1)}", **tokens}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)


def test_the_readme_curl_examples_work_as_written(node, tmp_path):
    env_file = tmp_path / "tokens.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in node.items()), encoding="utf-8")
    script = (f"set -euo pipefail\n"
              # the SSE line streams forever: bound it, and take curl's time-out (28) as the stream's end
              "curl() { command curl --max-time 3 \"$@\" || [ $? -eq 28 ]; }\n"
              f"source {env_file}\n" + readme_block().replace("source var/demo/tokens.env", ""))
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert '"services"' in out  # GET services
    assert '"number":"A-001"' in out.replace(" ", "")  # the ticket was issued (JSON body accepted)
    assert '"current"' in out and "A-001" in out  # alice logged in and called it
    assert "event: TicketCalled" in out or "TicketCalled" in out  # the live events stream
    state = requests.get(node["NODE"] + "/api/v1/state", headers={"Authorization": f"Bearer {node['DISPLAY_TOKEN']}"},
                         timeout=5).json()
    assert state["counters"]
