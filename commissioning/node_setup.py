"""`smartqueue setup --role node`: a branch node's configuration from flags (a scripted install), validated by the
node's own schema before anything is written.

Lists are given as repeated flags of `key=value` pairs (`--service "id=accounts,prefix=A,fr=Comptes"`), the names
in each language as `fr=`, `en=`, `ar=` keys. Agents' PINs are hashed here (scrypt, `ground.hashing`); the PIN
itself is never written. Secrets the technician does not give (the appointment key, the cluster secret) are
generated — and kept from the file being replaced, so running setup again does not break the branch's devices,
appointment codes or cluster.
"""

from __future__ import annotations

import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commissioning import toml_out
from commissioning.steps import SetupError, validate, write_config
from ground.hashing import hash_pin
from ground.i18n import N_

NAME_KEYS = ("fr", "en", "ar")


@dataclass
class NodeAnswers:
    """What the technician gave for a node (`smartqueue setup --role node ...`)."""

    out: Path
    branch: str | None = None
    organisation: str | None = None
    names: list[str] = field(default_factory=list)  # "fr=Agence Centre"
    timezone: str | None = None
    languages: str | None = None  # "fr,ar,en"
    services: list[str] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)
    agents: list[str] = field(default_factory=list)
    host: str = "0.0.0.0"
    port: int = 8470
    data_dir: str | None = None
    appointment_key: str | None = None
    self_address: str | None = None
    peers: list[str] = field(default_factory=list)
    cluster_secret: str | None = None
    sync_host: str | None = None
    sync_port: int | None = None
    sync_username: str | None = None
    sync_password_file: str | None = None
    sync_ca_file: str | None = None
    sync_plain: bool = False


def pairs(text: str, flag: str) -> dict[str, str]:
    """`"id=1,services=a+b,fr=Guichet 1"` → {"id": "1", ...}; SetupError naming the flag when malformed."""
    found: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise SetupError(N_("{flag} {text!r}: write key=value pairs separated by commas, e.g. {example}"),
                             flag=flag, text=text, example=EXAMPLES[flag])
        if key in found:
            raise SetupError(N_("{flag} {text!r}: {key} is given twice"), flag=flag, text=text, key=key)
        found[key] = value
    return found


EXAMPLES = {"--service": '"id=accounts,prefix=A,fr=Comptes,en=Accounts"',
            "--counter": '"id=1,services=accounts+cash,fr=Guichet 1"',
            "--agent": '"id=alice,name=Alice Martin,pin=1234,number=101,counters=1+2"',
            "--name": '"fr=Agence Centre"'}


