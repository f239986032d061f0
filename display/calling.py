"""Which calls the board shows large ("now calling") and which in the list below, and in what words of state.

Pure (no Qt): the view-model passes the node's time. A call is *calling* while it still stands at its counter and
was made less than `calling_seconds` ago (several at once when several counters call, newest first); after that
it joins the list, which tells a ticket still at its counter ("being served") from one that has left ("done").
With no recent call the large area shows the last call still at a counter as "last call", never as "now calling";
with none at all it says the number will appear there. While the node cannot be reached, the board says its calls
may be out of date instead of claiming them current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from display.board import BoardModel, Call


class CallingState(StrEnum):
    CALLING = "calling"  # recent calls, shown large
    LAST = "last"  # no recent call: the last one still at a counter
    NONE = "none"  # nobody called yet (or everyone has left)
    STALE = "stale"  # the node cannot be reached: what is shown may be out of date


@dataclass(frozen=True, slots=True)
class Selection:
    state: CallingState
    calling: list[Call]
    recent: list[tuple[Call, bool]]  # (call, still at its counter)

    @property
    def signature(self) -> tuple:
        return (self.state, tuple(c.key for c in self.calling), tuple((c.key, s) for c, s in self.recent))


def parse_time(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def select(board: BoardModel, node_now: dt.datetime, *, calling_seconds: float, calling_max: int,
           recent_limit: int, stale: bool) -> Selection:
    standing = [c for c in board.calls if board.still_current(c)]
    recent_enough = []
    for call in standing:
        at = parse_time(call.at)
        age = (node_now - at).total_seconds() if at is not None else 0.0
        if age <= calling_seconds:
            recent_enough.append(call)
    calling = recent_enough[:calling_max]
    if calling:
        state = CallingState.CALLING
    elif standing:
        calling, state = standing[:1], CallingState.LAST
    else:
        state = CallingState.NONE
    if stale:
        state = CallingState.STALE
    shown = {c.key for c in calling}
    listed = [(c, board.still_current(c)) for c in board.calls if c.key not in shown]
    # every call still at a counter is listed (it is current); finished ones up to `recent_limit`
    at_counters = [item for item in listed if item[1]]
    done = [item for item in listed if not item[1]][:max(0, recent_limit - len(at_counters))]
    return Selection(state, calling, at_counters + done)
