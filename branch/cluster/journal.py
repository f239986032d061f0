"""The Raft journal on disk, durable across a power cut of every member (pysyncobj's own is an mmap never flushed).

pysyncobj keeps its log in a journal object (add / delete from / delete to / index / len, current term and vote,
commit index). This class keeps the same interface (duck-typed: it imports nothing of pysyncobj) with two rules:

- **Nothing leaves this member before it is durable.** Entries are written to the file at once but fsynced by
  `sync()`, which the replica calls before every outgoing Raft message and before applying an entry to SQLite. So
  a follower's acknowledgement, a leader's append (which precedes any follower's acknowledgement it could count)
  and a vote are never sent for something a power cut could take back, and the database never gets ahead of the
  journal on this member.
- **term and vote** are written to `<file>.meta` (tmp file, fsync, rename, fsync of the directory) before
  `setCurrentTerm` returns, i.e. before the vote is sent. The commit index rides along once a second (after the
  log itself is synced): a lower commit index after a restart is harmless, it is learned again.

File format: an 8-byte magic, then records `<u32 length><u32 crc32><u64 index><u64 term><command>`. Loading stops
at the first record that is short, fails its CRC, does not follow its predecessor's index or has a lower term than
it (the tail of a write the power cut tore), and cuts the file there. Compaction (`deleteEntriesTo`) rewrites the
file into a new one and renames it over the old (fsynced file and directory).
"""

from __future__ import annotations

import json
import logging
import os
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"SQRJ0001"
HEAD = struct.Struct("<II")
ENTRY = struct.Struct("<QQ")

Entry = tuple[bytes, int, int]  # (command, index, term): pysyncobj's shape
STALL_S = 0.05  # a sync longer than this held up pysyncobj's thread (heartbeats wait unread meanwhile)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that after a power cut it holds either the old or the new content."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _record(entry: Entry) -> bytes:
    command, index, term = entry
    body = ENTRY.pack(index, term) + bytes(command)
    return HEAD.pack(len(body), zlib.crc32(body)) + body


def read_records(data: bytes) -> tuple[list[Entry], list[int], int]:
    """The valid prefix of a journal file: entries, their offsets, and where the valid part ends."""
    entries: list[Entry] = []
    offsets: list[int] = []
    pos = len(MAGIC)
    while pos + HEAD.size + ENTRY.size <= len(data):
        length, crc = HEAD.unpack_from(data, pos)
        body = data[pos + HEAD.size: pos + HEAD.size + length]
        if length < ENTRY.size or len(body) != length or zlib.crc32(body) != crc:
            break
        index, term = ENTRY.unpack_from(body)
        if entries and (index != entries[-1][1] + 1 or term < entries[-1][2]):
            break
        entries.append((bytes(body[ENTRY.size:]), index, term))
        offsets.append(pos)
        pos += HEAD.size + length
    return entries, offsets, pos


