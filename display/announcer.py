"""The `Announcer` port: play one utterance, say when it ended, report the audio state. Plus the tests' fake.

The real implementation (`display.qt_announcer.QtAnnouncer`) plays in real time through QtMultimedia; tests use
`RecordingAnnouncer`, which records what would have been played, in order, and notices overlaps.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, QTimer, Signal

from display.speech import Utterance


class AudioState(StrEnum):
    """The audio component's state, reported to the node as `components.audio`."""

    OK = "ok"
    OFF = "off"  # silent mode: nothing is expected to play
    NO_OUTPUT = "no_output"  # no audio device (or no sound server): calls are shown, not heard
    NO_CLIPS = "no_clips"  # voice clips missing for a language: chime (and the other languages) only
    ERROR = "error"  # the player failed


#: States in which the display works as configured (anything else is "degraded").
OPERATIONAL = frozenset({AudioState.OK, AudioState.OFF})


class Announcer(QObject):
    """Plays one utterance at a time. `play()` never blocks; `finished(heard)` follows every `play()` exactly once."""

    finished = Signal(bool)  # heard: the sound actually went to an output
    stateChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = AudioState.OK

    @property
    def state(self) -> AudioState:
        return self._state

    def _set_state(self, state: AudioState) -> None:
        if state != self._state:
            self._state = state
            self.stateChanged.emit(str(state))

    def play(self, utterance: Utterance) -> None:
        raise NotImplementedError

    def set_volume(self, volume: float) -> None:
        """0..1; the default does nothing."""

    def close(self) -> None:
        """Stop and release the output."""


class RecordingAnnouncer(Announcer):
    """A fake audio sink: records each utterance and 'plays' it for `duration_ms` on the Qt loop."""

    def __init__(self, duration_ms: int = 0, state: AudioState = AudioState.OK, keep: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.duration_ms = duration_ms
        self.keep = keep  # keep only the last `keep` utterances (long runs such as the soak bench)
        self.played: list[Utterance] = []
        self.overlaps = 0
        self.playing = False
        self._state = state

    def set_state(self, state: AudioState) -> None:
        """Simulate a device appearing or going away."""
        self._set_state(state)

    def play(self, utterance: Utterance) -> None:
        if self.playing:
            self.overlaps += 1
        self.playing = True
        self.played.append(utterance)
        if self.keep is not None and len(self.played) > self.keep:
            del self.played[:len(self.played) - self.keep]
        QTimer.singleShot(self.duration_ms, self._done)

    def _done(self) -> None:
        self.playing = False
        self.finished.emit(self._state is AudioState.OK)
