"""Build the bundle and the .deb, install it into a throwaway root, smoke-run every role, upgrade, remove, purge.

How the throwaway root works (and why not `dpkg --root` alone): dpkg runs maintainer scripts chrooted into the root,
so the root needs a userland (sh, adduser, systemctl). It borrows the host's: inside a private mount namespace
(`unshare --mount`, so nothing leaks even if the test dies) the root's /usr is an overlay whose lower layer is the
host's /usr (read-only) and whose upper layer is in the test's tmp folder. The package's files and the scripts'
changes (passwd, group, /var/lib/smartqueue, unit symlinks) land in tmp; the host is never written.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.packaging.conftest import load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "config" / "examples"
NEEDS = ("dpkg", "dpkg-deb", "unshare", "adduser", "systemctl")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(sys.platform != "linux" or not hasattr(os, "geteuid") or os.geteuid() != 0
                       or any(shutil.which(tool) is None for tool in NEEDS),
                       reason="needs root (mount namespace, chroot) and dpkg, unshare, adduser, systemctl"),
]

DPKG_IN_ROOT = r"""
set -e
R="$1"; shift
mount -t overlay overlay -o "lowerdir=/usr,upperdir=$R.usr-upper,workdir=$R.usr-work" "$R/usr"
mount --bind /dev/null "$R/dev/null"
exec dpkg --root="$R" --force-not-root "$@"
"""


def make_root(base: Path) -> Path:
    """An empty Debian-like root whose dpkg database knows the package's dependencies (the host provides them)."""
    root = base / "root"
    for folder in ("etc", "var/lib/dpkg/info", "var/lib/dpkg/updates", "dev", "tmp", "run", "usr"):
        (root / folder).mkdir(parents=True)
    (base / "root.usr-upper").mkdir()
    (base / "root.usr-work").mkdir()
    for name in ("bin", "lib", "lib64", "sbin"):
        (root / name).symlink_to(f"usr/{name}")
    for name in ("passwd", "group", "shadow", "gshadow", "login.defs", "adduser.conf", "nsswitch.conf"):
        if Path("/etc", name).exists():
            shutil.copy2(Path("/etc", name), root / "etc" / name)
    (root / "dev" / "null").touch()
    host_status = Path("/var/lib/dpkg/status").read_text(encoding="utf-8")
    wanted = {"adduser", "libc6", "libzbar0"}
    stanzas = [s for s in host_status.split("\n\n")
               if (m := re.match(r"Package: (\S+)", s)) and m.group(1) in wanted and "ok installed" in s]
    (root / "var/lib/dpkg/status").write_text("\n\n".join(stanzas) + "\n\n", encoding="utf-8")
    (root / "var/lib/dpkg/available").touch()
    return root


