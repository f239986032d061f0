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

File format: an 8-byte magic, then records `<u32 length><u32 crc32><u64 index><u64 term><command>`. Loading reads
the valid prefix: it stops at the first record that is short, fails its CRC, does not follow its predecessor's
index or has a lower term than it. Compaction (`deleteEntriesTo`) rewrites the file into a new one and renames it
over the old (fsynced file and directory).

**A torn tail or damage?** A power cut can only tear what was written after the last fsync; a disk can persist
those sectors in any order, so a torn tail may hold a bad record *followed by* valid-looking ones: "more valid
records after a bad one" does not tell damage from a cut. What does is a durable watermark: the meta file records
`synced`, an index every entry up to which had been fsynced when the meta was written (raised with the commit
index once a second, lowered — durably, before the file changes — when entries are truncated or the journal is
cleared). At load:
- the valid prefix reaches the watermark: whatever follows was never durable (a crash-torn tail), it is cut;
- it stops before the watermark: entries this member had made durable, and may have acknowledged, are damaged.
  Nothing is cut (the file is kept for support) and `JournalDamaged` stops the member;
- a wrong header, an unreadable meta, or no meta beside a non-empty journal (the term and vote are lost: the member
  could vote twice in a term) are damage too. The meta is created (durably) before the journal file, so a journal
  never legitimately exists without it (a journal file missing beside its meta is started empty: the term and vote
  are kept, the watermark reset).
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


class JournalDamaged(RuntimeError):
    """A Raft file of this member cannot be trusted: it must neither vote nor serve until it is reinstalled."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


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
            # the meta first: a journal never exists without it. A meta left alone (a wipe cut short) keeps its term
            # and vote but claims no entry any more
            kept = {k: v for k, v in (self._read_meta() or {}).items() if k != "synced"}
            write_durably(self.meta_path, json.dumps(kept, sort_keys=True).encode())
            write_durably(self.path, MAGIC)
        data = self.path.read_bytes()
        if not data.startswith(MAGIC):
            raise JournalDamaged(self.path, f"it does not start with the journal header {MAGIC!r}: not a SmartQueue "
                                 "Raft journal, or its first block is damaged")
        self._entries, self._offsets, end = read_records(data)
        meta = self._read_meta()
        if meta is None:
            if self._entries:
                raise JournalDamaged(self.meta_path, f"is missing beside a journal of {len(self._entries)} entries "
                                     f"(up to index {self._entries[-1][1]}): this member's term and vote are lost, "
                                     "it could vote twice in one term")
            meta = {}
            write_durably(self.meta_path, b"{}")
        self._meta = meta
        last = self.last_index
        watermark = int(meta.get("synced", 0))
        if last < watermark:
            where = f"a damaged record at byte {end}" if end < len(data) else f"the file ends at byte {end}"
            raise JournalDamaged(self.path, f"its valid part ends at index {last} ({where} of {len(data)}) but "
                                 f"entries up to index {watermark} had been made durable: the disk lost or damaged "
                                 "them (the file is left untouched)")
        self._synced_index = last  # what the file holds now is what the disk gave back: durable
        self._fd = os.open(self.path, os.O_RDWR)
        if end < len(data):
            self.torn_bytes = len(data) - end
            log.warning("raft journal %s: %d bytes after index %s were never made durable (torn by a crash); "
                        "cut", self.path, self.torn_bytes, self._entries[-1][1] if self._entries else None)
            os.ftruncate(self._fd, end)
            os.fsync(self._fd)
        self._end = end
        self._dirty = False
        self._meta_dirty = False

    def _read_meta(self) -> dict | None:
        """The term, vote, commit index and durable watermark; None when the file does not exist."""
        try:
            meta = json.loads(self.meta_path.read_bytes())
        except FileNotFoundError:
            return None
        except ValueError as err:  # only ever replaced whole (write_durably): unreadable means the disk lied
            raise JournalDamaged(self.meta_path, f"is unreadable ({err}): this member's term and vote are lost"
                                 ) from err
        if not isinstance(meta, dict):
            raise JournalDamaged(self.meta_path, "does not hold the term and vote (not a JSON object)")
        return meta

    def _lower_watermark(self, index: int) -> None:
        """Entries after `index` are about to go (a conflict, a clear): the durable watermark must not claim them,
        and must say so on disk *before* the journal changes."""
        self._synced_index = min(self._synced_index, index)
        if self._meta.get("synced", 0) > index:
            self._store_meta()

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
        self._lower_watermark(self._entries[entryFrom - 1][1] if entryFrom > 0 else 0)
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
        self._lower_watermark(entries[-1][1] if entries else 0)
        blob = bytearray(MAGIC)
        offsets = []
        for entry in entries:
            offsets.append(len(blob))
            blob += _record(entry)
        write_durably(self.path, bytes(blob))
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR)
        self._entries, self._offsets, self._end = list(entries), offsets, len(blob)
        self._synced_index = self.last_index
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
            self._synced_index = self.last_index
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
        self._meta["synced"] = self._synced_index  # only ever an index this file had fsynced
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

    def _meta_behind(self) -> bool:
        return self._meta_dirty or self._meta.get("synced", 0) != self._synced_index

    def onOneSecondTimer(self) -> None:
        self.sync()  # the commit index and the watermark never point past what is durable here
        if self._meta_behind():
            self._store_meta()

    def _destroy(self) -> None:
        self.sync()
        if self._meta_behind():
            self._store_meta()
        os.close(self._fd)
