"""`smartqueue support-bundle [--out FILE.tar.gz]`: what support needs in one file, with every secret removed.

Contents: `config/` (each TOML file with secret values replaced, then the log redaction applied to the text too),
`logs/` (journald's `smartqueue-*` units when journalctl works, the files in /var/log/smartqueue, the given log
files), `versions.json`, `doctor.txt` per configuration, `verify.txt` (the node's hash-chain check) when a node
data folder exists, and `collected.txt`: what was collected and what could not be, and why — also printed, so a
bundle made with no arguments never looks complete when it is not.
"""

from __future__ import annotations

import dataclasses
import io
import json
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path
from typing import Any

from commissioning import toml_out
from ground.i18n import N_
from ground.logs import redact

DEFAULT_CONFIG_DIR = Path("/etc/smartqueue")
DEFAULT_LOG_DIR = Path("/var/log/smartqueue")  # the services log to the journal; files here if a site adds them

#: Keys whose values are secrets wherever they appear (schema SecretStr fields, tokens, keys, PINs).
SECRET_KEYS = frozenset({"token", "password", "pin", "pin_hash", "appointment_key", "secret", "key", "branch_key",
                         "api_key", "client_key", "private_key", "psk"})
REDACTED = "[redacted]"


def is_secret(key: str) -> bool:
    lowered = key.lower()
    # suffixes too: the kiosk's technician_pin_hash, a node's admin_token, a broker's client_key…
    return lowered in SECRET_KEYS or lowered.endswith(("_token", "_password", "_secret", "_key", "_hash", "_pin"))


def redact_tree(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: (REDACTED if is_secret(k) and v not in (None, "") else redact_tree(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_tree(item) for item in data]
    if isinstance(data, str):
        return redact(data)  # a token pasted into another field (a URL, a comment-like value)
    return data


#: `key = value` anywhere in a line (a table's key, or inside an inline table), the value a string, possibly
#: unterminated (the file does not parse: that is why it is being sent), or a bare word.
_TOML_PAIR = re.compile(r"""(?P<key>[A-Za-z0-9_-]+)(?P<eq>["']?\s*=\s*)"""
                        r"""(?P<value>"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|[^\s,}\]]+)""")


def redact_toml_lines(text: str) -> str:
    """A file that is not valid TOML: every `secret_key = value` pair's value replaced, line by line."""
    return _TOML_PAIR.sub(lambda m: m["key"] + m["eq"] + f'"{REDACTED}"' if is_secret(m["key"]) else m[0], text)


def redact_toml(text: str) -> str:
    """The file re-written without its secrets (comments dropped: they may quote one); invalid TOML: text redaction."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return redact(redact_toml_lines(text))
    clean = redact_tree(data)
    scalars = {k: v for k, v in clean.items() if not isinstance(v, dict | list)}
    tables = {k: v for k, v in clean.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in clean.items() if isinstance(v, list)}
    lines = [f"{k} = {toml_out.value(v)}" for k, v in scalars.items()]
    body = toml_out.dumps(tables, "redacted copy made by smartqueue support-bundle") if tables else ""
    for name, items in arrays.items():
        for item in items:
            if isinstance(item, dict):
                body += f"\n[[{name}]]\n" + "".join(f"{k} = {toml_out.value(v)}\n" for k, v in item.items())
            else:
                lines.append(f"{name} = {toml_out.value(items)}")
                break
    return "\n".join(lines) + ("\n" if lines else "") + body


def journal(since: str = "-2d") -> tuple[str | None, tuple[str, dict[str, object]] | None]:
    """The services' journal, or None and why (journalctl missing, or refused: not root, not in the
    systemd-journal group, no journald in a container)."""
    exe = shutil.which("journalctl")
    if exe is None:
        return None, (N_("the journal: journalctl is not installed on this machine"), {})
    try:
        result = subprocess.run([exe, "--no-pager", "-o", "short-iso", "--since", since, "-u", "smartqueue-*"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, (N_("the journal: journalctl failed ({reason})"), {"reason": str(err)})
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or [f"exit code {result.returncode}"])[-1]
        return None, (N_("the journal: journalctl failed ({reason}); run as root or in the systemd-journal "
                         "group"), {"reason": reason[:200]})
    return result.stdout, None


def versions() -> dict[str, Any]:
    from ground.version import VERSION as __version__

    info: dict[str, Any] = {"smartqueue": __version__, "python": platform.python_version(),
                            "platform": platform.platform(), "frozen": bool(getattr(sys, "frozen", False))}
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        info["pyside6"], info["qt"] = PySide6.__version__, qVersion()
    except ImportError:
        info["qt"] = "not available"
    os_release = Path("/etc/os-release")
    if os_release.exists():
        info["os"] = dict(line.split("=", 1) for line in os_release.read_text().splitlines() if "=" in line)
    build_info = Path(sys.executable).resolve().parent / "BUILD-INFO.json"
    if getattr(sys, "frozen", False) and build_info.exists():
        info["build"] = json.loads(build_info.read_text())
    return info


def self_command() -> list[str]:
    """How to run `smartqueue` again: the bundle's executable, or this Python with -m."""
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "smartqueue"]


