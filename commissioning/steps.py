"""The commissioning steps, shared by the wizard and the flags: find the node, pair, write the config, test hardware.

Each step is a plain function returning data or raising `SetupError` with a message for the technician (translated
at the boundary by the caller). Nothing here prints or touches Qt, so the wizard runs the same steps on a worker
thread and the command line runs them in order.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commissioning import hardware_choice, toml_out
from ground.i18n import N_

ROLES = ("kiosk", "display", "keypad")
SERVICE_USER = "smartqueue"


class SetupError(Exception):
    """A step failed; the message says what to do about it: `str(err)` in English, `translated(language)` for the
    person (the message is a catalog entry, its values apart)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message, self.values = message, values

    def translated(self, language: str) -> str:
        from ground.i18n import translate_embedding

        return translate_embedding(language, self.message, **self.values)


@dataclass
class Answers:
    """What the technician chose (flags or wizard pages). The branch's own facts (organisation, id, time zone,
    keys) are not asked: pairing brings them back from the node."""

    role: str
    out: Path
    pairing_code: str
    node_url: str | None = None
    discover_branch: str | None = None
    printer: str | None = None
    scanner: str | None = None
    fingerprint: str | None = None
    data_dir: str | None = None
    printer_model: str = "generic-80"


@dataclass
class Paired:
    """What pairing brought back: the token (already saved), the pinned CA, and the node's answer for this device
    (`GET /devices/me/setup`: organisation, branch, time zone, languages, a kiosk's keys)."""

    node_url: str
    device: str
    counter: str | None
    ca_file: str | None
    facts: dict[str, Any]


@dataclass
class Outcome:
    """The report: each step's name, whether it worked, and what the technician should read (a catalog message
    with its values apart, translated by `lines`)."""

    steps: list[tuple[str, bool, str, dict[str, object]]] = field(default_factory=list)

    def add(self, name: str, ok: bool, detail: str = "", **values: object) -> None:
        self.steps.append((name, ok, detail, values))

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _, _ in self.steps)

    def lines(self, language: str) -> list[str]:
        from ground.i18n import translate, translate_embedding

        marks = {True: translate(language, "OK"), False: translate(language, "PROBLEM")}
        return [f"{marks[ok]:8} {translate(language, STEP_WORDS.get(name, name)):12} "
                f"{translate_embedding(language, detail, **values) if detail else ''}".rstrip()
                for name, ok, detail, values in self.steps]


#: Setup's steps as the technician reads them (translated by `Outcome.lines`).
STEP_WORDS = {"node": N_("node"), "pairing": N_("pairing"), "tls": N_("branch CA"), "previous": N_("previous token"),
              "config": N_("configuration")}


def default_data_dir(role: str) -> str:
    if sys.platform == "linux":
        return str(Path("/var/lib/smartqueue") / role)
    return str(Path.home() / "SmartQueue" / role)


def default_clip_dir() -> str:
    """The clips beside the bundle's executable (packaging puts them in share/clips), else the development folder."""
    if getattr(sys, "frozen", False):
        return str(Path(sys.executable).resolve().parent / "share" / "clips")
    return "var/clips"


def find_node(answers: Answers, timeout: float = 5.0) -> str:
    """The node's base URL: the one given, or the leader zeroconf finds for the branch."""
    if answers.node_url:
        url = answers.node_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise SetupError(N_("the node's address must look like https://10.0.0.5:8470"))
        return url
    if not answers.discover_branch:
        raise SetupError(N_("give the node's address, or the branch id to find the node on the network"))
    from nodeclient.discovery import ZeroconfDiscovery

    discovery = ZeroconfDiscovery(answers.discover_branch)
    discovery.start()
    try:
        candidates = discovery.wait(timeout=timeout)
    finally:
        discovery.close()
    if not candidates:
        raise SetupError(N_("no node of branch {branch} answered on this network; check the cable and that the node "
                            "runs, or give its address"), branch=answers.discover_branch)
    return candidates[0].url.rstrip("/")


