"""Run inside an X server (`xvfb-run`): `smartqueue demo --windows`, then ask X which windows the app processes
mapped (xwininfo for the tree and map state, xprop for each window's _NET_WM_PID), then kill the kiosk and read
what the demo says. Prints one JSON line for tests/smartqueue/test_demo.py."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> dict[str, int]:
    """The demo's app processes by role, from /proc (their command lines say `smartqueue kiosk` …)."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat[1]) == pid and len(argv) > 3 and argv[2] == b"smartqueue":
            found[argv[3].decode()] = int(entry.name)
    return found


def mapped_windows() -> dict[int, list[str]]:
    """pid → names of its viewable top-level windows."""
    tree = subprocess.run(["xwininfo", "-root", "-children"], capture_output=True, text=True, check=True).stdout
    windows: dict[int, list[str]] = {}
    for wid, name in re.findall(r"^\s+(0x[0-9a-f]+) (\"[^\"]*\"|\(has no name\))", tree, re.M):
        info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
        if "Map State: IsViewable" not in info:
            continue
        prop = subprocess.run(["xprop", "-id", wid, "_NET_WM_PID"], capture_output=True, text=True).stdout
        match = re.search(r"= (\d+)", prop)
        if match:
            windows.setdefault(int(match.group(1)), []).append(name.strip('"'))
    return windows


def main(folder: str) -> int:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("QT_QPA_PLATFORM", None)  # the X server's windows, not offscreen
    demo = subprocess.Popen([sys.executable, "-m", "smartqueue", "demo", "--windows", "--fresh", "--dir", folder,
                             "--port", "0", "--no-central"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    report: dict = {}
    try:
        out = []
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            out.append(line)
            if "windows are open" in line:
                break
        report["announced"] = any("windows are open" in line for line in out)
        apps = children(demo.pid)
        windows = mapped_windows()
        report["windows"] = {role: windows.get(pid, []) for role, pid in apps.items() if role != "node"}
        os.kill(apps["kiosk"], signal.SIGKILL)  # the kiosk dies: the demo must say so, and stop the rest
        demo.wait(60)
        report["exit"] = demo.returncode
        report["stderr"] = demo.stderr.read()
        report["left"] = [role for role, pid in apps.items() if Path(f"/proc/{pid}").exists() and
                          "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]
    finally:
        if demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            demo.wait(60)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
