"""The topic tree of one branch (docs/mqtt-contract.md). Built once from the prefix; no string building elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def safe_segment(value: str) -> bool:
    """A device id usable as one topic level (no '/', '+', '#', nothing empty or odd)."""
    return bool(_SEGMENT.match(value))


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str  # ends with "/"

    @property
    def events(self) -> str:
        return self.prefix + "events"

    @property
    def events_ack(self) -> str:
        return self.prefix + "events/ack"

    @property
    def status(self) -> str:
        return self.prefix + "status"

    def device_status(self, device: str) -> str:
        return f"{self.prefix}devices/{device}/status"

    @property
    def metrics_daily(self) -> str:
        return self.prefix + "metrics/daily"

    @property
    def config(self) -> str:
        return self.prefix + "config"

    @property
    def config_ack(self) -> str:
        return self.prefix + "config/ack"

    @property
    def commands(self) -> str:
        return self.prefix + "commands"

    @property
    def commands_ack(self) -> str:
        """Where command answers go when the command carried no MQTT 5 response topic."""
        return self.prefix + "commands/ack"

    @property
    def commands_response(self) -> str:
        """The response topic the reference central sets on its commands."""
        return self.prefix + "commands/response"

    def inbound(self) -> tuple[tuple[str, int], ...]:
        """What the branch subscribes to (QoS 1)."""
        return ((self.events_ack, 1), (self.config, 1), (self.commands, 1))
