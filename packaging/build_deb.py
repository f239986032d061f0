"""One Debian package per role from one bundle: `python packaging/build_deb.py --bundle dist/smartqueue --out dist`.

Packages (`packaging/roles.py` decides which file goes where):
  smartqueue          the node and every command line tool; no Qt, OpenCV, numpy or Pillow
  smartqueue-apps     kiosk, display, keypad: Qt, Pillow, voice clips, GUI sessions, udev rules
  smartqueue-postgresql  psycopg (libpq) for the reference central receiver's PostgreSQL store
  smartqueue-camera   camera scanners: OpenCV, numpy, pyzbar, zxing-cpp

Layout (Filesystem Hierarchy Standard for add-on software):
  /opt/smartqueue/              the bundle, `libexec/` session scripts, `share/` clips and examples
  /usr/bin/smartqueue           symlink to the bundle's executable
  /etc/smartqueue/session.env   GUI session settings (a conffile); role configs are written there by `setup`
  /var/lib/smartqueue/          data (created by postinst, owned by the `smartqueue` user)
  /lib/systemd/system/          smartqueue-node, smartqueue-central (node); smartqueue-gui@ (apps)

The .deb is written here, not by dpkg-deb, for three reasons: `/opt` itself is never shipped (dpkg would delete it
with the last package), every entry is root:root with the same mtime (SOURCE_DATE_EPOCH, default: the commit's
time) in sorted order so two builds give the same bytes, and files are read straight from the bundle (no copy of
half a gigabyte). Depends are computed from the ELF files (`debian_libs.needed_packages`); the version given here
is stamped into the bundle so `smartqueue --version` reports it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import debian_libs  # noqa: E402  (packaging/ is a folder of scripts, not a package: see tests/packaging/conftest.py)
import roles  # noqa: E402

PREFIX = "opt/smartqueue"
MAINTAINER = "SmartQueue Edge team <edge@smartqueue.invalid>"
HOMEPAGE = "https://smartqueue.invalid/edge"
#: Directories never shipped as entries: dpkg would remove them with the last package that lists them.
NOT_SHIPPED = {"./", "./opt/"}
#: Needs no ELF file shows: adduser for postinst; zbar is loaded by pyzbar with ctypes.
EXTRA_DEPENDS = {roles.NODE: ["adduser"], roles.POSTGRESQL: [], roles.APPS: [], roles.CAMERA: ["libzbar0"]}
#: What the GUI session's x11 mode needs; eglfs/linuxfb need nothing more. Suggested, not recommended: apt would
#: otherwise follow Xorg's own recommends into every X driver.
SUGGESTS = {roles.NODE: "mosquitto", roles.APPS: "xserver-xorg-core, xinit, x11-xserver-utils",
            roles.POSTGRESQL: "postgresql", roles.CAMERA: ""}
DESCRIPTIONS = {
    roles.NODE: ("branch node and technicians' tools of SmartQueue Edge",
                 "The queue's branch node (LAN API, live events, Raft cluster, MQTT sync to central), the reference\n"
                 " central receiver, and the technicians' commands: setup, doctor, support-bundle, hardware."),
    roles.APPS: ("kiosk, calling display and agent keypad of SmartQueue Edge",
                 "The Qt apps of a branch, each as a full-screen session watched by systemd, with the printer,\n"
                 " scanner and fingerprint reader drivers and their simulators."),
    roles.POSTGRESQL: ("PostgreSQL store for SmartQueue Edge's central receiver",
                       "psycopg and libpq, so `smartqueue central` can keep the fleet's events in PostgreSQL.\n"
                       " Branch machines do not need it."),
    roles.CAMERA: ("camera code scanner of SmartQueue Edge",
                   "OpenCV, zbar and zxing-cpp for kiosks that read appointment codes with a camera."),
}
CONFFILES = {roles.APPS: ["/etc/smartqueue/session.env"]}
UNITS = {roles.NODE: ["smartqueue-node.service", "smartqueue-central.service"], roles.APPS: ["smartqueue-gui@.service"]}
SCRIPTS = {roles.NODE: ["preinst", "smartqueue.postinst", "smartqueue.prerm", "smartqueue.postrm"],
           roles.APPS: ["preinst", "smartqueue-apps.postinst", "smartqueue-apps.prerm", "smartqueue-apps.postrm"],
           roles.POSTGRESQL: ["preinst"], roles.CAMERA: ["preinst"]}


@dataclass(frozen=True)
class Entry:
    """One member of data.tar: a directory, a file (from `source` or `data`) or a symlink."""

    name: str  # "./opt/smartqueue/..." (directories end with "/")
    mode: int = 0o644
    source: Path | None = None
    data: bytes | None = None
    target: str | None = None

    @property
    def size(self) -> int:
        if self.data is not None:
            return len(self.data)
        return self.source.stat().st_size if self.source is not None else 0


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from ground.version import VERSION

    return VERSION


def source_date_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the last commit's time, else now (a build outside git is not reproducible)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else int(time.time())


def split_bundle(bundle: Path) -> tuple[dict[str, list[str]], list[str]]:
    """{package: [paths relative to the bundle]} and the libraries nothing links to (left out)."""
    fixed: dict[str, str] = {}
    libraries: list[str] = []
    for path in sorted(bundle.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(bundle).as_posix()
        package = roles.package_of(rel)
        if package is None:
            libraries.append(rel)
        else:
            fixed[rel] = package

    def needed(rel: str) -> list[str]:
        path = bundle / rel
        return debian_libs.elf_needed(path) if debian_libs.is_elf(path.resolve()) else []

    elf_fixed = {rel: pkg for rel, pkg in fixed.items() if debian_libs.is_elf(bundle / rel)}
    assignment, unused = roles.assign_libraries(elf_fixed, libraries, needed)
    packages: dict[str, list[str]] = {name: [] for name in roles.ORDER}
    for rel, package in {**fixed, **assignment}.items():
        packages[package].append(rel)
    return {name: sorted(files) for name, files in packages.items()}, unused


def _parents(name: str) -> list[str]:
    parts = name.strip("/").split("/")[1:-1]  # drop "." and the entry itself
    return [f"./{'/'.join(parts[:i])}/" for i in range(1, len(parts) + 1)]


def _mode(path: Path) -> int:
    """0755 for programs, 0644 for everything else (shared libraries and extension modules included)."""
    if ".so" in path.name or path.suffix in (".py", ".pyc", ".json", ".qml", ".txt"):
        return 0o644
    return 0o755 if path.stat().st_mode & 0o111 else 0o644


def package_entries(package: str, bundle: Path, files: list[str], pkg_version: str, epoch: int) -> list[Entry]:
    """Every member of a package's data.tar, directories included (except those in NOT_SHIPPED), sorted."""
    entries: dict[str, Entry] = {}

    def add(entry: Entry) -> None:
        for parent in _parents(entry.name):
            if parent not in NOT_SHIPPED:
                entries.setdefault(parent, Entry(parent, 0o755))
        entries[entry.name] = entry

    for rel in files:
        path = bundle / rel
        name = f"./{PREFIX}/{rel}"
        if path.is_symlink():
            add(Entry(name, 0o777, target=os.readlink(path)))
        elif rel == "BUILD-INFO.json":
            info = json.loads(path.read_text(encoding="utf-8"))
            info["smartqueue"] = pkg_version
            add(Entry(name, data=(json.dumps(info, indent=2, sort_keys=True) + "\n").encode()))
        else:
            add(Entry(name, _mode(path), source=path))
    if package == roles.NODE:
        add(Entry(f"./{PREFIX}/_internal/ground/VERSION", data=f"{pkg_version}\n".encode()))
        # bounded wait for NTP before time-sync.target, which the node's unit waits for
        add(Entry("./lib/systemd/system/systemd-time-wait-sync.service.d/smartqueue.conf",
                  source=HERE / "systemd" / "systemd-time-wait-sync.service.d" / "smartqueue.conf"))
        add(Entry("./usr/bin/smartqueue", 0o777, target=f"/{PREFIX}/smartqueue"))
    if package == roles.APPS:
        for name in ("smartqueue-session", "smartqueue-xsession"):
            add(Entry(f"./{PREFIX}/libexec/{name}", 0o755, source=HERE / "session" / name))
        add(Entry("./lib/udev/rules.d/70-smartqueue.rules", source=HERE / "udev" / "70-smartqueue.rules"))
        add(Entry("./etc/smartqueue/session.env", source=HERE / "session" / "session.env"))
    for unit in UNITS.get(package, []):
        add(Entry(f"./lib/systemd/system/{unit}", source=HERE / "systemd" / unit))
    doc = f"./usr/share/doc/{package}"
    add(Entry(f"{doc}/copyright", data=copyright_text().encode()))
    # a version without a Debian revision is a native package: its changelog is changelog.gz (Debian policy 12.7)
    changelog = "changelog.Debian.gz" if "-" in pkg_version else "changelog.gz"
    add(Entry(f"{doc}/{changelog}", data=changelog_gz(package, pkg_version, epoch)))
    return [entries[name] for name in sorted(entries)]


