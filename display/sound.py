"""An utterance's clips joined into one WAV in memory: no gap between words, one player load per call.

Why join here rather than play clip after clip: QMediaPlayer takes tens of milliseconds to load each source, which
would chop a number into separate words; one buffer also makes "the announcement ended" a single, reliable event.
espeak-ng pads every clip with silence, so each clip is trimmed before joining and pauses are put back explicitly.
"""

from __future__ import annotations

import array
import io
import wave
from collections import OrderedDict
from pathlib import Path

from display.clips import RATE, clip_path, read_samples, trim
from display.speech import PAUSE, Utterance

WORD_GAP_S = 0.04
PAUSE_S = 0.35


class MissingClips(Exception):
    """Some clips of an utterance are not in the clip folder (not generated for that language?)."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(f"missing clips: {', '.join(keys[:5])}{' …' if len(keys) > 5 else ''}")
        self.keys = keys


def to_wav(samples: array.array) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


class ClipLibrary:
    """The clip folder: which keys exist, and utterances rendered to WAV bytes (trimmed clips kept in an LRU)."""

    def __init__(self, root: Path, cache_size: int = 128) -> None:
        self.root = root
        self._cache: OrderedDict[str, array.array] = OrderedDict()
        self._cache_size = cache_size

    def has(self, clip_key: str) -> bool:
        return clip_key == PAUSE or clip_path(self.root, clip_key).is_file()

    def missing(self, utterance: Utterance) -> list[str]:
        return [part for part in utterance.parts if not self.has(part)]

    def _clip(self, clip_key: str) -> array.array:
        cached = self._cache.get(clip_key)
        if cached is None:
            cached = trim(read_samples(clip_path(self.root, clip_key)))
            self._cache[clip_key] = cached
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(clip_key)
        return cached

    def render(self, utterance: Utterance) -> bytes:
        """One WAV for the whole utterance; raises MissingClips rather than speaking half a number."""
        return to_wav(self.samples(utterance)[0])

    def samples(self, utterance: Utterance) -> tuple[array.array, list[tuple[str, int, int]]]:
        """The utterance's samples and where each clip lies in them: [(clip key, first sample, end sample)]."""
        missing = self.missing(utterance)
        if missing:
            raise MissingClips(missing)
        gap = array.array("h", bytes(2 * int(RATE * WORD_GAP_S)))
        pause = array.array("h", bytes(2 * int(RATE * PAUSE_S)))
        out = array.array("h")
        marks: list[tuple[str, int, int]] = []
        for part in utterance.parts:
            if part == PAUSE:
                out.extend(pause)
            else:
                start = len(out)
                out.extend(self._clip(part))
                marks.append((part, start, len(out)))
                out.extend(gap)
        return out, marks
