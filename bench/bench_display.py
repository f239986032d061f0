"""Bench: an agent's call → the display's view-model (p99 < 100 ms) → the frame showing it (p99 < 200 ms); RSS soak.

Method: the node runs in its own process (`python -m smartqueue node`, bench config, loopback); this process runs
the real display (`display.app.build`: board, view-model, controller, announcement queue with the recording
announcer, acks) with its QML board in a 1920×1080 offscreen window (software renderer, as in the tests), and an
"agent" thread logged in at counter 1. Each round, a kiosk ticket is issued (not timed), then the agent thread
takes t0 and sends `call-next`; the GUI thread stamps the view-model's `newCall` for that number (→ view-model)
and the first `frameSwapped` after it (→ frame). Baseline: the same call-next's own HTTP round trip (the agent
seeing its answer), i.e. what the display adds on top of the node.

Soak (`--soak`): 8 hours of calls at one per 5 s is 5,760 calls; they are made back to back (about 20/s) and this
process's VmRSS is sampled every 250 calls. Target: final RSS < 200 MB, growth after warm-up within noise
(< 10 MB). Without `--soak` a short soak of 1,000 calls runs. The QML window renders throughout (the message line
scrolls, the clock ticks), so the frame path is part of the soak.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_display [--calls 200] [--soak]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QML_DISABLE_DISK_CACHE", "1")

import requests

from bench._common import ROOT, NodeProcess, machine, percentile, rss_kb, summary

TARGET_VM_MS, TARGET_FRAME_MS, TARGET_RSS_MB, NOISE_MB = 100.0, 200.0, 200.0, 10.0
SOAK_CALLS = 8 * 3600 // 5
SERVICES = ("accounts", "cash")  # the services counter 1 serves


class Stamps:
    """Times stamped on the GUI thread, read by the agent thread (a lock and an event per round)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.vm: dict[str, float] = {}
        self.frame: dict[str, float] = {}
        self.pending_frame: list[str] = []
        self.framed = threading.Event()


def agent_loop(base: str, kiosk: str, keypad: str, stamps: Stamps, calls: int, warmup: int, timeout: float,
               results: dict, on_progress) -> None:
    http = requests.Session()
    try:
        session = http.post(base + "/api/v1/agents/login", json={"agent": "alice", "pin": "1234"},
                            headers={"Authorization": f"Bearer {keypad}"}, timeout=10).json()["session"]
        agent = {"Authorization": f"Bearer {session}"}
        for i in range(warmup + calls):
            http.post(base + "/api/v1/tickets", json={"service": SERVICES[i % 2], "language": "fr"},
                      headers={"Authorization": f"Bearer {kiosk}", "Idempotency-Key": str(uuid.uuid4())},
                      timeout=10).raise_for_status()
            stamps.framed.clear()
            t0 = time.perf_counter()
            response = http.post(base + "/api/v1/counters/1/call-next", json={},
                                 headers={**agent, "Idempotency-Key": str(uuid.uuid4())}, timeout=10)
            t_http = time.perf_counter()
            response.raise_for_status()
            number = response.json()["counter"]["current"]["number"]
            if not stamps.framed.wait(timeout):
                results["missing"] += 1
                continue
            with stamps.lock:
                t_vm, t_frame = stamps.vm.pop(number, None), stamps.frame.pop(number, None)
            if i >= warmup and t_vm is not None and t_frame is not None:
                results["http"].append((t_http - t0) * 1000)
                results["vm"].append((t_vm - t0) * 1000)
                results["frame"].append((t_frame - t0) * 1000)
            on_progress(i + 1)
    except Exception as err:  # reported, not swallowed: the bench fails
        results["error"] = repr(err)
    finally:
        http.close()
        results["done"] = True


