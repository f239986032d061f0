"""Review of issue 12: reload an app N times under a fake NOTIFY_SOCKET (with zeroconf discovery, so run it inside
`unshare -n`) and count threads, fds, translators, zeroconf instances, QML engines, notify messages.

    unshare -n sh -c "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && \
      QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.review.reload_soak kiosk 50"
"""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtQml import QQmlApplicationEngine

from agent_keypad.app import keypad_spec
from appkit.bootstrap import AppBootstrap, LaunchOptions, make_application
from appkit.i18n import CatalogTranslator
from appkit.watchdog import GuiWatchdog, Notifier
from display.app import DISPLAY
from kiosk.app import KIOSK
from tests.appkit.app_files import app_file
from tests.branch.conftest import example_config, start_node, stop_node

DRAIN = []


def pump(seconds: float, until=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        for drain in DRAIN:
            drain()
        if until is not None and until():
            return True
        time.sleep(0.01)
    return until is None


def count(kind) -> int:
    gc.collect()
    return sum(isinstance(o, kind) for o in gc.get_objects())


def measure() -> dict:
    from zeroconf import Zeroconf

    return {"threads": threading.active_count(), "fds": len(os.listdir("/proc/self/fd")),
            "translators": count(CatalogTranslator), "zeroconf": count(Zeroconf),
            "engines": count(QQmlApplicationEngine),
            "rss_kb": int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]),
            "thread_names": sorted({t.name.rstrip("0123456789-_") for t in threading.enumerate()})}


def main(role: str, n: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="r12soak-"))
    node = start_node(root / "node", example_config(advertise=True, interfaces=["127.0.0.1"]), advertise=True)
    spec = {"kiosk": KIOSK, "display": DISPLAY, "keypad": keypad_spec()}[role]
    path = app_file(root, role, node.tokens[role], None)  # zeroconf discovery
    errors: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                errors.append(f"{record.name}: {record.getMessage()[:120]}")

    logging.getLogger().addHandler(Catch())
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(root / "notify"))
    sock.setblocking(False)
    messages: list[str] = []

    def drain() -> list[str]:
        while True:
            try:
                messages.append(sock.recv(300).decode())
            except BlockingIOError:
                return messages

    DRAIN.append(drain)
    make_application("soak")
    boot = AppBootstrap(spec, LaunchOptions(path, windowed=True), watchdog=GuiWatchdog(
        Notifier({"NOTIFY_SOCKET": str(root / "notify"), "WATCHDOG_USEC": "2000000"})))
    boot.start()
    pump(3)
    samples = [measure()]
    for i in range(1, n + 1):
        boot.reload()
        if not pump(10, lambda i=i: boot.reloads == i):
            print(f"reload {i} did not finish", file=sys.stderr)
            break
        pump(0.3)
        if i in (1, 2, 5, 10, 25, n):
            samples.append({"reload": i, **measure()})
    pump(1)
    states = [m.split("\n")[0] for m in drain() if m != "WATCHDOG=1"]
    report = {"role": role, "samples": samples, "readies": states.count("READY=1"),
              "reloading": states.count("RELOADING=1"), "stopping_before_end": states.count("STOPPING=1"),
              "pings": drain().count("WATCHDOG=1"), "errors": sorted(set(errors))}
    boot.stop()
    drain()
    report["after_stop"] = measure()
    report["last_state"] = [m.split("\n")[0] for m in messages if m != "WATCHDOG=1"][-1]
    stop_node(node)
    for sample in [*samples, report["after_stop"]]:
        sample.pop("thread_names") if sample is not samples[-1] else None
    print(json.dumps(report, indent=None))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
