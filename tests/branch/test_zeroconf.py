"""Zeroconf advertisement and discovery, in a private network namespace (never on the host's network)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP_LO = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"


def _can_unshare() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="needs `unshare -n` (root or user namespaces) and iproute2")
def test_node_is_found_by_branch_id_and_followed(tmp_path):
    script = f"{SETUP_LO} && exec {sys.executable} -m tests.branch.zeroconf_probe {tmp_path / 'node'}"
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [c["node_id"] for c in report["found"]] == [report["node_id"]]
    assert report["found"][0]["url"] == f"http://127.0.0.1:{report['port']}"
    assert report["found"][0]["role"] == "leader"
    assert report["health_node"] == report["node_id"]  # the client followed the advertised node
    assert report["other_branch"] == 0  # another branch's browser ignores it
