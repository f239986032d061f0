"""Run inside a private network namespace (see test_app_process.py): the real `smartqueue kiosk` process under a
fake systemd, finding its node by zeroconf, reloaded by SIGHUP, stopped by SIGTERM. Prints one JSON report.

What systemd would see is read from a real AF_UNIX datagram socket given as $NOTIFY_SOCKET; what the kiosk holds
open is read from /proc (its mDNS sockets: a leaked zeroconf instance keeps its own).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.appkit.app_files import app_file
from tests.branch.conftest import example_config, start_node, stop_node

ROOT = Path(__file__).resolve().parents[2]
MDNS_PORT = f"{5353:04X}"


class Notifications:
    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.messages: list[tuple[float, str]] = []

    def until(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.states()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {what}: {self.states()}")
            with contextlib.suppress(TimeoutError):
                self.messages.append((time.monotonic(), self.sock.recv(200).decode()))

    def states(self) -> list[str]:
        return [re.sub(r"\n(STATUS|MONOTONIC_USEC)=.*", "", m, flags=re.S) for _, m in self.messages
                if m != "WATCHDOG=1"]


def mdns_sockets(pid: int) -> int:
    """UDP sockets on port 5353 that this process holds open."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(":" + MDNS_PORT) and fields[9] in inodes:
            count += 1
    return count


def main(root: Path, reloads: int = 3) -> None:
    running = start_node(root / "node", example_config(advertise=True, interfaces=["127.0.0.1"]), advertise=True)
    systemd = Notifications(root / "notify")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QML_DISABLE_DISK_CACHE": "1",
           "NOTIFY_SOCKET": str(root / "notify"), "WATCHDOG_USEC": "400000"}
    config = app_file(root, "kiosk", running.tokens["kiosk"], node_url=None)  # the node found by zeroconf
    log = (root / "kiosk.log").open("wb")
    kiosk = subprocess.Popen([sys.executable, "-m", "smartqueue", "kiosk", "--config", str(config), "--windowed"],
                             cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    report: dict = {"mdns": []}
    try:
        systemd.until(lambda s: s == ["READY=1"], 60, "READY=1 at start")
        deadline = time.monotonic() + 20  # the client found the node: the device said hello
        while not running.node.store.query("SELECT 1 FROM device_status WHERE device_id = 'dev-kiosk'"):
            assert time.monotonic() < deadline, "the kiosk never reached the node"
            time.sleep(0.1)
        report["mdns"].append(mdns_sockets(kiosk.pid))
        for n in range(1, reloads + 1):
            kiosk.send_signal(signal.SIGHUP)
            systemd.until(lambda s, n=n: s.count("READY=1") == n + 1, 30, f"READY=1 after reload {n}")
            report["mdns"].append(mdns_sockets(kiosk.pid))
        seen = len(systemd.messages)
        systemd.until(lambda s: len(systemd.messages) >= seen + 3, 5, "pings after the reloads")
        kiosk.send_signal(signal.SIGTERM)
        report["exit"] = kiosk.wait(30)
        systemd.until(lambda s: s[-1:] == ["STOPPING=1"], 5, "STOPPING=1")
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        log.close()
        stop_node(running)
    first_reload = next(i for i, (_, m) in enumerate(systemd.messages) if m.startswith("RELOADING=1"))
    report["states"] = systemd.states()
    report["pings_after_first_reload"] = sum(m == "WATCHDOG=1" for _, m in systemd.messages[first_reload:])
    print(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