class DurableJournal:
    """pysyncobj's journal interface over an append-only file with CRCs, fsynced by `sync()`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.meta_path = self.path.with_name(self.path.name + ".meta")
        self.syncs = 0
        self.torn_bytes = 0
        #: called after a sync or meta write that blocked the caller (pysyncobj's thread) longer than STALL_S: a
        #: slow disk must not look like a silent leader (replica.py pushes the election deadline back)
        self.on_stall: Callable[[float], None] | None = None
        if not self.path.exists():
            write_durably(self.path, MAGIC)
        data = self.path.read_bytes()
        if not data.startswith(MAGIC):
            raise RuntimeError(f"{self.path} is not a SmartQueue Raft journal")
        self._entries, self._offsets, end = read_records(data)
        self._fd = os.open(self.path, os.O_RDWR)
        if end < len(data):
            self.torn_bytes = len(data) - end
            log.warning("raft journal %s: %d bytes after index %s were never made durable (torn by a crash); "
                        "cut", self.path, self.torn_bytes, self._entries[-1][1] if self._entries else None)
            os.ftruncate(self._fd, end)
            os.fsync(self._fd)
        self._end = end
        self._dirty = False
        self._meta = self._read_meta()
        self._meta_dirty = False

    def _read_meta(self) -> dict:
        try:
            return json.loads(self.meta_path.read_bytes())
        except FileNotFoundError:
            return {}
        except ValueError as err:  # only ever replaced whole (write_durably): corrupt means the disk lied
            raise RuntimeError(f"{self.meta_path} is unreadable ({err}): this member's Raft state is lost") from err

    # -- the log ----------------------------------------------------------------------------------------------

    def add(self, command: bytes, idx: int, term: int) -> None:
        entry = (bytes(command), idx, term)
        data = _record(entry)
        os.pwrite(self._fd, data, self._end)
        self._entries.append(entry)
        self._offsets.append(self._end)
        self._end += len(data)
        self._dirty = True

    def deleteEntriesFrom(self, entryFrom: int) -> None:
        if entryFrom >= len(self._entries):
            return
        self._end = self._offsets[entryFrom]
        del self._entries[entryFrom:]
        del self._offsets[entryFrom:]
        os.ftruncate(self._fd, self._end)
        self._dirty = True

    def deleteEntriesTo(self, entryTo: int) -> None:
        """Compaction, right after pysyncobj renamed the new dump into place: that rename is made durable first,
        or a power cut could leave the old dump beside a journal that no longer reaches back to it."""
        fsync_dir(self.path.parent)
        self._rewrite(self._entries[entryTo:])

    def clear(self) -> None:
        self._rewrite([])

    def _rewrite(self, entries: list[Entry]) -> None:
        """Compaction: a new file with `entries`, fsynced and renamed over the old one."""
        blob = bytearray(MAGIC)
        offsets = []
        for entry in entries:
            offsets.append(len(blob))
            blob += _record(entry)
        write_durably(self.path, bytes(blob))
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR)
        self._entries, self._offsets, self._end = list(entries), offsets, len(blob)
        self._dirty = False

    def __getitem__(self, item):
        return self._entries[item]

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def last_index(self) -> int:
        return self._entries[-1][1] if self._entries else 0

    def sync(self) -> None:
        """Make every entry written so far durable (one fdatasync when anything changed)."""
        if self._dirty:
            started = time.monotonic()
            os.fdatasync(self._fd)
            self._dirty = False
            self.syncs += 1
            self._stalled(started)

    def _stalled(self, started: float) -> None:
        blocked = time.monotonic() - started
        if blocked > STALL_S and self.on_stall is not None:
            self.on_stall(blocked)

    def flush(self) -> None:
        self.sync()

    # -- term, vote, commit index -------------------------------------------------------------------------------

    def _store_meta(self) -> None:
        started = time.monotonic()
        write_durably(self.meta_path, json.dumps(self._meta, sort_keys=True).encode())
        self._meta_dirty = False
        self._stalled(started)

    def setRaftCommitIndex(self, raftCommitIndex: int) -> None:
        if self._meta.get("commit") != raftCommitIndex:
            self._meta["commit"] = raftCommitIndex
            self._meta_dirty = True

    def getRaftCommitIndex(self) -> int:
        return min(self._meta.get("commit", 1), max(self.last_index, 1))

    def setCurrentTerm(self, term: int, votedForNodeId) -> None:
        """Durable before it returns: Raft sends the vote (or a message of this term) right after."""
        self._meta["term"], self._meta["voted"] = term, votedForNodeId
        self._store_meta()

    def getCurrentTerm(self) -> int:
        return self._meta.get("term", 0)

    def getVotedForNodeId(self):
        return self._meta.get("voted")

    def onOneSecondTimer(self) -> None:
        if self._meta_dirty:
            self.sync()  # the commit index never points past what is durable here
            self._store_meta()

    def _destroy(self) -> None:
        self.sync()
        if self._meta_dirty:
            self._store_meta()
        os.close(self._fd)
