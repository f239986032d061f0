"""Daily metrics per service, in the shape the central server's QueueMetrics expects.

QueueMetrics (shared/seed): queue, date, average_wait_time (duration), total_customers, peak_hours (times).
We add the counts and percentiles a branch manager asks for; central may ignore what it does not store.
"""

from __future__ import annotations

import math
from collections import Counter as Tally
from collections.abc import Iterable
from typing import Any

from queue_engine.calendar import local_time
from queue_engine.state import Ticket, TicketStatus


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def daily_metrics(tickets: Iterable[Ticket], day: str, services: Iterable[str], tz: str,
                  peak_count: int = 3) -> list[dict[str, Any]]:
    """One record per service for the business day `day` (tickets of other days are ignored)."""
    by_service: dict[str, list[Ticket]] = {service: [] for service in services}
    for ticket in tickets:
        if ticket.day == day:
            by_service.setdefault(ticket.service, []).append(ticket)
    records = []
    for service, items in by_service.items():
        waits = [(t.first_called_ms - t.issued_ms) / 1000 for t in items if t.first_called_ms is not None]
        served = [t for t in items if t.status is TicketStatus.SERVED]
        service_times = [
            (t.finished_ms - (t.started_ms or t.called_ms or t.finished_ms)) / 1000
            for t in served if t.finished_ms is not None
        ]
        hours = Tally(local_time(t.issued_ms, tz).hour for t in items)
        peaks = sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))[:peak_count]
        status = Tally(t.status for t in items)
        records.append({
            "queue": service,
            "date": day,
            "total_customers": len(items),
            "served": status[TicketStatus.SERVED],
            "no_shows": status[TicketStatus.NO_SHOW],
            "cancelled": status[TicketStatus.CANCELLED],
            "expired": status[TicketStatus.EXPIRED],
            "average_wait_time_s": _rounded(_mean(waits)),
            "p90_wait_time_s": _rounded(_percentile(waits, 90)),
            "average_service_time_s": _rounded(_mean(service_times)),
            "p90_service_time_s": _rounded(_percentile(service_times, 90)),
            "peak_hours": [f"{hour:02d}:00:00" for hour, _ in sorted(peaks)],
            "tickets_per_hour": {f"{hour:02d}": count for hour, count in sorted(hours.items())},
        })
    return records
