"""The LAN API over TLS with the branch's own CA: pairing over a first, unverified connection confirmed by the
code, pinning afterwards, and a machine in the middle that is caught either way."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest
import requests

from branch.tls import BranchTLS
from nodeclient.client import NodeClient, NodeError
from tests.branch.conftest import example_config, start_node, stop_node


@pytest.fixture
def tls_node(tmp_path: Path):
    running = start_node(tmp_path / "node", example_config(tls="on"))
    running.url = running.url.replace("http://", "https://")
    yield running
    stop_node(running)


def _pair(node, role: str = "display") -> dict:
    code = NodeClient(node.tokens["admin"], base_url=node.url, ca_file=str(node.node.data_dir / "tls" / "ca.pem")
                      ).create_pairing_code(role)["code"]
    return NodeClient("", base_url=node.url).pair(code, "hall screen")


def test_the_node_makes_its_ca_and_serves_https_only(tls_node):
    assert (tls_node.node.data_dir / "tls" / "ca.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(requests.ConnectionError):
        requests.get(tls_node.url.replace("https://", "http://") + "/api/v1/health", timeout=3)
    with pytest.raises(requests.exceptions.SSLError):  # not a public CA's certificate
        requests.get(tls_node.url + "/api/v1/health", timeout=3)


def test_pairing_gives_the_ca_pin_and_the_pinned_client_works_with_events(tls_node, tmp_path):
    paired = _pair(tls_node)
    assert paired["tls"]["ca_pin"] == tls_node.node.tls.ca_pin
    ca_file = tmp_path / "branch-ca.pem"
    ca_file.write_text(paired["tls"]["ca_pem"])
    display = NodeClient(paired["token"], base_url=tls_node.url, ca_file=str(ca_file))
    try:
        assert display.whoami()["role"] == "display"
        stream = display.events()
        NodeClient(tls_node.tokens["kiosk"], base_url=tls_node.url, ca_file=str(ca_file)).issue_ticket("cash")
        first = next(e for e in stream if e.type == "TicketIssued")
        assert first.data["data"]["number"] == "C-001"
        stream.close()
    finally:
        display.close()


def test_a_client_pinned_to_another_branch_ca_refuses_the_node(tls_node, tmp_path):
    other = BranchTLS(tmp_path / "other")
    ca_file = tmp_path / "other.pem"
    ca_file.write_text(other.ca_pem)
    client = NodeClient(tls_node.tokens["kiosk"], base_url=tls_node.url, ca_file=str(ca_file), retries=0)
    with pytest.raises(NodeError):
        client.services()
    client.close()


class Relay:
    """A machine in the middle: terminates TLS with its own certificate and relays the plaintext to the node."""

    def __init__(self, target_port: int, folder: Path) -> None:
        attacker = BranchTLS(folder)
        attacker.issue_leaf(["127.0.0.1"])
        self.context = attacker.server_context()
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.seen: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            raw, _ = self.listener.accept()
        except OSError:
            return
        client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
        with self.context.wrap_socket(raw, server_side=True) as device, \
                client.wrap_socket(socket.create_connection(("127.0.0.1", self.target_port))) as node:
            device.settimeout(5)
            node.settimeout(5)
            upstream = threading.Thread(target=self._pump, args=(device, node, self.seen), daemon=True)
            upstream.start()
            self._pump(node, device, [])
            upstream.join(5)

    @staticmethod
    def _pump(source: ssl.SSLSocket, sink: ssl.SSLSocket, keep: list[bytes]) -> None:
        try:
            while chunk := source.recv(65536):
                keep.append(chunk)
                sink.sendall(chunk)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        self.thread.join(3)


def test_a_relay_in_the_middle_learns_no_code_and_pairs_nothing(tls_node, tmp_path):
    admin = NodeClient(tls_node.tokens["admin"], base_url=tls_node.url,
                       ca_file=str(tls_node.node.data_dir / "tls" / "ca.pem"))
    code = admin.create_pairing_code("kiosk")["code"]
    relay = Relay(int(tls_node.url.rsplit(":", 1)[1]), tmp_path / "attacker")
    try:
        with pytest.raises(NodeError) as err:
            NodeClient("", base_url=f"https://127.0.0.1:{relay.port}").pair(code, "kiosk 2")
        assert err.value.status == 401  # the proof names the relay's certificate, not the node's
    finally:
        relay.close()
    assert code.encode() not in b"".join(relay.seen)
    assert not [d for d in admin.devices()["devices"] if d["role"] == "kiosk" and d["id"] != "dev-kiosk"]
    assert NodeClient("", base_url=tls_node.url).pair(code, "kiosk 2")["role"] == "kiosk"  # the code still works
    admin.close()


def test_plain_http_stays_for_the_loopback_demo(node):
    assert node.url.startswith("http://") and node.node.tls is None
    paired = NodeClient("", base_url=node.url).pair(node.client("admin").create_pairing_code("display")["code"])
    assert "tls" not in paired and paired["token"].startswith("sqd_")


def test_zeroconf_advertises_the_scheme():
    from branch.advertise import Advertiser

    record = Advertiser(branch_id="BR042", node_id="n1", port=8470, host="127.0.0.1", interfaces=[], role="leader",
                        term=0, tls=True)
    assert record._properties("leader", 0)["scheme"] == "https"


def test_doctor_checks_an_https_node_against_its_own_ca(tls_node):
    from commissioning.doctor import check_node

    port = int(tls_node.url.rsplit(":", 1)[1])
    config = example_config(tls="on", port=port, data_dir=str(tls_node.node.data_dir))
    checks, health = check_node(config, "node")
    assert checks[0].ok and health is not None and health["branch"] == "BR042", checks
