"""What the branch tells central about itself: `status`, `devices/{device}/status`, `metrics/daily` payloads."""

from __future__ import annotations

import json
import shutil
from typing import Any

from config.cluster import cluster_of
from queue_engine.metrics import daily_metrics
from queue_engine.state import Ticket
from sync.messages import SCHEMA_VERSION, iso_from_ms, utc_now_iso
from sync.topics import safe_segment


def _version() -> str:
    from ground.version import VERSION as __version__

    return __version__


def node_status(node: Any, *, state: str, reason: str | None = None, extra: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    """The branch's retained status; `extra` carries the sync figures (seq, watermark, lag...)."""
    payload: dict[str, Any] = {
        "schema": SCHEMA_VERSION, "state": state, "organisation": node.config.branch.organisation,
        "branch": node.config.branch.id, "node": node.node_id,
        "role": "single" if cluster_of(node.config) is None else "leader",  # sync runs on a cluster's leader only
        "timezone": node.config.branch.timezone,
        "version": _version(),
        "at": utc_now_iso(),
    }
    if reason is not None:
        payload["reason"] = reason
    if extra:
        payload.update(extra)
    return payload


def disk_free_mb(path: Any) -> int | None:
    try:
        return shutil.disk_usage(path).free // (1024 * 1024)
    except OSError:
        return None


def device_statuses(node: Any, stale_after_ms: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(device id, change key, payload) for every device with a topic-safe id; the key changes when the payload
    says something new (a new report, online -> stale, or its staff alerts)."""
    from branch.staff import branch_alerts

    rows = node.store.query(
        "SELECT d.id, d.role, d.name, d.counter, d.revoked_ms, s.status, s.updated_ms"
        " FROM devices d LEFT JOIN device_status s ON s.device_id = d.id ORDER BY d.id")
    now = node.now_ms()
    alerts: dict[str, list[dict[str, str]]] = {}
    for alert in branch_alerts(node):  # the same alerts the keypads show (branch/staff.py)
        alerts.setdefault(alert.device, []).append({"kind": alert.kind, "severity": alert.severity})
    result = []
    for device_id, role, name, counter, revoked_ms, status, updated_ms in rows:
        if not safe_segment(device_id):
            continue
        if revoked_ms is not None:
            word = "revoked"
        elif updated_ms is None:
            word = "unknown"
        else:
            word = "online" if now - updated_ms <= stale_after_ms else "stale"
        own = alerts.get(device_id, [])
        payload = {"schema": SCHEMA_VERSION, "device": device_id, "role": role, "name": name, "counter": counter,
                   "state": word, "reported_at": iso_from_ms(updated_ms) if updated_ms else None,
                   "report": json.loads(status) if status else None, "alerts": own, "at": utc_now_iso()}
        result.append((device_id, f"{updated_ms}/{word}/{','.join(a['kind'] for a in own)}", payload))
    return result


def metrics_payload(node: Any, day: str | None) -> dict[str, Any] | None:
    """Daily metrics of `day` (default: the current business day), None when there is no day yet."""
    current = node.core.state.day
    day = day or current
    if day is None:
        return None
    if day == current:
        tickets = list(node.core.state.tickets.values())
    else:
        rows = node.store.query("SELECT data FROM tickets WHERE day = ?", (day,))
        tickets = [Ticket.from_dict(json.loads(row[0])) for row in rows]
    records = daily_metrics(tickets, day, node.setup.services, node.setup.timezone)
    return {"schema": SCHEMA_VERSION, "organisation": node.config.branch.organisation,
            "branch": node.config.branch.id, "day": day, "final": day != current, "at": utc_now_iso(),
            "services": records}
