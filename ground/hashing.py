"""Slow and fast hashes of secrets: agent and technician PINs (scrypt), device and session tokens (sha256).

Both the node (agents) and the kiosk (technician PIN) check PINs, so the helpers sit here, below both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """scrypt hash in a self-describing string: scrypt$N$r$p$salt$hash (base64)."""
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_pin(pin: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(pin.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                  dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))



def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pairing_key(code: str, nonce: str) -> bytes:
    """The key a pairing exchange is proven with: scrypt of the 8-digit code, salted with the device's fresh
    nonce, so guessing the code from a captured proof costs one scrypt (~50 ms) per guess, never precomputed."""
    return hashlib.scrypt(code.encode(), salt=b"smartqueue-pairing-v1:" + nonce.encode(), n=_SCRYPT_N, r=_SCRYPT_R,
                          p=_SCRYPT_P, dklen=32)


def pairing_mac(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 (hex) over the parts, each one length-prefixed so no two lists of parts sign the same bytes."""
    message = b"".join(len(part.encode()).to_bytes(4, "big") + part.encode() for part in parts)
    return hmac.new(key, message, hashlib.sha256).hexdigest()

