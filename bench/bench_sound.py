"""Bench: an agent's call → the first sound out of the display (target p99 < 300 ms), beside a bare player's start.

Method: a private PulseAudio null sink (smartqueue/null_sink.py) is the audio output, its monitor is recorded with
parec (10 ms fragments) and each chunk is stamped on arrival; "sound starts" is the first sample louder than
silence, its time corrected for its place in the chunk. The node runs in its own process; this process runs the
real display (board, view-model, controller, announcement queue, QtAnnouncer with the clips of `make setup`,
French only so a call lasts ~2.5 s). An agent thread takes t0 and sends `call-next`; the next call is made once the
announcement has ended. Baselines, in the same process and through the same sink and recorder: a bare
QMediaPlayer given the same chime WAV from memory (`setSourceDevice` + `play`, what the announcer does) and a
preloaded QSoundEffect `play()`; t0 is the call. The difference is what the node, the event stream, the board and
building the WAV add.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_sound [--calls 40]
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

from bench._common import ROOT, NodeProcess, machine, percentile, summary
from smartqueue.null_sink import NullSink, Recorder

TARGET_MS = 300.0
SERVICES = ("accounts", "cash")


def agent_loop(base: str, kiosk: str, keypad: str, recorder: Recorder, done: threading.Event, calls: int,
               warmup: int, results: dict) -> None:
    http = requests.Session()
    try:
        session = http.post(base + "/api/v1/agents/login", json={"agent": "alice", "pin": "1234"},
                            headers={"Authorization": f"Bearer {keypad}"}, timeout=10).json()["session"]
        agent = {"Authorization": f"Bearer {session}"}
        for i in range(warmup + calls):
            http.post(base + "/api/v1/tickets", json={"service": SERVICES[i % 2], "language": "fr"},
                      headers={"Authorization": f"Bearer {kiosk}", "Idempotency-Key": str(uuid.uuid4())},
                      timeout=10).raise_for_status()
            time.sleep(0.2)  # silence between announcements, so each onset is clear
            done.clear()
            t0 = time.monotonic()
            http.post(base + "/api/v1/counters/1/call-next", json={}, timeout=10,
                      headers={**agent, "Idempotency-Key": str(uuid.uuid4())}).raise_for_status()
            if not done.wait(15):
                results["missing"] += 1
                continue
            time.sleep(0.1)  # the monitor's last chunks arrive
            onset = recorder.onset_after(t0)
            if onset is None:
                results["missing"] += 1
            elif i >= warmup:
                results["call"].append((onset - t0) * 1000)
    except Exception as err:  # reported: the bench fails
        results["error"] = repr(err)
    finally:
        http.close()
        results["done"] = True


def run_display(node: NodeProcess, recorder: Recorder, calls: int, warmup: int) -> dict:
    from PySide6.QtCore import QTimer

    from appkit.bootstrap import make_application
    from config.display import DisplayConfig
    from config.loader import load_config
    from display.app import build, make_announcer

    config = load_config(ROOT / "config" / "examples" / "display.toml")
    section = DisplayConfig.model_validate({**config.display.model_dump(), "announce_languages": ["fr"],
                                            "clip_dir": str(ROOT / "var" / "clips")})
    config = config.model_copy(update={"display": section})
    app = make_application("bench-sound")
    from nodeclient.client import NodeClient

    client = NodeClient(node.display_token, base_url=node.base)
    display = build(config, client, make_announcer(section), "bench-display")
    done = threading.Event()
    display.queue.finished.connect(lambda call, heard: done.set())
    results: dict = {"call": [], "missing": 0, "done": False}
    agent = threading.Thread(target=agent_loop, name="bench-agent", daemon=True,
                             args=(node.base, node.kiosk_tokens[0], node.keypad_tokens["1"], recorder, done, calls,
                                   warmup, results))
    poll = QTimer(interval=50)

    def tick() -> None:
        if results["done"]:
            app.quit()
        elif not display.vm.stale and not agent.is_alive() and "started" not in results:
            results["started"] = True
            agent.start()

    poll.timeout.connect(tick)
    poll.start()
    display.start()
    app.exec()
    poll.stop()
    results["audio"] = str(display.queue.announcer.state)
    display.close(wait=True)
    client.close()
    return results


def run_bare(recorder: Recorder, rounds: int) -> dict:
    """The same chime from memory through a bare QMediaPlayer, and through a preloaded QSoundEffect."""
    from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QUrl
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QSoundEffect

    from display.clips import chime_samples
    from display.sound import to_wav

    wav = to_wav(chime_samples())
    player, output = QMediaPlayer(), QAudioOutput()
    player.setAudioOutput(output)
    chime_file = Path(tempfile.mkdtemp(prefix="sq-bench-sound-")) / "chime.wav"
    chime_file.write_bytes(wav)
    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(chime_file)))
    out: dict = {"player": [], "effect": []}

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.005)

    pump(0.5)  # the effect loads
    for i in range(rounds + 2):
        buffer = QBuffer()
        buffer.setData(QByteArray(wav))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        t0 = time.monotonic()
        player.setSourceDevice(buffer, QUrl("chime.wav"))
        player.play()
        pump(1.6)
        player.stop()
        onset = recorder.onset_after(t0)
        if onset is not None and i >= 2:
            out["player"].append((onset - t0) * 1000)
        pump(0.2)
        t0 = time.monotonic()
        effect.play()
        pump(1.6)
        onset = recorder.onset_after(t0)
        if onset is not None and i >= 2:
            out["effect"].append((onset - t0) * 1000)
        pump(0.2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    if not (ROOT / "var" / "clips" / "manifest.json").exists():
        print("no clips in var/clips: run make setup", file=sys.stderr)
        return 1
    with NullSink() as sink:
        os.environ.update(sink.env)  # before QtMultimedia loads
        with Recorder(sink) as recorder:
            with tempfile.TemporaryDirectory(prefix="sq-bench-sound-") as tmp, NodeProcess(Path(tmp)) as node:
                results = run_display(node, recorder, args.calls, args.warmup)
            bare = run_bare(recorder, max(10, args.calls // 2))
    p99 = percentile(results["call"], 99)
    player99, effect99 = percentile(bare["player"], 99), percentile(bare["effect"], 99)
    ok = p99 < TARGET_MS and results["missing"] == 0 and "error" not in results and results["audio"] == "ok"
    print(f"sound bench: {len(results['call'])} calls after {args.warmup} warm-up (French announcement), node in "
          f"its own process, PulseAudio null sink recorded by parec; {machine()}")
    print(f"{'':36}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}   (ms)")
    for name, values in (("agent call -> sound starts", results["call"]),
                         ("baseline: bare QMediaPlayer play", bare["player"]),
                         ("baseline: QSoundEffect play", bare["effect"])):
        print(f"{name:36}" + "".join(f"{percentile(values, q):9.1f}" for q in (50, 90, 99))
              + f"{max(values, default=float('nan')):9.1f}")
    if "error" in results:
        print("error:", results["error"])
    print(f"missing onsets: {results['missing']}; audio state: {results['audio']}")
    print(f"target: call -> sound p99 < {TARGET_MS:.0f} ms: {p99:.1f}")
    summary("sound", f"call -> sound starts p99 {p99:.0f} ms", f"bare QMediaPlayer play p99 {player99:.0f} ms, "
            f"QSoundEffect p99 {effect99:.0f} ms", f"p99 < {TARGET_MS:.0f} ms", ok,
            call_p99_ms=round(p99, 1), player_p99_ms=round(player99, 1), effect_p99_ms=round(effect99, 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
