"""The idle-counter alert: a customer is waiting and the logged-in, unpaused counter has nobody at it.

The condition is computed by the view-model from the node's counter view; this module times it (the alert fires
only if the condition lasts `alert_delay_s`, so a call pressed right away never beeps) and repeats the sound.
Sound goes through the small `AlertSound` interface: QtMultimedia in the product, a fake in tests (without an
audio device QSoundEffect goes to Error at once, DESIGN.md "Sound").
"""

from __future__ import annotations

import logging
import math
import struct
import wave
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)


class AlertSound(Protocol):
    def play(self) -> None: ...

    @property
    def available(self) -> bool: ...


class SilentSound:
    """No sound (disabled in the configuration, or tests)."""

    available = False

    def play(self) -> None:
        return None


def write_chime(path: Path, rate: int = 22050) -> Path:
    """A soft two-tone chime (660 Hz then 880 Hz, 0.5 s) as 16-bit mono WAV: no audio file to ship or license."""
    frames = bytearray()
    for tone, start in ((660.0, 0.0), (880.0, 0.25)):
        for i in range(int(rate * 0.25)):
            t = i / rate
            envelope = math.exp(-6 * t)
            frames += struct.pack("<h", int(12000 * envelope * math.sin(2 * math.pi * tone * (t + start))))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return path


class QtSound:
    """QSoundEffect behind `AlertSound`; `available` turns False when Qt reports no usable audio output."""

    def __init__(self, wav: Path, volume: float) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QSoundEffect  # imported here: QtMultimedia costs start-up time

        self._effect = QSoundEffect()
        self._effect.setSource(QUrl.fromLocalFile(str(wav)))
        self._effect.setVolume(volume)

    @property
    def available(self) -> bool:
        from PySide6.QtMultimedia import QSoundEffect

        return self._effect.status() != QSoundEffect.Status.Error

    def play(self) -> None:
        if not self.available:
            log.info("alert sound: no audio output")
            return
        self._effect.play()


class IdleAlert(QObject):
    """Raises `active` once `set_condition(True)` has held for `delay_s`; plays the sound, repeats it."""

    activeChanged = Signal(bool)

    def __init__(self, sound: AlertSound, *, enabled: bool, delay_s: float, repeat_s: float,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sound, self.enabled = sound, enabled
        self._active = False
        self._condition = False
        self._delay = QTimer(self, singleShot=True, interval=int(delay_s * 1000))
        self._delay.timeout.connect(self._fire)
        self._repeat = QTimer(self, interval=max(1, int(repeat_s * 1000)))
        self._repeat.timeout.connect(self.sound.play)
        self._repeats = repeat_s > 0

    @property
    def active(self) -> bool:
        return self._active

    def set_condition(self, idle_with_waiting: bool) -> None:
        if idle_with_waiting == self._condition:
            return
        self._condition = idle_with_waiting
        if idle_with_waiting and self.enabled:
            self._delay.start()
        else:
            self._delay.stop()
            self._repeat.stop()
            self._set_active(False)

    def _fire(self) -> None:
        if not self._condition:
            return
        self._set_active(True)
        self.sound.play()
        if self._repeats:
            self._repeat.start()

    def _set_active(self, value: bool) -> None:
        if value != self._active:
            self._active = value
            self.activeChanged.emit(value)
