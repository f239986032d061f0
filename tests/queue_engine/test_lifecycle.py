"""A ticket's life at a counter, agents, pauses, day rollover, clocks, estimates and metrics."""

from __future__ import annotations

import pytest

from queue_engine import commands as cmd
from queue_engine.errors import DomainError
from queue_engine.estimates import service_loads, ticket_estimate
from queue_engine.metrics import daily_metrics
from queue_engine.setup import Rules
from queue_engine.state import TicketStatus

from .helpers import Branch, make_setup, ms


def test_numbers_are_per_service_and_formatted():
    b = Branch()
    assert [b.number(b.issue("accounts")), b.number(b.issue("loans")), b.number(b.issue("accounts"))] == [
        "A-001", "B-001", "A-002"]


def test_call_start_finish_records_outcome_and_service_time():
    b = Branch()
    b.login("1")
    t = b.issue()
    b.tick(120)
    b.next("1")
    b.tick(10)
    b.run(cmd.StartServing, counter="1", agent="ag1")
    b.tick(300)
    b.run(cmd.FinishServing, counter="1", agent="ag1", outcome="done")
    ticket = b.state.tickets[t]
    assert ticket.status is TicketStatus.SERVED and ticket.outcome == "done"
    assert list(b.state.recent_service_ms["accounts"]) == [300_000]
    assert b.state.counters["1"].current is None


def test_recall_limit_then_automatic_no_show():
    b = Branch(make_setup(rules=Rules(recall_limit=2)))
    b.login("1")
    t = b.issue()
    b.next("1")
    assert b.run(cmd.Recall, counter="1", agent="ag1")[0].recalls == 1
    assert b.run(cmd.Recall, counter="1", agent="ag1")[0].recalls == 2
    event = b.run(cmd.Recall, counter="1", agent="ag1")[0]
    assert event.type == "TicketMarkedNoShow" and event.reason == "recall_limit"
    assert b.state.tickets[t].status is TicketStatus.NO_SHOW


def test_call_next_finishes_the_current_ticket_implicitly():
    b = Branch()
    b.login("1")
    first, second = b.issue(), b.issue()
    b.next("1")
    events = b.run(cmd.CallNext, counter="1", agent="ag1")
    assert [e.type for e in events] == ["TicketServed", "TicketCalled"]
    assert events[0].implicit is True and events[1].ticket_id == second
    assert b.state.tickets[first].status is TicketStatus.SERVED


def test_park_and_return_to_the_front():
    b = Branch()
    b.login("1")
    parked = b.issue()
    b.tick(1)
    other = b.issue()
    b.tick(1)
    b.issue()
    b.next("1")
    b.run(cmd.Park, counter="1", agent="ag1")
    assert b.state.tickets[parked].status is TicketStatus.PARKED
    assert b.next("1") == other
    b.run(cmd.ReturnParked, counter="1", agent="ag1", ticket_id=parked)
    assert b.next("1") == parked


def test_actions_need_the_logged_in_agent_and_an_open_counter():
    b = Branch()
    b.issue()
    with pytest.raises(DomainError) as err:
        b.run(cmd.CallNext, counter="1", agent="intruder")
    assert err.value.code == "not_logged_in" and err.value.kind == "forbidden"
    b.login("1")
    b.run(cmd.PauseCounter, counter="1", agent="ag1", reason="lunch")
    with pytest.raises(DomainError) as err:
        b.next("1")
    assert err.value.code == "counter_paused"
    b.run(cmd.ResumeCounter, counter="1", agent="ag1")
    b.next("1")
    with pytest.raises(DomainError) as err:
        b.run(cmd.PauseCounter, counter="1", agent="ag1", reason="nap")
    assert err.value.code == "invalid_pause_reason"


def test_agent_moving_counters_returns_a_called_ticket_to_the_front():
    b = Branch()
    b.login("1", "alice")
    t = b.issue()
    b.next("1")
    events = b.run(cmd.LoginAgent, counter="2", agent="alice", session_id="s9")
    assert [e.type for e in events] == ["TicketReturned", "AgentLoggedOut", "AgentLoggedIn"]
    assert b.state.tickets[t].status is TicketStatus.WAITING
    assert b.state.counters["1"].agent is None and b.state.agent_counter["alice"] == "2"


