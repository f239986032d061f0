"""pyzbar (the zbar library): the only module that imports it. The camera scanner's fallback decoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.pyzbar import decode as zbar_decode

from hardware.scanner.decoded import Decoded


class ZbarDecoder:
    """pyzbar restricted to some symbologies (each extra one costs decode time). Wants a gray frame."""

    name = "zbar"

    def __init__(self, symbologies: Sequence[str]) -> None:
        self._symbols = [ZBarSymbol[name] for name in symbologies]

    def decode(self, gray: np.ndarray) -> Decoded:
        """Texts of the symbols in `gray`; bytes that are not UTF-8 are kept as surrogates for the parser. zbar
        does not report symbols it located but could not read."""
        return Decoded([r.data.decode("utf-8", "surrogateescape") for r in zbar_decode(gray, symbols=self._symbols)])
