"""Device rows: tokens (stored hashed), one-time pairing codes, revocation. Writes run on the writer thread.

The node chooses every paired device's id: a pairing code creates a new device and never touches an existing
row, so no code holder can take over, lock out or re-enable another device. Re-keying a known id is a
technician's act on the node itself (`smartqueue node token --device-id`).
"""

from __future__ import annotations

import secrets
import time

from branch.security import new_device_token, new_pairing_code, token_hash
from branch.store import Store


def now_ms() -> int:
    return int(time.time() * 1000)


def register_device(store: Store, role: str, counter: str | None, name: str,
                    device_id: str | None = None) -> tuple[str, str]:
    """Create a device, or re-key the one with `device_id` (a technician on the node); returns (id, token)."""
    token = new_device_token()
    device_id = device_id or f"{role}-{secrets.token_hex(4)}"
    store.execute_write(
        "INSERT INTO devices (id, role, name, counter, token_hash, created_ms) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET role=excluded.role, name=excluded.name, counter=excluded.counter,"
        " token_hash=excluded.token_hash, revoked_ms=NULL",
        (device_id, role, name, counter, token_hash(token), now_ms()))
    return device_id, token


def add_device(store: Store, role: str, counter: str | None, name: str) -> tuple[str, str]:
    """A new device with an id of the node's choosing (pairing); returns (id, token)."""
    token = new_device_token()
    while True:
        device_id = f"{role}-{secrets.token_hex(4)}"
        if not store.writer_query("SELECT 1 FROM devices WHERE id = ?", (device_id,)):
            break
    store.execute_write("INSERT INTO devices (id, role, name, counter, token_hash, created_ms)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (device_id, role, name, counter, token_hash(token), now_ms()))
    return device_id, token


def create_pairing(store: Store, minutes: int, role: str, counter: str | None, name: str | None) -> tuple[str, int]:
    """Store a pairing code's hash; returns the code (shown once) and its expiry."""
    code = new_pairing_code()
    expires_ms = now_ms() + minutes * 60_000
    store.execute_write("INSERT INTO pairing_codes (code_hash, code, role, counter, name, expires_ms)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (token_hash(code), code, role, counter, name, expires_ms))
    return code, expires_ms


#: the pairing codes a proof is checked against (newest first): each costs the node one scrypt per attempt
MAX_ACTIVE_CODES = 8


def active_codes(store: Store) -> list[tuple[str, str]]:
    """(code hash, code) of the codes still usable, newest first."""
    return [(r[0], r[1]) for r in store.writer_query(
        "SELECT code_hash, code FROM pairing_codes WHERE used_ms IS NULL AND expires_ms > ? AND code IS NOT NULL"
        " ORDER BY expires_ms DESC LIMIT ?", (now_ms(), MAX_ACTIVE_CODES))]


def use_code(store: Store, code_hash: str, name: str | None) -> tuple[str, str, str, str | None] | None:
    """Spend a code on a new device: (device id, token, role, counter), or None if it was used meanwhile.
    Single use: the code is marked used (and forgotten) in the same step."""
    rows = store.writer_query("SELECT role, counter, name FROM pairing_codes WHERE code_hash = ? AND used_ms IS NULL"
                              " AND expires_ms > ?", (code_hash, now_ms()))
    if not rows or store.execute_write("UPDATE pairing_codes SET used_ms = ?, code = NULL WHERE code_hash = ?"
                                       " AND used_ms IS NULL", (now_ms(), code_hash)) != 1:
        return None
    role, counter, code_name = rows[0]
    device_id, token = add_device(store, role, counter, name or code_name or role)
    return device_id, token, role, counter


def revoke(store: Store, device_id: str) -> bool:
    return store.execute_write("UPDATE devices SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
                               (now_ms(), device_id)) == 1