def test_refusals_name_the_problem():
    b = Branch()
    with pytest.raises(DomainError) as err:
        b.issue("nope")
    assert (err.value.code, err.value.kind) == ("unknown_service", "not_found")
    for _ in range(3):
        b.issue("cash")
    with pytest.raises(DomainError) as err:
        b.issue("cash")
    assert err.value.code == "service_full"
    b.login("1")
    with pytest.raises(DomainError) as err:
        b.run(cmd.Recall, counter="1", agent="ag1")
    assert err.value.code == "no_current_ticket"
    with pytest.raises(DomainError):
        b.issue("accounts", level=7)


def test_rollover_expires_open_tickets_and_restarts_numbering():
    b = Branch(start="2026-11-24 17:00")
    b.login("1")
    waiting = b.issue()
    b.at("2026-11-25 03:59")  # the business day starts at 04:00: still the 24th
    assert b.number(b.issue()) == "A-002"
    b.at("2026-11-25 08:00")
    fresh = b.issue()
    assert b.number(fresh) == "A-001"
    assert b.state.day == "2026-11-25"
    assert waiting not in b.state.tickets  # expired and dropped from memory at rollover
    expired = [e for e in b.log if e.type == "TicketExpired"]
    assert {e.ticket_id for e in expired} == {waiting, "t2"}


def test_clock_stepping_back_never_reopens_a_day_or_renumbers():
    b = Branch(start="2026-11-25 09:00")
    b.issue()
    b.at("2026-11-24 09:00")  # NTP correction of a wrong clock
    t = b.issue()
    assert b.state.day == "2026-11-25" and b.number(t) == "A-002"


def test_dst_change_keeps_one_business_day():
    # Europe/Paris leaves summer time on 2026-10-25 at 03:00 → 02:00; the day starts at 04:00 local.
    b = Branch(make_setup(tz="Europe/Paris"), start="2026-10-24 22:00")
    b.now = ms("2026-10-24 22:00", "Europe/Paris")
    b.issue()
    b.now = ms("2026-10-25 02:30", "Europe/Paris") + 3_600_000  # the second 02:30
    assert b.number(b.issue()) == "A-002"
    b.now = ms("2026-10-25 04:00", "Europe/Paris")
    assert b.number(b.issue()) == "A-001"


def test_estimates_count_people_ahead_and_open_counters():
    b = Branch()
    for _ in range(4):
        b.issue("loans")
    last = b.issue("loans")
    ahead, wait = ticket_estimate(b.state, b.setup, b.state.tickets[last])
    assert (ahead, wait) == (4, None)  # no counter open
    b.login("1")
    b.login("2")
    ahead, wait = ticket_estimate(b.state, b.setup, b.state.tickets[last])
    assert ahead == 4 and wait == round((4 - 2 + 0.5) * 600 / 2)
    loads = {load.service: load for load in service_loads(b.state, b.setup)}
    assert loads["loans"].waiting == 5 and loads["loans"].open_counters == 2


def test_daily_metrics_shape():
    b = Branch(start="2026-11-24 09:00")
    b.login("1")
    for _ in range(3):
        b.issue()
    b.tick(60)
    b.next("1")
    b.tick(240)
    b.run(cmd.FinishServing, counter="1", agent="ag1")
    b.next("1")
    b.run(cmd.MarkNoShow, counter="1", agent="ag1")
    records = {r["queue"]: r for r in daily_metrics(b.state.tickets.values(), "2026-11-24", b.setup.services,
                                                   b.setup.timezone)}
    accounts = records["accounts"]
    assert accounts["total_customers"] == 3 and accounts["served"] == 1 and accounts["no_shows"] == 1
    assert accounts["average_wait_time_s"] == 180.0  # 60 s and 300 s
    assert accounts["average_service_time_s"] == 240.0
    assert accounts["peak_hours"] == ["09:00:00"]
    assert records["loans"]["total_customers"] == 0
