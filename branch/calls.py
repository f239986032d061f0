"""Which displays showed and announced each call: "shown on 2 of 2 displays" on the agent's keypad.

Kept in memory only (it matters while the call is current); a call is a ticket id plus its recall count, so a
recall starts a fresh tally.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CallTally:
    shown: set[str] = field(default_factory=set)
    announced: set[str] = field(default_factory=set)


class CallAcks:
    def __init__(self, keep: int = 200) -> None:
        self.keep = keep
        self._calls: dict[tuple[str, int], CallTally] = {}
        self.version = 0  # bumped by every ack: what a cached snapshot of the counters depends on

    def record(self, ticket_id: str, recalls: int, device: str, *, shown: bool, announced: bool) -> CallTally:
        self.version += 1
        tally = self._calls.setdefault((ticket_id, recalls), CallTally())
        if shown:
            tally.shown.add(device)
        if announced:
            tally.announced.add(device)
        while len(self._calls) > self.keep:
            self._calls.pop(next(iter(self._calls)))
        return tally

    def get(self, ticket_id: str, recalls: int) -> CallTally:
        return self._calls.get((ticket_id, recalls)) or CallTally()
