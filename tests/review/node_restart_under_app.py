"""Review of issue 12: kill -9 the node under a running display and kiosk (one process each? here: in-process
bootstraps), restart it on the same port, and check both apps come back (stale → fresh, offline → online),
and that a call made after the restart reaches the display.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.review.node_restart_under_app
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from PySide6.QtCore import QCoreApplication, QEventLoop

from appkit.bootstrap import AppBootstrap, LaunchOptions, make_application
from appkit.watchdog import GuiWatchdog, Notifier
from devtools.cluster_harness import EXAMPLE, free_port
from display.app import DISPLAY
from kiosk.app import KIOSK
from tests.appkit.app_files import app_file

ROOT = Path(__file__).resolve().parents[2]


def pump(seconds: float, until=None) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if until is not None and until():
            return round(time.monotonic() - start, 2)
        time.sleep(0.02)
    return None


def sq(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "smartqueue", *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="r12restart-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = root / "node"
    common = ["--config", str(EXAMPLE), "--data-dir", str(data)]
    tokens = {role: sq("node", "token", *common, "--role", role, "--device-id", f"dev-{role}", *extra)
              for role, extra in (("kiosk", []), ("display", []), ("admin", []))}

    def start_node() -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", "smartqueue", "node", *common, "--host", "127.0.0.1",
                                 "--port", str(port), "--no-advertise"], cwd=ROOT,
                                stdout=open(root / "node.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/api/v1/health", timeout=0.5)
                return proc
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError("node did not start")

    node = start_node()
    make_application("restart")
    boots = {}
    for role, spec in (("display", DISPLAY), ("kiosk", KIOSK)):
        path = app_file(root, role, tokens[role], url)
        boots[role] = AppBootstrap(spec, LaunchOptions(path, windowed=True), watchdog=GuiWatchdog(Notifier({})))
        boots[role].start()
    display = lambda: boots["display"].current.app  # noqa: E731
    kiosk = lambda: boots["kiosk"].current.app.vm  # noqa: E731
    report = {"display_fresh_at_start": pump(15, lambda: not display().vm.stale),
              "kiosk_online_at_start": pump(15, lambda: kiosk().online)}
    auth = {"Authorization": f"Bearer {tokens['kiosk']}"}

    def issue() -> int:
        return requests.post(url + "/api/v1/tickets", json={"service": "accounts", "language": "fr"}, timeout=5,
                             headers={**auth, "Idempotency-Key": str(uuid.uuid4())}).status_code
    report["ticket_before"] = issue()
    os.kill(node.pid, signal.SIGKILL)
    node.wait()
    kiosk().refresh()
    report["display_stale_after_kill_s"] = pump(30, lambda: display().vm.stale)
    report["kiosk_offline_after_kill_s"] = pump(30, lambda: not kiosk().online)
    pump(3)  # the node is away a while
    node = start_node()
    report["display_fresh_after_restart_s"] = pump(60, lambda: not display().vm.stale)
    kiosk().refresh()
    report["kiosk_online_after_restart_s"] = pump(60, lambda: kiosk().online)
    report["ticket_after"] = issue()
    report["verify"] = subprocess.run([sys.executable, "-m", "smartqueue", "node", "verify", *common], cwd=ROOT,
                                      capture_output=True, text=True).stdout.strip()[-200:]
    for boot in boots.values():
        boot.stop()
    node.terminate()
    node.wait(15)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
