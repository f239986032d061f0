"""`smartqueue central --config FILE`: the reference central receiver's configuration (a `[central]` section)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator

from config.base import Section
from config.loader import ConfigError, _location
from config.sync import BrokerFields, TopicTemplate


class CentralConfig(BrokerFields):
    """Broker, credentials, where to store, and the shared-subscription group several receivers split the load in."""

    client_id: str | None = Field("sq-central-1", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
                                  description="Unique per receiver process; stable across restarts (session).")
    db_path: str = Field("/var/lib/smartqueue/central.sqlite3",
                         description="SQLite database of the receiver, when database_url is not set (one receiver).")
    database_url: SecretStr | None = Field(
        None, description="PostgreSQL connection URL (postgresql://user:pass@host:port/db); several receivers may "
                          "share it. Secret: it may carry a password.")
    share_group: str = Field("smartqueue-central", pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                             description="Receivers in the same group share the branches' events ($share/...).")
    topic_prefix: str = Field("smartqueue/v1/{organisation}/{branch}/", min_length=2, max_length=200,
                              description="The branches' [sync] topic_prefix template: central reads organisation "
                                          "and branch from the levels where {organisation} and {branch} stand.")
    public_port: int | None = Field(None, ge=0, le=65535,
                                    description="Serve the customers' phone pages on this port (0: any free one); "
                                                "none: not served.")
    public_host: str = Field("127.0.0.1", description="Address the phone pages listen on (behind a TLS proxy).")
    public_base_url: str | None = Field(None, pattern=r"^https?://",
                                        description="The public address of the phone pages, as printed in QR codes.")
    phone_link_key: SecretStr | None = Field(None, min_length=16,
                                             description="Secret from which each branch's phone link key is "
                                                         "derived (smartqueue central link-key).")
    max_message_bytes: int = Field(8 * 1024 * 1024, ge=4096, le=64 * 1024 * 1024,
                                   description="Larger inbound messages are dropped with a log line.")

    @field_validator("topic_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        TopicTemplate(value)  # raises ValueError naming the problem
        return value


class CentralFile(Section):
    """A central receiver's configuration file."""

    central: CentralConfig


def load_central_config(path: str | Path) -> CentralConfig:
    """Read and validate; errors name the file, section and key, like the node's loader."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(path, [f"{path}: cannot read: {err.strerror}"]) from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, [f"{path}: not valid TOML: {err}"]) from err
    try:
        return CentralFile.model_validate(data).central
    except ValidationError as err:
        problems = []
        for error in err.errors(include_url=False):
            where = _location(path, error["loc"], data) or "(top level)"
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"].removeprefix(
                "Value error, ")
            problems.append(f"{path}: {where}: {message}")
        raise ConfigError(path, problems) from None
