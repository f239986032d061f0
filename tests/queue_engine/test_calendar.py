"""Opening hours: when a closed service opens next, in the branch's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_engine.calendar import OpeningHours

TZ = "Africa/Casablanca"
#: Monday 08:30-12:00 and 13:30-16:30, Tuesday 09:00-12:00, closed the rest of the week.
HOURS = OpeningHours((((510, 720), (810, 990)), ((540, 720),), (), (), (), (), ()))


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(TZ)).timestamp() * 1000)


def test_closed_at_lunch_opens_in_the_afternoon():
    at = ms("2026-11-23T12:30")  # a Monday
    assert not HOURS.is_open(at, TZ)
    assert HOURS.next_opening(at, TZ) == datetime(2026, 11, 23, 13, 30, tzinfo=ZoneInfo(TZ))


def test_closed_in_the_evening_opens_the_next_morning():
    assert HOURS.next_opening(ms("2026-11-23T18:00"), TZ) == datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo(TZ))


def test_closed_after_the_last_day_opens_next_week():
    assert HOURS.next_opening(ms("2026-11-24T12:00"), TZ) == datetime(2026, 11, 30, 8, 30, tzinfo=ZoneInfo(TZ))


def test_never_open_has_no_opening():
    assert OpeningHours(((),) * 7).next_opening(ms("2026-11-24T12:00"), TZ) is None
