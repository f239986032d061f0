"""The camera's default decoder on a slice of the corpus that looks like what customers present.

The whole corpus (384 frames) and the comparison with zbar are in bench/bench_camera_corpus.py; here, the committed
sample (one frame of each condition, read from disk) and one generated presentation of each condition.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from config.scanner import CameraScannerConfig
from devtools.camera_corpus import CONDITIONS, presentations
from hardware.scanner.decoders import SecondOpinion, make_decoder
from hardware.scanner.zbar_decoder import ZbarDecoder
from hardware.scanner.zxing_decoder import ZxingDecoder

SAMPLE = Path(__file__).parent / "corpus"
DEFAULT = CameraScannerConfig()


def _default_decoder():
    return make_decoder(DEFAULT.decoder, DEFAULT.symbologies, second_opinion=DEFAULT.second_opinion)


def test_the_default_is_zxing_cpp_with_zbar_for_a_second_look() -> None:
    decoder = _default_decoder()
    assert isinstance(decoder, SecondOpinion) and decoder.name == "zxing-cpp+zbar"


@pytest.mark.parametrize("entry", json.loads((SAMPLE / "manifest.json").read_text()), ids=lambda e: e["condition"])
def test_committed_sample_frames_decode(entry: dict) -> None:
    frame = cv2.imread(str(SAMPLE / entry["file"]), cv2.IMREAD_GRAYSCALE)
    assert frame is not None and frame.shape == (480, 640)
    assert entry["payload"] in _default_decoder().decode(frame).texts


def test_a_generated_slice_decodes_at_the_target_rate_and_early() -> None:
    decoder = _default_decoder()
    decoded = in_view = 0
    for shown in presentations(len(CONDITIONS)):
        first = None
        for index, frame in enumerate(shown.frames):
            if not frame.in_view:
                continue
            ok = shown.payload in decoder.decode(frame.image).texts
            decoded += ok
            in_view += 1
            if ok and first is None:
                first = index - shown.enters_at
        # a live camera at 15 fps: reading within the first two frames in view is under 150 ms
        assert first is not None and first <= 1, (shown.condition, first)
    assert decoded / in_view >= 0.95, f"{decoded} of {in_view}"


def test_the_second_look_costs_nothing_on_empty_frames() -> None:
    decoder = SecondOpinion(ZxingDecoder(["QRCODE"]), ZbarDecoder(["QRCODE"]))
    rng = np.random.default_rng(3)
    for _ in range(20):
        empty = np.clip(rng.normal(128, 20, (480, 640)), 0, 255).astype(np.uint8)
        assert decoder.decode(empty).texts == []
    assert decoder.second_looks == 0


def test_without_zxing_cpp_zbar_decodes_alone(monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # as if the wheel were not installed
    monkeypatch.delitem(sys.modules, "hardware.scanner.zxing_decoder", raising=False)
    caplog.set_level(logging.WARNING, "hardware.scanner.decoders")
    decoder = _default_decoder()
    assert decoder.name == "zbar"
    assert "zxing-cpp unavailable" in caplog.text