def run_self(args: list[str], timeout: float = 120) -> str:
    try:
        result = subprocess.run(self_command() + args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:.0f} s\n"
    return f"$ smartqueue {' '.join(args)}\nexit code {result.returncode}\n{result.stdout}{result.stderr}"


def node_data_dir(configs: list[Path]) -> Path | None:
    for path in configs:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if data.get("services"):
            folder = Path(data.get("node", {}).get("data_dir", "/var/lib/smartqueue/node"))
            if folder.exists():
                return folder
    return None


@dataclasses.dataclass
class Collected:
    """The archive's member names, and what could not be collected (message, values), for the technician."""

    names: list[str]
    missing: list[tuple[str, dict[str, object]]]


def default_configs() -> list[Path]:
    return sorted(DEFAULT_CONFIG_DIR.glob("*.toml"))


def build(out: Path, configs: list[Path], log_files: list[Path], *, with_doctor: bool = True,
          default_logs: bool = True) -> Collected:
    """Write the archive; returns what it holds and what it could not collect."""
    members: dict[str, bytes] = {}
    missing: list[tuple[str, dict[str, object]]] = []
    if not configs:
        missing.append((N_("configuration: no *.toml in {folder} (give --config FILE)"),
                        {"folder": str(DEFAULT_CONFIG_DIR)}))
    for path in configs:
        try:
            members[f"config/{path.name}"] = redact_toml(path.read_text(encoding="utf-8")).encode()
        except OSError as err:
            members[f"config/{path.name}.error"] = f"{err}\n".encode()
            missing.append((N_("configuration {path}: {reason}"), {"path": str(path), "reason": err.strerror or err}))
    logs, why = journal()
    if logs is not None:
        members["logs/journal.txt"] = redact(logs).encode()
    elif why is not None:
        missing.append(why)
    if default_logs and DEFAULT_LOG_DIR.is_dir():
        log_files = [*log_files, *sorted(p for p in DEFAULT_LOG_DIR.iterdir() if p.is_file() and ".log" in p.name)]
    seen: set[Path] = set()
    for path in log_files:
        for candidate in sorted(path.parent.glob(path.name + "*")):  # rotated files too (app.log.1 …)
            if candidate in seen:
                continue
            seen.add(candidate)
            try:
                text = candidate.read_text(encoding="utf-8", errors="replace")
            except OSError as err:
                missing.append((N_("log {path}: {reason}"), {"path": str(candidate), "reason": err.strerror or err}))
                continue
            members[f"logs/{candidate.name}"] = redact(text).encode()
        if not any(path.parent.glob(path.name + "*")):
            missing.append((N_("log {path}: no such file"), {"path": str(path)}))
    if not any(name.startswith("logs/") for name in members):
        missing.append((N_("logs: none collected (give --log-file FILE if the apps write one)"), {}))
    members["versions.json"] = (json.dumps(versions(), indent=2) + "\n").encode()
    if with_doctor:
        for path in configs:
            if path.suffix == ".toml":
                members[f"doctor-{path.stem}.txt"] = redact(run_self(["doctor", "--config", str(path),
                                                                      "--language", "en"])).encode()
    data_dir = node_data_dir(configs)
    if data_dir is not None:
        members["verify.txt"] = run_self(["node", "verify", "--data-dir", str(data_dir)]).encode()
    members["collected.txt"] = ("collected:\n" + "".join(f"  {name}\n" for name in members)
                                + "not collected:\n" + "".join(f"  {message.format(**values)}\n"
                                                                for message, values in missing)).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.time()
    with tarfile.open(out, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"smartqueue-support/{name}")
            info.size, info.mtime, info.mode = len(data), int(stamp), 0o600
            archive.addfile(info, io.BytesIO(data))
    out.chmod(0o600)
    return Collected(list(members), missing)
