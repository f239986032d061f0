"""`smartqueue doctor`: check a device end to end and say what is wrong and how to fix it, in the technician's language.

Checks, in order: configuration valid → secrets private → node reachable → token valid → clock → disk → hardware →
audio and voice clips → sync. Central's receiver (a `[central]` file) has its own (`commissioning/doctor_central.py`).
A check that cannot run because an earlier one failed is reported as "not checked", never as passed. Every detail
is a message with its values apart (`detail_args`), translated by `report`.
"""

from __future__ import annotations

import email.utils
import errno
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from commissioning.file_checks import check_disk, check_secrets_private
from commissioning.hardware_checks import Check, Word, fingerprint_status, printer_status, scanner_status, state_check
from ground.i18n import LANGUAGES, N_, embed, translate, translate_embedding

CLOCK_SKEW_LIMIT_S = 60
ROLE_BY_SECTION = (("fingerprint", "keypad"), ("printer", "kiosk"), ("scanner", "kiosk"))
NOT_THIS_ROLE = N_("not used by this role")


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
            return [Check("node", False, N_("branch {branch}: no node found on the network (zeroconf)"),
                          N_("check the network cable and that the node runs; or set [device] node_url"),
                          detail_args={"branch": config.branch.id})], None
    session = requests.Session()
    if ca_file:
        session.mount("https://", PinnedCA(ca_file))  # the branch CA: the node's own, or the one pinned at pairing
    try:
        response = session.get(url + "/api/v1/health", timeout=timeout)
    except (requests.RequestException, OSError) as err:
        return [_unreachable(url, err, timeout)], None
    finally:
        session.close()
    health = _health(response)
    if health is None:
        kind = response.headers.get("Content-Type", "").split(";")[0] or "?"
        args = {"url": url, "status": response.status_code, "kind": kind}
        return [Check("node", False, N_("{url} answered, but not as a SmartQueue node (HTTP {status}, {kind})"),
                      N_("another service answers at this address: check the node's address and port in the "
                         "configuration"), detail_args=args)], None
    checks = [Check("node", True, N_("{url} answers (node {node_id}, {role})"),
                    detail_args={"url": url, "node_id": health.get("node_id"), "role": health.get("role")})]
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


