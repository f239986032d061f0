"""A device's identity and its way to the node: id, token, NodeClient (fixed URL or zeroconf)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from config.loader import ConfigError, load_config
from config.schema import AppConfig
from ground.files import read_or_create, write_private
from nodeclient.client import NodeClient


class DeviceSetupError(Exception):
    """This device cannot run on this configuration file; the message tells the technician why."""


@dataclass(frozen=True)
class Device:
    """A validated configuration with what it takes to talk to the node as this device."""

    config: AppConfig
    token: str
    id: str


def load_device(config_path: str | Path, role: str) -> Device:
    """Read and validate the configuration, the device token and id (file I/O: call it off the GUI thread once
    the app runs)."""
    try:
        config = load_config(config_path)
    except ConfigError as err:
        raise DeviceSetupError(f"the {role} cannot start, its configuration is invalid:\n{err}") from err
    token = read_token(config)
    if token is None:
        raise DeviceSetupError(f"this {role} has no device token: pair it (smartqueue setup), or set [device] "
                               f"token_file (smartqueue node token --role {role})")
    return Device(config, token, device_id(config, role))


def device_id(config: AppConfig, role: str) -> str:
    if config.device.id:
        return config.device.id
    path = Path(config.device.data_dir) / "device-id"
    return read_or_create(path, lambda: f"{role}-{uuid.uuid4().hex[:8]}".encode()).decode()


def read_token(config: AppConfig) -> str | None:
    """The device token: inline in the configuration, or in the token file written at pairing."""
    if config.device.token is not None:
        return config.device.token.get_secret_value()
    if config.device.token_file:
        path = Path(config.device.token_file)
        if path.exists():
            token = path.read_text(encoding="utf-8").strip()
            return token or None
    return None


def save_token(config: AppConfig, token: str) -> Path:
    path = Path(config.device.token_file or Path(config.device.data_dir) / "token")
    write_private(path, token.encode() + b"\n")
    return path


def make_client(config: AppConfig, token: str) -> NodeClient:
    """A client for the configured node URL, or one that finds and follows the branch's leader."""
    timeout = config.device.request_timeout_s
    ca_file = config.device.ca_file
    if config.device.node_urls:  # a cluster's members: the client asks them for the leader and follows it
        from nodeclient.discovery import StaticDiscovery

        urls = [*([config.device.node_url] if config.device.node_url else []), *config.device.node_urls]
        return NodeClient(token, discovery=StaticDiscovery(urls, config.branch.id), timeout=timeout, ca_file=ca_file)
    if config.device.node_url:
        return NodeClient(token, base_url=config.device.node_url, timeout=timeout, ca_file=ca_file)
    from nodeclient.discovery import ZeroconfDiscovery

    discovery = ZeroconfDiscovery(config.branch.id)
    discovery.start()
    return NodeClient(token, discovery=discovery, timeout=timeout, ca_file=ca_file)


def save_ca(config: AppConfig, ca_pem: str) -> Path:
    """The branch CA learnt at pairing, beside the token: what HTTPS to the node is checked against."""
    path = Path(config.device.ca_file or Path(config.device.data_dir) / "branch-ca.pem")
    write_private(path, ca_pem.encode(), mode=0o644)
    return path


def close_client(client: NodeClient) -> None:
    """Close a client from `make_client` and the discovery it started (its zeroconf sockets and thread).

    A call waiting for a node or for its next retry gives up at once (NodeUnavailable)."""
    if client.discovery is not None:
        client.discovery.close()
    client.close()
