"""The real `smartqueue kiosk` process under a fake systemd, in a private network namespace (zeroconf binds
0.0.0.0:5353, so it must never run on the host's network): SIGHUP reloads it in place, SIGTERM stops it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.branch.test_zeroconf import SETUP_LO, _can_unshare

ROOT = Path(__file__).resolve().parents[2]
RELOADS = 3


@pytest.mark.skipif(not _can_unshare(), reason="needs `unshare -n` (root or user namespaces) and iproute2")
def test_reloads_tell_systemd_reloading_keep_pinging_and_leak_no_zeroconf(tmp_path):
    script = f"{SETUP_LO} && exec {sys.executable} -m tests.appkit.systemd_probe {tmp_path}"
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                            timeout=180)
    log = (tmp_path / "kiosk.log").read_text(errors="replace") if (tmp_path / "kiosk.log").exists() else ""
    assert result.returncode == 0, result.stderr[-2000:] + log[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["states"] == ["READY=1"] + ["RELOADING=1", "READY=1"] * RELOADS + ["STOPPING=1"]
    assert report["exit"] == 0
    assert report["pings_after_first_reload"] >= RELOADS  # the watchdog went on pinging across reloads
    assert report["mdns"][0] > 0, "the kiosk should be browsing with zeroconf"
    assert report["mdns"] == [report["mdns"][0]] * (RELOADS + 1), "each reload must close its zeroconf"
