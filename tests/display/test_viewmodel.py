"""The view-model without a window: calls list, languages and direction, waits, clock, message line, media."""

from __future__ import annotations

import datetime as dt

from config.display import DisplayConfig, MediaItem
from display.board import BoardModel
from display.media import MediaPlaylist
from display.preview import sample_snapshot
from display.viewmodel import DisplayViewModel

NOON_UTC = dt.datetime(2026, 11, 24, 12, 5, tzinfo=dt.UTC)


def make_vm(board: BoardModel, languages=("fr", "ar", "en"), **config) -> DisplayViewModel:
    vm = DisplayViewModel(DisplayConfig(**config), board, list(languages), clock=lambda: NOON_UTC)
    vm.set_node_time(board.node_now)  # the sample snapshot's node time: 09:47:00Z
    vm.set_stale(False)
    vm.calls_updated()
    return vm


def test_calls_are_worded_in_the_current_language(qtbot, board):
    vm = make_vm(board)
    assert vm.property("hasCall") and vm.property("nowNumber") == "A-042"
    assert vm.property("nowCounter") == "1" and vm.property("nowService") == "Comptes et cartes"
    assert vm.property("callingTitle") == "Appel en cours"
    # A-042 (8 s ago) and C-017 (19 s) are being called; B-005 (2 min 50 s) is listed, still at its counter
    assert [c["number"] for c in vm.property("callingRows")] == ["A-042", "C-017"]
    assert [(c["number"], c["serving"]) for c in vm.property("recentCalls")] == [
        ("B-005", True), ("A-041", False), ("C-016", False)]
    with qtbot.waitSignals([vm.languageChanged, vm.callsChanged]):
        vm.set_language("ar")
    assert vm.property("rtl") and vm.property("callingTitle") == "النداء الحالي"
    assert vm.property("recentCalls")[0]["counterName"] == "المكتب 3"
    assert [r["heading"] for r in vm.property("recentRows") if r["heading"]] == ["عند الشبابيك", "تم"]


def test_a_new_call_highlights_and_is_signalled(qtbot, board):
    vm = make_vm(board, highlight_seconds=1)
    board.apply({"seq": 101, "type": "TicketIssued", "data": {"ticket_id": "t9", "service": "cash", "number": "C-020"}})
    change = board.apply({"seq": 102, "type": "TicketCalled", "data": {"ticket_id": "t9", "counter": "2"}})
    serial = vm.property("callSerial")
    with qtbot.waitSignal(vm.newCall) as blocker:
        vm.calls_updated(change.new_call)
    assert blocker.args[0].number == "C-020" and vm.property("nowNumber") == "C-020"
    assert vm.property("highlight") and vm.property("callSerial") == serial + 1
    with qtbot.waitSignal(vm.highlightChanged, timeout=2000):
        pass
    assert not vm.property("highlight")


def test_labels_alternate_between_the_configured_languages(qtbot, board):
    vm = make_vm(board, languages=["fr", "ar"], alternate_seconds=3)
    vm._alternate.setInterval(30)  # the configured minimum is 3 s; the timer itself is what is tested
    vm.start()
    try:
        seen: list[str] = []
        vm.languageChanged.connect(lambda: seen.append(vm.property("language")))
        qtbot.waitUntil(lambda: len(seen) >= 3, timeout=2000)
        assert seen[:3] == ["ar", "fr", "ar"]
    finally:
        vm.stop()


def test_services_show_waiting_and_estimates_per_language(board):
    vm = make_vm(board, languages=["en", "fr"])
    services = {s["id"]: s for s in vm.property("services")}
    assert services["accounts"]["waitingText"] == "7 waiting"
    assert services["accounts"]["estimateText"] == "≈ 14 mins"
    assert services["loans"]["estimateText"] == "No wait"
    vm.set_language("fr")
    assert {s["id"]: s for s in vm.property("services")}["accounts"]["name"] == "Comptes et cartes"


