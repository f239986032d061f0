"""Bench: the agent keypad. (1) press "next" → the keypad window shows the called ticket, p95, beside the bare
HTTP call-next round trip on the same node; (2) cold start → first frame, beside a bare QML window.

Method (1): a branch node in its own process on 127.0.0.1 (fresh data dir, WAL + synchronous=FULL), the keypad in
this process exactly as `smartqueue keypad` builds it (offscreen, software renderer, QML loaded, its worker thread
and event feed running), alice logged in at counter 1. Each sample: `vm.press("call_next")` from the GUI thread,
then the Qt loop runs until the QML `current_number` Text shows the new ticket ("shown" = its text binding
changed), and until the next frame is swapped ("drawn"). The baseline is the same call (POST .../call-next with the
agent session and an Idempotency-Key) sent directly with requests from this process, alternating in blocks.
Method (2): `python -m smartqueue keypad --config … --windowed --screenshot …` as a process, timed from spawn to
its "first frame" log line; baseline: a bare QML Window (one Text) timed the same way. Median of the runs.
Targets: press→shown p95 < 150 ms; cold start < 2 s.

Run: .venv/bin/python -m bench.bench_keypad   (exit status 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QML_DISABLE_DISK_CACHE", "1")

from bench._common import PYTHON, ROOT, NodeProcess, machine, percentile, summary

PRESS_P95_TARGET_MS, COLD_TARGET_S = 150.0, 2.0
BARE_QML = textwrap.dedent("""
    import sys, time
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickWindow
    app = QGuiApplication(sys.argv)
    engine = QQmlApplicationEngine()
    engine.loadData(b'import QtQuick\\nWindow { width: 800; height: 480; visible: true; Text { text: "A-042" } }')
    window = engine.rootObjects()[0]
    def first():
        print("first frame", flush=True, file=sys.stderr)
        app.quit()
    window.frameSwapped.connect(first)
    app.exec()
""")


def keypad_config(workdir: Path, node: NodeProcess) -> Path:
    token = workdir / "keypad.token"
    token.write_text(node.keypad_tokens["1"] + "\n")
    text = (ROOT / "config" / "examples" / "keypad.toml").read_text(encoding="utf-8")
    text = text.replace('node_url = "http://127.0.0.1:8470"', f'node_url = "{node.base}"')
    text = text.replace('token_file = "var/keypad/token"', f'token_file = "{token}"')
    text = text.replace('data_dir = "var/keypad"', f'data_dir = "{workdir / "keypad"}"')
    path = workdir / "keypad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def time_to_line(args: list[str], marker: str, timeout: float = 30.0) -> float:
    """Seconds from spawning `args` to a stderr line containing `marker`."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env)
    try:
        assert proc.stderr is not None
        for raw in proc.stderr:
            if marker in raw.decode(errors="replace"):
                return time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                break
        raise RuntimeError(f"{args[:4]}: no {marker!r} line (exit {proc.poll()})")
    finally:
        proc.wait(timeout)


def cold_starts(config: Path, runs: int, workdir: Path) -> tuple[list[float], list[float]]:
    keypad, bare = [], []
    script = workdir / "bare_qml.py"
    script.write_text(BARE_QML)
    for i in range(runs):
        shot = workdir / f"cold-{i}.png"
        keypad.append(time_to_line([PYTHON, "-m", "smartqueue", "keypad", "--config", str(config), "--windowed",
                                    "--screenshot", str(shot)], "first frame"))
        bare.append(time_to_line([PYTHON, str(script)], "first frame"))
    return keypad, bare


