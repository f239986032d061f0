"""The board's projection: snapshot, then events; the calls list, zones, what is still current."""

from __future__ import annotations

import copy

from display.board import BoardModel
from display.preview import sample_snapshot


def event(seq: int, kind: str, **data) -> dict:
    return {"seq": seq, "id": f"e{seq}", "type": kind, "at": "2026-11-24T09:50:00Z", "actor": {}, "data": data}


def test_snapshot_gives_the_calls_newest_first_and_the_services(board):
    assert [c.number for c in board.calls] == ["A-042", "C-017", "B-005", "A-041", "C-016", "A-040"]  # 3 + 3
    assert board.counters["1"].current.number == "A-042"
    assert [s.id for s in board.services] == ["accounts", "cash", "loans"]
    assert board.branch_names["ar"] == "فرع وسط المدينة" and board.timezone == "Africa/Casablanca"


def test_a_call_goes_to_the_top_and_is_reported_once(board):
    assert board.apply(event(101, "TicketIssued", ticket_id="t-new", service="cash", number="C-018")).new_call is None
    change = board.apply(event(102, "TicketCalled", ticket_id="t-new", counter="2", agent="karim"))
    assert change.new_call is not None and change.new_call.number == "C-018" and change.new_call.seq == 102
    assert [c.number for c in board.calls][:2] == ["C-018", "A-042"] and len(board.calls) == 6
    assert change.services_stale
    again = board.apply(event(102, "TicketCalled", ticket_id="t-new", counter="2", agent="karim"))
    assert again.new_call is None  # already applied (the snapshot or an earlier delivery had it)


def test_events_already_in_the_snapshot_are_ignored(board):
    change = board.apply(event(100, "TicketIssued", ticket_id="t-x", service="cash", number="C-099"))
    assert not change.calls and board.known_tickets == len(sample_snapshot()["recent_calls"])


def test_a_recall_is_a_new_call_of_the_same_ticket(board):
    change = board.apply(event(101, "TicketRecalled", ticket_id="t-C-017", counter="2", agent="k", recalls=1))
    assert change.new_call is not None and change.new_call.recalls == 1
    assert [c.number for c in board.calls].count("C-017") == 1 and board.calls[0].number == "C-017"


def test_still_current_follows_the_counter(board):
    current = board.counters["1"].current
    assert board.still_current(current)
    board.apply(event(101, "TicketServed", ticket_id=current.ticket_id, counter="1", agent="alice", outcome=None,
                      implicit=False))
    assert not board.still_current(current)
    assert board.calls[0].number == "A-042"  # it stays in the list of calls made


def test_finished_tickets_are_forgotten_and_a_new_day_clears_the_board(board):
    board.apply(event(101, "TicketIssued", ticket_id="t-new", service="cash", number="C-018"))
    before = board.known_tickets
    board.apply(event(102, "TicketCancelled", ticket_id="t-new", reason="customer"))
    assert board.known_tickets == before - 1
    change = board.apply(event(103, "BusinessDayStarted", day="2026-11-25"))
    assert change.calls and board.calls == [] and board.known_tickets == 0 and board.day == "2026-11-25"
    assert all(c.current is None for c in board.counters.values())


def test_a_zone_board_keeps_its_counters_and_their_services():
    snapshot = copy.deepcopy(sample_snapshot())
    for counter in snapshot["counters"]:
        counter["zone"] = "upstairs" if counter["id"] == "3" else "hall"
    board = BoardModel(zone="upstairs", recent_limit=5)
    board.load(snapshot)
    assert {c.counter for c in board.calls} == {"3"}
    assert {s.id for s in board.services} == {"loans", "accounts"}  # counter 3 serves both
    board.apply(event(101, "TicketIssued", ticket_id="t-1", service="cash", number="C-050"))
    hall = board.apply(event(102, "TicketCalled", ticket_id="t-1", counter="2", agent="k"))
    assert hall.new_call is None and not hall.calls  # another zone's call: not shown, not announced
    board.apply(event(103, "TicketIssued", ticket_id="t-2", service="loans", number="B-009"))
    mine = board.apply(event(104, "TicketCalled", ticket_id="t-2", counter="3", agent="k"))
    assert mine.new_call is not None and board.calls[0].number == "B-009"


def test_transfer_keeps_the_number_and_counter_flags_follow_agents(board):
    ticket = board.counters["1"].current
    board.apply(event(101, "TicketTransferred", ticket_id=ticket.ticket_id, counter="1", agent="alice",
                      to_service="loans", to_counter=None, position="front"))
    assert board.counters["1"].current is None
    board.apply(event(102, "TicketCalled", ticket_id=ticket.ticket_id, counter="3", agent="karim"))
    assert board.calls[0].number == "A-042" and board.calls[0].service == "loans"
    change = board.apply(event(103, "CounterPaused", counter="3", agent="karim", reason="break"))
    assert change.counters and board.counters["3"].paused


def test_every_call_standing_at_a_counter_is_kept_in_a_large_branch():
    """Twelve counters each with a called ticket: the node's snapshot lists its 10 newest calls, and the board kept
    only 9 calls — counters' calls older than that vanished from the board (review 15). Every standing call is
    kept, from the counters' own `current` when the recent list no longer has it, and after new calls too."""
    snapshot = sample_snapshot()
    snapshot["counters"], snapshot["recent_calls"] = [], []
    for i in range(12):
        at = f"2026-11-24T09:{10 + i:02d}:00Z"
        snapshot["counters"].append({"id": f"c{i}", "names": {}, "zone": None, "services": ["accounts"],
                                     "open": True, "current": {"id": f"t{i}", "number": f"A-{i:03d}",
                                                               "service": "accounts", "status": "called",
                                                               "called_at": at, "recalls": 0}})
        snapshot["recent_calls"].insert(0, {"ticket_id": f"t{i}", "number": f"A-{i:03d}", "service": "accounts",
                                            "counter": f"c{i}", "at": at, "recalls": 0, "status": "called"})
    del snapshot["recent_calls"][10:]  # the node sends its 10 newest (branch.views.recent_calls)
    board = BoardModel(recent_limit=6, calling_max=3)
    board.load(snapshot)
    assert [c.number for c in board.calls] == [f"A-{i:03d}" for i in range(11, -1, -1)]
    board.apply(event(101, "TicketIssued", ticket_id="t-new", number="A-100", service="accounts"))
    board.apply(event(102, "TicketCalled", ticket_id="t-new", counter="c0"))  # c0's customer left: A-000 is done
    assert len(board.calls) == 13 and all(board.still_current(c) for c in board.calls[:12])