def test_clock_and_date_in_the_branch_zone_and_language(board):
    vm = make_vm(board)
    assert vm.property("clockText") == "13:05"  # Africa/Casablanca is UTC+1
    assert vm.property("dateText") == "24 novembre 2026"
    vm.set_language("ar")
    assert "نوفمبر" in vm.property("dateText")


def test_a_pushed_message_replaces_the_line_until_it_expires(qtbot, board):
    vm = make_vm(board, message={"fr": "Bienvenue", "ar": "مرحبا"})
    assert vm.property("messageText") == "Bienvenue"
    vm.push_message({"fr": "Fermeture à 16 h", "en": "Closing at 4 pm"}, until=NOON_UTC + dt.timedelta(minutes=5))
    assert vm.property("messageText") == "Fermeture à 16 h"
    vm.set_language("ar")
    assert vm.property("messageText") == "Fermeture à 16 h"  # no Arabic text pushed: the first one there is
    vm._clock = lambda: NOON_UTC + dt.timedelta(minutes=6)
    with qtbot.waitSignal(vm.messageChanged, timeout=500):
        vm.tick()
    assert vm.property("messageText") == "مرحبا"


def test_media_playlist_moves_on_and_ducks(qtbot, board, tmp_path):
    for name in ("a.png", "b.mp4"):
        (tmp_path / name).write_bytes(b"x")
    items = [MediaItem(path="a.png", seconds=1), MediaItem(path="missing.png"), MediaItem(path="b.mp4"),
             MediaItem(path="notes.txt")]
    vm = DisplayViewModel(DisplayConfig(media_volume=0.5, duck_volume=0.1), board, ["fr"],
                          media=MediaPlaylist(items, tmp_path))
    assert vm.property("hasMedia") and vm.property("mediaKind") == "image"
    assert vm.property("mediaSource").endswith("/a.png")
    with qtbot.waitSignal(vm.mediaChanged):
        vm.mediaEnded()
    assert vm.property("mediaKind") == "video"
    assert vm.property("mediaVolume") == 0.5
    vm.set_ducked(True)
    assert vm.property("mediaVolume") == 0.1


def test_before_the_first_snapshot_the_board_is_stale_and_empty(qtbot):
    board = BoardModel()
    vm = DisplayViewModel(DisplayConfig(), board, ["fr"], clock=lambda: NOON_UTC)
    assert vm.property("stale") and not vm.property("hasCall") and vm.property("services") == []
    board.load(sample_snapshot())
    vm.set_stale(False)
    vm.calls_updated()
    assert vm.property("hasCall")


def test_a_counter_name_too_long_for_one_line_takes_more_in_every_language(qtbot, product_fonts):
    """The list fits a counter's name to its column as the services' names are fitted: on several lines when it
    needs them in any language of the board, so its row is as tall in all of them; a short name stays whole."""
    snapshot = sample_snapshot(seq=100)
    snapshot["counters"][2]["names"] = {"fr": "Bureau 3", "en": "Office 3", "ar": "مكتب القروض العقارية والاستهلاكية"}
    board = BoardModel(recent_limit=3)
    board.load(snapshot)
    vm = make_vm(board)
    vm.setCounterWidth(484)  # the default 55" board's column, where the Arabic name needs two lines
    rows: dict[str, dict] = {}
    for language in ("fr", "ar", "en"):
        vm.set_language(language)
        rows[language] = {r["number"]: r for r in vm.property("recentRows") if not r["heading"]}
    row_px = vm.property("sizesMap")["row"]
    assert rows["ar"]["B-005"]["counterLines"] == ["مكتب القروض", "العقارية والاستهلاكية"]
    assert rows["fr"]["B-005"]["counterLines"] == ["Bureau 3"]  # whole, on the first of its two lines
    assert {rows[lang]["B-005"]["height"] for lang in rows} == {2 * row_px}
    assert {rows[lang]["A-041"]["height"] for lang in rows} == {row_px}  # "Guichet 1" / "الشباك 1": one line
    assert [r["rule"] for r in vm.property("recentRows")] == [False, False, False, False, True]
