"""Golden ticket byte streams (fr, en, ar × 80 mm, 58 mm) with their rendered previews stored beside them.

Regenerate after a reviewed layout change: SMARTQUEUE_UPDATE_GOLDEN=1 pytest tests/hardware/printer
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from config.printer import TicketLayout
from hardware.printer.decoder import decode
from hardware.printer.layout import TicketComposer
from hardware.printer.preview import PreviewRenderer, transcript
from hardware.printer.profiles import get_profile

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SMARTQUEUE_UPDATE_GOLDEN") == "1"
CASES = [(lang, model) for model in ("generic-80", "generic-58") for lang in ("fr", "en", "ar")]


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic logo, drawn the same every run."""
    image = Image.new("L", (300, 90), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse((5, 5, 85, 85), fill=0)
    draw.rectangle((100, 30, 295, 60), fill=96)
    path = tmp_path_factory.mktemp("logo") / "logo.png"
    image.save(path)
    return path


def _compose(model: str, logo: Path) -> TicketComposer:
    return TicketComposer(get_profile(model), TicketLayout(logo=logo, qr_base_url="https://q.example.com/t/"))


@pytest.mark.parametrize(("language", "model"), CASES)
def test_ticket_bytes_and_preview_match_golden(language: str, model: str, logo: Path, ticket_factory) -> None:
    composer = _compose(model, logo)
    data = composer.build(ticket_factory(language)).data
    elements = decode(data)
    preview = PreviewRenderer(composer.profile.width_dots).render(elements)
    stem = GOLDEN / f"ticket-{language}-{model}"
    if UPDATE:
        stem.with_suffix(".bin").write_bytes(data)
        preview.save(stem.with_suffix(".png"))
        stem.with_suffix(".txt").write_text(transcript(elements), encoding="utf-8")
    assert data == stem.with_suffix(".bin").read_bytes(), f"{stem.name}: bytes changed; review, then regenerate"
    with Image.open(stem.with_suffix(".png")) as golden:
        assert np.array_equal(np.asarray(golden.convert("1")), np.asarray(preview)), f"{stem.name}: preview changed"
    assert transcript(elements) == stem.with_suffix(".txt").read_text(encoding="utf-8")


def test_qt_raster_is_deterministic_run_to_run(logo: Path, ticket_factory) -> None:
    first = _compose("generic-80", logo).build(ticket_factory("ar")).data
    second = _compose("generic-80", logo).build(ticket_factory("ar")).data
    assert first == second


@pytest.mark.parametrize("model", ["generic-80", "generic-58", "epson-tm-t88v", "pos-5890"])
def test_every_raster_fits_the_profile_width(model: str, logo: Path, ticket_factory) -> None:
    composer = _compose(model, logo)
    rasters = [e for e in decode(composer.build(ticket_factory("ar")).data) if type(e).__name__ == "Raster"]
    assert rasters
    assert all(r.width_bytes * 8 <= composer.profile.width_dots for r in rasters)
