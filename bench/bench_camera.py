"""Camera scanner pipeline frames/s at 640×480 beside a bare pyzbar loop on the same frames, in the same run.

Method: a synthetic MJPG video (QR, CODE128 and empty frames with sensor-like noise) is written to a temp dir.
The process is pinned to one core and OpenCV to one thread. Baseline: the video's frames are decoded to gray once,
then a bare loop calls pyzbar.decode with the same symbologies on each. Pipeline: CameraScanner plays the same
file unpaced (capture, gray conversion, decode, dedupe, callback on its worker thread), timed from start to end.
Best of `--rounds` for each. Targets: pipeline ≥ 80 % of the bare loop and ≥ 30 frames/s.

Run: .venv/bin/python -m bench.bench_camera   (exit status 1 when a target is missed)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

from config.scanner import CameraScannerConfig
from hardware.scanner.camera import CameraScanner
from hardware.scanner.synthetic import Scene, write_video

SYMBOLOGIES = ["QRCODE", "CODE128"]
SCENES = [
    Scene(30),
    Scene(60, "SQT1:B-17:A042-20261124:7QK3M2ZB4XW5N6PA"),
    Scene(30),
    Scene(60, "A042-20261124", "CODE128"),
    Scene(20),
]


def bare_loop(video: Path) -> tuple[float, int]:
    """Frames/s of pyzbar alone on the video's frames (decoded to gray beforehand), and the frame count."""
    capture = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    capture.release()
    symbols = [ZBarSymbol[name] for name in SYMBOLOGIES]
    began = time.perf_counter()
    for gray in frames:
        zbar_decode(gray, symbols=symbols)
    return len(frames) / (time.perf_counter() - began), len(frames)


def pipeline(video: Path) -> tuple[float, int, list[str]]:
    """Frames/s of CameraScanner playing the file unpaced, the frames it processed and the codes it delivered."""
    codes: list[str] = []
    config = CameraScannerConfig(source=str(video), symbologies=SYMBOLOGIES, dedupe_window_s=5)
    scanner = CameraScanner(config, codes.append, pace=False)
    began = time.perf_counter()
    scanner.start()
    try:
        if not scanner.wait_finished(120):
            raise RuntimeError("camera pipeline did not finish")
        elapsed = time.perf_counter() - began
    finally:
        scanner.stop()
    return scanner.frames / elapsed, scanner.frames, codes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video(Path(tmp) / "bench.avi", SCENES)
        bare = [bare_loop(video) for _ in range(args.rounds)]
        piped = [pipeline(video) for _ in range(args.rounds)]
    bare_fps, frame_count = max(bare)
    pipe_fps, pipe_frames, codes = max(piped)
    ratio = pipe_fps / bare_fps
    print(f"frames: {frame_count} at 640x480, symbologies {'+'.join(SYMBOLOGIES)}, one core, best of {args.rounds}")
    print(f"bare pyzbar decode loop : {bare_fps:7.1f} frames/s")
    print(f"camera pipeline         : {pipe_fps:7.1f} frames/s ({ratio:.0%} of bare; {pipe_frames} frames, "
          f"codes {codes})")
    ok = ratio >= 0.8 and pipe_fps >= 30 and pipe_frames == frame_count and len(codes) == 2
    print("targets (>= 80 % of bare, >= 30 frames/s, every frame and code):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
