"""Small durable files in a data directory: ids and secrets generated once, written atomically, private."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, value: bytes, mode: int = 0o600) -> None:
    """Write atomically (temp file, fsync, rename) with owner-only permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_or_create(path: Path, make: Callable[[], bytes], mode: int = 0o600) -> bytes:
    """A value generated once and kept (node id, device id, keys)."""
    if path.exists():
        return path.read_bytes().strip()
    value = make()
    write_private(path, value, mode)
    return value
