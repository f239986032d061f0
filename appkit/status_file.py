"""The running app's own health in a small file of its data folder, for `smartqueue doctor` on the same machine.

Why a file and not the node: the kiosk holds the printer's port, so doctor cannot open it while the kiosk runs; the
kiosk already reports its health to the node (`POST /devices/me/status`), but reading that back needs the node up
and an admin token, and doctor is most needed when the node is down. The file is written on the app's worker
thread at every health report (and every printer change), removed when the app stops; a reader trusts it only
while the writing process is alive.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

FILE_NAME = "app-status.json"


def status_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / FILE_NAME


def write_status(data_dir: str | Path, role: str, health: dict[str, Any]) -> None:
    """Replace the file atomically (a reader never sees half of it)."""
    path = status_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"role": role, "pid": os.getpid(), "updated": time.time(), **health}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_status(data_dir: str | Path) -> None:
    """The app stops: its health is no longer known."""
    path = status_path(data_dir)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def read_status(data_dir: str | Path, role: str) -> dict[str, Any] | None:
    """The running app's last health report, or None when no app of this role runs (file absent, unreadable, or
    its process gone)."""
    try:
        body = json.loads(status_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("role") != role or not isinstance(body.get("pid"), int):
        return None
    if not _alive(body["pid"]):
        return None
    body["age_s"] = max(0.0, time.time() - float(body.get("updated", 0)))
    return body


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # the service user's process, doctor run by another user
    except OSError:
        return False
    return True
