"""The branch's state in memory and the batch each command writes: decide, apply, stage, persist.

`decide` and `stage` run on the event-loop thread (the only thread that touches `state`); `persist` runs on the
single writer thread. `branch.commit.Committer` strings them together atomically: when anything after `decide`
fails, `reload` rebuilds memory from disk, so memory is never ahead of the database.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from branch.store import Batch, Store, StoredEvent, canonical, chain_hash
from queue_engine import commands as cmd
from queue_engine.calendar import iso_ms
from queue_engine.decide import decide
from queue_engine.events import Event, event_from_dict
from queue_engine.setup import BranchSetup
from queue_engine.state import BranchState

log = logging.getLogger(__name__)

EVENT_NAMESPACE = uuid.UUID("5b0a4f0e-6a51-4c37-9d0e-3f1f6c0e2a11")


@dataclass(slots=True)
class Prepared:
    events: list[Event]
    stored: list[StoredEvent]
    batch: Batch
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class BranchCore:
    """Owns the in-memory state of one branch and its store."""

    def __init__(self, setup: BranchSetup, store: Store, snapshot_every: int = 1000) -> None:
        self.setup = setup
        self.store = store
        self.snapshot_every = snapshot_every
        self.state = BranchState(estimate_window=setup.rules.estimate_window)
        self.seq = 0
        self.last_hash = ""
        self.last_at_ms = 0  # the time on the last event: the clock rule (branch.runner) never stamps before it
        self._since_snapshot = 0
        self.reload()

    def reload(self) -> None:
        """Rebuild state from the latest snapshot and the events after it."""
        snapshot = self.store.latest_snapshot()
        after = 0
        if snapshot is not None:
            after, data = snapshot
            self.state = BranchState.from_dict(data)
        else:
            self.state = BranchState(estimate_window=self.setup.rules.estimate_window)
        count = 0
        for stored in self.store.iter_events(after):
            self.state.apply(event_from_dict(stored.type, stored.data, stored.at_ms))
            count += 1
        self.seq, self.last_hash = self.store.last_event()
        self.last_at_ms = self.store.last_at_ms()
        self._since_snapshot = count
        log.info("state rebuilt: snapshot at %s + %d events, seq %d", after, count, self.seq)

    def decide(self, command: cmd.Command) -> list[Event]:
        """The events `command` leads to; DomainError when the rules refuse it. Changes nothing."""
        return decide(self.state, self.setup, command)

    def prepare(self, command: cmd.Command, actor: dict[str, Any], command_id: str,
                respond: Callable[[list[Event]], Any] | None = None,
                idempotency: tuple[str, str, str] | None = None) -> Prepared:
        """`decide` then `stage`, for tools that persist on their own thread (benchmarks, tests): on any failure
        after deciding, memory is rebuilt from disk. The node itself commits through `branch.commit.Committer`."""
        events = self.decide(command)
        try:
            return self.stage(command, events, actor, command_id, respond, idempotency)
        except BaseException:
            self.reload()
            raise

    def stage(self, command: cmd.Command, events: list[Event], actor: dict[str, Any], command_id: str,
              respond: Callable[[list[Event]], Any] | None = None,
              idempotency: tuple[str, str, str] | None = None) -> Prepared:
        """Apply `events` to memory and build the batch that records them (with the caller's answer, so a retry
        gets the same one). Memory is ahead of disk until the batch commits: on any failure, call `reload`."""
        for event in events:
            self.state.apply(event)
        stored: list[StoredEvent] = []
        touched_tickets: dict[str, None] = {}
        touched_counters: dict[str, None] = {}
        seq, prev = self.seq, self.last_hash
        actor_json = canonical(actor)
        for index, event in enumerate(events):
            seq += 1
            data = event.data()
            data_json = canonical(data)
            event_id = str(uuid.uuid5(EVENT_NAMESPACE, f"{command_id}/{index}"))
            digest = chain_hash(prev, seq, event_id, event.type, event.at_ms, actor_json, data_json)
            stored.append(StoredEvent(seq, event_id, event.type, iso_ms(event.at_ms), event.at_ms, actor, data,
                                      prev, digest, actor_json, data_json))
            prev = digest
            if ticket_id := data.get("ticket_id"):
                touched_tickets[ticket_id] = None
            if counter_id := data.get("counter"):
                touched_counters[counter_id] = None
        tickets = [self._ticket_row(t) for t in touched_tickets if t in self.state.tickets]
        counters = [self._counter_row(c) for c in touched_counters]
        batch = Batch(stored, tickets, counters)
        self._since_snapshot += len(events)
        if self._since_snapshot >= self.snapshot_every:
            # a cheap copy here (the loop thread owns the state); the writer thread serialises it
            batch.snapshot = self.state.snapshot_copy()
            self._since_snapshot = 0
        self.seq, self.last_hash = seq, prev
        if events:
            self.last_at_ms = max(self.last_at_ms, max(e.at_ms for e in events))
        prepared = Prepared(events, stored, batch)
        if respond is not None:
            prepared.response = respond(events)
        if idempotency is not None:
            scope, key, request_hash = idempotency
            status, body = prepared.response
            batch.idempotency = (scope, key, request_hash, status, canonical(body), command.at_ms)
        return prepared

    def persist(self, prepared: Prepared) -> None:
        self.store.write(prepared.batch)

    def persist_group(self, group: list[Prepared]) -> None:
        """Several staged commands in one transaction (group commit)."""
        self.store.write_many([p.batch for p in group])

    def _ticket_row(self, ticket_id: str) -> dict[str, Any]:
        return self.state.tickets[ticket_id].to_dict()

    def _counter_row(self, counter_id: str) -> dict[str, Any]:
        counter = self.state.counter(counter_id)
        return {"id": counter.id, "agent": counter.agent, "paused": counter.paused, "current": counter.current}
