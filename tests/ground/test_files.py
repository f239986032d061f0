"""Durable private files: the rename itself is made durable by an fsync of the folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ground.files import write_private


def test_write_private_fsyncs_the_file_and_then_its_folder(tmp_path: Path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:  # the real call, recorded
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write_private(tmp_path / "keys" / "session.key", b"secret")
    assert synced == ["file", "dir"]
    assert (tmp_path / "keys" / "session.key").read_bytes() == b"secret"
    assert (tmp_path / "keys" / "session.key").stat().st_mode & 0o777 == 0o600
