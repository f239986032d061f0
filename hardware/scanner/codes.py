"""Scanned text → typed code: signed appointment check-in codes, signed e-ticket codes, or a defined failure.

Formats (canonical upper case, fields joined by ``:``)::

    SQA1:<branch>:<appointment ref>:<service>:<slot YYYYMMDDTHHMM>:<mac>
    SQT1:<branch>:<ticket id>:<mac>

``<mac>`` is HMAC-SHA256 with the branch key over everything before the last ``:`` (the version tag included, so
a ticket's MAC can never pass as an appointment's), truncated to 10 bytes (80 bits) and written in unpadded base32
(16 characters). The slot is branch-local wall time in ISO 8601 basic format (no ``:``, which separates fields).

Codes are case-insensitive and parsed after upper-casing, because keyboard-wedge scanners under Caps Lock or
another layout flip case; an upper-case-only alphabet also lets a QR code use its denser alphanumeric mode.

Pure module: no clock reads (callers pass ``now``), no I/O. Any input — huge, binary, control characters —
yields a result object, never an exception.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import unquote

APPOINTMENT_TAG = "SQA1"
TICKET_TAG = "SQT1"
MAC_BYTES = 10
MAX_CODE_LENGTH = 256
_SLOT_FORMAT = "%Y%m%dT%H%M"
_FIELD = r"[A-Z0-9][A-Z0-9.\-]{0,31}"
_MAC = r"[A-Z2-7]{16}"
_APPOINTMENT_RE = re.compile(rf"SQA1:({_FIELD}):({_FIELD}):({_FIELD}):(\d{{8}}T\d{{4}}):({_MAC})")
_TICKET_RE = re.compile(rf"SQT1:({_FIELD}):({_FIELD}):({_MAC})")
_FIELD_RE = re.compile(_FIELD)
_OUR_TAG_RE = re.compile(r"SQ[AT]\d+:")
_PRINTABLE_ASCII_RE = re.compile(r"[\x20-\x7e]*")
_LINK_RE = re.compile(r"https?://", re.IGNORECASE)


def _code_in_link(text: str) -> str:
    """Our code at the end of a link (a ticket QR printed with `qr_base_url`, e.g. https://q.example/t/SQT1:…):
    the code itself, which its signature alone vouches for; any other text as it is."""
    if not _LINK_RE.match(text):
        return text
    tail = unquote(re.split(r"[/=#?&]", text)[-1])
    return tail if _OUR_TAG_RE.match(tail.upper()) else text


class InvalidReason(enum.Enum):
    """Why a scanned code was refused; the kiosk maps each to a message for the customer."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    BINARY = "binary"  # bytes that are not UTF-8 text
    CONTROL_CHARS = "control_chars"  # text with control or non-ASCII characters in one of our codes
    MALFORMED = "malformed"  # starts like one of our codes but does not parse
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_SIGNATURE = "bad_signature"  # forged or altered
    WRONG_BRANCH = "wrong_branch"  # genuine format, another branch's code


@dataclass(frozen=True, slots=True)
class AppointmentCode:
    """A verified appointment check-in code."""

    branch_id: str
    appointment_ref: str
    service: str
    slot: datetime  # naive, branch-local wall time


@dataclass(frozen=True, slots=True)
class ETicketCode:
    """A verified ticket code (the QR printed on a ticket or shown on a phone)."""

    branch_id: str
    ticket_id: str


@dataclass(frozen=True, slots=True)
class UnknownCode:
    """Readable text that is none of our codes (a product barcode, a URL, …)."""

    text: str


@dataclass(frozen=True, slots=True)
class InvalidCode:
    """A scan refused for a defined reason; `detail` is for the log, never for the customer's screen."""

    reason: InvalidReason
    detail: str = ""


ScannedCode = AppointmentCode | ETicketCode | UnknownCode | InvalidCode


class SlotStatus(enum.Enum):
    """Where `now` falls relative to an appointment's check-in window."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


def check_slot(code: AppointmentCode, now: datetime, *, early: timedelta, late: timedelta) -> SlotStatus:
    """Classify a check-in at `now` (branch-local, naive) against the window [slot - early, slot + late]."""
    if now < code.slot - early:
        return SlotStatus.EARLY
    if now > code.slot + late:
        return SlotStatus.LATE
    return SlotStatus.ON_TIME


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _mac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def _canonical_field(name: str, value: str) -> str:
    upper = value.strip().upper()
    if not _FIELD_RE.fullmatch(upper):
        raise ValueError(f"{name} {value!r}: 1-32 characters A-Z 0-9 . - (starting with a letter or digit)")
    return upper


def sign_appointment(key: bytes, *, branch_id: str, appointment_ref: str, service: str, slot: datetime) -> str:
    """Build a signed appointment code (for central, tests and the demo). Seconds in `slot` are dropped."""
    body = ":".join(
        (
            APPOINTMENT_TAG,
            _canonical_field("branch_id", branch_id),
            _canonical_field("appointment_ref", appointment_ref),
            _canonical_field("service", service),
            slot.strftime(_SLOT_FORMAT),
        )
    )
    return f"{body}:{_mac(key, body)}"


def sign_ticket(key: bytes, *, branch_id: str, ticket_id: str) -> str:
    """Build a signed e-ticket code, the text of the QR printed on a ticket."""
    body = f"{TICKET_TAG}:{_canonical_field('branch_id', branch_id)}:{_canonical_field('ticket_id', ticket_id)}"
    return f"{body}:{_mac(key, body)}"


class CodeParser:
    """Parses and verifies scans for one branch.

    `key` signs and verifies; `previous_keys` are still accepted for verification so that a key rotation does not
    invalidate codes already handed out.
    """

    def __init__(
        self,
        branch_id: str,
        key: bytes,
        *,
        previous_keys: Sequence[bytes] = (),
        max_length: int = MAX_CODE_LENGTH,
    ) -> None:
        if len(key) < 16:
            raise ValueError("the branch key must be at least 16 bytes")
        self._branch_id = _canonical_field("branch_id", branch_id)
        self._keys = (key, *previous_keys)
        self._max_length = max_length

    def parse(self, scanned: str | bytes) -> ScannedCode:
        """Classify one scan. Never raises for any input."""
        if isinstance(scanned, bytes | bytearray | memoryview):
            raw = bytes(scanned)
            if len(raw) > 4 * self._max_length:
                return InvalidCode(InvalidReason.TOO_LONG, f"{len(raw)} bytes")
            try:
                scanned = raw.decode("utf-8")
            except UnicodeDecodeError:
                return InvalidCode(InvalidReason.BINARY, f"{len(raw)} bytes, not UTF-8")
        # A scanner's own line end is not part of the code; anything else around it is kept and judged.
        text = scanned.strip("\r\n")
        if not text:
            return InvalidCode(InvalidReason.EMPTY)
        if len(text) > self._max_length:
            return InvalidCode(InvalidReason.TOO_LONG, f"{len(text)} characters")
        if "\x00" in text or not _is_encodable(text):
            # NUL, or bytes a decoder kept as lone surrogates: binary content, not text.
            return InvalidCode(InvalidReason.BINARY, "binary content")
        text = _code_in_link(text)
        upper = text.upper()
        if not _OUR_TAG_RE.match(upper):
            if not text.isprintable():
                return InvalidCode(InvalidReason.CONTROL_CHARS, "control characters in unknown code")
            return UnknownCode(text)
        if not _PRINTABLE_ASCII_RE.fullmatch(upper):
            return InvalidCode(InvalidReason.CONTROL_CHARS, "control or non-ASCII characters")
        if upper.startswith(APPOINTMENT_TAG + ":"):
            return self._parse_appointment(upper)
        if upper.startswith(TICKET_TAG + ":"):
            return self._parse_ticket(upper)
        return InvalidCode(InvalidReason.UNSUPPORTED_VERSION, upper.split(":", 1)[0])

    def _verify(self, body: str, mac: str) -> bool:
        # Every key is tried (no early exit) so timing does not tell which key, if any, matched.
        results = [hmac.compare_digest(_mac(key, body), mac) for key in self._keys]
        return any(results)

    def _check_branch_and_mac(self, text: str, branch: str) -> InvalidCode | None:
        # Another branch's code cannot be verified here (its key is not ours); it is refused either way, and
        # "wrong branch" tells the customer more than "bad signature".
        if branch != self._branch_id:
            return InvalidCode(InvalidReason.WRONG_BRANCH, f"branch {branch} (unverified)")
        body, mac = text.rsplit(":", 1)
        if not self._verify(body, mac):
            return InvalidCode(InvalidReason.BAD_SIGNATURE)
        return None

    def _parse_appointment(self, text: str) -> ScannedCode:
        match = _APPOINTMENT_RE.fullmatch(text)
        if match is None:
            return InvalidCode(InvalidReason.MALFORMED, "appointment code")
        branch, ref, service, slot_text, _ = match.groups()
        try:
            slot = datetime.strptime(slot_text, _SLOT_FORMAT)
        except ValueError:
            return InvalidCode(InvalidReason.MALFORMED, f"slot {slot_text}")
        refused = self._check_branch_and_mac(text, branch)
        if refused is not None:
            return refused
        return AppointmentCode(branch_id=branch, appointment_ref=ref, service=service, slot=slot)

    def _parse_ticket(self, text: str) -> ScannedCode:
        match = _TICKET_RE.fullmatch(text)
        if match is None:
            return InvalidCode(InvalidReason.MALFORMED, "ticket code")
        branch, ticket_id, _ = match.groups()
        refused = self._check_branch_and_mac(text, branch)
        if refused is not None:
            return refused
        return ETicketCode(branch_id=branch, ticket_id=ticket_id)
