"""A private PulseAudio server with one null sink: the display's announcements really play, and can be recorded.

Tests, the benchmark and the headless demo run on machines without a sound card; without an audio server
QtMultimedia reports no output and the display (rightly) says "announced on 0 displays". This starts Debian's
`pulseaudio` in a temporary runtime folder — its own socket, no D-Bus, no autospawn, no system sound — with a
null sink at the clips' format (22,050 Hz mono), and points clients at it with `PULSE_SERVER`. Its monitor source
is what the sink played, which `Recorder` captures with `parec`.

As root, PulseAudio warns that it is "not intended to be run as root" but runs as a per-user daemon when told
`--system=no` with its own HOME and XDG_RUNTIME_DIR (what this does); `--system` would need a `pulse` user and
its system-wide configuration, which a test must not touch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

RATE = 22050  # the clips' rate (display.clips.RATE): no resampling between the WAV and the sink
SINK = "sq_null"
START_TIMEOUT_S = 10.0


class NullSinkError(RuntimeError):
    """The audio server could not be started (pulseaudio missing or failing)."""


@dataclass
class NullSink:
    """`start()` a private pulseaudio; `env` is what a client process needs; `stop()` ends it."""

    root: Path | None = None
    process: subprocess.Popen | None = None
    _own_root: bool = False

    @property
    def socket(self) -> Path:
        assert self.root is not None
        return self.root / "native"

    @property
    def env(self) -> dict[str, str]:
        return {"PULSE_SERVER": f"unix:{self.socket}", "PULSE_SINK": SINK}

    def start(self) -> NullSink:
        exe = shutil.which("pulseaudio")
        if exe is None:
            raise NullSinkError("pulseaudio is not installed (scripts/install-system-deps.sh installs it)")
        if self.root is None:
            self.root, self._own_root = Path(tempfile.mkdtemp(prefix="sq-pulse-")), True
        runtime = self.root / "run"
        runtime.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "HOME": str(self.root), "XDG_RUNTIME_DIR": str(runtime)}
        env.pop("PULSE_SERVER", None)
        log = (self.root / "pulseaudio.log").open("wb")
        self.process = subprocess.Popen(
            [exe, "-n", "--daemonize=no", "--system=no", "--exit-idle-time=-1", "--use-pid-file=no",
             "--disable-shm=yes", "--log-target=stderr", "--log-level=warning",
             "-L", f"module-null-sink sink_name={SINK} rate={RATE} channels=1",
             "-L", f"module-native-protocol-unix socket={self.socket} auth-anonymous=1"],
            env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.socket.exists() and self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise NullSinkError(f"pulseaudio did not start: {self._log_tail()}")

    def _answers(self) -> bool:
        pactl = shutil.which("pactl")
        if pactl is None:
            return True
        result = subprocess.run([pactl, "info"], env={**os.environ, **self.env}, capture_output=True, timeout=5)
        return result.returncode == 0

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.root / "pulseaudio.log").read_text(errors="replace")[-400:] if self.root else ""
        return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
        if self._own_root and self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> NullSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class Recorder:
    """What the null sink plays, captured from its monitor with `parec` (raw s16le mono at RATE).

    `chunks` keeps (monotonic arrival time, bytes) so a benchmark can tell when a sound started; `samples()`
    joins them. Use as a context manager around what should be heard.
    """

    sink: NullSink
    latency_ms: int = 10
    chunks: list[tuple[float, bytes]] = field(default_factory=list)
    _process: subprocess.Popen | None = None
    _reader: threading.Thread | None = None

    def __enter__(self) -> Recorder:
        exe = shutil.which("parec")
        if exe is None:
            raise NullSinkError("parec is not installed (Debian package pulseaudio-utils)")
        self._process = subprocess.Popen(
            [exe, "--raw", "--format=s16le", f"--rate={RATE}", "--channels=1", f"--latency-msec={self.latency_ms}",
             "-d", f"{SINK}.monitor"], env={**os.environ, **self.sink.env}, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, name="sq-parec", daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 5
        while not self.chunks and time.monotonic() < deadline:  # the stream is flowing (silence) before we play
            time.sleep(0.01)
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while True:
            data = self._process.stdout.read1(4096)
            if not data:
                return
            self.chunks.append((time.monotonic(), data))

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(5)
        if self._reader is not None:
            self._reader.join(5)

    def samples(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)

    def onset_after(self, start: float, threshold: int = 400) -> float | None:
        """Monotonic time of the first chunk, arrived after `start`, holding a sample louder than `threshold`.

        The time is the chunk's arrival, corrected for where in the chunk the sound began.
        """
        import array

        for arrived, data in list(self.chunks):
            if arrived < start:
                continue
            values = array.array("h")
            values.frombytes(data[: len(data) // 2 * 2])
            for index, value in enumerate(values):
                if abs(value) > threshold:
                    return arrived - (len(values) - index) / RATE
        return None
