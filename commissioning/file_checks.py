"""Checks of a machine's files that every kind of configuration shares (a device's, a node's, central's): free disk
space where the data lives, and a configuration holding secrets that every user can read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from commissioning.hardware_checks import Check
from ground.i18n import N_

DISK_FREE_MIN_BYTES = 500 * 1024 * 1024


def check_disk(paths: list[str]) -> Check:
    worst: tuple[int, str] | None = None
    for path in paths:
        existing = Path(path)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free
        if worst is None or free < worst[0]:
            worst = (free, path)
    if worst is None:
        return Check("disk", None, N_("no data folder"))
    free, path = worst
    args = {"free": free // 2**20, "path": path}
    if free < DISK_FREE_MIN_BYTES:
        return Check("disk", False, N_("{free} MB free for {path}"),
                     N_("free disk space: old logs (journalctl --vacuum-size=200M) or old media files"),
                     detail_args=args)
    return Check("disk", True, N_("{free} MB free for {path}"), detail_args=args)


def check_secrets_private(path: Path) -> Check:
    """A configuration holding secrets (appointment key, PIN hash, broker password…) must not be world-readable."""
    import tomllib

    from commissioning.support import is_secret

    def secrets(data: object) -> list[str]:
        if isinstance(data, dict):
            return [k for k, v in data.items() if is_secret(k) and v not in (None, "")] + \
                [s for v in data.values() for s in secrets(v)]
        if isinstance(data, list):
            return [s for item in data for s in secrets(item)]
        return []

    try:
        found = secrets(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError):
        return Check("permissions", None, N_("the file cannot be read"))
    if not found:
        return Check("permissions", None, N_("no secret in this file"))
    if os.name != "posix":
        return Check("permissions", True, "")
    mode = path.stat().st_mode & 0o777
    if mode & 0o004:
        return Check("permissions", False, N_("{path} ({mode}) holds {keys} and every user can read it"),
                     N_("the configuration holds secrets and every user can read it: chmod 640 {path}"),
                     fix_args={"path": str(path)},
                     detail_args={"path": str(path), "mode": oct(mode), "keys": ", ".join(sorted(set(found)))})
    return Check("permissions", True, N_("{mode}: only its owner and group can read it"),
                 detail_args={"mode": oct(mode)})
