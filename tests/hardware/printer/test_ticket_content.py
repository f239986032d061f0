"""What a ticket says (issue 14): the priority mark, the appointment's time, no online promise without a link, a
test print that is clearly a test, 24-hour time in every language; and its QR read back from the preview at 58 and
80 mm, as a phone's camera would."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

from config.printer import TicketLayout
from hardware.printer.decoder import decode
from hardware.printer.layout import TicketComposer
from hardware.printer.preview import PreviewRenderer, transcript
from hardware.printer.profiles import get_profile
from tests.hardware.printer.conftest import make_ticket

LINK = "https://q.example.com/t/SQT1:BR042:8c1f2e0a-6a55-4f4e-9d55-0b1c2d3e4f50:Q2V4a2J1ZmZlcg"


def printed(model: str = "generic-80", **ticket):
    """(the ticket's words as one line, wrapped lines joined; the preview image)."""
    composer = TicketComposer(get_profile(model), TicketLayout())
    elements = decode(composer.build(make_ticket(**ticket)).data)
    words = " ".join(re.sub(r"\{[^}]*\}", "", line.split("] ", 1)[-1]).strip()
                     for line in transcript(elements).splitlines() if line.startswith("["))
    return " ".join(words.split()) + "\n" + transcript(elements), \
        PreviewRenderer(composer.profile.width_dots).render(elements)


def test_a_priority_ticket_carries_a_mark_printed_white_on_black():
    text, _ = printed(priority="Femme enceinte")
    assert "Prioritaire : Femme enceinte" in text and "invert" in text.lower()
    assert "Prioritaire" not in printed()[0]


def test_arabic_priority_mark_is_an_inverted_raster():
    _, plain = printed(language="ar")
    _, marked = printed(language="ar", priority="امرأة حامل")
    assert marked.height > plain.height  # a black band with the category, above the service


def test_an_appointment_ticket_prints_its_time_in_24_hours():
    slot = dt.datetime(2026, 3, 5, 14, 30, tzinfo=dt.UTC)
    local = slot.astimezone(ZoneInfo("Africa/Casablanca"))  # the branch's time, whatever its offset that day
    text, _ = printed(language="en", appointment_at=slot)
    assert f"Appointment at {local:%H:%M}" in text and "PM" not in text


def test_no_online_promise_without_a_public_link():
    text, _ = printed(qr_payload="SQT1:BR042:abc:signature")
    assert "Scannez ce code à la borne" in text and "en ligne" not in text
    assert "Suivez votre tour en ligne" in printed(qr_payload=LINK, qr_is_link=True)[0]


def test_when_no_counter_is_open_the_paper_says_what_the_screen_says():
    assert "Aucun guichet n'est encore ouvert pour ce service" in printed(estimated_wait_s=None)[0]


def test_a_test_ticket_is_clearly_a_test():
    text, _ = printed(test=True, number="TEST", qr_payload=None)
    assert "TICKET DE TEST" in text and "ce n'est pas un ticket de file d'attente" in text
    assert "Votre numéro" not in text and "prochain" not in text and "<qr" not in text.lower()


@pytest.mark.parametrize("model", ["generic-58", "generic-80"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_qr_reads_back_from_the_paper(model, language):
    _, preview = printed(model, language=language, qr_payload=LINK, qr_is_link=True, priority="X")
    found = zbar_decode(preview.convert("L"), symbols=[ZBarSymbol.QRCODE])
    assert [symbol.data.decode() for symbol in found] == [LINK]
