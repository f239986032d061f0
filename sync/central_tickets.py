"""Tickets projected at central from a branch's events, applied in seq order as the watermark passes them.

Each ticket event becomes one row change of `sq_ticket`: enough for the customer's phone page (status, counter,
position by level and queue time) and for reports. Pure: the store runs the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from queue_engine.calendar import parse_iso_ms

ACTIVE_STATUSES = ("waiting", "called", "serving", "parked")


@dataclass(frozen=True, slots=True)
class TicketChange:
    ticket_id: str
    insert: dict[str, Any] | None = None  # a new row (TicketIssued)
    update_sql: dict[str, str] = field(default_factory=dict)  # column -> SQL expression with `?`
    update_params: tuple = ()


def _update(ticket_id: str, at_ms: int, **columns: Any) -> TicketChange:
    sql = {name: "?" for name in columns}
    sql["updated_ms"] = "?"
    return TicketChange(ticket_id, update_sql=sql, update_params=(*columns.values(), at_ms))


def _requeued(data: dict[str, Any], at_ms: int, **columns: Any) -> TicketChange:
    """Back in the queue (transfer, return from parking): `position` front | back | original."""
    position = data.get("position")
    if position == "back":
        columns["queue_ms"] = at_ms
    elif position == "front":
        columns["queue_ms"] = 0
    return _update(data["ticket_id"], at_ms, status="waiting", counter=None, **columns)


_TYPES = {"ticket_id": str, "service": str, "number": str, "day": str, "level": int, "queue_ms": int,
          "language": (str, type(None)), "counter": str, "recalls": int, "to_service": str}


def _check(data: dict[str, Any]) -> None:
    """A field of the wrong type would fail the row's SQL (PostgreSQL: the whole batch's transaction, so the batch
    would never be stored); TypeError here: the event is stored, only not projected."""
    for name, kind in _TYPES.items():
        if name in data and (not isinstance(data[name], kind) or isinstance(data[name], bool)):
            raise TypeError(f"{name} is {type(data[name]).__name__}")


def project(type_: str, data: dict[str, Any], at: str) -> TicketChange | None:
    """The row change for one event; None for events that do not touch a ticket."""
    ticket_id = data.get("ticket_id")
    if not isinstance(ticket_id, str):
        return None
    _check(data)
    at_ms = parse_iso_ms(at)
    if type_ == "TicketIssued":
        return TicketChange(ticket_id, insert={
            "ticket_id": ticket_id, "day": data["day"], "service": data["service"], "number": data["number"],
            "level": data.get("level", 0), "queue_ms": data.get("queue_ms", at_ms), "language": data.get("language"),
            "status": "waiting", "issued_ms": at_ms, "updated_ms": at_ms})
    if type_ == "TicketCalled":
        return _update(ticket_id, at_ms, status="called", counter=data["counter"], called_ms=at_ms)
    if type_ == "TicketRecalled":
        return _update(ticket_id, at_ms, status="called", counter=data["counter"], recalls=data.get("recalls", 0))
    if type_ == "TicketServiceStarted":
        return _update(ticket_id, at_ms, status="serving", counter=data["counter"], started_ms=at_ms)
    if type_ == "TicketServed":
        return _update(ticket_id, at_ms, status="served", finished_ms=at_ms)
    if type_ == "TicketMarkedNoShow":
        return _update(ticket_id, at_ms, status="no_show", finished_ms=at_ms)
    if type_ == "TicketTransferred":
        return _requeued(data, at_ms, service=data["to_service"])
    if type_ == "TicketParked":
        return _update(ticket_id, at_ms, status="parked", counter=None)
    if type_ == "TicketReturned":
        return _requeued(data, at_ms)
    if type_ == "TicketCancelled":
        return _update(ticket_id, at_ms, status="cancelled", finished_ms=at_ms)
    if type_ == "TicketExpired":
        return _update(ticket_id, at_ms, status="expired", finished_ms=at_ms)
    return None
