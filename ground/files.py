"""Small durable files in a data directory: ids and secrets generated once, written atomically, private."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, value: bytes, mode: int = 0o600) -> None:
    """Write atomically (temp file, fsync, rename, fsync of the folder) with owner-only permissions: after a
    power cut the file is the old one or the new one, and the rename itself survives."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (the directory entry lives in the folder's own blocks)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows: directories cannot be opened; NTFS journals the rename
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_or_create(path: Path, make: Callable[[], bytes], mode: int = 0o600) -> bytes:
    """A value generated once and kept (node id, device id, keys)."""
    if path.exists():
        return path.read_bytes().strip()
    value = make()
    write_private(path, value, mode)
    return value
