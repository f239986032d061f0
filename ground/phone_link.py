"""Unguessable links to a ticket's public page at central, carried in the ticket's QR code.

`token` = the first 128 bits of HMAC-SHA256(branch key, "ticket:{organisation}:{branch}:{ticket id}"), base64url.
Central holds one secret (`[central] phone_link_key`) and derives each branch's key from it (`branch_key`), so a
branch (and its kiosks) holds only its own key: a leaked kiosk cannot forge links for other branches. Pure
standard library: the kiosk imports it to build its QR text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def branch_key(central_key: bytes, organisation: str, branch: str) -> bytes:
    """The key a branch is given (`[branch] phone_link_key`, hex), derived from central's secret."""
    return hmac.new(central_key, f"branch:{organisation}:{branch}".encode(), hashlib.sha256).digest()


def ticket_token(key: bytes, organisation: str, branch: str, ticket_id: str) -> str:
    mac = hmac.new(key, f"ticket:{organisation}:{branch}:{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def ticket_url(base_url: str, key: bytes, organisation: str, branch: str, ticket_id: str) -> str:
    """What the kiosk puts in the QR when central has a public base URL."""
    token = ticket_token(key, organisation, branch, ticket_id)
    return f"{base_url.rstrip('/')}/t/{organisation}/{branch}/{ticket_id}/{token}"


def verify(central_key: bytes, organisation: str, branch: str, ticket_id: str, token: str) -> bool:
    expected = ticket_token(branch_key(central_key, organisation, branch), organisation, branch, ticket_id)
    return hmac.compare_digest(expected, token)
