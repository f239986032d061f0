"""Clips from espeak-ng (made in a temporary folder), joined into one WAV; the QtMultimedia announcer."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest

from display.clips import RATE, clip_path, main, read_samples
from display.qt_announcer import QtAnnouncer
from display.sound import ClipLibrary, MissingClips
from display.speech import CHIME, announcement


def seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return w.getnframes() / RATE


def test_generated_clips_are_trimmed_speech(clip_dir):
    manifest = json.loads((clip_dir / "manifest.json").read_text())
    assert manifest["generator"].startswith("eSpeak NG") and manifest["rate"] == RATE
    for clip_key in ("fr:n42", "ar:n42", "en:counter", "ar:letter_A", CHIME):
        samples = read_samples(clip_path(clip_dir, clip_key))
        assert 0.2 < len(samples) / RATE < 2.5, clip_key
        first_loud = next(i for i, s in enumerate(samples) if abs(s) > 400)
        assert first_loud < 0.05 * RATE, clip_key  # trimmed: no long silence before the word


def test_an_utterance_renders_to_one_wav_in_order(clip_dir):
    library = ClipLibrary(clip_dir)
    full = library.render(announcement("A-042", "3", ["fr", "en", "ar"]))
    french = library.render(announcement("A-042", "3", ["fr"], chime=False))
    assert 4 < seconds(full) < 20 and 0.8 < seconds(french) < seconds(full)
    with pytest.raises(MissingClips) as missing:
        library.render(announcement("A-777", "3", ["fr"]))
    assert "fr:n77" in missing.value.keys


def test_generator_cli_rejects_unknown_languages(capsys):
    with pytest.raises(SystemExit):
        main(["--out", "/nonexistent", "--languages", "de"])


NO_OUTPUT_SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from display.qt_announcer import QtAnnouncer
from display.sound import ClipLibrary
from display.speech import announcement
announcer = QtAnnouncer(ClipLibrary(Path(sys.argv[1])))
announcer.finished.connect(lambda heard: (print("state", announcer.state.value, "heard", heard), app.quit()))
announcer.play(announcement("A-042", "3", ["fr"]))
QTimer.singleShot(3000, app.quit)
app.exec()
"""


def test_qt_announcer_without_an_output_reports_it_and_finishes_at_once(clip_dir, tmp_path):
    """No audio server at all (this test's process points PulseAudio at nothing): no_output, finished unheard."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path / 'nothing'}", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", NO_OUTPUT_SCRIPT, str(clip_dir)], env=env, capture_output=True,
                            text=True, timeout=30, cwd=Path(__file__).resolve().parents[2])
    assert "state no_output heard False" in result.stdout, result.stdout + result.stderr


def test_qt_announcer_plays_a_call_to_its_end_and_drops_languages_without_clips(qtbot, clip_dir):
    """The real QMediaPlayer path (ffmpeg backend plays in real time even with no device)."""
    announcer = QtAnnouncer(ClipLibrary(clip_dir), require_output=False)
    try:
        states: list[str] = []
        announcer.stateChanged.connect(states.append)
        # "C-001, counter 1" in French exists; "A-777" does not: only the chime and French are kept
        with qtbot.waitSignal(announcer.finished, timeout=8000) as blocker:
            announcer.play(announcement("C-001", "1", ["fr"], chime=False))
        assert blocker.args == [True]
        with qtbot.waitSignal(announcer.finished, timeout=8000):
            announcer.play(announcement("A-777", "1", ["fr"], chime=True))
        assert states[-1] == "no_clips"
    finally:
        announcer.close()
