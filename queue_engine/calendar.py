"""Business days and opening hours in the branch's time zone.

A business day starts at a configured local time (e.g. 04:00), so a late evening belongs to the day it began in.
Wall clocks can jump (NTP, DST); callers keep the business day monotonic (see `BranchState.day`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(at_ms: int, tz: str) -> datetime:
    """The aware local datetime of an epoch-milliseconds instant."""
    return datetime.fromtimestamp(at_ms / 1000, tz=zone(tz))


def business_day(at_ms: int, tz: str, day_start_minute: int) -> date:
    """The business day an instant belongs to: local date after subtracting the day-start offset."""
    local = local_time(at_ms, tz).replace(tzinfo=None)
    return (local - timedelta(minutes=day_start_minute)).date()


def iso_ms(at_ms: int) -> str:
    """UTC ISO 8601 with milliseconds, the form used in event envelopes and the API."""
    dt = datetime.fromtimestamp(at_ms / 1000, tz=UTC)
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso_ms(text: str) -> int:
    """Epoch milliseconds of an ISO 8601 instant; a naive time is refused (it would be ambiguous)."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return round(dt.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Weekly opening hours: for each ISO weekday (1=Monday) a tuple of (start_minute, end_minute) ranges."""

    week: tuple[tuple[tuple[int, int], ...], ...]  # index 0 = Monday

    def is_open(self, at_ms: int, tz: str) -> bool:
        local = local_time(at_ms, tz)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.week[local.isoweekday() - 1])

    def next_opening(self, at_ms: int, tz: str) -> datetime | None:
        """The local time the service next opens after `at_ms` (within a week), or None if it never opens.

        Used while it is closed, so a kiosk can say "opens at 13:30" rather than only "closed". A range that
        started before `at_ms` is skipped: the service is open then, not opening.
        """
        local = local_time(at_ms, tz)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            for start, _end in sorted(self.week[day.isoweekday() - 1]):
                hours, minutes = divmod(start, 60)
                when = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone(tz))
                if when > local:
                    return when
        return None
