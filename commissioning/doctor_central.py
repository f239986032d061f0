"""`smartqueue doctor` on central's receiver (a file with a `[central]` section): what `smartqueue central` needs to
run — a valid configuration, private secrets, readable TLS files, its database, and the broker accepting its
login. Central has no node, token, hardware or sync of its own, so none of a device's checks apply.

Nothing is written: the SQLite file is opened read-only (or, not made yet, its folder checked writable), PostgreSQL
gets one `SELECT 1`, the broker one clean connection with a throw-away client id (never the receiver's, whose
persistent session it would take over).
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from commissioning.file_checks import check_disk, check_secrets_private
from commissioning.hardware_checks import Check
from ground.i18n import N_
from ground.logs import redact


def is_central_file(path: Path) -> bool:
    """A central receiver's file: a `[central]` section and no `[branch]` (a device's or node's file has one)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return "central" in data and "branch" not in data


def run_central_checks(path: Path, timeout: float = 3.0) -> list[Check]:
    from config.central import load_central_config
    from config.loader import ConfigError

    try:
        config = load_central_config(path)
    except ConfigError as err:
        return [Check("config", False, str(err), N_("correct the key named above"))]
    checks = [Check("config", True, N_("{path} (central receiver)"), detail_args={"path": str(path)}),
              check_secrets_private(path), check_tls_files(config), check_database(config, timeout)]
    if config.database_url is None:
        checks.append(check_disk([str(Path(config.db_path).parent)]))
    checks.append(check_broker(config, timeout))
    return checks


def check_tls_files(config: Any) -> Check:
    """[central.tls]: each file named can be read, and a client key is not readable by every user."""
    tls = config.tls
    if tls is None:
        return Check("tls", None, N_("plain TCP to the broker (no [central.tls] section)"))
    files = [(key, getattr(tls, key)) for key in ("ca_file", "cert_file", "key_file") if getattr(tls, key)]
    for key, name in files:
        try:
            Path(name).read_bytes()
        except OSError as err:
            return Check("tls", False, N_("{path} cannot be read ({reason})"),
                         N_("put the file there, or correct [central.tls] {key}"), fix_args={"key": key},
                         detail_args={"path": name, "reason": err.strerror or type(err).__name__})
    if tls.key_file and os.name == "posix" and Path(tls.key_file).stat().st_mode & 0o004:
        return Check("tls", False, N_("{path} ({mode}) holds {keys} and every user can read it"),
                     N_("the configuration holds secrets and every user can read it: chmod 640 {path}"),
                     fix_args={"path": tls.key_file}, detail_args={
                         "path": tls.key_file, "mode": oct(Path(tls.key_file).stat().st_mode & 0o777),
                         "keys": "key_file"})
    if not files:
        return Check("tls", True, N_("TLS with the system's certificate authorities"))
    return Check("tls", True, N_("{files} readable"), detail_args={"files": ", ".join(name for _, name in files)})


def check_database(config: Any, timeout: float) -> Check:
    if config.database_url is not None:
        return _postgresql(config.database_url.get_secret_value(), timeout)
    return _sqlite(Path(config.db_path))


def _postgresql(url: str, timeout: float) -> Check:
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path or ''}"  # never the password
    try:
        from sync.central_pg import probe
    except ImportError:
        return Check("database", False, N_("PostgreSQL support is not installed"),
                     N_("install the smartqueue-postgresql package"))
    problem = probe(url, timeout)
    if problem is not None:
        return Check("database", False, N_("PostgreSQL at {where} does not accept the connection ({reason})"),
                     N_("start PostgreSQL, and check [central] database_url (host, port, user, password, database)"),
                     detail_args={"where": where, "reason": redact(problem)[:200]})
    return Check("database", True, N_("PostgreSQL answers at {where}"), detail_args={"where": where})


def _sqlite(path: Path) -> Check:
    if not path.exists():
        folder = path.parent
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return Check("database", True, N_("no database yet at {path}: the receiver makes it when it starts"),
                         detail_args={"path": str(path)})
        return Check("database", False, N_("the folder of {path} does not exist or cannot be written"),
                     N_("create the folder and give it to the user the receiver runs as (chown smartqueue {folder})"),
                     fix_args={"folder": str(folder)}, detail_args={"path": str(path)})
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as err:
        return Check("database", False, N_("{path} is not a readable SQLite database ({reason})"),
                     N_("point [central] db_path at the receiver's database, or restore it from a backup"),
                     detail_args={"path": str(path), "reason": str(err)})
    return Check("database", True, N_("SQLite database {path} ({size} MB)"),
                 detail_args={"path": str(path), "size": f"{path.stat().st_size / 2**20:.1f}"})


def check_broker(config: Any, timeout: float) -> Check:
    from sync.link import probe

    result = probe(config, timeout)
    args = {"where": f"{config.host}:{config.port}", "reason": redact(result.reason)[:200]}
    if result.kind == "connected":
        return Check("broker", True, N_("{where} accepts the receiver's login"), detail_args=args)
    if result.kind == "refused":
        return Check("broker", False, N_("the broker at {where} refuses the login ({reason})"),
                     N_("check [central] username and password (or password_file) against the broker's accounts"),
                     detail_args=args)
    if result.kind == "tls":
        return Check("broker", False, N_("TLS to the broker at {where} failed ({reason})"),
                     N_("check [central.tls] ca_file and that the broker's certificate names [central] host"),
                     detail_args=args)
    if result.kind == "config":
        return Check("broker", False, N_("the broker password cannot be read ({reason})"),
                     N_("check [central] password_file: the file must exist and be readable by this user"),
                     detail_args=args)
    return Check("broker", False, N_("the broker at {where} does not answer ({reason})"),
                 N_("start the broker (systemctl start mosquitto), or check [central] host and port"),
                 detail_args=args)
