"""Build the Debian package from a bundle: `python packaging/build_deb.py --bundle dist/smartqueue --out dist`.

Layout (Filesystem Hierarchy Standard for add-on software):
  /opt/smartqueue/              the PyInstaller bundle, `libexec/` session scripts, `share/` clips and examples
  /usr/bin/smartqueue           symlink to the bundle's executable
  /etc/smartqueue/session.env   GUI session settings (a conffile); role configs are written there by `setup`
  /var/lib/smartqueue/          data (created by postinst, owned by the `smartqueue` user)
  /lib/systemd/system/          smartqueue-node, smartqueue-central, smartqueue-gui@ (kiosk|display|keypad)
  /lib/udev/rules.d/            device access for the service user
Needs only dpkg-deb (no debhelper): the bundle is already built, there is nothing to compile.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "smartqueue"
PREFIX = Path("opt") / PACKAGE
UNITS = ("smartqueue-node.service", "smartqueue-central.service", "smartqueue-gui@.service")
CONFFILES = ("/etc/smartqueue/session.env",)
#: Runtime needs outside the bundle: adduser for postinst, zbar for pyzbar (loaded with ctypes, so never bundled).
DEPENDS = "adduser, libc6 (>= 2.36), libzbar0"
#: The x11 session (the default mode) and Qt's xcb plugin's libraries not bundled; a node machine can skip them.
RECOMMENDS = ("xserver-xorg-core, xinit, x11-xserver-utils, libxcb-cursor0, libxcb-icccm4, libxcb-image0, "
              "libxcb-keysyms1, libxcb-render-util0, libxkbcommon-x11-0, libegl1, libgl1")
SUGGESTS = "mosquitto"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from ground.version import VERSION as __version__

    return __version__


def installed_size_kib(root: Path) -> int:
    return sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir()) // 1024 + 1


def control(pkg_version: str, size_kib: int, arch: str) -> str:
    return (f"Package: {PACKAGE}\nVersion: {pkg_version}\nArchitecture: {arch}\nMaintainer: SmartQueue Edge team "
            f"<edge@smartqueue.invalid>\nInstalled-Size: {size_kib}\nDepends: {DEPENDS}\nRecommends: {RECOMMENDS}\n"
            f"Suggests: {SUGGESTS}\nSection: misc\nPriority: optional\nDescription: SmartQueue Edge queue management "
            "(branch node, kiosk, display, agent keypad)\n One self-contained bundle for every role: "
            "`smartqueue setup` commissions a device,\n `smartqueue doctor` checks it.\n")


def stage(bundle: Path, root: Path, pkg_version: str, arch: str) -> None:
    """Lay the package's files out under `root` (the future `/`)."""
    opt = root / PREFIX
    shutil.copytree(bundle, opt, symlinks=True)
    libexec = opt / "libexec"
    libexec.mkdir()
    for name in ("smartqueue-session", "smartqueue-xsession"):
        shutil.copy2(HERE / "session" / name, libexec / name)
        (libexec / name).chmod(0o755)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / PREFIX / PACKAGE)
    units = root / "lib" / "systemd" / "system"
    units.mkdir(parents=True)
    for unit in UNITS:
        shutil.copy2(HERE / "systemd" / unit, units / unit)
    dropin = units / "systemd-time-wait-sync.service.d"  # bounded wait for NTP before the node starts
    dropin.mkdir()
    shutil.copy2(HERE / "systemd" / "systemd-time-wait-sync.service.d" / "smartqueue.conf", dropin)
    rules = root / "lib" / "udev" / "rules.d"
    rules.mkdir(parents=True)
    shutil.copy2(HERE / "udev" / "70-smartqueue.rules", rules)
    etc = root / "etc" / PACKAGE
    etc.mkdir(parents=True)
    shutil.copy2(HERE / "session" / "session.env", etc / "session.env")
    doc = root / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("SmartQueue Edge: proprietary. Bundled fonts: Noto (SIL OFL 1.1), see "
                                   "/opt/smartqueue/_internal/ground/assets/fonts/LICENSE.txt. Qt for Python "
                                   "(LGPLv3) and other third-party components keep their licences.\n",
                                   encoding="utf-8")
    debian = root / "DEBIAN"
    debian.mkdir()
    for script in ("postinst", "prerm", "postrm"):
        shutil.copy2(HERE / "debian" / script, debian / script)
        (debian / script).chmod(0o755)
    (debian / "conffiles").write_text("".join(f"{path}\n" for path in CONFFILES), encoding="utf-8")
    (debian / "control").write_text(control(pkg_version, installed_size_kib(root), arch), encoding="utf-8")


def build_deb(bundle: Path, out: Path, *, pkg_version: str | None = None, compression: str = "zstd") -> Path:
    """Stage and pack; returns the .deb path. Owner root:root for every file (no fakeroot needed)."""
    pkg_version = pkg_version or version()
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{PACKAGE}_{pkg_version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="sq-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        stage(bundle, root, pkg_version, arch)
        subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(root), str(target)],
                       check=True, stdout=subprocess.DEVNULL)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / PACKAGE)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--version", help="package version (default: smartqueue.__version__)")
    parser.add_argument("--compression", choices=["xz", "zstd", "gzip"], default="zstd")
    args = parser.parse_args(argv)
    started = time.monotonic()
    deb = build_deb(args.bundle, args.out, pkg_version=args.version, compression=args.compression)
    print(f"package: {deb}  {deb.stat().st_size / 1e6:.1f} MB  in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
