"""A FUSE filesystem that keeps every write in memory until fsync, so killing it is a power cut (Jepsen's lazyfs idea).

`python -m devtools.lazyfs BACKING MOUNTPOINT` mirrors BACKING at MOUNTPOINT. File data written through the mount
lives in this process's memory (4 KiB pages, plus truncations) — the "page cache" — and reaches BACKING only when
the file is fsynced (fsync or fdatasync). Reads see the cached data, like a kernel page cache would. Killing this
process with SIGKILL therefore loses exactly what a power cut loses: every write not yet fsynced. A fresh mount of
the same BACKING is the machine after the cut.

What is and is not modelled:
- data: dropped unless fsynced, per file, whole pages at a time (a power cut on a real disk may also keep some
  un-fsynced pages: harsher here for "lost", gentler for "torn"; the journal's CRCs cover torn records anyway).
- namespace operations (create, rename, unlink, mkdir) reach BACKING at once, as in lazyfs: a missing directory
  fsync is not caught by this layer (our code does it; see branch/cluster/journal.py). But a file renamed into
  place before its data was fsynced comes back empty or stale, as on ext4 without auto_da_alloc.
- mmap: a shared writable mapping reaches a FUSE filesystem only as writes at writeback or msync(MS_SYNC), and
  msync sends fsync: so mapped data is durable exactly when msync'd. Nothing of ours maps files for durability any
  more (pysyncobj's mmap journal is replaced); SQLite's WAL index (-shm) is mapped and is rebuilt after a crash.
- the kernel must not cache pages across the cut: the mount is gone with this process and the next mount starts cold.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from dataclasses import dataclass, field

from fuse import FUSE, FuseOSError, Operations

PAGE = 4096


@dataclass
class Cached:
    """Un-fsynced state of one file (keyed by inode, so it follows renames)."""

    size: int  # the file's size as processes see it
    valid: int  # bytes of the backing file still meaningful (a truncation below it zeroes what follows)
    pages: dict[int, bytearray] = field(default_factory=dict)


class LazyFS(Operations):
    def __init__(self, backing: str) -> None:
        self.backing = os.path.realpath(backing)
        self.cache: dict[int, Cached] = {}

    def _path(self, path: str) -> str:
        return os.path.join(self.backing, path.lstrip("/"))

    # -- the cache --------------------------------------------------------------------------------------------

    def _cached(self, fd: int) -> Cached:
        st = os.fstat(fd)
        entry = self.cache.get(st.st_ino)
        if entry is None:
            entry = self.cache[st.st_ino] = Cached(st.st_size, st.st_size)
        return entry

    def _page(self, entry: Cached, fd: int, number: int) -> bytearray:
        page = entry.pages.get(number)
        if page is not None:
            return page
        page = bytearray(PAGE)
        start = number * PAGE
        if start < entry.valid:
            data = os.pread(fd, min(PAGE, entry.valid - start), start)
            page[:len(data)] = data
        return page

    def _drop(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.cache.pop(os.lstat(path).st_ino, None)

    # -- data -------------------------------------------------------------------------------------------------

    def read(self, path, size, offset, fh):
        entry = self.cache.get(os.fstat(fh).st_ino)
        if entry is None:
            return os.pread(fh, size, offset)
        end = min(offset + size, entry.size)
        out = bytearray()
        pos = offset
        while pos < end:
            number, within = divmod(pos, PAGE)
            take = min(PAGE - within, end - pos)
            out += self._page(entry, fh, number)[within:within + take]
            pos += take
        return bytes(out)

    def write(self, path, data, offset, fh):
        entry = self._cached(fh)
        pos, view = offset, memoryview(data)
        while view:
            number, within = divmod(pos, PAGE)
            take = min(PAGE - within, len(view))
            page = self._page(entry, fh, number)
            page[within:within + take] = view[:take]
            entry.pages[number] = page
            pos += take
            view = view[take:]
        entry.size = max(entry.size, offset + len(data))
        return len(data)

    def truncate(self, path, length, fh=None):
        fd = fh if fh is not None else os.open(self._path(path), os.O_RDWR)
        try:
            entry = self._cached(fd)
            if length < entry.size:
                number, within = divmod(length, PAGE)
                if within:
                    page = self._page(entry, fd, number)
                    page[within:] = bytes(PAGE - within)
                    entry.pages[number] = page
                for key in [k for k in entry.pages if k >= number + (1 if within else 0)]:
                    del entry.pages[key]
                entry.valid = min(entry.valid, length)
            entry.size = length
        finally:
            if fh is None:
                os.close(fd)

    def fsync(self, path, datasync, fh):
        st = os.fstat(fh)
        entry = self.cache.pop(st.st_ino, None)
        if entry is None:
            return 0
        for number, page in sorted(entry.pages.items()):
            start = number * PAGE
            if start < entry.size:
                os.pwrite(fh, bytes(page[:min(PAGE, entry.size - start)]), start)
        os.ftruncate(fh, entry.size)
        return 0

    def flush(self, path, fh):
        return 0  # close() makes nothing durable

    def fsyncdir(self, path, datasync, fh):
        return 0  # namespace operations are applied at once (see the module docstring)

    # -- files and names ----------------------------------------------------------------------------------------

    def open(self, path, flags):
        flags &= ~(os.O_WRONLY | os.O_RDONLY | os.O_TRUNC | os.O_APPEND)
        return os.open(self._path(path), flags | os.O_RDWR)

    def create(self, path, mode, fi=None):
        fd = os.open(self._path(path), os.O_RDWR | os.O_CREAT, mode)
        self.cache.pop(os.fstat(fd).st_ino, None)
        return fd

    def release(self, path, fh):
        os.close(fh)
        return 0

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self._path(path))
        attrs = {key: getattr(st, key) for key in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime",
                                                     "st_nlink", "st_size", "st_uid", "st_ino")}
        entry = self.cache.get(st.st_ino)
        if entry is not None:
            attrs["st_size"] = entry.size
        return attrs

    def readdir(self, path, fh):
        return [".", "..", *os.listdir(self._path(path))]

    def access(self, path, amode):
        if not os.access(self._path(path), amode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        os.chmod(self._path(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self._path(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._path(path), times)

    def mkdir(self, path, mode):
        os.mkdir(self._path(path), mode)

    def rmdir(self, path):
        os.rmdir(self._path(path))

    def unlink(self, path):
        real = self._path(path)
        if os.lstat(real).st_nlink <= 1:
            self._drop(real)
        os.unlink(real)

    def rename(self, old, new):
        target = self._path(new)
        if os.path.exists(target):
            self._drop(target)
        os.rename(self._path(old), target)

    def link(self, target, source):
        os.link(self._path(source), self._path(target))

    def symlink(self, target, source):
        os.symlink(source, self._path(target))

    def readlink(self, path):
        return os.readlink(self._path(path))

    def statfs(self, path):
        st = os.statvfs(self._path(path))
        return {key: getattr(st, key) for key in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                                  "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}


def main(argv: list[str] | None = None) -> int:
    backing, mountpoint = (argv or sys.argv[1:])[:2]
    # kernel_cache: every write goes through this mount, so the kernel's page cache stays true across opens
    FUSE(LazyFS(backing), mountpoint, foreground=True, nothreads=True, big_writes=True, max_write=131072,
         kernel_cache=True, fsname="sq-lazyfs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
