"""A private PostgreSQL cluster on a free loopback port, in a directory of its own (the tests' and the benches').

Made with Debian's `postgresql` package tools (initdb, pg_ctl). PostgreSQL refuses to run as root, so when we are
root the cluster's directory is handed to the unprivileged user `nobody` and the tools run as that user
(`runuser`). Trust authentication on 127.0.0.1 only: nothing else can reach it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

from smartqueue.local_broker import free_port

RUN_AS = "nobody"


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (scripts/install-system-deps.sh)")
    return candidates[-1]


def available() -> bool:
    try:
        _bin("initdb")
    except RuntimeError:
        return False
    return True


class LocalPostgres:
    def __init__(self, workdir: Path, *, port: int | None = None, fsync: bool = True) -> None:
        self.workdir = workdir
        self.data = workdir / "data"
        self.port = port or free_port()
        self.fsync = fsync
        self.log_path = workdir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str], timeout: float = 120) -> None:
        command = args
        if os.geteuid() == 0:
            command = ["runuser", "-u", RUN_AS, "--", *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd="/")
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout[-2000:]} {done.stderr[-2000:]} {self.log()}")

    def start(self) -> LocalPostgres:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam(RUN_AS)
            os.chown(self.workdir, user.pw_uid, user.pw_gid)
            for parent in self.workdir.parents:  # nobody must be able to reach its directory
                if parent == Path("/"):
                    break
                os.chmod(parent, os.stat(parent).st_mode | 0o001)
        if not (self.data / "PG_VERSION").exists():
            self._run([_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                       "--no-instructions"])
            options = [f"port = {self.port}", "listen_addresses = '127.0.0.1'",
                       f"unix_socket_directories = '{self.workdir}'", "max_connections = 100",
                       "shared_buffers = 64MB", f"fsync = {'on' if self.fsync else 'off'}"]
            with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write("\n".join(options) + "\n")
        self._run([_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", "60", "start"])
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def kill(self) -> None:
        """SIGKILL the postmaster (crash test); the next start recovers from the WAL."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().split()[0]), 9)
            time.sleep(0.5)

    def postmaster_pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""