def dpkg(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", DPKG_IN_ROOT, "sh",
                             str(root), *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("package")
    bundle_tool, deb_tool = load("build_bundle"), load("build_deb")
    started = time.monotonic()
    bundle = bundle_tool.build(base / "dist", base / "work", clips=False)
    built_s = time.monotonic() - started
    debs = {v: deb_tool.build_deb(bundle, base / "debs", pkg_version=v) for v in ("0.1.0", "0.1.1")}
    shutil.rmtree(base / "work")
    print(f"\nbundle built in {built_s:.1f} s; .deb {debs['0.1.0'].stat().st_size / 1e6:.1f} MB")
    yield {"base": base, "bundle": bundle, **debs}
    shutil.rmtree(base, ignore_errors=True)  # about 1 GB: do not keep it among pytest's last three runs


@pytest.fixture(scope="module")
def installed(built) -> Path:
    root = make_root(built["base"] / "install")
    started = time.monotonic()
    dpkg(root, "-i", str(built["0.1.0"]))
    print(f"\n.deb installed in {time.monotonic() - started:.1f} s")
    return root


def test_package_contents(built):
    listing = subprocess.run(["dpkg-deb", "-c", str(built["0.1.0"])], capture_output=True, text=True,
                             check=True).stdout
    for path in ("./opt/smartqueue/smartqueue", "./opt/smartqueue/libexec/smartqueue-session",
                 "./lib/systemd/system/smartqueue-node.service", "./lib/systemd/system/smartqueue-gui@.service",
                 "./lib/udev/rules.d/70-smartqueue.rules", "./etc/smartqueue/session.env",
                 "./opt/smartqueue/_internal/kiosk/qml/Main.qml", "./opt/smartqueue/_internal/display/qml/Main.qml",
                 "./opt/smartqueue/_internal/ground/locale/ar/LC_MESSAGES/smartqueue.po",
                 "./opt/smartqueue/_internal/ground/assets/fonts/NotoSansArabic-Regular.ttf",
                 "./opt/smartqueue/_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so",
                 "./opt/smartqueue/share/examples/node.toml"):
        assert path in listing, path
    for pruned in ("WebEngine", "Qt3D", "QtQuick3D", "libqpdf", "Controls/Material", "translations/qtbase"):
        assert pruned not in listing, pruned
    assert all(" root/root " in line for line in listing.splitlines())
    info = subprocess.run(["dpkg-deb", "-I", str(built["0.1.0"])], capture_output=True, text=True, check=True).stdout
    assert "Depends: adduser" in info and "libzbar0" in info
    conffiles = subprocess.run(["dpkg-deb", "-f", str(built["0.1.0"]), "Package"], capture_output=True, text=True)
    assert conffiles.stdout.strip() == "smartqueue"


def test_postinst_made_the_user_the_folders_and_enabled_the_units(installed):
    assert re.search(r"^smartqueue:x:\d+:\d+::/var/lib/smartqueue:/usr/sbin/nologin$",
                     (installed / "etc/passwd").read_text(), re.M)
    groups = (installed / "etc/group").read_text()
    assert re.search(r"^dialout:x:\d+:.*smartqueue", groups, re.M)
    assert re.search(r"^lp:x:\d+:.*smartqueue", groups, re.M)
    data = installed / "var/lib/smartqueue"
    assert oct(data.stat().st_mode & 0o777) == "0o750"
    wants = installed / "etc/systemd/system"
    assert (wants / "multi-user.target.wants/smartqueue-node.service").is_symlink()
    assert (wants / "graphical.target.wants/smartqueue-gui@kiosk.service").is_symlink()
    assert (installed.parent / "root.usr-upper/bin/smartqueue").is_symlink()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bundled_node(installed, tmp_path_factory):
    """The installed binary runs the node; yields (url, exe, config, workdir)."""
    exe = installed / "opt/smartqueue/smartqueue"
    work = tmp_path_factory.mktemp("smoke")
    port = free_port()
    text = (EXAMPLES / "node.toml").read_text(encoding="utf-8")
    text = re.sub(r"^port = \d+", f"port = {port}", text, flags=re.M)
    text = re.sub(r'^data_dir = ".*"', f'data_dir = "{work / "node"}"', text, flags=re.M)
    config = work / "node.toml"
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CACHE_HOME": str(work / "cache")}
    process = subprocess.Popen([str(exe), "node", "--config", str(config)], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(url + "/api/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url, exe, config, work, env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, out


def test_the_installed_node_answers_health(bundled_node):
    url = bundled_node[0]
    health = requests.get(url + "/api/v1/health", timeout=2).json()
    assert health["status"] == "ok" and health["branch"] == "BR042"


@pytest.mark.parametrize("role", ["kiosk", "display", "keypad"])
def test_each_gui_role_renders_a_first_frame_and_exits(bundled_node, role):
    url, exe, node_config, work, env = bundled_node
    extra = ["--counter", "1"] if role == "keypad" else []
    token = subprocess.run([str(exe), "node", "token", "--config", str(node_config), "--role", role, *extra],
                           capture_output=True, text=True, check=True, cwd=work).stdout.strip()
    device = work / role
    device.mkdir()
    (device / "token").write_text(token + "\n")
    text = (EXAMPLES / f"{role}.toml").read_text(encoding="utf-8")
    text = re.sub(r'^node_url = ".*?"', f'node_url = "{url}"', text, flags=re.M)
    text = re.sub(r'^token_file = ".*?"', f'token_file = "{device / "token"}"', text, flags=re.M)
    text = re.sub(r'^data_dir = ".*?"', f'data_dir = "{device}"', text, flags=re.M)
    config = device / f"{role}.toml"
    config.write_text(text, encoding="utf-8")
    shot = device / "first-frame.png"
    started = time.monotonic()
    result = subprocess.run([str(exe), role, "--config", str(config), "--screenshot", str(shot)], cwd=device,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.stat().st_size > 10_000
    print(f"\n{role}: started, rendered and exited in {time.monotonic() - started:.2f} s")


def test_upgrade_keeps_config_and_data_then_remove_and_purge(installed, built):
    etc, data = installed / "etc/smartqueue", installed / "var/lib/smartqueue"
    (etc / "session.env").write_text("SMARTQUEUE_DISPLAY_MODE=linuxfb\n")  # a technician's edit of a conffile
    (etc / "kiosk.toml").write_text("# written by setup\n")
    (data / "node" / "events.sqlite3").write_bytes(b"precious")
    dpkg(installed, "--force-confold", "-i", str(built["0.1.1"]))
    status = (installed / "var/lib/dpkg/status").read_text()
    assert re.search(r"Package: smartqueue\nStatus: install ok installed\n(.+\n)*?Version: 0.1.1", status)
    assert (etc / "session.env").read_text() == "SMARTQUEUE_DISPLAY_MODE=linuxfb\n"
    assert (etc / "kiosk.toml").exists() and (data / "node" / "events.sqlite3").read_bytes() == b"precious"

    dpkg(installed, "--remove", "smartqueue")
    assert not (installed / "opt/smartqueue/smartqueue").exists()
    assert (etc / "kiosk.toml").exists() and (data / "node" / "events.sqlite3").exists()
    assert not (installed / "etc/systemd/system/multi-user.target.wants/smartqueue-node.service").exists()

    dpkg(installed, "--purge", "smartqueue")
    assert not etc.exists() and not data.exists()
    assert "smartqueue:" in (installed / "etc/passwd").read_text()  # system users are kept (Debian policy)