def press_latencies(config_path: Path, node: NodeProcess, samples: int) -> tuple[list[float], list[float], list[float]]:
    """(press→shown ms, press→drawn ms, bare call-next ms)."""
    import requests

    from agent_keypad.app import Keypad
    from appkit.bootstrap import make_application
    from appkit.device import make_client
    from config.loader import load_config

    app = make_application("bench-keypad")
    config = load_config(config_path)
    config = config.model_copy(update={"fingerprint": None})  # the reader plays no part in a press
    kiosk = requests.Session()
    headers = {"Authorization": f"Bearer {node.kiosk_tokens[0]}"}
    for _ in range(2 * samples + 10):
        kiosk.post(node.base + "/api/v1/tickets", json={"service": "accounts"},
                   headers={**headers, "Idempotency-Key": str(uuid.uuid4())}, timeout=10).raise_for_status()
    keypad = Keypad(config, make_client(config, node.keypad_tokens["1"]))
    keypad.show(fullscreen=False)
    keypad.start()
    c, window = keypad.controller, keypad.window

    def spin_until(predicate, timeout: float = 5.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise RuntimeError("the keypad did not get there in time")
            app.processEvents()
            time.sleep(0.0005)

    def number_item():
        stack = [window.contentItem()]
        while stack:
            item = stack.pop()
            if item.objectName() == "current_number" and item.isVisible():
                return item
            stack.extend(item.childItems())
        return None

    try:
        spin_until(lambda: c.online and c.counter is not None)
        c.select_agent("alice")
        for digit in "1234":
            c.type_text(digit)
        c.login()
        spin_until(lambda: c.logged_in and c.counter is not None and c.counter.agent == "alice")
        frames = [0]
        window.frameSwapped.connect(lambda: frames.__setitem__(0, frames[0] + 1))
        shown, drawn, bare = [], [], []
        session = requests.Session()
        agent_headers = {"Authorization": f"Bearer {c.agent_client.token}"}
        url = f"{node.base}/api/v1/counters/1/call-next"
        for i in range(samples):
            before = c.counter.current.number if c.counter and c.counter.current else ""
            start, frame0 = time.perf_counter(), frames[0]
            c.press("call_next", f"bench:{i % 2}")
            spin_until(lambda b=before: (item := number_item()) is not None and item.property("text") not in ("", b))
            shown.append((time.perf_counter() - start) * 1000)
            spin_until(lambda f=frame0: frames[0] > f)
            drawn.append((time.perf_counter() - start) * 1000)
            spin_until(lambda: not c.busy)
            t0 = time.perf_counter()
            response = session.post(url, json={}, headers={**agent_headers, "Idempotency-Key": str(uuid.uuid4())},
                                    timeout=10)
            bare.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
            spin_until(lambda: not c.busy)
        return shown, drawn, bare
    finally:
        keypad.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-keypad-") as tmp:
        workdir = Path(tmp)
        with NodeProcess(workdir, keypads=("1",)) as node:
            config = keypad_config(workdir, node)
            shown, drawn, bare = press_latencies(config, node, args.samples)
            cold, cold_bare = cold_starts(config, args.cold_runs, workdir)
    p95_shown, p95_drawn, p95_bare = percentile(shown, 95), percentile(drawn, 95), percentile(bare, 95)
    print(f"press next → ticket shown (QML text): p50 {percentile(shown, 50):.1f} ms, p95 {p95_shown:.1f} ms, "
          f"max {max(shown):.1f} ms ({len(shown)} presses)")
    print(f"press next → next frame drawn:         p50 {percentile(drawn, 50):.1f} ms, p95 {p95_drawn:.1f} ms")
    print(f"baseline bare HTTP call-next:          p50 {percentile(bare, 50):.1f} ms, p95 {p95_bare:.1f} ms")
    cold_med, bare_med = statistics.median(cold), statistics.median(cold_bare)
    print(f"cold start → first frame: median {cold_med:.2f} s, max {max(cold):.2f} s ({len(cold)} runs); "
          f"bare QML window median {bare_med:.2f} s")
    press_ok, cold_ok = p95_shown < PRESS_P95_TARGET_MS, max(cold) < COLD_TARGET_S
    summary("keypad press→shown", f"p95 {p95_shown:.1f} ms (drawn {p95_drawn:.1f} ms)",
            f"bare call-next p95 {p95_bare:.1f} ms", f"< {PRESS_P95_TARGET_MS:.0f} ms", press_ok)
    summary("keypad cold start", f"median {cold_med:.2f} s, max {max(cold):.2f} s",
            f"bare QML window {bare_med:.2f} s", f"< {COLD_TARGET_S:.0f} s", cold_ok)
    return 0 if press_ok and cold_ok else 1


if __name__ == "__main__":
    sys.exit(main())
