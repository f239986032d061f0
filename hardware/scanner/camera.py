"""Camera scanner: OpenCV capture on a worker thread, decoding (zxing-cpp, or zbar) restricted to the configured
symbologies.

The only module that talks to OpenCV's capture API; the decoders sit behind `decoders`. A camera sees the same code
on every frame while
it is held up, so reads are deduplicated: a code is delivered again only after it has been out of sight for
`dedupe_window_s`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from config.scanner import CameraScannerConfig
from hardware.scanner.base import ScanCallback, ScannerState, StateCallback
from hardware.scanner.decoders import make_decoder

log = logging.getLogger(__name__)

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff"}


class FrameSource(Protocol):
    """Yields frames until exhausted or unplugged."""

    def read(self) -> np.ndarray | None:
        """The next frame (BGR or gray), or None at the end of a recording or when the camera stopped answering."""

    def close(self) -> None: ...


class VideoCaptureSource:
    """A camera (device index or /dev/video path) or a video file, through cv2.VideoCapture."""

    def __init__(self, source: int | str, *, width: int, height: int, fps: float) -> None:
        self._capture = cv2.VideoCapture(source)
        if not self._capture.isOpened():
            self._capture.release()
            raise OSError(f"cannot open video source {source!r}")
        if isinstance(source, int) or str(source).startswith("/dev/"):
            # Requests only: a camera picks its nearest supported mode.
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            self._capture.set(cv2.CAP_PROP_FPS, fps)

    def read(self) -> np.ndarray | None:
        ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource:
    """Image files of a folder, in name order."""

    def __init__(self, folder: Path) -> None:
        self._files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
        if not self._files:
            raise OSError(f"no images in {folder}")
        self._next = 0

    def read(self) -> np.ndarray | None:
        while self._next < len(self._files):
            path = self._files[self._next]
            self._next += 1
            frame = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if frame is not None:
                return frame
            log.warning("camera: unreadable image %s skipped", path)
        return None

    def close(self) -> None:
        self._files = []


def _gray(frame: np.ndarray) -> np.ndarray | None:
    """An 8-bit gray 2-D view of a captured frame, or None when it is not an image a decoder can read."""
    if frame.ndim not in (2, 3) or frame.shape[0] < 1 or frame.shape[1] < 1:
        return None
    if frame.dtype == np.uint16:  # 16-bit gray or colour (some industrial and IR cameras)
        frame = (frame >> 8).astype(np.uint8)
    if frame.dtype != np.uint8:
        return None
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 1:
        return frame[:, :, 0]
    if frame.shape[2] in (3, 4):
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)
    return None


def open_source(config: CameraScannerConfig) -> FrameSource:
    """Open what `config.source` names. Raises OSError when it cannot be opened."""
    if isinstance(config.source, str) and Path(config.source).is_dir():
        return ImageFolderSource(Path(config.source))
    return VideoCaptureSource(config.source, width=config.width, height=config.height, fps=config.fps)


class Deduplicator:
    """Suppresses a code while it keeps being seen; it passes again after `window_s` out of sight."""

    def __init__(self, window_s: float) -> None:
        self._window_s = window_s
        self._last_seen: dict[str, float] = {}

    def admit(self, code: str, now: float) -> bool:
        last = self._last_seen.get(code)
        self._last_seen[code] = now
        if len(self._last_seen) > 256:
            self._last_seen = {c: t for c, t in self._last_seen.items() if now - t <= self._window_s}
        return last is None or now - last > self._window_s


class CameraScanner:
    """Reads frames on a worker thread, decodes them and calls `on_scan` once per newly seen code.

    Recorded sources (a video file, an image folder) are paced to `config.fps` unless `pace=False`, and stop at
    their end unless `loop=True`; a live camera that stops answering is reopened every `reconnect_interval_s`.
    """

    def __init__(
        self,
        config: CameraScannerConfig,
        on_scan: ScanCallback,
        on_state: StateCallback | None = None,
        *,
        pace: bool | None = None,
        loop: bool = False,
        clock: Callable[[], float] = time.monotonic,
        source_factory: Callable[[CameraScannerConfig], FrameSource] = open_source,
    ) -> None:
        self._config = config
        self._on_scan = on_scan
        self._on_state = on_state
        self._recorded = config.is_file_source
        self._pace = self._recorded if pace is None else pace
        self._loop = loop
        self._clock = clock
        self._source_factory = source_factory
        self._decoder = make_decoder(config.decoder, config.symbologies, second_opinion=config.second_opinion)
        self._dedupe = Deduplicator(config.dedupe_window_s)
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = ScannerState.STOPPED
        self.frames = 0
        self.codes_read = 0
        self.bad_frames = 0  # frames skipped as unusable (see _decode)
        self.busy_s = 0.0  # time spent decoding, for the load figure
        self._started_at = 0.0
        self._ended_at: float | None = None

    @property
    def state(self) -> ScannerState:
        return self._state

    @property
    def fps(self) -> float:
        """Frames processed per second since start (until the end of a recording)."""
        end = self._ended_at if self._ended_at is not None else self._clock()
        elapsed = end - self._started_at
        return self.frames / elapsed if elapsed > 0 else 0.0

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("camera scanner already started")
        self._stop.clear()
        self._finished.clear()
        self._thread = threading.Thread(target=self._run, name=f"camera-scanner {self._config.source}")
        self._thread.start()

    def wait_finished(self, timeout: float | None = None) -> bool:
        """Wait until a recorded source has been played to its end (or the scanner stopped)."""
        return self._finished.wait(timeout)

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.error("camera scanner: worker did not stop within %.1f s", timeout)
            self._thread = None

    def __enter__(self) -> CameraScanner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _set_state(self, state: ScannerState) -> None:
        if state is self._state:
            return
        self._state = state
        log.info("camera scanner %s: %s", self._config.source, state.value)
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("camera scanner state callback failed")

    def _run(self) -> None:
        self._set_state(ScannerState.CONNECTING)
        self._started_at = self._clock()
        try:
            while not self._stop.is_set():
                try:
                    source = self._source_factory(self._config)
                except OSError as err:
                    if self._recorded:
                        log.error("camera scanner: %s", err)
                        return
                    if self._state is not ScannerState.DISCONNECTED:
                        log.warning("camera scanner: %s", err)
                    self._set_state(ScannerState.DISCONNECTED)
                    self._stop.wait(self._config.reconnect_interval_s)
                    continue
                self._set_state(ScannerState.OPERATIONAL)
                try:
                    self._play(source)
                finally:
                    source.close()
                if self._recorded and not self._loop:
                    return
                if not self._recorded and not self._stop.is_set():
                    log.warning("camera scanner %s: camera stopped delivering frames", self._config.source)
                    self._set_state(ScannerState.DISCONNECTED)
        finally:
            self._ended_at = self._clock()
            self._set_state(ScannerState.STOPPED)
            self._finished.set()

    def _decode(self, frame: np.ndarray) -> list[str]:
        """The codes in one frame; a frame no decoder can take (empty, raw YUYV, an odd depth) is skipped with a
        log line: one bad frame from a capture backend must not end the worker and leave the kiosk blind."""
        gray = _gray(frame)
        if gray is None:
            self._bad_frame(f"unusable frame (shape {frame.shape}, {frame.dtype})")
            return []
        try:
            return self._decoder.decode(gray).texts
        except (cv2.error, ValueError, TypeError, RuntimeError) as err:
            self._bad_frame(f"decoder failed on a {gray.shape} frame: {err}")
            return []

    def _bad_frame(self, detail: str) -> None:
        self.bad_frames += 1
        if self.bad_frames == 1 or self.bad_frames % 1000 == 0:
            log.warning("camera scanner %s: %s (%d frames skipped)", self._config.source, detail, self.bad_frames)

    def _play(self, source: FrameSource) -> None:
        period = 1.0 / self._config.fps
        next_due = self._clock()
        while not self._stop.is_set():
            frame = source.read()
            if frame is None:
                return
            began = self._clock()
            texts = self._decode(frame)
            self.busy_s += self._clock() - began
            self.frames += 1
            for text in texts:
                if self._dedupe.admit(text, began):
                    self.codes_read += 1
                    try:
                        self._on_scan(text)
                    except Exception:
                        log.exception("camera scanner scan callback failed")
            if self._pace:
                next_due += period
                delay = next_due - self._clock()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_due = self._clock()  # fell behind: do not try to catch up in a burst