def draft_tables(answers: Answers, node_url: str, facts: dict[str, Any], counter: str | None = None,
                 ca_file: str | None = None) -> dict[str, dict[str, Any]]:
    """The configuration file's tables for this role (the token is in the token file, never in the config)."""
    data_dir = answers.data_dir or default_data_dir(answers.role)
    branch = facts.get("branch") or {}
    keys = facts.get("kiosk") or {}
    tables: dict[str, dict[str, Any]] = {
        "branch": {"id": branch.get("id", "pending"), "organisation": facts.get("organisation", "pending"),
                   "name": branch.get("names") or {"en": branch.get("id", "branch")},
                   "timezone": branch.get("timezone", "UTC"), "day_starts_at": branch.get("day_starts_at"),
                   "languages": branch.get("languages") or None, "appointment_key": keys.get("appointment_key"),
                   "public_base_url": keys.get("public_base_url"), "phone_link_key": keys.get("phone_link_key")},
        "device": {"data_dir": data_dir, "node_url": node_url if answers.node_url else None,
                   "token_file": str(Path(data_dir) / "token"), "counter": counter, "ca_file": ca_file},
    }
    if answers.role == "kiosk":
        printer = hardware_choice.printer_section(answers.printer or "simulator", answers.printer_model)
        if printer is not None:
            tables["printer"] = printer
        scanner = hardware_choice.scanner_section(answers.scanner or "wedge")
        if scanner is not None:
            tables["scanner"] = scanner
    if answers.role == "keypad":
        fingerprint = hardware_choice.fingerprint_section(answers.fingerprint or "none")
        if fingerprint is not None:
            tables["fingerprint"] = fingerprint
    if answers.role == "display":
        tables["display"] = {"clip_dir": default_clip_dir()}
    return tables


def validate(text: str, path: Path):
    """The AppConfig the apps will load from this text, or SetupError naming the key."""
    from config.loader import ConfigError, parse_config

    try:
        return parse_config(text, path)
    except ConfigError as err:
        raise SetupError(N_("the configuration would be invalid:\n{problems}"), problems=str(err)) from err


def pair(node_url: str, code: str, device: str, timeout: float = 5.0) -> dict[str, Any]:
    from nodeclient.client import NodeClient, NodeError

    client = NodeClient(token="", base_url=node_url, timeout=timeout, retries=1)
    try:
        return client.pair(code, device)
    except NodeError as err:
        if err.code == "not_a_node":
            raise SetupError(N_("{url} answers but is not a SmartQueue node: check the address and port"),
                             url=node_url) from err
        if err.code == "tls_failed":
            raise SetupError(N_("{url} does not answer over HTTPS: check the address (https:// or http://) and the "
                                "port"), url=node_url) from err
        if err.status == 401:
            raise SetupError(N_("the pairing code is unknown, used or expired: create a new one on the node")) \
                from err
        if err.status == 429:
            raise SetupError(N_("too many pairing attempts from this device: wait a minute")) from err
        if err.code == "untrusted_answer":
            raise SetupError(N_("the answer to the pairing was not signed with this code: another machine may be "
                                "between this device and the node. Check the cable and the node's address, then "
                                "pair again with a new code")) from err
        if err.status == 0:
            raise SetupError(N_("the node does not answer at {url}: check the address and that the node runs"),
                             url=node_url) from err
        raise SetupError(N_("the node refused the pairing: {reason}"), reason=str(err)) from err
    finally:
        client.close()


def device_facts(node_url: str, token: str, timeout: float = 5.0, ca_file: str | None = None) -> dict[str, Any]:
    """The node's answer for this device (organisation, branch, time zone, languages, a kiosk's keys), read with
    the new token over the pinned CA (so both are proven to work)."""
    from nodeclient.client import NodeClient, NodeError

    client = NodeClient(token, base_url=node_url, timeout=timeout, retries=1, ca_file=ca_file)
    try:
        return client.device_setup()
    except NodeError as err:
        raise SetupError(N_("the node does not accept the new token: {reason}"), reason=str(err)) from err
    finally:
        client.close()


def write_config(text: str, path: Path) -> None:
    """Write atomically (a kiosk that reboots mid-write must not find half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    give_to_service_user(path, owner=False)


def give_to_service_user(path: Path, *, owner: bool = True) -> None:
    """Run as root by the installer: the `smartqueue` service user must read what we wrote (token 0600: own it)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    import grp
    import pwd

    try:
        user = pwd.getpwnam(SERVICE_USER)
        group = grp.getgrnam(SERVICE_USER)
    except KeyError:
        return  # not installed from the package: whoever runs the app wrote the file
    os.chown(path, user.pw_uid if owner else 0, group.gr_gid)


ROLE_WORDS = {"kiosk": N_("kiosk"), "display": N_("calling display"), "keypad": N_("agent keypad"),
              "admin": N_("administrator"), "metrics": N_("metrics reader")}


