"""Messages for the screens that are not queue events (central's `display_message`, `reload_device`).

They go to the node's SSE hub as ephemeral messages (`EventHub.publish_ephemeral`): an SSE event without an `id:`
line, so a display's Last-Event-ID cursor (the event seq) is untouched and nothing enters the hash-chained log.
A display that connects later does not see them; `duration_s` bounds how long a display shows a message anyway.
"""

from __future__ import annotations

from typing import Any

from branch.hub import EPHEMERAL

TRANSIENT = EPHEMERAL  # the seq of an item that bypasses the stream's cursor check


def publish_transient(hub: Any, kind: str, data: dict[str, Any]) -> int:
    """Send to every live event-stream subscriber; returns how many got it."""
    return int(hub.publish_ephemeral(kind, data))
