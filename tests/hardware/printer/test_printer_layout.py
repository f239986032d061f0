"""Ticket encodings: native (printer fonts, native QR, Arabic rasters cropped to the ink), full raster, text only.

The previews are drawn by the test decoder from the bytes alone; their QR must decode with zbar and zxing-cpp, as a
customer's phone reads the paper.
"""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from pyzbar.pyzbar import decode as zbar_decode

from config.printer import PrinterConfig, SerialConnection, TcpConnection, TicketLayout
from hardware.printer.decoder import QrCode, Raster, Text, decode
from hardware.printer.layout import STYLES, TICKET, TicketComposer
from hardware.printer.preview import PreviewRenderer
from hardware.printer.profiles import get_profile

URL = "https://q.example.com/t/"
PAYLOAD = URL + "A042-7f3c"


def _compose(model: str = "generic-80", **options: object) -> TicketComposer:
    return TicketComposer(get_profile(model), TicketLayout(qr_base_url=URL), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", ["generic-80", "generic-58", "epson-tm-t88v"])
def test_arabic_ticket_is_at_most_8_kb_and_only_arabic_is_raster(model: str, ticket_factory) -> None:
    data = _compose(model).build(ticket_factory("ar")).data
    assert len(data) <= 8 * 1024, len(data)
    elements = decode(data)
    texts = " ".join(e.text for e in elements if isinstance(e, Text))
    assert "A-042" in texts and "08:07  2026/03/05" in texts  # number and digits in the printer's font
    assert [e for e in elements if isinstance(e, QrCode)]  # native QR (GS ( k)
    rasters = [e for e in elements if isinstance(e, Raster)]
    assert len(rasters) == 7 and all(r.width_bytes * 8 < 400 for r in rasters)  # cropped, never full width


@pytest.mark.parametrize("options", [{}, {"full_raster": True}], ids=["native", "full-raster"])
@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_preview_drawn_from_the_bytes_has_a_qr_that_decodes(options: dict, language: str, ticket_factory) -> None:
    composer = _compose(**options)
    preview = np.asarray(PreviewRenderer(576).render(decode(composer.build(ticket_factory(language)).data))
                         .convert("L"))
    assert [r.data.decode() for r in zbar_decode(preview)] == [PAYLOAD]
    assert [r.text for r in zxingcpp.read_barcodes(preview)] == [PAYLOAD]


def test_full_raster_uses_neither_code_pages_nor_native_qr(ticket_factory) -> None:
    elements = decode(_compose(full_raster=True).build(ticket_factory("fr")).data)
    assert not [e for e in elements if isinstance(e, (Text, QrCode))]
    assert all(e.width_bytes * 8 == 576 for e in elements if isinstance(e, Raster))


def test_a_model_may_default_to_full_raster_and_the_configuration_overrides_it() -> None:
    config = PrinterConfig(model="generic-80", connection=TcpConnection(host="p"), full_raster=True)
    assert TicketComposer.for_config(config).full_raster
    assert not TicketComposer.for_config(config.model_copy(update={"full_raster": None})).full_raster


def test_at_9600_baud_the_ticket_is_text_only(ticket_factory) -> None:
    config = PrinterConfig(connection=SerialConnection(port="/dev/ttyS0", baudrate=9600),
                           layout=TicketLayout(qr_base_url=URL))
    composer = TicketComposer.for_config(config)
    assert composer.text_only
    data = composer.build(ticket_factory("ar")).data
    elements = decode(data)
    assert not [e for e in elements if isinstance(e, Raster)]
    text = " ".join(e.text for e in elements if isinstance(e, Text))
    assert "A-042" in text and "Personnes avant vous : 3" in text  # the labels in the fallback language
    assert [e for e in elements if isinstance(e, QrCode)] and len(data) < 600
    fast = config.model_copy(update={"connection": SerialConnection(port="/dev/ttyS0", baudrate=115200)})
    assert not TicketComposer.for_config(fast).text_only


def test_layout_is_a_table() -> None:
    assert {line.style for line in TICKET} <= set(STYLES)
    assert [line.content for line in TICKET].index("number") < [line.content for line in TICKET].index("qr")


def test_a_payload_that_is_already_a_link_is_not_prefixed_again(ticket_factory) -> None:
    """The kiosk hands central's phone-page link as the payload: the layout's qr_base_url must not prefix it (the
    issue-17 review found the prefix added twice)."""
    from dataclasses import replace

    link = "https://central.example.org/t/acme/BR042/A042/tok"
    ticket = replace(ticket_factory("fr"), qr_payload=link)
    qrs = [e for e in decode(_compose().build(ticket).data) if isinstance(e, QrCode)]
    assert [q.data.decode() for q in qrs] == [link]
