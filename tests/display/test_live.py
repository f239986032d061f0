"""A board on a real node (loopback): call → shown, announced, acknowledged; disconnects and catch-up."""

from __future__ import annotations

from display.announcer import AudioState
from tests.display.conftest import LiveDisplay, display_config, second_display


def announced_numbers(display: LiveDisplay) -> list[str]:
    """The ticket numbers of what the fake sink played, from its French part (letters + number clips)."""
    out = []
    for utterance in display.announcer.played:
        parts = list(utterance.parts)
        start = parts.index("fr:ticket") + 1
        out.append("".join(p.split(":", 1)[1] for p in parts[start:parts.index("pause", start)]))
    return out


def test_an_agents_call_is_shown_announced_and_acknowledged(qtbot, live):
    vm, node = live.app.vm, live.node
    with qtbot.waitSignal(vm.newCall, timeout=3000) as blocker:
        number = live.call_next()
    assert blocker.args[0].number == number and vm.property("nowNumber") == number
    assert vm.property("nowCounter") == "1" and vm.property("callingState") == "calling"
    qtbot.waitUntil(lambda: len(live.announcer.played) == 1 and not live.app.queue.busy, timeout=3000)
    assert announced_numbers(live) == [f"letter_An{int(number[2:])}"]
    assert live.announcer.played[0].languages() == ["fr", "ar"]

    def acked() -> bool:
        current = node.client("admin").counter("1")["current"]
        return current["shown_on"] == 1 and current["announced_on"] == 1 and current["displays"] == 1

    qtbot.waitUntil(acked, timeout=3000)


def test_services_waiting_counts_follow_the_queue(qtbot, live):
    before = {s["id"]: s["waiting"] for s in live.app.vm.property("services")}
    live.kiosk.issue_ticket("loans")
    qtbot.waitUntil(lambda: {s["id"]: s["waiting"] for s in live.app.vm.property("services")}["loans"]
                    == before["loans"] + 1, timeout=3000)


def test_a_call_made_while_disconnected_is_shown_and_announced_once_back(qtbot, live):
    app = live.app
    app.feed.stop()  # the link drops (stop() also reports the disconnection)
    qtbot.waitUntil(lambda: app.vm.property("stale"), timeout=2000)
    called = live.call_next()
    assert app.vm.property("nowNumber") != called
    app.feed.start()  # resumes from its cursor
    qtbot.waitUntil(lambda: app.vm.property("nowNumber") == called and not app.vm.property("stale"), timeout=5000)
    qtbot.waitUntil(lambda: len(live.announcer.played) == 1 and not app.queue.busy, timeout=3000)
    assert announced_numbers(live) == [f"letter_An{int(called[2:])}"]


def test_calls_superseded_while_disconnected_are_shown_in_the_list_but_not_read_out(qtbot, live):
    app = live.app
    app.feed.stop()
    first = live.call_next()
    second = live.call_next()  # the agent moved on: the first is no longer current
    app.feed.start()
    qtbot.waitUntil(lambda: app.vm.property("nowNumber") == second, timeout=5000)
    assert app.vm.property("recentCalls")[0]["number"] == first
    qtbot.waitUntil(lambda: not app.controller.catching_up and not app.queue.busy, timeout=3000)
    qtbot.wait(100)
    assert announced_numbers(live) == [f"letter_An{int(second[2:])}"]


def test_the_feed_resumes_by_itself_when_the_node_drops_every_stream(qtbot, live):
    app, node = live.app, live.node
    node.loop.call_soon_threadsafe(node.node.hub.close_all)
    qtbot.waitUntil(lambda: app.controller.catching_up, timeout=3000)  # it noticed the drop
    called = live.call_next()
    qtbot.waitUntil(lambda: app.vm.property("nowNumber") == called and app.feed.connected, timeout=5000)
    qtbot.waitUntil(lambda: len(live.announcer.played) == 1, timeout=3000)


def test_a_board_starts_with_the_nodes_state_and_reports_its_audio(qtbot, node):
    display = LiveDisplay(node, display_config(sound="full"))
    number = display.call_next("cash")
    display.announcer.set_state(AudioState.NO_OUTPUT)
    display.app.start()
    try:
        qtbot.waitUntil(lambda: display.app.vm.property("nowNumber") == number, timeout=5000)
        assert display.announcer.played == []  # a call already made before start is shown, not read out

        def reported() -> bool:
            devices = {d["id"]: d for d in node.client("admin").devices()["devices"]}
            status = devices["dev-display"]["status"]
            return status is not None and status["components"]["audio"] == "no_output"

        qtbot.waitUntil(reported, timeout=3000)
        devices = {d["id"]: d for d in node.client("admin").devices()["devices"]}
        assert devices["dev-display"]["status"]["state"] == "degraded"
    finally:
        display.close()


def test_a_display_message_from_central_replaces_the_line(qtbot, live):
    vm = live.app.vm
    with qtbot.waitSignal(vm.messageChanged, timeout=1000):
        live.app.feed.event.emit({"type": "DisplayMessage", "ephemeral": True,
                                  "data": {"text": {"fr": "Fermeture à 16 h", "ar": "الإغلاق على الساعة 16"},
                                           "until": "2099-01-01T00:00:00Z"}})
    assert vm.property("messageText") in ("Fermeture à 16 h", "الإغلاق على الساعة 16")
    live.app.feed.event.emit({"type": "CallShown", "ephemeral": True, "data": {"ticket_id": "x"}})  # not for boards
    live.app.feed.event.emit({"type": "DisplayMessage", "ephemeral": True, "data": {"text": {}}})
    assert vm.property("messageText").startswith(("Bienvenue", "مرحبا"))  # back to the configured line


def test_after_a_node_restart_the_displays_acknowledge_again_what_they_show(qtbot, tmp_path):
    """Both displays show the call; the node restarts and forgets the acks; they say it again (issue 15)."""
    from tests.branch.conftest import restart_node, start_node, stop_node

    node = start_node(tmp_path / "own-node")
    port = int(node.url.rsplit(":", 1)[1])
    second_display(node)
    boards = [LiveDisplay(node, display_config(languages=["fr"]), role=role) for role in ("display", "display2")]
    again = None
    try:
        for board in boards:
            board.app.start()
        qtbot.waitUntil(lambda: all(b.app.feed.connected for b in boards), timeout=5000)
        boards[1].call_next()  # the last login holds counter 1

        def tally(running) -> tuple[int, int, int]:
            current = running.client("admin").counter("1")["current"]
            return current["shown_on"], current["announced_on"], current["displays"]

        qtbot.waitUntil(lambda: tally(node) == (2, 2, 2), timeout=5000)  # no ack left in flight
        with qtbot.waitSignal(boards[0].app.feed.connectedChanged, timeout=5000):
            stop_node(node)
        again = restart_node(tmp_path / "own-node", port)
        again.tokens = node.tokens
        qtbot.waitUntil(lambda: all(b.app.feed.connected for b in boards), timeout=15000)
        qtbot.waitUntil(lambda: tally(again) == (2, 2, 2), timeout=5000)
    finally:
        for board in boards:
            board.close()
        if again is not None:
            stop_node(again)
