"""Commands from central (`commands`): each has an id, runs at most once (ids kept in sync_commands), and is
answered on its MQTT 5 response topic with its correlation data (else on `commands/ack`).

At most once: the id is stored *before* the command runs, so a crash in between leaves it "running" and a replay
is answered "duplicate" rather than run twice (closing a day twice would be harmless, but a message shown twice or a
device reloaded twice is noise central did not ask for).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from branch.auth import Principal
from branch.runner import CommandRequest
from queue_engine import commands as cmd
from sync import branch_persistence as persistence

log = logging.getLogger(__name__)

CENTRAL = Principal(role="admin", device="central")  # the actor recorded on events central caused


class CommandRunner:
    def __init__(self, node: Any, publish_metrics: Callable[[str | None], Awaitable[str]]) -> None:
        self.node = node
        self._send_metrics = publish_metrics
        self._command_id = ""

    async def run(self, message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(status, body) for one valid command message."""
        node, command_id, name = self.node, message["id"], message["command"]
        seen = persistence.seen_command(node.store, command_id)
        if seen is not None:
            log.info("command %s (%s) was already received: not run again", command_id, name)
            return "duplicate", {"result": {"first_status": seen[0], "first_result": (seen[1] or {}).get("result")}}
        now = node.now_ms()
        if not await node.write(lambda: persistence.record_command(node.store, command_id, name, now)):
            return "duplicate", {"result": {"first_status": "running", "first_result": None}}
        try:
            self._command_id = command_id
            result = await getattr(self, f"_{name}")(message["args"])
            status, body = "done", {"result": result}
        except Exception as err:  # a command failing must still be answered and recorded
            log.exception("command %s (%s) failed", command_id, name)
            status, body = "failed", {"errors": [f"{type(err).__name__}: {err}"[:500]]}
        await node.write(lambda: persistence.finish_command(node.store, command_id, status, body))
        log.info("command %s (%s): %s", command_id, name, status)
        return status, body

    async def _close_day(self, args: dict[str, Any]) -> dict[str, Any]:
        reason = args.get("reason", "day_closed")
        # central's command id as idempotency key: the idempotency table is part of every node's state (replicated in
        # a cluster), so a command redelivered to a new leader after a failover does not close the day twice
        _, body, _ = await self.node.commands.run(CommandRequest(
            CENTRAL, lambda at: cmd.CloseDay(at_ms=at, reason=reason), lambda events: (200, {"expired": len(events)}),
            f"central-command:{self._command_id}", f"close_day:{reason}"))
        await self._send_metrics(None)
        return body

    async def _display_message(self, args: dict[str, Any]) -> dict[str, Any]:
        data = {"text": args["text"], "level": args.get("level", "info"), "duration_s": args.get("duration_s", 60),
                "zone": args.get("zone")}
        return {"delivered_to": self.node.hub.publish_ephemeral("DisplayMessage", data)}

    async def _reload_device(self, args: dict[str, Any]) -> dict[str, Any]:
        device = args["device"]
        rows = self.node.store.query("SELECT id FROM devices WHERE id = ? AND revoked_ms IS NULL", (device,))
        if not rows:
            raise LookupError(f"no active device {device!r}")
        # to that device's own streams only (displays and keypads hold one; a kiosk has none: delivered_to 0)
        delivered = self.node.hub.publish_ephemeral("DeviceReloadRequested", {"device": device}, devices={device})
        return {"delivered_to": delivered}

    async def _publish_metrics(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"day": await self._send_metrics(args.get("day"))}
