"""Table tests of the ordering rules: interleaving, aging, appointments, counter modes, transfers."""

from __future__ import annotations

import pytest

from queue_engine import commands as cmd
from queue_engine.setup import CounterMode, Rules

from .helpers import Branch, make_setup, ms


def call_order(branch: Branch, counter: str, n: int) -> list[str]:
    order = []
    for _ in range(n):
        order.append(branch.number(branch.next(counter)))
        branch.tick(30)
    return order


def test_fifo_within_a_service():
    b = Branch()
    b.login("1")
    for _ in range(3):
        b.issue("accounts")
        b.tick(10)
    assert call_order(b, "1", 3) == ["A-001", "A-002", "A-003"]


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # smooth weighted round robin: 2 regular : 1 priority while both wait, spread evenly;
        # on equal credit the higher level goes first.
        ((2, 1), ["R", "P", "R", "R", "P", "R", "R", "P", "R"]),
        ((1, 1), ["P", "R", "P", "R", "P", "R", "P", "R", "R"]),
        ((3, 1), ["R", "P", "R", "R", "R", "P", "R", "R", "R"]),
    ],
)
def test_priority_interleaving_follows_the_configured_ratio(weights, expected):
    b = Branch(make_setup(rules=Rules(level_weights=weights, aging_after_s=None)))
    b.login("1")
    kinds = {}
    for i in range(12):
        if i % 3 == 0:
            kinds[b.issue("accounts", category="pregnant")] = "P"
        else:
            kinds[b.issue("accounts")] = "R"
        b.tick(5)
    order = [kinds[b.next("1")] for _ in range(9)]
    assert order == expected


def test_priority_does_not_sink_when_regular_tickets_keep_coming():
    b = Branch(make_setup(rules=Rules(level_weights=(2, 1), aging_after_s=None)))
    b.login("1")
    pregnant = b.issue("accounts", category="pregnant")
    called = []
    for _ in range(4):
        b.issue("accounts")
        b.tick(1)
        called.append(b.next("1"))
    assert pregnant in called[:3]


def test_aging_calls_a_long_waiting_ticket_before_the_interleaving():
    b = Branch(make_setup(rules=Rules(level_weights=(1, 5), aging_after_s=600)))
    b.login("1")
    old = b.issue("accounts")
    b.tick(700)
    for _ in range(3):
        b.issue("accounts", category="disabled")
    assert b.next("1") == old


def test_appointment_takes_its_place_near_its_slot():
    b = Branch(make_setup(rules=Rules(appointment_early_s=600, aging_after_s=None)))
    b.login("1")
    b.at("2026-11-24 09:00")
    first = b.issue("accounts")
    b.at("2026-11-24 09:20")
    appointment = b.issue("accounts", appointment_ref="APT-1", slot_ms=ms("2026-11-24 10:00"))
    b.at("2026-11-24 09:45")
    before_slot_window = b.issue("accounts")
    b.at("2026-11-24 09:55")
    after_slot_window = b.issue("accounts")
    order = [b.next("1") for _ in range(4)]
    assert order == [first, before_slot_window, appointment, after_slot_window]


def test_late_appointment_queues_as_walk_in_and_expired_is_refused():
    b = Branch(make_setup(rules=Rules(appointment_late_s=600, appointment_expire_s=3600)))
    b.at("2026-11-24 10:20")
    late = b.issue("accounts", appointment_ref="APT-2", slot_ms=ms("2026-11-24 10:00"))
    assert b.state.tickets[late].late is True
    b.at("2026-11-24 11:30")
    with pytest.raises(Exception) as err:
        b.issue("accounts", appointment_ref="APT-3", slot_ms=ms("2026-11-24 10:00"))
    assert err.value.code == "appointment_expired"
    with pytest.raises(Exception) as err:
        b.issue("accounts", appointment_ref="APT-2", slot_ms=ms("2026-11-24 10:00"))
    assert err.value.code == "appointment_used"
    with pytest.raises(Exception) as err:
        b.issue("accounts", appointment_ref="APT-9", slot_ms=ms("2026-11-25 10:00"))
    assert err.value.code == "appointment_wrong_day"


def test_ordered_counter_prefers_its_first_service():
    b = Branch(make_setup(modes={"2": CounterMode.ORDERED}))
    b.login("2")
    a = b.issue("accounts")
    b.tick(5)
    loan = b.issue("loans")
    assert [b.next("2"), b.next("2")] == [loan, a]


def test_weighted_counter_interleaves_services_by_weight():
    b = Branch(make_setup(modes={"2": CounterMode.WEIGHTED}, rules=Rules(aging_after_s=None)))
    b.login("2")
    for _ in range(8):
        b.issue("accounts")
        b.issue("loans")
    services = [b.state.tickets[b.next("2")].service for _ in range(8)]
    assert services == ["loans", "loans", "accounts", "loans", "loans", "loans", "accounts", "loans"]


@pytest.mark.parametrize(("position", "expected_index"), [("front", 0), ("back", 2), ("original", 1)])
def test_transfer_positions(position, expected_index):
    b = Branch(make_setup(rules=Rules(aging_after_s=None)))
    b.login("1")
    b.login("2")
    b.issue("loans")
    b.tick(60)
    moved = b.issue("accounts")
    b.tick(60)
    b.issue("loans")
    b.tick(60)
    b.run(cmd.CallTicket, counter="1", agent="ag1", ticket_id=moved)
    b.run(cmd.Transfer, counter="1", agent="ag1", to_service="loans", position=position)
    order = [b.next("2") for _ in range(3)]
    assert order.index(moved) == expected_index


def test_transfer_to_a_counter_reserves_the_ticket_for_it():
    b = Branch()
    b.login("1")
    b.login("2")
    t = b.issue("accounts")
    other = b.issue("accounts")
    assert b.next("1") == t
    b.run(cmd.Transfer, counter="1", agent="ag1", to_counter="2")
    assert b.state.tickets[t].target_counter == "2"
    b.run(cmd.FinishServing, counter="1", agent="ag1") if b.state.counters["1"].current else None
    assert b.next("1") == other  # counter 1 cannot take it back
    assert b.next("2") == t
