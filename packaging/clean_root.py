"""A clean Debian 12 root (debootstrap --variant=minbase), cached, to install the packages as a technician would.

`base_tarball()` builds the root once (about 45 s and 200 MB from the Debian mirror) and keeps it as a tarball in
`~/.cache/smartqueue/roots/` (or `$SQ_ROOT_CACHE`), named by a hash of what went into it (suite, variant, mirror,
sources, this file's recipe), so CI on the same machine reuses it and a changed recipe builds a new one.
`CleanRoot` unpacks a fresh copy and runs commands chrooted in it inside a private mount namespace (`unshare`:
/proc, /dev and the mounts below never leak to the host, even if a test dies). Downloaded .debs are kept between
runs in the cache's `apt-archives/` (bind-mounted as the root's /var/cache/apt/archives).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

SUITE = "bookworm"
MIRROR = os.environ.get("SQ_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("SQ_DEBIAN_SECURITY", "http://deb.debian.org/debian-security")
#: the machines' apt sources: security updates matter (the packages depend on Debian's libssl3 and friends).
SOURCES = (f"deb {MIRROR} {SUITE} main\ndeb {MIRROR} {SUITE}-updates main\n"
           f"deb {SECURITY} {SUITE}-security main\n")
RECIPE_VERSION = 1  # bump when the recipe below changes in a way the hash cannot see


def cache_dir() -> Path:
    return Path(os.environ.get("SQ_ROOT_CACHE", Path.home() / ".cache" / "smartqueue" / "roots"))


def recipe_key() -> str:
    text = f"{RECIPE_VERSION}|{SUITE}|minbase|{MIRROR}|{SOURCES}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def base_tarball() -> Path:
    """The cached minbase root as a tarball, built when missing (needs root, debootstrap and the mirror)."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tarball = folder / f"{SUITE}-minbase-{recipe_key()}.tar"
    if tarball.exists():
        return tarball
    work = folder / f"build-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(work), MIRROR], check=True,
                       capture_output=True)
        (work / "etc/apt/sources.list").write_text(SOURCES, encoding="utf-8")
        # Like a technician's machine: no recommends unless asked, apt's archive cache kept (bind-mounted).
        (work / "etc/apt/apt.conf.d/90smartqueue-test").write_text(
            'APT::Install-Recommends "false";\nBinary::apt::APT::Keep-Downloaded-Packages "true";\n',
            encoding="utf-8")
        subprocess.run(["tar", "-C", str(work), "--numeric-owner", "-cf", f"{tarball}.part", "."], check=True)
        os.replace(f"{tarball}.part", tarball)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tarball


class CleanRoot:
    """A fresh copy of the cached root under `path`; `run()` executes a shell command chrooted in it."""

    def __init__(self, path: Path, binds: dict[str, Path] | None = None) -> None:
        self.path = path
        self.binds = dict(binds or {})  # {path inside the root: host path}
        archives = cache_dir() / "apt-archives"
        (archives / "partial").mkdir(parents=True, exist_ok=True)
        self.binds.setdefault("/var/cache/apt/archives", archives)

    def unpack(self) -> CleanRoot:
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["tar", "-C", str(self.path), "--numeric-owner", "-xf", str(base_tarball())], check=True)
        shutil.copy2("/etc/resolv.conf", self.path / "etc/resolv.conf")
        return self

    def _wrapper(self, command: str) -> list[str]:
        root = shlex.quote(str(self.path))
        mounts = [f"mount -t proc proc {root}/proc", f"mount --rbind /dev {root}/dev",
                  f"mount -t tmpfs tmpfs {root}/dev/shm"]
        for inside, host in self.binds.items():
            target = f"{root}{inside}"
            mounts.append(f"mkdir -p {shlex.quote(target)} && mount --bind {shlex.quote(str(host))} "
                          f"{shlex.quote(target)}")
        script = " && ".join(mounts) + f" && exec chroot {root} /bin/sh -c {shlex.quote(command)}"
        return ["unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", script]

    def run(self, command: str, *, env: dict[str, str] | None = None, timeout: float = 600,
            check: bool = True) -> subprocess.CompletedProcess:
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
                       "DEBIAN_FRONTEND": "noninteractive", **(env or {})}
        result = subprocess.run(self._wrapper(command), env=environment, capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"in the clean root: {command}\nexit {result.returncode}\n"
                                 f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result

    def popen(self, command: str, *, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
        """A long-running command in its own process group: stop it with `stop()` (a signal to `unshare` alone
        would orphan the chrooted program, which keeps the output pipe open)."""
        environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root", **(env or {})}
        return subprocess.Popen(self._wrapper(command), env=environment, start_new_session=True, **kwargs)

    @staticmethod
    def stop(process: subprocess.Popen, timeout: float = 20) -> str:
        """SIGTERM to the command's whole process group, SIGKILL after `timeout`; returns its output."""
        os.killpg(process.pid, signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
        return out or ""

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
