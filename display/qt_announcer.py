"""The real announcer: one WAV per call rendered from the clips, played by QMediaPlayer (QtMultimedia, ffmpeg).

Why QMediaPlayer and not QSoundEffect: without a device QSoundEffect goes to Error and never says it stopped;
QMediaPlayer reaches EndOfMedia (research notes §5). Without any audio output we do not play at all: the call is
shown, `finished(False)` follows at once and the state says `no_output`, which the display reports to the node.
A watchdog ends an announcement that a backend never finishes, so the queue can never stall.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

from display.announcer import Announcer, AudioState
from display.clips import RATE
from display.sound import ClipLibrary, MissingClips
from display.speech import PAUSE, Utterance

log = logging.getLogger(__name__)
WATCHDOG_EXTRA_MS = 3000


class QtAnnouncer(Announcer):
    def __init__(self, library: ClipLibrary, volume: float = 1.0, *, require_output: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.require_output = require_output
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)
        self._output = QAudioOutput(self)
        self._output.setVolume(volume)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._status)
        self._player.errorOccurred.connect(self._error)
        self._watchdog = QTimer(self, singleShot=True)
        self._watchdog.timeout.connect(lambda: self._finish(False, "the player never finished"))
        self._buffer: QBuffer | None = None
        self._busy = False
        self._degraded_by_clips = False
        self._outputs_changed()

    def _outputs_changed(self) -> None:
        outputs = QMediaDevices.audioOutputs()
        if outputs:
            self._output.setDevice(QMediaDevices.defaultAudioOutput())
        if not outputs and self.require_output:
            self._set_state(AudioState.NO_OUTPUT)
        else:
            self._set_state(AudioState.NO_CLIPS if self._degraded_by_clips else AudioState.OK)

    def set_volume(self, volume: float) -> None:
        self._output.setVolume(volume)

    def play(self, utterance: Utterance) -> None:
        if self._busy:
            log.error("announcer asked to play while playing; the queue should prevent this")
        self._busy = True
        if self.state is AudioState.NO_OUTPUT:
            QTimer.singleShot(0, lambda: self._finish(False))
            return
        try:
            wav = self.library.render(self._playable(utterance))
        except (OSError, ValueError, MissingClips) as err:
            problem = str(err)  # `err` is unbound once the except block ends
            self._set_state(AudioState.ERROR)
            QTimer.singleShot(0, lambda: self._finish(False, problem))
            return
        buffer = QBuffer(self)
        buffer.setData(QByteArray(wav))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._player.setSourceDevice(buffer, QUrl("call.wav"))
        if self._buffer is not None:  # the player let go of the previous call's buffer just now
            self._buffer.deleteLater()
        self._buffer = buffer
        self._watchdog.start(int(1000 * len(wav) / (2 * RATE)) + WATCHDOG_EXTRA_MS)
        self._player.play()

    def _playable(self, utterance: Utterance) -> Utterance:
        """Drop the languages whose clips are missing (say the others), and say so in the state."""
        missing = set(self.library.missing(utterance))
        if not missing:
            return utterance
        broken = {part.split(":", 1)[0] for part in missing if ":" in part}
        log.warning("voice clips missing for %s (%s …): those languages are not spoken",
                    ", ".join(sorted(broken)), sorted(missing)[0])
        self._degraded_by_clips = True
        self._set_state(AudioState.NO_CLIPS)
        parts: list[str] = []
        for part in utterance.parts:
            if part in missing or (":" in part and part.split(":", 1)[0] in broken):
                continue
            if part == PAUSE and (not parts or parts[-1] == PAUSE):
                continue
            parts.append(part)
        while parts and parts[-1] == PAUSE:
            parts.pop()
        return Utterance(tuple(parts))

    # The player's signals are handled on the next turn of the loop: calling back into QMediaPlayer (stop,
    # setSource) from inside its own mediaStatusChanged handler deadlocked the FFmpeg backend about one run in ten.

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            QTimer.singleShot(0, lambda: self._finish(True))
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            QTimer.singleShot(0, lambda: self._finish(False, "invalid media"))

    def _error(self, error: QMediaPlayer.Error, message: str) -> None:
        self._set_state(AudioState.ERROR)
        problem = f"{error.name}: {message}"
        QTimer.singleShot(0, lambda: self._finish(False, problem))

    def _finish(self, heard: bool, problem: str = "") -> None:
        if not self._busy:
            return
        if problem:
            log.warning("announcement not heard: %s", problem)
        self._busy = False
        self._watchdog.stop()
        if not heard:
            self._player.stop()  # a failed or stuck playback; an ended one has stopped by itself
        self.finished.emit(heard)

    def close(self) -> None:
        self._watchdog.stop()
        self._player.stop()
