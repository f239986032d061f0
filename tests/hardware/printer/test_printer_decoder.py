"""The simulator's ESC/POS decoder, cross-checked against python-escpos (the independent encoder)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hardware.printer.decoder import (
    Barcode,
    CodePage,
    Cut,
    EscPosDecoder,
    Feed,
    Init,
    LineFeed,
    QrCode,
    Raster,
    RealTimeRequest,
    Text,
    Unknown,
    decode,
)
from hardware.printer.escpos_lib import Dummy
from hardware.printer.preview import PreviewRenderer, transcript


def _of(kind: type, elements: list) -> list:
    return [e for e in elements if isinstance(e, kind)]


def test_styles_text_and_code_page_from_python_escpos() -> None:
    p = Dummy(profile="TM-T20II", magic_encode_args={"encoding": "CP858", "disabled": True})
    p.hw("INIT")
    p._raw(b"\x1bt\x13")
    p.set(align="center", bold=True, custom_size=True, width=3, height=4)
    p.textln("Café")
    p.set(double_width=True, double_height=True, bold=False)
    p.textln("Big")
    p.set(align="right", underline=1, normal_textsize=True)
    p.text("x")
    elements = decode(p.output)
    assert isinstance(elements[0], Init)
    assert _of(CodePage, elements)[0].codec == "cp858"
    texts = _of(Text, elements)
    assert [t.text for t in texts] == ["Café", "Big", "x"]
    first = texts[0].style
    assert (first.align, first.bold, first.width, first.height) == ("center", True, 3, 4)
    assert (texts[1].style.width, texts[1].style.height, texts[1].style.bold) == (2, 2, False)
    assert (texts[2].style.align, texts[2].style.underline) == ("right", 1)
    assert len(_of(LineFeed, elements)) == 2


def test_raster_image_round_trips_dot_for_dot() -> None:
    rng = np.random.default_rng(7)
    ink = rng.random((37, 200)) > 0.5
    image = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").convert("1")
    p = Dummy(profile="TM-T20II")
    p.image(image, impl="bitImageRaster")
    (raster,) = _of(Raster, decode(p.output))
    assert (raster.width_bytes, raster.height) == (25, 37)
    bits = np.unpackbits(np.frombuffer(raster.data, np.uint8)).reshape(37, 200).astype(bool)
    assert np.array_equal(bits, ink)


def test_native_qr_store_and_print() -> None:
    p = Dummy(profile="TM-T20II")
    p.qr("https://q.example.com/t/A042", size=5, native=True, ec=1)  # QR_ECLEVEL_M
    (qr,) = _of(QrCode, decode(p.output))
    assert (qr.data, qr.module_size, qr.ec) == (b"https://q.example.com/t/A042", 5, "M")


def test_hardware_code128_barcode_with_code_set_prefix() -> None:
    p = Dummy(profile="TM-T20II")
    p.barcode("{BA042", "CODE128", function_type="B")
    (barcode,) = _of(Barcode, decode(p.output))
    assert (barcode.symbology, barcode.data) == ("CODE128", b"{BA042")


@pytest.mark.parametrize(("mode", "expected"), [("FULL", "full"), ("PART", "partial")])
def test_cuts(mode: str, expected: str) -> None:
    p = Dummy(profile="TM-T20II")
    p.cut(mode=mode)
    elements = decode(p.output)
    assert _of(Feed, elements) == [Feed(6, "lines")]
    assert _of(Cut, elements) == [Cut(expected)]


def test_status_queries_are_real_time_requests() -> None:
    assert decode(b"\x10\x04\x01\x10\x04\x04\x1dr\x01") == [
        RealTimeRequest("DLE EOT", 1), RealTimeRequest("DLE EOT", 4), RealTimeRequest("GS r", 1)]


def test_any_chunking_gives_the_same_elements() -> None:
    p = Dummy(profile="TM-T20II")
    p.textln("Hello")
    p.qr("A042", native=True)
    p.image(Image.new("1", (64, 10), 0))
    p.cut()
    whole = decode(p.output)
    decoder = EscPosDecoder()
    pieces = []
    for i in range(0, len(p.output), 3):
        pieces += decoder.feed(p.output[i:i + 3])
    pieces += decoder.finish()
    assert _merge_text(pieces) == _merge_text(whole)


def _merge_text(elements: list) -> list:
    merged: list = []
    for e in elements:
        if isinstance(e, Text) and merged and isinstance(merged[-1], Text) and merged[-1].style == e.style:
            merged[-1] = Text(merged[-1].text + e.text, e.style)
        else:
            merged.append(e)
    return merged


def test_garbage_and_truncation_are_recorded_not_fatal() -> None:
    elements = decode(b"\x1b\xff\x07ok\n\x1dv0\x00\xff\xff\xff\xff\x1d(k\x05")
    unknown = _of(Unknown, elements)
    assert any("unknown ESC" in u.reason for u in unknown)
    assert any("control byte" in u.reason for u in unknown)
    assert any("implausible GS v" in u.reason for u in unknown)
    assert unknown[-1].reason.startswith("truncated")
    assert _of(Text, elements)[0].text == "ok"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_decoder_or_preview(data: bytes) -> None:
    elements = decode(data)
    transcript(elements)
    PreviewRenderer(384).render(elements)
