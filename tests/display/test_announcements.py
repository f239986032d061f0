"""Announcement sequencing with the recording audio sink: order, no overlap, modes, ducking, stale calls dropped."""

from __future__ import annotations

from display.announcements import AnnouncementQueue
from display.announcer import AudioState, RecordingAnnouncer
from display.board import Call
from display.speech import CHIME


def call(number: str, counter: str = "1", recalls: int = 0) -> Call:
    return Call(f"t-{number}", number, "accounts", counter, recalls)


def test_calls_are_played_in_order_one_at_a_time_with_media_ducked(qtbot):
    sink = RecordingAnnouncer(duration_ms=30)
    queue = AnnouncementQueue(sink, "full", ["fr", "en", "ar"])
    ducking: list[bool] = []
    finished: list[tuple[str, bool]] = []
    queue.duckingChanged.connect(ducking.append)
    queue.finished.connect(lambda c, heard: finished.append((c.number, heard)))
    for number in ("A-001", "A-002", "C-003"):
        queue.enqueue(call(number))
    qtbot.waitUntil(lambda: len(finished) == 3, timeout=3000)
    assert finished == [("A-001", True), ("A-002", True), ("C-003", True)]
    assert sink.overlaps == 0
    first = sink.played[0]
    assert first.parts[0] == CHIME and first.languages() == ["fr", "en", "ar"]
    assert "fr:n1" in first.parts and "ar:n1" in first.parts
    assert [u.parts[3] for u in sink.played] == ["fr:letter_A", "fr:letter_A", "fr:letter_C"]
    assert ducking == [True, False]  # ducked once for the whole burst, restored after the last


def test_a_call_no_longer_current_when_its_turn_comes_is_skipped(qtbot):
    sink = RecordingAnnouncer(duration_ms=30)
    current = {"1": "A-001", "2": "A-002"}
    queue = AnnouncementQueue(sink, "full", ["fr"], still_current=lambda c: current.get(c.counter) == c.number)
    queue.enqueue(call("A-001", "1"))
    queue.enqueue(call("A-002", "2"))
    current["2"] = "A-009"  # counter 2 moved on while A-001 was being announced
    qtbot.waitUntil(lambda: not queue.busy, timeout=2000)
    assert len(sink.played) == 1


def test_duplicates_are_not_queued_but_a_recall_is(qtbot):
    sink = RecordingAnnouncer(duration_ms=20)
    queue = AnnouncementQueue(sink, "full", ["en"])
    assert queue.enqueue(call("A-001"))
    assert not queue.enqueue(call("A-001"))
    assert queue.enqueue(call("A-001", recalls=1))
    qtbot.waitUntil(lambda: not queue.busy and not queue.pending, timeout=2000)
    assert len(sink.played) == 2


def test_chime_only_and_silent_modes(qtbot):
    sink = RecordingAnnouncer()
    chime = AnnouncementQueue(sink, "chime", ["fr", "ar"])
    chime.enqueue(call("B-005"))
    qtbot.waitUntil(lambda: not chime.busy, timeout=1000)
    assert [u.parts for u in sink.played] == [(CHIME,)]
    silent_sink = RecordingAnnouncer()
    silent = AnnouncementQueue(silent_sink, "silent", ["fr"])
    assert not silent.enqueue(call("B-006"))
    qtbot.wait(20)
    assert silent_sink.played == []


def test_without_audio_output_the_queue_keeps_going_and_reports_not_heard(qtbot):
    sink = RecordingAnnouncer(state=AudioState.NO_OUTPUT)
    queue = AnnouncementQueue(sink, "full", ["fr"])
    heard: list[bool] = []
    queue.finished.connect(lambda c, h: heard.append(h))
    queue.enqueue(call("A-001"))
    queue.enqueue(call("A-002"))
    qtbot.waitUntil(lambda: len(heard) == 2, timeout=1000)
    assert heard == [False, False]
