"""Pairing a device with its node: the 8-digit code proves who is talking, in both directions, without crossing
the network, and the device comes away with the branch CA to pin.

Why this shape: before pairing the device knows nothing of the node's certificate, so its first TLS connection is
unauthenticated (trust on first use). The code must confirm it — but sending the code inside that connection would
hand it to anyone in the middle, who could then pair in the device's place and sign a CA of its own. So:

1. the device opens TLS without verifying, keeps the SHA-256 of the certificate the node presented (`seen`);
2. on that connection it sends a fresh nonce and proof = HMAC(K, "device", nonce, seen), K = scrypt(code, nonce);
3. the node checks the proof against its active codes with its own certificate's hash: a relay in the middle
   presents another certificate, so its proof never matches, and guessing the code from a captured proof costs
   one scrypt per guess (~50 ms: 10^8 codes take months, the device waits seconds);
4. the node answers with the token, its CA (PEM + key pin) and confirm = HMAC(K, "node", nonce, seen, pin, device
   id, token); the device checks confirm and that the certificate it saw is signed by that CA, then pins the CA.

Over plain HTTP (the loopback demo) `seen` is "" and there is no CA: the same exchange, without the pinning.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import ssl
from typing import Any
from urllib.parse import urlsplit

from ground.certs import issued_by_pinned_ca
from ground.hashing import pairing_key, pairing_mac


class PairingError(Exception):
    """The node refused (status, code from its answer), could not be reached (status 0; code "tls_failed" when
    something answered but not with TLS), its answer could not be trusted (status 0, code "untrusted_answer"), or
    what answered is another web server (its status, code "not_a_node")."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


def pair(base_url: str, code: str, name: str | None = None, timeout: float = 10.0) -> dict[str, Any]:
    """Exchange `code` for a device token; the answer (token, role, device_id, counter, branch, node_id and, over
    HTTPS, tls = {ca_pem, ca_pin}) is returned only once it is proven to come from the node that made the code."""
    url = urlsplit(base_url)
    if url.scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # trust on first use, confirmed by the code below
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            url.hostname, url.port or 443, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    nonce = secrets.token_hex(16)
    try:
        connection.connect()
        leaf = connection.sock.getpeercert(binary_form=True) if url.scheme == "https" else b""
        seen = hashlib.sha256(leaf).hexdigest() if leaf else ""
        key = pairing_key(code, nonce)
        body = {"nonce": nonce, "proof": pairing_mac(key, "device", nonce, seen), **({"name": name} if name else {})}
        connection.request("POST", "/api/v1/pairing", json.dumps(body),
                           {"Content-Type": "application/json", "Host": url.netloc})
        response = connection.getresponse()
        raw = response.read()
    except ssl.SSLError as err:  # something answers, but not with TLS (or not a TLS we speak)
        raise PairingError(0, "tls_failed", f"{base_url}: {err}") from err
    except (OSError, http.client.HTTPException) as err:
        raise PairingError(0, "node_unavailable", f"{base_url}: {err}") from err
    finally:
        connection.close()
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    error = answer.get("error") if isinstance(answer, dict) else None
    if response.status != 201 and not (isinstance(error, dict) and isinstance(error.get("code"), str)):
        # a node answers every refusal as {"error": {"code", "message"}}: this is another web server
        kind = response.getheader("Content-Type", "?").split(";")[0]
        raise PairingError(response.status, "not_a_node", f"{base_url} answers HTTP {response.status} ({kind}), "
                           "not as a SmartQueue node")
    if response.status != 201:
        raise PairingError(response.status, error["code"], str(error.get("message", "")))
    if not isinstance(answer, dict):
        raise PairingError(0, "untrusted_answer", "the answer to the pairing is not a JSON object")
    tls = answer.get("tls") or {}
    pin = tls.get("ca_pin", "") if seen else ""
    expected = pairing_mac(key, "node", nonce, seen, pin, str(answer.get("device_id")), str(answer.get("token")))
    if not hmac.compare_digest(expected, str(answer.get("confirm", ""))):
        raise PairingError(0, "untrusted_answer", "the answer is not signed with this pairing code: another machine "
                           "may be between this device and the node")
    if seen and not issued_by_pinned_ca(leaf, tls.get("ca_pem", ""), pin):
        raise PairingError(0, "untrusted_answer", "the node's certificate is not signed by the CA it sent")
    return answer
