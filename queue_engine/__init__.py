"""The pure queue domain: commands in, events out, state rebuilt from events.

No Qt, sockets, threads or clock reads: time (`at_ms`) and ids are fixed by the caller, so every node that applies
the same commands reaches the same state.
"""

from queue_engine.commands import Command
from queue_engine.decide import decide
from queue_engine.errors import DomainError
from queue_engine.events import Event, event_from_dict
from queue_engine.setup import BranchSetup
from queue_engine.state import BranchState

__all__ = ["BranchSetup", "BranchState", "Command", "DomainError", "Event", "decide", "event_from_dict"]