def run(node: NodeProcess, calls: int, warmup: int, sample_every: int = 250) -> dict:
    from PySide6.QtCore import QTimer

    from appkit.bootstrap import make_application
    from config.loader import load_config
    from display.announcer import RecordingAnnouncer
    from display.app import build
    from nodeclient.client import NodeClient

    config = load_config(ROOT / "config" / "examples" / "display.toml")
    config = config.model_copy(update={"display": config.display.model_copy(update={"layout": "landscape"})})
    app = make_application("bench-display")
    client = NodeClient(node.display_token, base_url=node.base)
    display = build(config, client, RecordingAnnouncer(duration_ms=0, keep=10), "bench-display")
    host = display.show(fullscreen=False, size=(1920, 1080))
    stamps = Stamps()
    rss: list[tuple[int, int]] = []

    def on_call(call) -> None:
        with stamps.lock:
            stamps.vm[call.number] = time.perf_counter()
            stamps.pending_frame.append(call.number)
        host.window.update()

    def on_frame() -> None:
        now = time.perf_counter()
        with stamps.lock:
            pending, stamps.pending_frame = stamps.pending_frame, []
            for number in pending:
                stamps.frame[number] = now
        if pending:
            stamps.framed.set()

    def progress(done: int) -> None:
        if done % sample_every == 0:
            rss.append((done, rss_kb(os.getpid())[0]))

    display.vm.newCall.connect(on_call)
    host.window.frameSwapped.connect(on_frame)
    results: dict = {"http": [], "vm": [], "frame": [], "missing": 0, "done": False}
    display.start()
    started = time.monotonic()
    agent = threading.Thread(target=agent_loop, name="bench-agent", daemon=True,
                             args=(node.base, node.kiosk_tokens[0], node.keypad_tokens["1"], stamps, calls, warmup,
                                   5.0, results, progress))
    ready = QTimer(interval=50)

    def poll() -> None:
        if not agent.is_alive() and results["done"]:
            app.quit()
        elif not display.vm.stale and not agent.is_alive() and "started" not in results:
            results["started"] = True
            agent.start()

    ready.timeout.connect(poll)
    ready.start()
    app.exec()
    ready.stop()
    results["seconds"] = time.monotonic() - started
    results["rss"] = rss
    results["final_kb"] = rss_kb(os.getpid())[0]
    display.close(wait=True)
    client.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="timed calls for the latency figures")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--soak", action="store_true", help=f"{SOAK_CALLS} calls (8 h at one per 5 s)")
    parser.add_argument("--soak-calls", type=int, default=1000, help="calls of the short soak (without --soak)")
    args = parser.parse_args(argv)
    soak_calls = SOAK_CALLS if args.soak else args.soak_calls
    with tempfile.TemporaryDirectory(prefix="sq-bench-display-") as tmp, NodeProcess(Path(tmp)) as node:
        latency = run(node, args.calls, args.warmup)
    with tempfile.TemporaryDirectory(prefix="sq-bench-display-") as tmp, NodeProcess(Path(tmp)) as node:
        soak = run(node, soak_calls, 0)
    vm99, frame99 = percentile(latency["vm"], 99), percentile(latency["frame"], 99)
    http99 = percentile(latency["http"], 99)
    samples = soak["rss"]
    warm = samples[min(1, len(samples) - 1)][1] if samples else soak["final_kb"]  # after the first 250 calls
    peak_kb = max([kb for _, kb in samples] + [soak["final_kb"]])
    growth_mb = (soak["final_kb"] - warm) / 1024
    final_mb = soak["final_kb"] / 1024
    errors = [r["error"] for r in (latency, soak) if "error" in r]
    ok = (vm99 < TARGET_VM_MS and frame99 < TARGET_FRAME_MS and final_mb < TARGET_RSS_MB and growth_mb < NOISE_MB
          and not errors and latency["missing"] == 0 and soak["missing"] == 0)
    print(f"display bench: {args.calls} calls after {args.warmup} warm-up, node in its own process, QML board "
          f"1920x1080 offscreen (software renderer); {machine()}")
    print(f"{'':30}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}   (ms)")
    for name, values in (("agent call -> view-model", latency["vm"]), ("agent call -> frame", latency["frame"]),
                         ("baseline: call-next HTTP", latency["http"])):
        print(f"{name:30}" + "".join(f"{percentile(values, q):9.2f}" for q in (50, 90, 99)) +
              f"{max(values, default=float('nan')):9.2f}")
    print(f"soak: {soak_calls} calls in {soak['seconds']:.0f} s ({soak_calls / soak['seconds']:.1f}/s) = "
          f"{soak_calls * 5 / 3600:.1f} h at one call per 5 s; missing {soak['missing']}")
    print("RSS while calling: " + ", ".join(f"{n}: {kb / 1024:.0f} MB" for n, kb in samples))
    print(f"RSS final {final_mb:.1f} MB, peak {peak_kb / 1024:.1f} MB, growth after warm-up {growth_mb:+.1f} MB")
    for error in errors:
        print("error:", error)
    print(f"targets: view-model p99 < {TARGET_VM_MS:.0f} ms: {vm99:.1f}; frame p99 < {TARGET_FRAME_MS:.0f} ms: "
          f"{frame99:.1f}; RSS < {TARGET_RSS_MB:.0f} MB: {final_mb:.1f}; growth < {NOISE_MB:.0f} MB: {growth_mb:+.1f}")
    summary("display", f"call -> view-model p99 {vm99:.1f} ms, -> frame p99 {frame99:.1f} ms; "
                       f"RSS {final_mb:.0f} MB after {soak_calls} calls ({growth_mb:+.1f} MB)",
            f"call-next HTTP p99 {http99:.1f} ms",
            f"p99 < {TARGET_VM_MS:.0f} / {TARGET_FRAME_MS:.0f} ms; RSS < {TARGET_RSS_MB:.0f} MB, flat", ok,
            vm_p99_ms=round(vm99, 2), frame_p99_ms=round(frame99, 2), http_p99_ms=round(http99, 2),
            rss_mb=round(final_mb, 1), rss_growth_mb=round(growth_mb, 1), soak_calls=soak_calls)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
