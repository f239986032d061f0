"""`smartqueue doctor`: check a device end to end and say what is wrong and how to fix it, in the technician's language.

Checks, in order: configuration valid → node reachable → token valid → clock → disk → hardware → audio → sync.
A check that cannot run because an earlier one failed is reported as "not checked", never as passed.
"""

from __future__ import annotations

import email.utils
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from commissioning.hardware_checks import Check, fingerprint_status, printer_status, scanner_status
from ground.i18n import LANGUAGES, N_, translate

CLOCK_SKEW_LIMIT_S = 60
DISK_FREE_MIN_BYTES = 500 * 1024 * 1024
ROLE_BY_SECTION = (("fingerprint", "keypad"), ("printer", "kiosk"), ("scanner", "kiosk"))


def language_from_env(environ: dict[str, str] | None = None) -> str:
    """The technician's language from LANG/LC_ALL (fr_FR.UTF-8 → fr), English when we do not speak it."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        code = env.get(name, "")[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def guess_role(config: Any, path: Path) -> str:
    """The device's role: the file's name (kiosk.toml) if it says, else the node section or hardware present."""
    for role in ("kiosk", "display", "keypad", "node"):
        if path.stem.startswith(role):
            return role
    for section, role in ROLE_BY_SECTION:
        if getattr(config, section, None) is not None:
            return role
    return "node" if config.services else "display"


def check_config(path: Path) -> tuple[Check, Any]:
    from config.loader import ConfigError, load_config

    try:
        config = load_config(path)
    except ConfigError as err:
        return Check("config", False, str(err), N_("correct the key named above, or run smartqueue setup again")), None
    return Check("config", True, str(path)), config


def check_node(config: Any, role: str, timeout: float = 3.0) -> tuple[list[Check], dict[str, Any] | None]:
    """Reachability (health), token (whoami) and clock (the node's Date header), from one device's point of view."""
    import requests

    from appkit.device import read_token
    from nodeclient.client import PinnedCA

    ca_file = config.device.ca_file
    if role == "node":
        tls = config.node.tls == "on" or (config.node.tls == "auto" and not _is_loopback(config.node.host))
        url = f"{'https' if tls else 'http'}://{_loopback(config.node.host)}:{config.node.port}"
        ca_file = str(Path(config.node.data_dir) / "tls" / "ca.pem") if tls else None
    elif config.device.node_url:
        url = config.device.node_url.rstrip("/")
    else:
        url = _discover(config.branch.id, timeout)
        if url is None:
            return [Check("node", False, f"branch {config.branch.id}: no node found by zeroconf",
                          N_("check the network cable and that the node runs; or set [device] node_url"))], None
    session = requests.Session()
    if ca_file:
        session.mount("https://", PinnedCA(ca_file))  # the branch CA: the node's own, or the one pinned at pairing
    try:
        response = session.get(url + "/api/v1/health", timeout=timeout)
        health = response.json()
    except (requests.RequestException, ValueError, OSError) as err:
        fix = N_("start the node (systemctl start smartqueue-node) or check the address and the network")
        return [Check("node", False, f"{url}: {type(err).__name__}", fix)], None
    finally:
        session.close()
    checks = [Check("node", True, f"{url} ({health.get('node_id')}, {health.get('role')})")]
    checks.append(_clock(response.headers.get("Date")))
    if role != "node":
        checks.append(_token(url, read_token(config), timeout, ca_file))
    return checks, health


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _loopback(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def _discover(branch_id: str, timeout: float) -> str | None:
    from nodeclient.discovery import ZeroconfDiscovery

    discovery = ZeroconfDiscovery(branch_id)
    discovery.start()
    try:
        candidates = discovery.wait(timeout=timeout)
    finally:
        discovery.close()
    return candidates[0].url.rstrip("/") if candidates else None


def _clock(date_header: str | None, now: float | None = None) -> Check:
    if not date_header:
        return Check("clock", None, "the node sent no Date header")
    node_time = email.utils.parsedate_to_datetime(date_header).timestamp()
    skew = (now if now is not None else time.time()) - node_time
    if abs(skew) > CLOCK_SKEW_LIMIT_S:
        return Check("clock", False, f"{skew:+.0f} s from the node's clock",
                     N_("set the time: enable NTP (timedatectl set-ntp true) on this device and on the node"))
    return Check("clock", True, f"{skew:+.0f} s from the node's clock")


def _token(url: str, token: str | None, timeout: float, ca_file: str | None = None) -> Check:
    from nodeclient.client import NodeClient, NodeError

    if not token:
        return Check("token", False, "no device token", N_("pair the device: smartqueue setup"))
    client = NodeClient(token, base_url=url, timeout=timeout, retries=0, ca_file=ca_file)
    try:
        me = client.whoami()
    except NodeError as err:
        fix = N_("the token was revoked or belongs to another node: pair again with smartqueue setup")
        return Check("token", False, f"{err.status} {err.code}", fix)
    finally:
        client.close()
    return Check("token", True, f"{me.get('device')} ({me.get('role')})")


def check_disk(paths: list[str]) -> Check:
    worst: tuple[int, str] | None = None
    for path in paths:
        existing = Path(path)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        free = shutil.disk_usage(existing).free
        if worst is None or free < worst[0]:
            worst = (free, path)
    if worst is None:
        return Check("disk", None, "no data folder")
    free, path = worst
    if free < DISK_FREE_MIN_BYTES:
        return Check("disk", False, f"{free // 2**20} MB free for {path}",
                     N_("free disk space: old logs (journalctl --vacuum-size=200M) or old media files"))
    return Check("disk", True, f"{free // 2**20} MB free for {path}")


def check_audio(role: str) -> Check:
    """Sound matters on the display only; QtMultimedia lists the outputs the app would play through."""
    if role != "display":
        return Check("audio", None, "not needed for this role")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaDevices

    _app = QCoreApplication.instance() or QCoreApplication([])  # QMediaDevices needs an application object
    outputs = [device.description() for device in QMediaDevices.audioOutputs()]
    if not outputs:
        return Check("audio", False, "no audio output",
                     N_("plug in the speakers (HDMI or jack) and check that the sound server runs"))
    return Check("audio", True, ", ".join(outputs))


def check_sync(health: dict[str, Any] | None) -> Check:
    if health is None:
        return Check("sync", None, "node not reachable")
    sync = health.get("sync")
    if sync is None:
        return Check("sync", None, "the node does not report sync status")
    state = sync.get("state", sync) if isinstance(sync, dict) else sync
    ok = state in ("connected", "ok", True)
    return Check("sync", ok, str(sync), "" if ok else N_("check the central broker address and the internet link"))


def check_secrets_private(path: Path) -> Check:
    """A configuration holding secrets (appointment key, PIN hash, broker password…) must not be world-readable."""
    import tomllib

    from commissioning.support import is_secret

    def secrets(data: object) -> list[str]:
        if isinstance(data, dict):
            return [k for k, v in data.items() if is_secret(k) and v not in (None, "")] + \
                [s for v in data.values() for s in secrets(v)]
        if isinstance(data, list):
            return [s for item in data for s in secrets(item)]
        return []

    try:
        found = secrets(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError):
        return Check("permissions", None, "")
    if not found or os.name != "posix":
        return Check("permissions", True if found else None, "")
    mode = path.stat().st_mode & 0o777
    if mode & 0o004:
        return Check("permissions", False, f"{path} {oct(mode)}: {', '.join(sorted(set(found)))}",
                     N_("the configuration holds secrets and every user can read it: chmod 640 {path}"),
                     {"path": str(path)})
    return Check("permissions", True, oct(mode))


def run_checks(path: Path, *, role: str | None = None, timeout: float = 3.0) -> list[Check]:
    check, config = check_config(path)
    checks = [check]
    if config is None:
        return checks
    checks.append(check_secrets_private(path))
    role = role or guess_role(config, path)
    node_checks, health = check_node(config, role, timeout)
    checks += node_checks
    data_dirs = [config.node.data_dir] if role == "node" else [config.device.data_dir]
    checks.append(check_disk(data_dirs))
    checks.append(printer_status(config.printer) if role == "kiosk" else Check("printer", None, "not this role"))
    checks.append(scanner_status(config.scanner) if role == "kiosk" else Check("scanner", None, "not this role"))
    checks.append(fingerprint_status(config.fingerprint) if role == "keypad"
                  else Check("fingerprint", None, "not this role"))
    checks.append(check_audio(role))
    checks.append(check_sync(health) if role == "node" else Check("sync", None, "checked on the node"))
    return checks


#: Check names as the technician reads them (translated).
LABELS = {"config": N_("configuration"), "node": N_("node"), "token": N_("device token"), "clock": N_("clock"),
          "disk": N_("disk space"), "printer": N_("printer"), "scanner": N_("scanner"),
          "fingerprint": N_("fingerprint reader"), "audio": N_("audio output"), "sync": N_("sync with central"),
          "permissions": N_("file permissions")}


def report(checks: list[Check], language: str, out: Callable[[str], None] = print) -> int:
    """Print one line per check (and the fix under each failure); 0 when nothing is wrong, 1 otherwise."""
    marks = {True: translate(language, "OK"), False: translate(language, "PROBLEM"),
             None: translate(language, "not checked")}
    fix_word = translate(language, "fix:")
    for check in checks:
        label = translate(language, LABELS.get(check.name, check.name))
        mark = translate(language, "WARNING") if check.warn else marks[check.ok]
        out(f"{mark:12} {label:20} {check.detail}")
        if (check.ok is False or check.warn) and check.fix:
            out(f"{'':12} {fix_word} {translate(language, check.fix, **check.fix_args)}")
    problems = sum(1 for check in checks if check.ok is False)
    if problems:
        out(translate(language, "{count} problem(s) found", count=problems))
        return 1
    out(translate(language, "no problem found"))
    return 0