def pair_device(answers: Answers, outcome: Outcome | None = None) -> Paired:
    """Find the node, pair with the code, keep the token (and pin the branch CA), read what the device needs."""
    from appkit.device import device_id, save_ca, save_token

    outcome = outcome if outcome is not None else Outcome()
    if answers.role not in ROLES:
        raise SetupError(N_("the role must be one of {roles}"), roles=", ".join(ROLES))
    node_url = find_node(answers)
    outcome.add("node", True, N_("found at {url}"), url=node_url)
    provisional = draft_tables(answers, node_url, {})
    draft = validate(toml_out.dumps(provisional), answers.out)
    device = device_id(draft, answers.role)
    give_to_service_user(Path(draft.device.data_dir))
    give_to_service_user(Path(draft.device.data_dir) / "device-id")
    paired = pair(node_url, answers.pairing_code, device)
    if paired.get("role") != answers.role:
        raise SetupError(N_("this pairing code is for a {got}, not a {wanted}: create a code for the right role"),
                         got=ROLE_WORDS.get(str(paired.get("role")), str(paired.get("role"))),
                         wanted=ROLE_WORDS[answers.role])
    if answers.role == "keypad" and not paired.get("counter"):
        raise SetupError(N_("this keypad code names no counter: create a keypad code for its counter"))
    # the node's id for this device, not the local `device`: the one `smartqueue node revoke` and /devices know
    outcome.add("pairing", True, N_("{device} paired with branch {branch} as device {id}"), device=device,
                branch=str(paired.get("branch")), id=str(paired.get("device_id")))
    previous = previous_tokens(answers, draft)  # read before the new token replaces the file
    token_path = save_token(draft, paired["token"])
    give_to_service_user(token_path)
    ca_file = None
    if paired.get("tls"):
        ca_path = save_ca(draft, paired["tls"]["ca_pem"])
        give_to_service_user(ca_path)
        ca_file = str(ca_path)
        outcome.add("tls", True, N_("branch CA pinned ({pin}…)"), pin=paired["tls"]["ca_pin"][:16])
    facts = device_facts(node_url, paired["token"], ca_file=ca_file)
    # the node is proven now (the pairing's confirm, its CA pinned, the new token accepted): only now may the
    # previous token travel to it, to be retired
    retire_previous(node_url, [t for t in previous if t != paired["token"]], ca_file, outcome)
    return Paired(node_url, str(paired.get("device_id", device)), paired.get("counter"), ca_file, facts)


def previous_tokens(answers: Answers, draft: Any) -> list[str]:
    """The tokens this device held before this pairing: the one of the configuration being replaced, and the one
    in the token file about to be overwritten (a device set up twice keeps no second valid token)."""
    from appkit.device import read_token
    from config.loader import ConfigError, load_config

    found = []
    if answers.out.exists():
        with contextlib.suppress(ConfigError, OSError):  # an unreadable old file: its token cannot be read either
            found.append(read_token(load_config(answers.out)))
    with contextlib.suppress(OSError):
        found.append(read_token(draft))
    return list(dict.fromkeys(token for token in found if token))


def retire_previous(node_url: str, tokens: list[str], ca_file: str | None, outcome: Outcome,
                    timeout: float = 5.0) -> None:
    """Ask the node (proven: call this only after pairing) to retire each previous token (`DELETE
    /devices/me`, made with that token). A token the node does not know (another branch, already retired) is
    said in the outcome, not an error: there is nothing left to retire here."""
    from nodeclient.client import NodeClient, NodeError

    for token in tokens:
        client = NodeClient(token, base_url=node_url, timeout=timeout, retries=1, ca_file=ca_file)
        try:
            answer = client.retire_me()
        except NodeError as err:
            if err.status in (401, 403):
                outcome.add("previous", True, N_("the previous token is not known to this node (another branch, or "
                                                 "already retired): nothing to retire here"))
            else:
                outcome.add("previous", False, N_("the previous token could not be retired ({reason}): revoke the "
                                                  "old device on the node (smartqueue node revoke)"),
                            reason=str(err))
            continue
        finally:
            client.close()
        outcome.add("previous", True, N_("the previous token (device {id}) is retired: it no longer works"),
                    id=str(answer.get("device")))


def write_device_config(answers: Answers, paired: Paired, outcome: Outcome | None = None) -> tuple[Outcome, Any]:
    """The configuration from the technician's answers and what pairing brought back, validated, written."""
    outcome = outcome if outcome is not None else Outcome()
    tables = draft_tables(answers, paired.node_url, paired.facts, paired.counter, paired.ca_file)
    header = (f"SmartQueue Edge: {answers.role} configuration written by `smartqueue setup`.\n"
              "Check it with `smartqueue doctor --config THIS_FILE`.")
    text = toml_out.dumps(tables, header)
    config = validate(text, answers.out)
    write_config(text, answers.out)
    outcome.add("config", True, N_("written to {path}"), path=str(answers.out))
    return outcome, config


def run_setup(answers: Answers) -> tuple[Outcome, Any]:
    """Every step in order; returns the report and the loaded configuration."""
    outcome = Outcome()
    paired = pair_device(answers, outcome)
    return write_device_config(answers, paired, outcome)
