"""`[sync]`: the branch's MQTT link to central (issue 7). Also the broker-connection fields central reuses.

Secrets are `SecretStr` (never in reprs or logs); a password may instead live in a file readable only by the node.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator

from config.base import Section

ClientId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
_PLACEHOLDER = re.compile(r"\{([^}]*)\}")


class TopicTemplate:
    """A topic prefix with `{organisation}` and `{branch}` standing for whole topic levels.

    The branch fills it in (`format`); central turns it into a subscription filter (`filter`, with `+` in their
    place) and reads them back from a topic (`parse`). Raises ValueError naming the problem.
    """

    def __init__(self, template: str, *, placeholders: bool = True) -> None:
        if not template.endswith("/") or template.startswith(("/", "$")):
            raise ValueError("must end with '/' and must not start with '/' or '$'")
        if "+" in template or "#" in template:
            raise ValueError("must not contain MQTT wildcards (+ or #)")
        unknown = set(_PLACEHOLDER.findall(template)) - {"organisation", "branch"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; use {{organisation}} and {{branch}}")
        levels = template[:-1].split("/")
        for name in ("organisation", "branch") if placeholders else ():
            if sum(level == "{" + name + "}" for level in levels) != 1 or template.count("{" + name + "}") != 1:
                raise ValueError(f"{{{name}}} must appear exactly once, as a whole topic level")
        self.template = template
        self._levels = levels

    def format(self, organisation: str, branch: str) -> str:
        return self.template.format(organisation=organisation, branch=branch)

    @property
    def filter(self) -> str:
        """The prefix with `+` for organisation and branch, ending with '/'."""
        return "/".join("+" if level in ("{organisation}", "{branch}") else level for level in self._levels) + "/"

    def parse(self, topic: str) -> tuple[str, str, str] | None:
        """(organisation, branch, rest of the topic) or None when the topic is not under the template."""
        parts = topic.split("/")
        if len(parts) <= len(self._levels):
            return None
        found: dict[str, str] = {}
        for level, part in zip(self._levels, parts, strict=False):
            if level in ("{organisation}", "{branch}"):
                found[level[1:-1]] = part
            elif level != part:
                return None
        return found["organisation"], found["branch"], "/".join(parts[len(self._levels):])


class TlsSection(Section):
    """TLS to the broker. Present = TLS on; absent = plain TCP (loopback tests only)."""

    ca_file: str | None = Field(None, description="CA bundle that signed the broker's certificate; none = system CAs.")
    cert_file: str | None = Field(None, description="Client certificate (PEM) when the broker asks for one.")
    key_file: str | None = Field(None, description="Private key of the client certificate (PEM).")
    verify: bool = Field(True, description="Check the broker's certificate and host name. false only for a lab.")

    @model_validator(mode="after")
    def _pair(self) -> TlsSection:
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("give cert_file and key_file together")
        return self


class BrokerFields(Section):
    """How to reach and log in to an MQTT 5 broker; shared by the branch's [sync] and central's [central]."""

    host: str = Field("localhost", min_length=1, description="Broker host name or address.")
    port: int = Field(8883, ge=1, le=65535, description="Broker port (8883 for TLS, 1883 plain).")
    tls: TlsSection | None = Field(None, description="TLS settings; omit the section for plain TCP.")
    username: str | None = Field(None, min_length=1, max_length=128)
    password: SecretStr | None = Field(None, description="Broker password; prefer password_file on a real machine.")
    password_file: str | None = Field(None, description="File holding the broker password (first line).")
    client_id: ClientId | None = Field(None, description="MQTT client id; keep it stable: the session is keyed by it.")
    keepalive_s: int = Field(30, ge=5, le=1200, description="MQTT keepalive; a dead link is noticed in ~1.5x this.")
    session_expiry_s: int = Field(7 * 86400, ge=60, le=90 * 86400,
                                  description="How long the broker keeps our session (subscriptions, queued "
                                              "messages) while we are away.")
    reconnect_min_s: float = Field(0.5, gt=0, le=60, description="First reconnect delay; doubles, with jitter.")
    reconnect_max_s: float = Field(60, gt=0, le=3600, description="Longest reconnect delay.")

    @model_validator(mode="after")
    def _credentials(self) -> BrokerFields:
        if self.password is not None and self.password_file is not None:
            raise ValueError("give password or password_file, not both")
        if (self.password is not None or self.password_file is not None) and self.username is None:
            raise ValueError("a password needs a username")
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("reconnect_min_s must not exceed reconnect_max_s")
        return self


class SyncConfig(BrokerFields):
    """The branch node's link to central: events up, configuration and commands down, health up."""

    enabled: bool = Field(False, description="Run the MQTT link in the node (on the leader only, with a cluster).")
    topic_prefix: str = Field("smartqueue/v1/{organisation}/{branch}/", min_length=2, max_length=200,
                              description="Every topic of this branch starts with this; {organisation} and "
                                          "{branch} come from [branch].")
    batch_size: int = Field(200, ge=1, le=2000, description="Events per `events` message.")
    inflight_window: int = Field(20, ge=1, le=1000,
                                 description="Messages published but not yet PUBACKed; bounds memory (paho's own "
                                             "queue is unbounded and slows down superlinearly).")
    max_message_bytes: int = Field(256 * 1024, ge=4096, le=8 * 1024 * 1024,
                                   description="Largest `events` message; a batch is cut short to stay under it.")
    max_inbound_bytes: int = Field(256 * 1024, ge=1024, le=8 * 1024 * 1024,
                                   description="Larger config/command payloads from central are rejected.")
    status_interval_s: float = Field(30, gt=0, le=3600, description="Status and device health publication period.")
    metrics_interval_s: float = Field(300, gt=0, le=86400, description="Daily metrics publication period.")
    ack_timeout_s: float = Field(30, gt=0, le=3600,
                                 description="Resend from central's watermark when it has not moved for this long "
                                             "(doubles while it stays stuck, up to ack_timeout_max_s).")
    ack_timeout_max_s: float = Field(600, gt=0, le=86400)
    dead_letter_retry_s: float = Field(600, gt=0, le=86400,
                                       description="After the broker refused events (e.g. 0x87 not authorized), "
                                                   "try again after this long or on the next connection.")
    device_stale_s: float = Field(180, gt=0, le=86400,
                                  description="A device that has not reported for this long is published as stale.")

    @field_validator("topic_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        # literal levels are allowed (a branch may be given its own tree); central reads the template with both
        TopicTemplate(value, placeholders=False)
        return value

    @model_validator(mode="after")
    def _timeouts(self) -> SyncConfig:
        if self.ack_timeout_s > self.ack_timeout_max_s:
            raise ValueError("ack_timeout_s must not exceed ack_timeout_max_s")
        return self

    def prefix_for(self, organisation: str, branch: str) -> str:
        return self.topic_prefix.format(organisation=organisation, branch=branch)
