"""Near-end count: an estimate of the tickets left on the paper roll, persisted across restarts.

Printers only report "near end" (a sensor a few metres before the core) and "out". Counting the paper each ticket
uses gives the kiosk a figure to show staff long before that. The near-end sensor and paper-out correct the count;
the near-end or paper-out condition clearing means a new roll was loaded, so the count restarts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from hardware.printer.status import PrinterState

#: Weight of the newest ticket in the running average of ticket length.
_AVERAGE_WEIGHT = 0.2


class CounterStore(Protocol):
    """Where the counter persists: a file, or whatever the app's data store offers through callbacks."""

    def load(self) -> dict[str, float] | None: ...

    def save(self, values: dict[str, float]) -> None: ...


class JsonCounterStore:
    """A small JSON file, replaced atomically so a power cut leaves the old or the new count, never half."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, float] | None:
        try:
            values = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return values if isinstance(values, dict) else None

    def save(self, values: dict[str, float]) -> None:
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w") as out:
            json.dump(values, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)


class CallbackCounterStore:
    """Adapts a pair of callbacks (e.g. the app's settings store) to ``CounterStore``."""

    def __init__(
        self, load: Callable[[], dict[str, float] | None], save: Callable[[dict[str, float]], None]
    ) -> None:
        self.load = load
        self.save = save


class RollCounter:
    """Paper used on the current roll and the average ticket length; estimates tickets left."""

    def __init__(self, roll_length_mm: float, near_end_remaining_mm: float, store: CounterStore | None = None) -> None:
        self.roll_length_mm = roll_length_mm
        self.near_end_remaining_mm = near_end_remaining_mm
        self._store = store
        saved = store.load() if store else None
        self.used_mm = float(saved.get("used_mm", 0.0)) if saved else 0.0
        self.average_ticket_mm = float(saved.get("average_ticket_mm", 0.0)) if saved else 0.0
        # Persisted too: a roll replaced while the kiosk was off is still detected at the next status.
        self._low_condition = bool(saved.get("low", 0.0)) if saved else False

    @property
    def remaining_mm(self) -> float:
        return max(self.roll_length_mm - self.used_mm, 0.0)

    def tickets_left(self) -> int | None:
        """Estimated tickets left; None until one ticket has been measured."""
        if self.average_ticket_mm <= 0:
            return None
        return int(self.remaining_mm // self.average_ticket_mm)

    def assume_ticket_length(self, length_mm: float) -> None:
        """Until a ticket has been printed and measured, estimate with this length (the layout's typical ticket)."""
        if self.average_ticket_mm <= 0 < length_mm:
            self.average_ticket_mm = length_mm

    def record(self, length_mm: float) -> None:
        """A ticket of ``length_mm`` was printed."""
        self.used_mm = min(self.used_mm + length_mm, self.roll_length_mm)
        if self.average_ticket_mm <= 0:
            self.average_ticket_mm = length_mm
        else:
            self.average_ticket_mm += _AVERAGE_WEIGHT * (length_mm - self.average_ticket_mm)
        self._save()

    def observe(self, state: PrinterState) -> None:
        """Correct the estimate with what the sensors say; persists only when something changed."""
        before = (self.used_mm, self._low_condition)
        if state is PrinterState.PAPER_OUT:
            self._low_condition = True
            self.used_mm = self.roll_length_mm
        elif state is PrinterState.PAPER_NEAR_END:
            self._low_condition = True
            self.used_mm = max(self.used_mm, self.roll_length_mm - self.near_end_remaining_mm)
        elif state is PrinterState.READY and self._low_condition:
            self._low_condition = False
            self.used_mm = 0.0
        if (self.used_mm, self._low_condition) != before:
            self._save()

    def reset(self) -> None:
        """A new roll was loaded (detected, or confirmed by a technician)."""
        self.used_mm = 0.0
        self._save()

    def _save(self) -> None:
        if self._store is not None:
            self._store.save({
                "used_mm": round(self.used_mm, 1),
                "average_ticket_mm": round(self.average_ticket_mm, 2),
                "low": float(self._low_condition),
            })
