"""Which shared libraries a bundle takes from Debian instead of copying them, and which packages provide them.

PyInstaller copies every library an extension links to from the build machine: libssl3, libsqlite3, libexpat,
libglib… copies that Debian's security updates never reach. A library that a Debian package installed on the
builder owns is left out of the bundle and becomes a dependency; libraries that come from wheels (Qt, OpenCV,
numpy's openblas) or from the builder's own Python (libpython) are not Debian's and stay in the bundle.

`needed_packages` computes a package's Depends the way dpkg-shlibdeps does, from the ELF files themselves: every
DT_NEEDED soname not provided inside the bundle is looked up in the dynamic loader's cache, its file's owning
package found with `dpkg-query -S`, and the minimum version taken from that package's `shlibs` file.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

SYSTEM_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")
DPKG_INFO = Path("/var/lib/dpkg/info")
LIBRARY_DIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib")


def dpkg_owners(paths: Iterable[str]) -> dict[str, str]:
    """{path: package} for the paths a dpkg package owns (merged /usr: /lib/x and /usr/lib/x both tried)."""
    wanted: dict[str, str] = {}
    for path in paths:
        real = os.path.realpath(path)
        for candidate in {path, real, real.removeprefix("/usr"), "/usr" + real if not real.startswith("/usr/")
                          else real}:
            wanted[candidate] = path
    if not wanted:
        return {}
    result = subprocess.run(["dpkg-query", "-S", *sorted(wanted)], capture_output=True, text=True)
    owners: dict[str, str] = {}
    for line in result.stdout.splitlines():
        packages, _, path = line.partition(": ")
        if path in wanted and "," not in packages and not packages.startswith("diversion by"):
            owners.setdefault(wanted[path], packages.split(":")[0])
    return owners


def is_from_debian(src: str, owners: dict[str, str]) -> bool:
    real = os.path.realpath(src)
    return real.startswith(SYSTEM_DIRS) and src in owners


def elf_needed(path: Path) -> list[str]:
    """DT_NEEDED sonames of an ELF file ([] for anything else), read with `objdump -p`."""
    result = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True)
    return re.findall(r"^\s+NEEDED\s+(\S+)$", result.stdout, re.M) if result.returncode == 0 else []


def elf_runpath(path: Path) -> list[str]:
    result = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True)
    found = re.findall(r"^\s+(?:RUNPATH|RPATH)\s+(\S+)$", result.stdout, re.M)
    return [entry for value in found for entry in value.split(":")]


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def loader_cache() -> dict[str, str]:
    """{soname: path} from `ldconfig -p` for this machine's architecture (x86-64 or the native one)."""
    out = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    cache: dict[str, str] = {}
    for match in re.finditer(r"^\s+(\S+) \(([^)]*)\) => (\S+)$", out, re.M):
        name, flags, path = match.groups()
        if "x86-64" in flags or "64" not in flags or "AArch64" in flags:
            cache.setdefault(name, path)
    return cache


def _in_library_dirs(soname: str) -> str | None:
    """A file the cache does not list by that name (libbz2.so.1 is a symlink to the soname libbz2.so.1.0)."""
    for folder in LIBRARY_DIRS:
        if (Path(folder) / soname).exists():
            return f"{folder}/{soname}"
    return None


def shlibs_dependency(package: str, soname: str) -> str:
    """`package (>= version)` from the package's shlibs file (Debian policy 8.6), else the bare package name."""
    match = re.match(r"^(?P<name>.+?)\.so\.(?P<version>[\d.]+)$", soname) or \
        re.match(r"^(?P<name>.+?)-(?P<version>[\d.]+)\.so$", soname)
    if match:
        for shlibs in sorted(DPKG_INFO.glob(f"{package}*.shlibs")):
            if not re.fullmatch(rf"{re.escape(package)}(:[a-z0-9]+)?\.shlibs", shlibs.name):
                continue
            for line in shlibs.read_text(encoding="utf-8").splitlines():
                parts = line.split(None, 2)
                if len(parts) == 3 and parts[0] == match["name"] and parts[1] == match["version"]:
                    return parts[2].split(",")[0].split("|")[0].strip()
    return package


def needed_packages(files: Iterable[Path], provided: set[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """({debian package: dependency with version}, {unresolved soname: [files needing it]}).

    `provided`: sonames the bundle itself carries (in this package or the packages it depends on).
    """
    missing: dict[str, list[str]] = {}
    for path in files:
        for soname in elf_needed(path):
            if soname not in provided:
                missing.setdefault(soname, []).append(str(path))
    cache = loader_cache()
    located = {soname: cache.get(soname) or _in_library_dirs(soname) for soname in missing}
    located = {soname: path for soname, path in located.items() if path}
    owners = dpkg_owners(located.values())
    depends: dict[str, str] = {}
    unresolved: dict[str, list[str]] = {}
    for soname, users in sorted(missing.items()):
        package = owners.get(located.get(soname, ""))
        if package is None:
            unresolved[soname] = users
            continue
        dependency = shlibs_dependency(package, soname)
        previous = depends.get(package)
        depends[package] = max(previous, dependency, key=_version_key) if previous else dependency
    return depends, unresolved


def _version_key(dependency: str) -> list[int]:
    match = re.search(r"\(>= ([^)]*)\)", dependency)
    return [int(n) for n in re.findall(r"\d+", match.group(1))] if match else []
