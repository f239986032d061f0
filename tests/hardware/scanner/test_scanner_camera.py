"""Camera scanner on synthetic footage: decoding, symbology restriction, deduplication, lifecycle."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from config.scanner import CameraScannerConfig
from hardware.scanner.base import ScannerState
from hardware.scanner.camera import CameraScanner, Deduplicator, FrameSource
from hardware.scanner.synthetic import Scene, write_image_sequence, write_video

TICKET = "SQT1:B-17:A042:AAAAAAAAAAAAAAAA"
SCENES = [Scene(4), Scene(8, TICKET), Scene(8, "T-0042", "CODE128"), Scene(4), Scene(6, TICKET)]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_video(tmp_path_factory.mktemp("camera") / "scans.avi", SCENES)


class TickClock:
    """Deterministic time: each reading advances 10 ms (the scanner reads it twice per frame)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.01
        return self.now


def play(source: Path | str, **config: object) -> tuple[list[str], CameraScanner]:
    codes: list[str] = []
    scanner = CameraScanner(
        CameraScannerConfig(source=str(source), **config), codes.append, pace=False, clock=TickClock()
    )
    scanner.start()
    try:
        assert scanner.wait_finished(10)
    finally:
        scanner.stop()
    return codes, scanner


def test_video_file_decodes_each_appearance_once(video: Path) -> None:
    # Frames are 20 ms apart on the tick clock; the 4 empty frames between the two appearances of TICKET
    # (~100 ms) outlast a 50 ms window, consecutive frames do not.
    codes, scanner = play(video, dedupe_window_s=0.05)
    assert codes == [TICKET, "T-0042", TICKET]
    assert scanner.frames == sum(scene.frames for scene in SCENES)
    assert scanner.fps > 0
    assert scanner.state is ScannerState.STOPPED


def test_long_window_suppresses_the_repeat(video: Path) -> None:
    codes, _ = play(video, dedupe_window_s=60)
    assert codes == [TICKET, "T-0042"]


def test_symbologies_restrict_decoding(video: Path) -> None:
    codes, _ = play(video, symbologies=["QRCODE"], dedupe_window_s=60)
    assert codes == [TICKET]


def test_image_sequence_folder(tmp_path: Path) -> None:
    folder = write_image_sequence(tmp_path / "frames", [Scene(2), Scene(3, "T-0007", "CODE128")])
    codes, scanner = play(folder)
    assert codes == ["T-0007"]
    assert scanner.frames == 5


def test_unopenable_file_ends_without_crash(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-video.avi"
    bogus.write_bytes(b"\x00garbage" * 100)
    codes, scanner = play(bogus)
    assert codes == [] and scanner.frames == 0


def test_paced_playback_stops_promptly(video: Path) -> None:
    codes: list[str] = []
    scanner = CameraScanner(CameraScannerConfig(source=str(video), fps=2), codes.append)
    scanner.start()
    scanner.stop(timeout=1.0)
    assert scanner.state is ScannerState.STOPPED
    assert scanner.frames < 5


class _FlakyCamera:
    """A live camera that fails to open once, then delivers two frames and stops answering."""

    def __init__(self, frame: np.ndarray) -> None:
        self._frames = [frame, frame]

    def read(self) -> np.ndarray | None:
        return self._frames.pop() if self._frames else None

    def close(self) -> None:
        pass


def test_live_camera_reconnects(video: Path) -> None:
    frame = np.full((480, 640), 200, dtype=np.uint8)
    attempts: list[int] = []
    states: list[ScannerState] = []
    reopened = threading.Event()

    def factory(_config: CameraScannerConfig) -> FrameSource:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("no camera")
        if len(attempts) >= 3:
            reopened.set()
        return _FlakyCamera(frame)

    config = CameraScannerConfig(source=0, reconnect_interval_s=0.05)
    scanner = CameraScanner(config, lambda _text: None, states.append, source_factory=factory)
    scanner.start()
    try:
        assert reopened.wait(2)
    finally:
        scanner.stop()
    assert states[:3] == [ScannerState.CONNECTING, ScannerState.DISCONNECTED, ScannerState.OPERATIONAL]
    assert ScannerState.DISCONNECTED in states[3:]


def test_deduplicator_window_counts_from_last_sighting() -> None:
    dedupe = Deduplicator(window_s=2.0)
    assert dedupe.admit("A", 0.0)
    assert not dedupe.admit("A", 1.5)
    assert not dedupe.admit("A", 3.0)  # still in view: 1.5 s since last seen
    assert dedupe.admit("A", 5.5)
    assert dedupe.admit("B", 5.5)


class _Frames:
    """A capture backend that hands out the given frames, then ends."""

    def __init__(self, frames: list[np.ndarray]) -> None:
        self._frames = list(frames)

    def read(self) -> np.ndarray | None:
        return self._frames.pop(0) if self._frames else None

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((0, 0), np.uint8),  # ok=True with an empty frame (some backends)
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((480, 640, 2), np.uint8),  # raw YUYV with CONVERT_RGB off
        np.zeros((614400,), np.uint8),  # an undecoded MJPEG buffer
        np.zeros((480, 640), np.float32),
        np.full((480, 640), 0x8000, np.uint16),
    ],
    ids=["empty", "empty-bgr", "yuyv", "flat-buffer", "float", "uint16"],
)
def test_a_damaged_frame_is_skipped_and_the_camera_keeps_decoding(bad: np.ndarray) -> None:
    """Review of issue 17: one unusable frame raised in the worker (cv2.error, ValueError, TypeError): the thread
    died and the kiosk's camera stayed blind until a restart."""
    from hardware.scanner.synthetic import render_qr

    codes: list[str] = []
    config = CameraScannerConfig(source="recorded.avi")
    scanner = CameraScanner(config, codes.append, pace=False,
                            source_factory=lambda _c: _Frames([bad, render_qr(TICKET)]))
    scanner.start()
    try:
        assert scanner.wait_finished(10)
    finally:
        scanner.stop()
    assert codes == [TICKET]
    assert scanner.frames == 2 and scanner.bad_frames == (0 if bad.dtype == np.uint16 else 1)
