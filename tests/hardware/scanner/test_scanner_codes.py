"""Scanned text → typed codes: signed codes verify, anything else is a defined result, never an exception."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hardware.scanner.codes import (
    AppointmentCode,
    CodeParser,
    ETicketCode,
    InvalidCode,
    InvalidReason,
    SlotStatus,
    UnknownCode,
    check_slot,
    sign_appointment,
    sign_ticket,
)

KEY = b"branch-key-0123456789abcdef"
OTHER_KEY = b"another-branch-key-0123456789"
SLOT = datetime(2026, 11, 24, 9, 30)
APPOINTMENT = sign_appointment(KEY, branch_id="b-17", appointment_ref="apt-20931", service="loans", slot=SLOT)
TICKET = sign_ticket(KEY, branch_id="B-17", ticket_id="A042-20261124")


@pytest.fixture
def parser() -> CodeParser:
    return CodeParser("b-17", KEY)


def test_signed_codes_have_the_documented_shape() -> None:
    head, mac = APPOINTMENT.rsplit(":", 1)
    assert head == "SQA1:B-17:APT-20931:LOANS:20261124T0930"
    assert len(mac) == 16 and mac.isalnum() and mac.isupper()
    assert TICKET.startswith("SQT1:B-17:A042-20261124:")


def test_sign_rejects_fields_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        sign_ticket(KEY, branch_id="B:17", ticket_id="1")
    with pytest.raises(ValueError):
        CodeParser("b-17", b"short")


@pytest.mark.parametrize(
    ("scanned", "expected"),
    [
        (APPOINTMENT, AppointmentCode("B-17", "APT-20931", "LOANS", SLOT)),
        (APPOINTMENT.lower(), AppointmentCode("B-17", "APT-20931", "LOANS", SLOT)),  # Caps Lock on a wedge
        (APPOINTMENT + "\r\n", AppointmentCode("B-17", "APT-20931", "LOANS", SLOT)),
        (APPOINTMENT.encode(), AppointmentCode("B-17", "APT-20931", "LOANS", SLOT)),
        (TICKET, ETicketCode("B-17", "A042-20261124")),
        ("4006381333931", UnknownCode("4006381333931")),
        ("https://example.org/x?y=1", UnknownCode("https://example.org/x?y=1")),
        # the kiosk's own ticket printed with a qr_base_url: the code at the end of the link (path, query, encoded)
        ("https://q.example.org/t/" + TICKET, ETicketCode("B-17", "A042-20261124")),
        ("HTTPS://Q.EXAMPLE.ORG/T?code=" + TICKET.replace(":", "%3A"), ETicketCode("B-17", "A042-20261124")),
        ("Grüße", UnknownCode("Grüße")),
    ],
)
def test_valid_and_unknown(parser: CodeParser, scanned: str | bytes, expected: object) -> None:
    assert parser.parse(scanned) == expected


def _tamper(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1 :]


FORGED_SERVICE = APPOINTMENT.replace(":LOANS:", ":VIP01:")
FORGED_SLOT = APPOINTMENT.replace("T0930", "T0830")
FORGED_MAC = _tamper(APPOINTMENT, len(APPOINTMENT) - 1, "A" if APPOINTMENT[-1] != "A" else "B")
SIGNED_ELSEWHERE = sign_appointment(OTHER_KEY, branch_id="B-17", appointment_ref="X1", service="LOANS", slot=SLOT)
OTHER_BRANCH = sign_ticket(OTHER_KEY, branch_id="B-99", ticket_id="A001")
# A ticket MAC cannot be replayed as an appointment: the tag is part of the signed text.
TAG_SWAP = "SQA1" + TICKET[4:]


@pytest.mark.parametrize(
    ("scanned", "reason"),
    [
        (FORGED_SERVICE, InvalidReason.BAD_SIGNATURE),
        (FORGED_SLOT, InvalidReason.BAD_SIGNATURE),
        (FORGED_MAC, InvalidReason.BAD_SIGNATURE),
        (SIGNED_ELSEWHERE, InvalidReason.BAD_SIGNATURE),
        (OTHER_BRANCH, InvalidReason.WRONG_BRANCH),
        (TAG_SWAP, InvalidReason.MALFORMED),
        ("SQA1:B-17:X:Y:20261324T0930:AAAAAAAAAAAAAAAA", InvalidReason.MALFORMED),  # month 13
        ("SQA1:B-17:X:Y", InvalidReason.MALFORMED),
        ("SQT1:B-17:A1:" + "A" * 15, InvalidReason.MALFORMED),
        ("SQT1:B-17:A1:" + "0" * 16, InvalidReason.MALFORMED),  # 0 is not base32
        ("SQT2:B-17:A1:AAAAAAAAAAAAAAAA", InvalidReason.UNSUPPORTED_VERSION),
        ("", InvalidReason.EMPTY),
        ("\r\n", InvalidReason.EMPTY),
        ("9" * 257, InvalidReason.TOO_LONG),
        ("A" * 10_000_000, InvalidReason.TOO_LONG),
        (b"\x00" * 5_000_000, InvalidReason.TOO_LONG),
        (b"\xff\xfe\x00\x81", InvalidReason.BINARY),
        ("abc\x00def", InvalidReason.BINARY),
        (b"ab\xffcd".decode("utf-8", "surrogateescape"), InvalidReason.BINARY),
        ("abc\x1b[2Jdef", InvalidReason.CONTROL_CHARS),  # terminal escape
        ("line\none", InvalidReason.CONTROL_CHARS),
        (TICKET[:-1] + "\x07", InvalidReason.CONTROL_CHARS),
        (TICKET.replace("A042", "Ä042"), InvalidReason.CONTROL_CHARS),
    ],
)
def test_invalid(parser: CodeParser, scanned: str | bytes, reason: InvalidReason) -> None:
    result = parser.parse(scanned)
    assert isinstance(result, InvalidCode)
    assert result.reason is reason


def test_previous_key_still_verifies_after_rotation() -> None:
    rotated = CodeParser("B-17", OTHER_KEY, previous_keys=[KEY])
    assert isinstance(rotated.parse(TICKET), ETicketCode)


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (SLOT - timedelta(minutes=31), SlotStatus.EARLY),
        (SLOT - timedelta(minutes=30), SlotStatus.ON_TIME),
        (SLOT + timedelta(minutes=15), SlotStatus.ON_TIME),
        (SLOT + timedelta(minutes=16), SlotStatus.LATE),
    ],
)
def test_check_slot(now: datetime, status: SlotStatus) -> None:
    code = AppointmentCode("B-17", "APT-1", "LOANS", SLOT)
    assert check_slot(code, now, early=timedelta(minutes=30), late=timedelta(minutes=15)) is status
