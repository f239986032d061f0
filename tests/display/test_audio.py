"""Announcements through a real audio server: the null sink plays them, its monitor records them (issue 15).

A board on a real node with the real QtMultimedia announcer; the session's PulseAudio null sink (tests/conftest.py)
is the output. What the sink played is recorded with parec and compared with the WAV the announcer built: the
sound starts with the chime, lasts as long as the utterance, and every clip is heard where it belongs, in order.
The node's counter view then says the call was announced on one display.
"""

from __future__ import annotations

import numpy as np
import pytest

from display.announcer import AudioState
from display.app import build
from display.qt_announcer import QtAnnouncer
from display.sound import ClipLibrary
from display.speech import CHIME
from smartqueue.null_sink import RATE, Recorder
from tests.display.conftest import display_config

LOUD = 400


def normalised(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a @ b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))


def find(recorded: np.ndarray, clip: np.ndarray, lo: int, hi: int) -> tuple[int, float]:
    """Where `clip` best matches `recorded` starting in [lo, hi): (position, normalised correlation)."""
    hi = min(hi, len(recorded) - len(clip))
    if hi <= lo:
        return lo, -1.0
    window = recorded[lo:hi + len(clip)]
    clip = clip - clip.mean()
    raw = np.correlate(window, clip, mode="valid")
    sums = np.concatenate(([0.0], np.cumsum(window)))
    squares = np.concatenate(([0.0], np.cumsum(window ** 2)))
    n = len(clip)
    local = (squares[n:] - squares[:-n]) - (sums[n:] - sums[:-n]) ** 2 / n
    scores = raw / (np.sqrt(np.maximum(local, 1e-9)) * np.linalg.norm(clip) + 1e-9)
    best = int(np.argmax(scores))
    return lo + best, float(scores[best])


def heard_piecewise(recorded: np.ndarray, clip: np.ndarray, cursor: int) -> tuple[int, float]:
    """A clip cut by short gaps: its loud 80 ms pieces, each found after the previous; (start, worst score)."""
    piece, first_at, worst, position = RATE * 8 // 100, None, 1.0, cursor
    for offset in range(0, len(clip) - piece + 1, piece):
        part = clip[offset:offset + piece]
        if np.abs(part).max() < 4 * LOUD:
            position += piece
            continue
        at, score = find(recorded, part, position - RATE // 50, position + RATE)
        first_at = at - offset if first_at is None else first_at
        worst, position = min(worst, score), at + piece
    return (first_at if first_at is not None else cursor), worst


def envelope(samples: np.ndarray, step: int = RATE // 100) -> np.ndarray:
    """Loudness every 10 ms: what survives a starved player's short dropouts."""
    usable = len(samples) // step * step
    return np.sqrt((samples[:usable].reshape(-1, step) ** 2).mean(axis=1))


def heard_by_envelope(recorded: np.ndarray, clip: np.ndarray, cursor: int) -> tuple[int, float]:
    """The clip's loudness contour found after `cursor` (10 ms resolution): (start, normalised correlation)."""
    step = RATE // 100
    contour, heard = envelope(clip), envelope(recorded)
    lo, hi = max(0, cursor // step - 5), min(len(heard) - len(contour), cursor // step + 200)
    best, best_at = -1.0, lo
    for at in range(lo, max(lo, hi)):
        score = normalised(heard[at:at + len(contour)], contour)
        if score > best:
            best, best_at = score, at
    return best_at * step, best


def align(recorded: np.ndarray, expected: np.ndarray) -> int:
    """Where `expected` starts in `recorded`: the onset, refined by correlating the chime (±50 ms)."""
    onset = int(np.argmax(np.abs(recorded) > LOUD)) - int(np.argmax(np.abs(expected) > LOUD))
    probe = expected[: RATE // 4]
    best, best_at = -2.0, onset
    for shift in range(max(0, onset - RATE // 20), onset + RATE // 20):
        score = normalised(recorded[shift:shift + len(probe)], probe) if shift + len(probe) <= len(recorded) else -2
        if score > best:
            best, best_at = score, shift
    return best_at


@pytest.mark.parametrize("language", ["fr", "en", "ar"])
def test_a_call_is_heard_chime_first_clip_by_clip_and_acknowledged(qtbot, node, clip_dir, null_sink, language):
    config = display_config(languages=[language], announce_languages=[language], clip_dir=str(clip_dir))
    announcer = QtAnnouncer(ClipLibrary(clip_dir))
    assert announcer.state is AudioState.OK, "the null sink is an audio output"
    client = node.client("display")
    app = build(config, client, announcer, "dev-display", stale_grace_ms=100)
    app.start()
    try:
        qtbot.waitUntil(lambda: app.feed.connected, timeout=5000)
        node.client("kiosk").issue_ticket("cash")  # C-001, called at counter 1: clips made by the fixture
        with Recorder(null_sink, latency_ms=250) as recording:  # a roomy buffer: no overrun on a busy machine
            with qtbot.waitSignal(app.queue.finished, timeout=15000) as done:
                node.agent().counter_action("1", "call-next")
            qtbot.wait(300)  # the sink's buffer drains into the monitor
        call, heard = done.args
        assert heard and call.number == "C-001"

        def announced() -> bool:
            current = node.client("admin").counter("1")["current"]
            return current["announced_on"] == 1 and current["shown_on"] == 1

        qtbot.waitUntil(announced, timeout=3000)
        report = {d["id"]: d for d in node.client("admin").devices()["devices"]}["dev-display"]["status"]
        assert report["components"]["audio"] == "ok"

        expected_samples, marks = ClipLibrary(clip_dir).samples(app.queue.utterance(call))
        expected = np.array(expected_samples, dtype=np.float64)
        recorded = np.frombuffer(recording.samples(), dtype=np.int16).astype(np.float64)
        start = align(recorded, expected)
        assert marks[0][0] == CHIME and marks[0][1] == 0, "the utterance starts with the chime"
        # Each clip, in order, is found after the previous one. A loaded 2-core machine can make the player
        # underrun (silence inserted, up to a second seen at load 16), so each clip is searched for in a window
        # after the previous one rather than at a fixed offset.
        found, cursor = [], start
        for key, first, end in marks:
            clip = expected[first:end]
            at, score = find(recorded, clip, cursor - RATE // 20, cursor + 2 * RATE)
            how = "wave"
            if score < 0.85:  # an underrun inside the clip: every 80 ms piece of it must still be heard in order
                piece_at, piece_score = heard_piecewise(recorded, clip, cursor)
                if piece_score > score:
                    at, score, how = piece_at, piece_score, "pieces"
            if score < 0.7:  # a CPU-starved player chops the waveform: its loudness contour must still be there
                at, score = heard_by_envelope(recorded, clip, cursor)
                how = "contour"
            found.append((key, at - start, round(score, 3), how))
            assert score > 0.7, f"{key} not heard where it belongs: {found}"
            cursor = at + len(clip)
        assert found[0][0] == CHIME and abs(found[0][1]) < RATE // 10, found
        offsets = [offset for _, offset, _, _ in found]
        assert offsets == sorted(offsets), found
        heard_for, expected_for = (cursor - start) / RATE, marks[-1][2] / RATE
        # starved of CPU (a loaded 2-core CI machine) the player underruns and the whole runs longer; never shorter
        assert expected_for - 0.05 < heard_for < expected_for * 1.5 + 1.0, (heard_for, expected_for)
    finally:
        app.close(wait=True)
        client.close()