def _health(response: Any) -> dict[str, Any] | None:
    """The node's health answer, or None when whatever answered is not a SmartQueue node."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and "node_id" in body else None


_REFUSED = (errno.ECONNREFUSED,)
_NO_ROUTE = (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL)


def _root_cause(err: BaseException) -> BaseException:
    """The OSError under requests' and urllib3's wrappers (refused, no route, unknown name), else `err`."""
    seen: set[int] = set()
    todo: list[object] = [err]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and (item.errno is not None or isinstance(item, socket.gaierror)):
            return item
        todo += [getattr(item, "reason", None), item.__cause__, item.__context__, *item.args]
    return err


def _unreachable(url: str, err: BaseException, timeout: float) -> Check:
    """A clear diagnosis of a node that did not answer (never a bare exception name)."""
    import requests

    start = N_("start the node (systemctl start smartqueue-node) or check the address and the network")
    args: dict[str, object] = {"url": url, "seconds": f"{timeout:g}"}
    if isinstance(err, requests.exceptions.SSLError):
        return Check("node", False, N_("{url}: the node's certificate is not signed by the branch CA pinned at "
                                       "pairing"), N_("pair the device again with a new code (smartqueue setup)"),
                     detail_args=args)
    if isinstance(err, requests.Timeout):
        return Check("node", False, N_("{url} did not answer within {seconds} s: the machine is off, or a firewall "
                                       "drops the traffic"), start, detail_args=args)
    cause = _root_cause(err)
    if isinstance(cause, socket.gaierror):
        return Check("node", False, N_("the host name in {url} is not known on this network"),
                     N_("use the node's IP address, or check the network's name server"), detail_args=args)
    if isinstance(cause, OSError) and cause.errno in _NO_ROUTE:
        return Check("node", False, N_("{url} cannot be reached from this device (no route to that address)"),
                     N_("check the network cable, this device's address and the node's address"), detail_args=args)
    if isinstance(cause, OSError) and cause.errno in _REFUSED:
        return Check("node", False, N_("nothing answers at {url}: the node is not running, or this is not its "
                                       "address or port"), start, detail_args=args)
    return Check("node", False, N_("{url} cannot be reached ({reason})"), start,
                 detail_args={**args, "reason": str(cause)[:200]})


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
        return Check("clock", None, N_("the node sent no Date header"))
    node_time = email.utils.parsedate_to_datetime(date_header).timestamp()
    skew = (now if now is not None else time.time()) - node_time
    if abs(skew) > CLOCK_SKEW_LIMIT_S:
        return Check("clock", False, N_("{skew} s from the node's clock"),
                     N_("set the time: enable NTP (timedatectl set-ntp true) on this device and on the node"),
                     detail_args={"skew": f"{skew:+.0f}"})
    return Check("clock", True, N_("{skew} s from the node's clock"), detail_args={"skew": f"{skew:+.0f}"})


def _token(url: str, token: str | None, timeout: float, ca_file: str | None = None) -> Check:
    from nodeclient.client import NodeClient, NodeError

    if not token:
        return Check("token", False, N_("no device token"), N_("pair the device: smartqueue setup"))
    client = NodeClient(token, base_url=url, timeout=timeout, retries=0, ca_file=ca_file)
    try:
        me = client.whoami()
    except NodeError as err:
        fix = N_("the token was revoked or belongs to another node: pair again with smartqueue setup")
        return Check("token", False, N_("the node refuses this device's token ({status} {code})"), fix,
                     detail_args={"status": err.status, "code": err.code})
    finally:
        client.close()
    return Check("token", True, f"{me.get('device')} ({me.get('role')})")


def qt_application() -> object:
    """The process's Qt application; created as a QGuiApplication on the offscreen platform when there is none.

    Not a QCoreApplication: doctor checks several configurations in one process, and the kiosk's printer check
    renders text, which needs a QGuiApplication — a QCoreApplication left by the display's audio check made it
    fail. One QGuiApplication serves both."""
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(["smartqueue-doctor", "-platform", "offscreen"])


def check_audio(role: str) -> Check:
    """Sound matters on the display only; QtMultimedia lists the outputs the app would play through."""
    if role != "display":
        return Check("audio", None, NOT_THIS_ROLE)
    from PySide6.QtMultimedia import QMediaDevices

    qt_application()  # QMediaDevices needs an application object
    outputs = [device.description() for device in QMediaDevices.audioOutputs()]
    if not outputs:
        return Check("audio", False, N_("no audio output"),
                     N_("plug in the speakers (HDMI or jack) and check that the sound server runs"))
    return Check("audio", True, ", ".join(outputs))


def check_clips(config: Any) -> Check:
    """The display's voice clips: the folder, its chime, and every clip its manifest lists for each language the
    display announces in (one missing word makes the display skip the whole call). Read from the files and the
    manifest `python -m display.clips` writes: doctor runs on node-only machines too, without the display's code."""
    import json

    from commissioning.steps import default_clip_dir

    display = config.display
    if display.sound == "silent":
        return Check("clips", None, N_("the display is silent ([display] sound = \"silent\")"))
    root = Path(display.clip_dir)
    fix = N_("set [display] clip_dir to the package's clip folder ({default}), or generate the clips with: "
             "python -m display.clips --out {path}")
    fix_args = {"default": default_clip_dir(), "path": str(root)}
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Check("clips", False, N_("no voice clip folder at {path}"), fix, fix_args=fix_args,
                     detail_args={"path": str(root)})
    if not (root / "chime.wav").is_file():
        return Check("clips", False, N_("{count} voice clips missing in {path} (e.g. {first})"), fix,
                     fix_args=fix_args, detail_args={"count": 1, "path": str(root), "first": "chime.wav"})
    if display.sound == "chime":
        return Check("clips", True, N_("{count} clips in {path} ({languages})"),
                     detail_args={"count": 1, "path": str(root), "languages": "chime"})
    languages = list(display.announce_languages or display.languages or config.branch.languages)
    absent = [language for language in languages if language not in manifest.get("languages", [])]
    if absent:
        return Check("clips", False, N_("no {lang} voice clips in {path}"), fix, fix_args=fix_args,
                     detail_args={"lang": ", ".join(absent), "path": str(root)})
    have = {language: sum(1 for _ in (root / language).glob("*.wav")) for language in manifest["languages"]}
    per_language = manifest.get("per_language")
    if isinstance(per_language, dict):
        expected = sum(int(per_language.get(language, 0)) for language in languages)
        found = sum(min(have[language], int(per_language.get(language, 0))) for language in languages)
    else:  # an older manifest: the total over every language it lists
        expected, found = int(manifest.get("clips", 0)), sum(have.values())
    if found < expected:
        short = next((language for language in languages if not isinstance(per_language, dict)
                      or have[language] < int(per_language.get(language, 0))), languages[0])
        return Check("clips", False, N_("{count} voice clips missing in {path} (e.g. {first})"), fix,
                     fix_args=fix_args, detail_args={"count": expected - found, "path": str(root),
                                                     "first": f"{short}/"})
    return Check("clips", True, N_("{count} clips in {path} ({languages})"),
                 detail_args={"count": found + 1, "path": str(root), "languages": ", ".join(languages)})


