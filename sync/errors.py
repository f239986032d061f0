"""One exception tree for the sync package; translated to an ack message or a log line where it is handled."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync error."""


class BadPayload(SyncError):
    """A message from the other side is unusable (not JSON, wrong schema version, unknown field, too large, ...).

    `problems` are short lines fit for an ack message: they name the field, never echo secrets.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class LinkConfigError(SyncError):
    """The link cannot start with this configuration (unreadable password file, bad TLS files)."""
