"""Camera frame decoders behind one small interface: which library decodes, and the other as a second opinion.

Each library sits behind its own module (`zxing_decoder`, `zbar_decoder`); this one only chooses and combines. The
default is zxing-cpp, chosen by measurement on a corpus that looks like what customers present
(bench/bench_camera_corpus.py, docs/benchmarks.md): the same share of frames as zbar, four times faster. On the
few frames where zxing-cpp locates a code but cannot read it, zbar gets a second look: that lifts the decode rate
by two points and never runs on the empty frames a kiosk sees most of the day. If the configured library cannot
be loaded, the other one decodes alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from hardware.errors import ConfigurationError
from hardware.scanner.decoded import Decoded

log = logging.getLogger(__name__)

#: Decoder names as the configuration spells them, best first.
DECODERS = ("zxing-cpp", "zbar")


class FrameDecoder(Protocol):
    """Decodes the symbols of the configured symbologies in one gray frame."""

    name: str

    def decode(self, gray: np.ndarray) -> Decoded: ...


class SecondOpinion:
    """`first` on every frame; `second` too on a frame where `first` located a symbol it could not read."""

    def __init__(self, first: FrameDecoder, second: FrameDecoder) -> None:
        self.first = first
        self.second = second
        self.name = f"{first.name}+{second.name}"
        self.second_looks = 0

    def decode(self, gray: np.ndarray) -> Decoded:
        found = self.first.decode(gray)
        if not found.unreadable:
            return found
        self.second_looks += 1
        texts = list(found.texts)
        texts += [t for t in self.second.decode(gray).texts if t not in texts]
        return Decoded(texts)


def _load(name: str, symbologies: Sequence[str]) -> FrameDecoder:
    if name == "zxing-cpp":
        from hardware.scanner.zxing_decoder import ZxingDecoder

        return ZxingDecoder(symbologies)
    from hardware.scanner.zbar_decoder import ZbarDecoder

    return ZbarDecoder(symbologies)


def make_decoder(name: str, symbologies: Sequence[str], *, second_opinion: bool = True) -> FrameDecoder:
    """The decoder `name` (with the other as second opinion); if its library cannot be loaded, the other alone."""
    if name not in DECODERS:
        raise ConfigurationError(f"unknown decoder {name!r}; known: {', '.join(DECODERS)}")
    other = next(d for d in DECODERS if d != name)
    loaded: list[FrameDecoder] = []
    for candidate in (name, other):
        try:
            loaded.append(_load(candidate, symbologies))
        except ImportError as err:
            log.warning("camera scanner: decoder %s unavailable: %s", candidate, err)
    if not loaded:
        raise ConfigurationError("no barcode decoder could be loaded: install zxing-cpp, or libzbar0 for pyzbar")
    if second_opinion and len(loaded) == 2:
        return SecondOpinion(loaded[0], loaded[1])
    return loaded[0]
