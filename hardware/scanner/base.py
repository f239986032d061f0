"""What every threaded scanner driver shares: its state enum and the callback types it delivers through."""

from __future__ import annotations

import enum
from collections.abc import Callable


class ScannerState(enum.Enum):
    """Driver state; the kiosk binds to it and takes its words from a table keyed by state."""

    STOPPED = "stopped"  # not started, stopped, or a recorded source played to its end
    CONNECTING = "connecting"  # opening the port or camera
    OPERATIONAL = "operational"
    DISCONNECTED = "disconnected"  # port or camera vanished or cannot be opened; retrying

    @property
    def is_operational(self) -> bool:
        return self in OPERATIONAL_STATES


OPERATIONAL_STATES = frozenset({ScannerState.OPERATIONAL})
ERROR_STATES = frozenset({ScannerState.DISCONNECTED})

#: Receives one scanned code's text. Called on the driver's worker thread: it must be quick and thread-safe
#: (the apps emit a queued Qt signal from it).
ScanCallback = Callable[[str], None]
#: Receives each state change, on the driver's worker thread.
StateCallback = Callable[[ScannerState], None]