def check_sync(health: dict[str, Any] | None) -> Check:
    if health is None:
        return Check("sync", None, N_("the node did not answer"))
    sync = health.get("sync")
    if not isinstance(sync, dict):
        return Check("sync", None, N_("sync with central is off ([sync] enabled = false or no [sync])"))
    state, lag = sync.get("state"), sync.get("lag_events", 0)
    if state == "standby":
        return Check("sync", None, N_("this node is a follower: the cluster's leader syncs"))
    if sync.get("archive_problem"):  # central's watermark is stuck below the archive checkpoint until it is fixed
        return Check("sync", False, N_("central lacks archived events this node cannot resend: {problem}"),
                     N_("put events-archive.sqlite3 back in the node's data folder (from a backup or another "
                        "member of the cluster)"), detail_args={"problem": sync["archive_problem"]})
    if sync.get("halted"):  # the broker refused events or central rejected them: sending waits, the database grows
        return Check("sync", False, N_("sending events to central is paused: the broker or central refused them, "
                                       "{lag} events waiting"),
                     N_("read the node's log for the refusal (sync_dead_letters); check the branch's MQTT "
                        "credentials and permissions on central's broker"), detail_args={"lag": lag})
    if state == "connected":
        return Check("sync", True, N_("connected to central's broker, {lag} events to send"), detail_args={"lag": lag})
    return Check("sync", False, N_("not connected to central's broker, {lag} events waiting"),
                 N_("check the central broker address and the internet link"), detail_args={"lag": lag})


def run_checks(path: Path, *, role: str | None = None, timeout: float = 3.0) -> list[Check]:
    from commissioning.doctor_central import is_central_file, run_central_checks

    if role == "central" or (role is None and is_central_file(path)):
        return run_central_checks(path, timeout)
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
    checks.append(check_printer(config) if role == "kiosk" else Check("printer", None, NOT_THIS_ROLE))
    checks.append(scanner_status(config.scanner) if role == "kiosk" else Check("scanner", None, NOT_THIS_ROLE))
    checks.append(fingerprint_status(config.fingerprint) if role == "keypad"
                  else Check("fingerprint", None, NOT_THIS_ROLE))
    checks.append(check_audio(role))
    if role == "display":
        checks.append(check_clips(config))
    checks.append(check_sync(health) if role == "node" else Check("sync", None, N_("checked on the node")))
    return checks


def check_printer(config: Any) -> Check:
    """The running kiosk holds the printer's port: ask it (its status file) rather than open the port and call
    the printer offline; with no kiosk running, open the port and read the printer's own status."""
    from appkit.status_file import read_status

    running = read_status(config.device.data_dir, "kiosk") if config.printer is not None else None
    if running is not None and running["age_s"] <= 3 * config.kiosk.status_report_seconds:
        components = running.get("components") or {}
        state = str(components.get("printer", "unknown"))
        return state_check(config.printer, state, running.get("paper_left_estimate"),
                           kiosk={"pid": running["pid"], "age": round(running["age_s"])})
    return printer_status(config.printer)


#: Check names as the technician reads them (translated).
LABELS = {"config": N_("configuration"), "node": N_("node"), "token": N_("device token"), "clock": N_("clock"),
          "disk": N_("disk space"), "printer": N_("printer"), "scanner": N_("scanner"),
          "fingerprint": N_("fingerprint reader"), "audio": N_("audio output"), "sync": N_("sync with central"),
          "permissions": N_("file permissions"), "clips": N_("voice clips"), "database": N_("database"),
          "broker": N_("MQTT broker"), "tls": N_("TLS files")}


def detail_text(check: Check, language: str) -> str:
    """The check's detail in the technician's language (its values, and the words among them, too)."""
    if not check.detail:
        return ""
    args = {key: translate(language, value) if isinstance(value, Word) else ("" if value is None else value)
            for key, value in check.detail_args.items()}
    if args:
        return translate_embedding(language, check.detail, **args).strip()
    text = translate(language, check.detail)
    # a detail the catalog does not know is a raw value (a path, a device list, pydantic's English): isolated
    return str(embed(language, text)) if text == check.detail else text


def report(checks: list[Check], language: str, out: Callable[[str], None] = print) -> int:
    """Print one line per check (and the fix under each failure); 0 when nothing is wrong, 1 otherwise."""
    marks = {True: translate(language, "OK"), False: translate(language, "PROBLEM"),
             None: translate(language, "not checked")}
    fix_word = translate(language, "fix:")
    for check in checks:
        label = translate(language, LABELS.get(check.name, check.name))
        mark = translate(language, "WARNING") if check.warn else marks[check.ok]
        out(f"{mark:12} {label:20} {detail_text(check, language)}")
        if (check.ok is False or check.warn) and check.fix:
            out(f"{'':12} {fix_word} {translate_embedding(language, check.fix, **check.fix_args)}")
    problems = sum(1 for check in checks if check.ok is False)
    if problems:
        out(translate(language, "{count} problem(s) found", count=problems))
        return 1
    out(translate(language, "no problem found"))
    return 0