def _take(found: dict[str, str], flag: str, text: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    missing = [key for key in required if key not in found]
    unknown = [key for key in found if key not in required + optional]
    if missing:
        raise SetupError(N_("{flag} {text!r}: {keys} missing, e.g. {example}"), flag=flag, text=text,
                         keys=", ".join(missing), example=EXAMPLES[flag])
    if unknown:
        raise SetupError(N_("{flag} {text!r}: unknown {keys}; known: {known}"), flag=flag, text=text,
                         keys=", ".join(unknown), known=", ".join(required + optional))


def _names(found: dict[str, str], fallback: str) -> dict[str, str]:
    return {key: found[key] for key in NAME_KEYS if key in found} or {"en": fallback}


def service_table(text: str) -> dict[str, Any]:
    found = pairs(text, "--service")
    _take(found, "--service", text, ("id", "prefix"), (*NAME_KEYS, "minutes"))
    table: dict[str, Any] = {"id": found["id"], "prefix": found["prefix"], "names": _names(found, found["id"])}
    if "minutes" in found:
        table["default_service_minutes"] = _number(found["minutes"], "--service", text)
    return table


def counter_table(text: str) -> dict[str, Any]:
    found = pairs(text, "--counter")
    _take(found, "--counter", text, ("id", "services"), (*NAME_KEYS, "mode", "zone"))
    return {"id": found["id"], "names": _names(found, found["id"]), "services": found["services"].split("+"),
            "mode": found.get("mode"), "zone": found.get("zone")}


def agent_table(text: str) -> dict[str, Any]:
    found = pairs(text, "--agent")
    _take(found, "--agent", text, ("id", "name"), ("pin", "number", "counters"))
    table: dict[str, Any] = {"id": found["id"], "name": found["name"], "number": found.get("number"),
                             "counters": found["counters"].split("+") if "counters" in found else None}
    if "pin" in found:
        try:
            table["pin_hash"] = hash_pin(found["pin"])
        except ValueError:
            raise SetupError(N_("agent {agent}: a PIN is 4 to 12 digits"), agent=found["id"]) from None
    return table


def _number(text: str, flag: str, whole: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SetupError(N_("{flag} {text!r}: {value!r} is not a number"), flag=flag, text=whole,
                         value=text) from None


def machine_timezone() -> str:
    """This machine's IANA zone (the /etc/localtime link), else UTC: the branch's clock is usually the machine's."""
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def _kept_secrets(path: Path) -> dict[str, str]:
    """The generated secrets of the file being replaced (appointment key, cluster secret), to keep them."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    kept = {"appointment_key": data.get("branch", {}).get("appointment_key"),
            "cluster_secret": (data.get("cluster") or {}).get("secret")}
    return {key: value for key, value in kept.items() if isinstance(value, str)}


def node_tables(answers: NodeAnswers) -> dict[str, Any]:
    """The node's configuration tables; SetupError for anything a flag got wrong."""
    if not answers.branch:
        raise SetupError(N_("give the branch id as central knows it: --branch BR042"))
    if not answers.organisation:
        raise SetupError(N_("give the organisation id as central knows it: --organisation acme-bank"))
    if not answers.services or not answers.counters:
        raise SetupError(N_("a node needs at least one --service and one --counter, e.g. --service {service} "
                            "--counter {counter}"), service=EXAMPLES["--service"], counter=EXAMPLES["--counter"])
    names: dict[str, str] = {}
    for text in answers.names:
        found = pairs(text, "--name")
        _take(found, "--name", text, (), NAME_KEYS)
        names.update(found)
    kept = _kept_secrets(answers.out)
    languages = [code.strip() for code in (answers.languages or "fr,en,ar").split(",") if code.strip()]
    tables: dict[str, Any] = {
        "branch": {"id": answers.branch, "organisation": answers.organisation,
                   "name": names or {"en": answers.branch}, "timezone": answers.timezone or machine_timezone(),
                   "languages": languages,
                   "appointment_key": answers.appointment_key or kept.get("appointment_key")
                   or secrets.token_urlsafe(32)},
        "node": {"host": answers.host, "port": answers.port,
                 "data_dir": answers.data_dir or "/var/lib/smartqueue/node"},
        "services": [service_table(text) for text in answers.services],
        "counters": [counter_table(text) for text in answers.counters],
        "agents": [agent_table(text) for text in answers.agents],
    }
    if answers.self_address or answers.peers:
        if not answers.self_address:
            raise SetupError(N_("a cluster member needs its own Raft address: --self-address HOST:PORT"))
        tables["cluster"] = {"self_address": answers.self_address, "peers": answers.peers,
                             "secret": answers.cluster_secret or kept.get("cluster_secret")
                             or secrets.token_urlsafe(32)}
    if answers.sync_host:
        sync: dict[str, Any] = {"enabled": True, "host": answers.sync_host,
                                "port": answers.sync_port or (1883 if answers.sync_plain else 8883),
                                "username": answers.sync_username, "password_file": answers.sync_password_file}
        if not answers.sync_plain:
            sync["tls"] = {"ca_file": answers.sync_ca_file}
        tables["sync"] = sync
    return tables


HEADER = ("SmartQueue Edge: node configuration written by `smartqueue setup --role node`.\n"
          "Agents' PINs are stored as scrypt hashes. Check it with `smartqueue doctor --config THIS_FILE`.")


def run_node_setup(answers: NodeAnswers) -> Any:
    """Build, validate with the node's schema, write (0640, atomically); returns the loaded configuration."""
    text = toml_out.dumps(node_tables(answers), HEADER)
    config = validate(text, answers.out)
    write_config(text, answers.out)
    return config
