"""The one configuration schema for every role (node, kiosk, display, keypad), validated at start-up.

Every section is strict (unknown keys are errors). Secrets are `SecretStr` so they never reach logs or reprs.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from config.base import Section
from config.cluster import ClusterConfig
from config.display import DisplayConfig
from config.fingerprint import FingerprintConfig
from config.keypad import KeypadConfig
from config.kiosk import KioskConfig
from config.printer import PrinterConfig
from config.scanner import ScannerConfig
from config.sync import SyncConfig

LANGUAGES = ("fr", "en", "ar")
Language = Literal["fr", "en", "ar"]
Ident = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_RANGE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Names(Section):
    """A text in each of the branch's languages; at least one is required, the others fall back to it."""

    fr: str | None = None
    en: str | None = None
    ar: str | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Names:
        if not (self.fr or self.en or self.ar):
            raise ValueError("give the text in at least one language (fr, en, ar)")
        return self

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("fr", self.fr), ("en", self.en), ("ar", self.ar)) if v}


class BranchSection(Section):
    id: Ident = Field(description="The branch id, as central knows it (e.g. BR042).")
    organisation: Ident = Field(description="The organisation id, first level of the MQTT topic tree.")
    name: Names = Field(description="The branch name shown on screens and tickets.")
    timezone: str = Field("UTC", description="IANA time zone of the branch, e.g. Africa/Casablanca.")
    day_starts_at: str = Field("04:00", description="Local time at which a business day starts (numbering restarts).")
    languages: list[Language] = Field(default_factory=lambda: ["fr", "en", "ar"], min_length=1,
                                      description="Languages offered, the first is the default.")
    appointment_key: SecretStr | None = Field(None, min_length=16,
                                              description="HMAC key signing appointment and e-ticket codes.")
    public_base_url: str | None = Field(None, pattern=r"^https?://",
                                        description="Central's public phone pages; set, the ticket QR holds the "
                                                    "ticket's page there (needs phone_link_key).")
    phone_link_key: SecretStr | None = Field(None, min_length=64, max_length=64,
                                             description="This branch's phone link key from central (64 hex "
                                                         "digits: smartqueue central link-key).")

    @field_validator("phone_link_key")
    @classmethod
    def _hex_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and any(c not in "0123456789abcdef" for c in value.get_secret_value()):
            raise ValueError("must be 64 lowercase hex digits (smartqueue central link-key)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value

    @field_validator("day_starts_at")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("use HH:MM, e.g. 04:00")
        return value

    @property
    def day_start_minute(self) -> int:
        hours, minutes = self.day_starts_at.split(":")
        return int(hours) * 60 + int(minutes)


class RulesSection(Section):
    level_weights: list[Annotated[int, Field(ge=1, le=100)]] = Field(
        default_factory=lambda: [2, 1], min_length=1, max_length=10,
        description="Interleave weight per priority level: [2, 1] calls two regular tickets per priority ticket.")
    aging_after_minutes: int | None = Field(30, ge=1, le=1440,
                                            description="Call anyone waiting longer than this first; null disables.")
    recall_limit: int = Field(2, ge=0, le=10, description="Recalls allowed before the ticket is marked no-show.")
    appointment_early_minutes: int = Field(10, ge=0, le=240)
    appointment_late_minutes: int = Field(10, ge=0, le=240)
    appointment_expire_minutes: int = Field(60, ge=0, le=1440)
    appointment_max_early_checkin_minutes: int = Field(120, ge=0, le=1440)
    estimate_window: int = Field(20, ge=1, le=500, description="Recent service times behind the wait estimate.")
    pause_reasons: list[Ident] = Field(default_factory=lambda: ["break", "lunch", "admin", "other"], min_length=1)
    outcomes: list[Ident] = Field(default_factory=lambda: ["done", "incomplete", "referred", "other"], min_length=1)


class PriorityCategorySection(Section):
    id: Ident
    level: int = Field(1, ge=1, le=9)
    names: Names


class GroupSection(Section):
    """A kiosk menu level: services (and subgroups) with this group id appear under it."""

    id: Ident
    names: Names
    parent: Ident | None = None


class ServiceSection(Section):
    id: Ident
    prefix: str = Field(pattern=r"^[A-Z]{1,3}$", description="Ticket number prefix, e.g. A for A-042.")
    names: Names
    group: Ident | None = None
    hours: dict[str, list[str]] | None = Field(
        None, description='Opening hours per weekday, e.g. {mon = ["08:30-12:00", "13:30-16:30"]}; none = always.')
    default_service_minutes: float = Field(5, gt=0, le=240)
    daily_limit: int | None = Field(None, ge=1, le=9999)

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
        if value is None:
            return None
        for day, ranges in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            for text in ranges:
                match = _RANGE.match(text)
                if not match or text[:5] >= text[6:]:
                    raise ValueError(f"{day}: {text!r} is not a range HH:MM-HH:MM")
        return value


class CounterServiceSection(Section):
    service: Ident
    weight: int = Field(1, ge=1, le=100)


class CounterSection(Section):
    id: Ident
    names: Names
    services: list[Ident | CounterServiceSection] = Field(min_length=1)
    mode: Literal["fifo", "ordered", "weighted"] = "fifo"
    zone: Ident | None = Field(None, description="Display zone: a zone's boards show only its counters.")


class AgentSection(Section):
    id: Ident
    name: str = Field(min_length=1, max_length=80)
    pin_hash: SecretStr | None = Field(None, description="From `smartqueue node hash-pin`; never the PIN itself.")
    counters: list[Ident] | None = Field(None, description="Counters the agent may log in at; none = any.")
    fingerprint_slots: list[int] = Field(default_factory=list, description="Sensor template slots of this agent.")
    number: Annotated[str, Field(pattern=r"^[0-9]{1,8}$")] | None = Field(
        None, description="Digits the agent types on a keypad to log in (ids may be letters; keypads have digits).")


class NodeSection(Section):
    host: str = Field("127.0.0.1", description="Address the LAN API listens on (0.0.0.0 for the whole LAN).")
    port: int = Field(8470, ge=0, le=65535, description="0 picks a free port (tests).")
    data_dir: str = Field("/var/lib/smartqueue/node", description="SQLite database, node id, keys.")
    advertise: bool = Field(True, description="Advertise the node with zeroconf (_smartqueue._tcp).")
    interfaces: list[str] = Field(default_factory=list, description="Addresses zeroconf binds to; empty = all.")
    max_body_bytes: int = Field(16384, ge=1024, le=1_048_576)
    ticket_rate_per_minute: int = Field(30, ge=1, le=6000, description="Tickets one device may issue per minute.")
    ticket_burst: int = Field(10, ge=1, le=1000)
    session_idle_minutes: int = Field(60, ge=1, le=1440, description="An agent session expires after this idle time.")
    session_max_hours: int = Field(12, ge=1, le=48)
    pin_attempts: int = Field(5, ge=1, le=20, description="Failed PINs before an agent is locked out for a while.")
    pin_lockout_minutes: int = Field(5, ge=1, le=1440)
    pairing_code_minutes: int = Field(10, ge=1, le=1440)
    sse_heartbeat_seconds: float = Field(15, gt=0, le=300)
    snapshot_every: int = Field(1000, ge=10, le=1_000_000, description="Events between state snapshots.")
    event_retention_days: float = Field(
        30, ge=0, le=3650,
        description="Events central has acknowledged and older than this move from the live database to "
        "data_dir/events-archive.sqlite3 (kept), so the database and a cluster's dumps stay bounded; 0 keeps "
        "everything live. Nothing central has not stored is ever moved. Fractions of a day are allowed.")
    housekeeping_s: float = Field(
        60, ge=0.1, le=3600, description="How often the node rolls the business day over, purges bookkeeping "
        "and archives events (tests use less).")
    device_offline_s: float = Field(
        180, ge=10, le=86400,
        description="A kiosk silent this long (it reports every minute) is 'offline' in the staff alerts.")
    header_timeout_s: float = Field(10, gt=0, le=300, description="A new connection must send a whole request "
                                    "head within this time (slow or idle connections are closed).")
    idle_timeout_s: float = Field(15, gt=0, le=3600, description="Keep-alive connections idle longer are closed.")
    body_timeout_s: float = Field(10, gt=0, le=300, description="A request body must arrive within this time.")
    max_connections_per_client: int = Field(32, ge=2, le=10_000, description="Open connections from one address.")
    requests_per_second_per_client: float = Field(
        20, gt=0, le=10_000, description="Sustained requests from one address (bursts of twice as many); above it "
        "the node reads that address's connections more slowly. This machine's own 127.0.0.1 is not limited.")
    max_connections: int = Field(4000, ge=10, le=1_000_000, description="Open connections in all (keep it below "
                                 "the unit's LimitNOFILE).")
    tls: Literal["auto", "on", "off"] = Field(
        "auto", description="HTTPS with the branch's own CA: auto = on unless the node listens on loopback only.")


class DeviceSection(Section):
    """How a kiosk, display or keypad reaches its branch node."""

    id: Ident | None = Field(None, description="Device id; generated at first start and kept in data_dir if unset.")
    data_dir: str = Field("/var/lib/smartqueue/device")
    node_url: str | None = Field(None, pattern=r"^https?://", description="Fixed node address; else zeroconf.")
    node_urls: list[Annotated[str, Field(pattern=r"^https?://")]] = Field(
        default_factory=list, max_length=9, description="Every member of a clustered branch (instead of node_url): "
        "the client finds the leader among them and follows it when it changes.")
    token: SecretStr | None = Field(None, description="Device token from pairing or `smartqueue node token`.")
    token_file: str | None = Field(None, description="File holding the token (written by pairing).")
    ca_file: str | None = Field(None, description="The branch CA learnt at pairing (PEM): HTTPS to the node is "
                                "checked against it alone.")
    counter: Ident | None = Field(None, description="The keypad's counter.")
    request_timeout_s: float = Field(3.0, gt=0, le=60)


class AppConfig(Section):
    """A whole configuration file. The node needs branch/services/counters; devices need [device]."""

    branch: BranchSection
    rules: RulesSection = Field(default_factory=RulesSection)
    priority_categories: list[PriorityCategorySection] = Field(default_factory=list)
    groups: list[GroupSection] = Field(default_factory=list)
    services: list[ServiceSection] = Field(default_factory=list)
    counters: list[CounterSection] = Field(default_factory=list)
    agents: list[AgentSection] = Field(default_factory=list)
    node: NodeSection = Field(default_factory=NodeSection)
    device: DeviceSection = Field(default_factory=DeviceSection)
    printer: PrinterConfig | None = Field(None, description="The kiosk's ticket printer.")
    scanner: ScannerConfig | None = Field(None, description="The kiosk's barcode/QR scanner.")
    fingerprint: FingerprintConfig | None = Field(None, description="The keypad's fingerprint reader.")
    kiosk: KioskConfig = Field(default_factory=KioskConfig, description="The kiosk app.")
    display: DisplayConfig = Field(default_factory=DisplayConfig, description="The calling display app.")
    keypad: KeypadConfig = Field(default_factory=KeypadConfig, description="The agent keypad app.")
    sync: SyncConfig | None = Field(None, description="The node's MQTT link to central.")
    cluster: ClusterConfig | None = Field(None, description="Raft replication with the branch's other nodes.")

    @model_validator(mode="after")
    def _references(self) -> AppConfig:
        _unique("services", [s.id for s in self.services])
        _unique("services (prefix)", [s.prefix for s in self.services])
        _unique("counters", [c.id for c in self.counters])
        _unique("agents", [a.id for a in self.agents])
        _unique("agents (number)", [a.number for a in self.agents if a.number is not None])
        _unique("groups", [g.id for g in self.groups])
        _unique("priority_categories", [p.id for p in self.priority_categories])
        services = {s.id for s in self.services}
        groups = {g.id for g in self.groups}
        for service in self.services:
            if service.group is not None and service.group not in groups:
                raise ValueError(f"services.{service.id}.group: unknown group {service.group!r}")
        for group in self.groups:
            if group.parent is not None and group.parent not in groups:
                raise ValueError(f"groups.{group.id}.parent: unknown group {group.parent!r}")
        for counter in self.counters:
            for link in counter.services:
                name = link if isinstance(link, str) else link.service
                if name not in services:
                    raise ValueError(f"counters.{counter.id}.services: unknown service {name!r}")
        counters = {c.id for c in self.counters}
        for agent in self.agents:
            for counter_id in agent.counters or []:
                if counter_id not in counters:
                    raise ValueError(f"agents.{agent.id}.counters: unknown counter {counter_id!r}")
        levels = len(self.rules.level_weights) - 1
        for category in self.priority_categories:
            if category.level > levels:
                raise ValueError(f"priority_categories.{category.id}.level: rules.level_weights has levels 0..{levels}")
        return self


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{what}: {ident!r} appears twice")
        seen.add(ident)