def copyright_text() -> str:
    return (HERE / "debian" / "copyright").read_text(encoding="utf-8")


def changelog_gz(package: str, pkg_version: str, epoch: int) -> bytes:
    """A Debian changelog entry for this build, gzipped without a name or time (reproducible)."""
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(epoch))
    text = (f"{package} ({pkg_version}) stable; urgency=medium\n\n"
            f"  * Built from the SmartQueue Edge sources (see the project's history).\n\n"
            f" -- {MAINTAINER}  {date}\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as handle:
        handle.write(text.encode())
    return buffer.getvalue()


def md5sums(entries: list[Entry], conffiles: list[str]) -> bytes:
    lines = []
    for entry in entries:
        if entry.target is not None or entry.name.endswith("/") or entry.name[1:] in conffiles:
            continue
        digest = hashlib.md5()
        if entry.data is not None:
            digest.update(entry.data)
        else:
            assert entry.source is not None
            with entry.source.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        lines.append(f"{digest.hexdigest()}  {entry.name[2:]}\n")
    return "".join(lines).encode()


def control_text(package: str, pkg_version: str, arch: str, size_kib: int, depends: list[str]) -> str:
    summary, description = DESCRIPTIONS[package]
    fields = [("Package", package), ("Version", pkg_version), ("Architecture", arch), ("Maintainer", MAINTAINER),
              ("Installed-Size", str(size_kib)), ("Depends", ", ".join(depends)),
              ("Suggests", SUGGESTS[package]), ("Section", "misc"), ("Priority", "optional"),
              ("Homepage", HOMEPAGE), ("Description", f"{summary}\n {description}")]
    return "".join(f"{key}: {value}\n" for key, value in fields if value)


def _tar(entries: list[Entry], epoch: int) -> bytes:
    """A ustar/GNU tar of the entries, owner root:root, mtime `epoch`, in the given (sorted) order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "root", "root"
            info.mode = entry.mode
            if entry.name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif entry.target is not None:
                info.type, info.linkname = tarfile.SYMTYPE, entry.target
                tar.addfile(info)
            elif entry.data is not None:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
            else:
                assert entry.source is not None
                info.size = entry.source.stat().st_size
                with entry.source.open("rb") as handle:
                    tar.addfile(info, handle)
    return buffer.getvalue()


def _ar_member(name: str, data: bytes, epoch: int) -> bytes:
    header = f"{name:<16}{epoch:<12}{0:<6}{0:<6}{0o100644:<8o}{len(data):<10}`\n".encode()
    return header + data + (b"\n" if len(data) % 2 else b"")


def write_deb(target: Path, control_entries: list[Entry], data_entries: list[Entry], epoch: int,
              level: int = 10) -> None:
    data_tar = _tar(data_entries, epoch)
    zstd = subprocess.run(["zstd", "-q", f"-{level}", "-T1", "-c"], input=data_tar, capture_output=True, check=True)
    control_xz = lzma.compress(_tar(control_entries, epoch), format=lzma.FORMAT_XZ, preset=6)
    with target.open("wb") as handle:
        handle.write(b"!<arch>\n")
        handle.write(_ar_member("debian-binary", b"2.0\n", epoch))
        handle.write(_ar_member("control.tar.xz", control_xz, epoch))
        handle.write(_ar_member("data.tar.zst", zstd.stdout, epoch))


def build_debs(bundle: Path, out: Path, *, pkg_version: str | None = None,
               packages: tuple[str, ...] = roles.ORDER) -> dict[str, Path]:
    """Split the bundle, compute each package's Depends, write the .debs; {package: path}."""
    pkg_version = pkg_version or version()
    epoch = source_date_epoch()
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    files, unused = split_bundle(bundle)
    if unused:
        print(f"build_deb: {len(unused)} bundled libraries nothing links to, left out: {unused}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    built: dict[str, Path] = {}
    for package in packages:
        entries = package_entries(package, bundle, files[package], pkg_version, epoch)
        provided = {Path(rel).name for below in (*roles.BELOW[package], package) for rel in files[below]}
        elves = [bundle / rel for rel in files[package]
                 if not (bundle / rel).is_symlink() and debian_libs.is_elf(bundle / rel)]
        computed, unresolved = debian_libs.needed_packages(elves, provided)
        if unresolved:
            raise SystemExit(f"build_deb: {package}: libraries neither bundled nor from a Debian package: "
                             f"{ {name: users[:2] for name, users in unresolved.items()} }")
        depends = [f"{below} (= {pkg_version})" for below in roles.BELOW[package][-1:]]
        depends += EXTRA_DEPENDS[package] + [computed[name] for name in sorted(computed)]
        size_kib = sum(entry.size for entry in entries) // 1024 + 1
        conffiles = CONFFILES.get(package, [])
        control_entries = [Entry("./", 0o755),
                           Entry("./control", data=control_text(package, pkg_version, arch, size_kib,
                                                                depends).encode()),
                           Entry("./md5sums", data=md5sums(entries, conffiles))]
        if conffiles:
            control_entries.append(Entry("./conffiles", data="".join(f"{c}\n" for c in conffiles).encode()))
        for script in SCRIPTS.get(package, []):
            name = script.rsplit(".", 1)[-1]
            control_entries.append(Entry(f"./{name}", 0o755, data=(HERE / "debian" / script).read_bytes()))
        target = out / f"{package}_{pkg_version}_{arch}.deb"
        write_deb(target, sorted(control_entries, key=lambda e: e.name), entries, epoch)
        built[package] = target
    return built


def installed_size_mb(deb: Path) -> float:
    field = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"], capture_output=True, text=True,
                           check=True).stdout
    return int(field) * 1024 / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "smartqueue")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--version", help="package version, stamped into the bundle (default: ground/version.py)")
    parser.add_argument("--package", action="append", choices=roles.ORDER, help="only these packages")
    args = parser.parse_args(argv)
    started = time.monotonic()
    debs = build_debs(args.bundle, args.out, pkg_version=args.version, packages=tuple(args.package or roles.ORDER))
    for package, deb in debs.items():
        print(f"{package}: {deb}  {deb.stat().st_size / 1e6:.1f} MB, installed {installed_size_mb(deb):.1f} MB")
    print(f"built in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
