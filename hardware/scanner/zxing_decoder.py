"""zxing-cpp: the only module that imports it. The camera scanner's default decoder, chosen by measurement
(bench/bench_camera_corpus.py: more of the corpus decoded, and sooner, than zbar)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import zxingcpp

from hardware.scanner.decoded import Decoded

#: Our symbology names (zbar's spelling, as the configuration uses) → zxing-cpp formats.
_FORMATS = {
    "QRCODE": zxingcpp.BarcodeFormat.QRCode, "CODE128": zxingcpp.BarcodeFormat.Code128,
    "CODE39": zxingcpp.BarcodeFormat.Code39, "CODE93": zxingcpp.BarcodeFormat.Code93,
    "EAN13": zxingcpp.BarcodeFormat.EAN13, "EAN8": zxingcpp.BarcodeFormat.EAN8, "UPCA": zxingcpp.BarcodeFormat.UPCA,
    "UPCE": zxingcpp.BarcodeFormat.UPCE, "I25": zxingcpp.BarcodeFormat.ITF, "DATABAR": zxingcpp.BarcodeFormat.DataBar,
    "PDF417": zxingcpp.BarcodeFormat.PDF417, "CODABAR": zxingcpp.BarcodeFormat.Codabar,
}


class ZxingDecoder:
    """zxing-cpp restricted to some symbologies. Wants a gray frame.

    Rotation (90°/270° for one-dimensional codes) stays on: a CODE128 held sideways is common. Downscaling stays
    on too: it finds codes held close to the lens in noisy frames.
    """

    name = "zxing-cpp"

    def __init__(self, symbologies: Sequence[str]) -> None:
        self._formats = tuple(_FORMATS[name] for name in symbologies)

    def decode(self, gray: np.ndarray) -> Decoded:
        """Texts of the symbols in `gray` (bytes that are not UTF-8 kept as surrogates for the parser), and how
        many symbols were located but not read (a checksum or format error: worth a second look)."""
        found = zxingcpp.read_barcodes(gray, formats=self._formats, return_errors=True)
        texts = [r.bytes.decode("utf-8", "surrogateescape") for r in found if r.valid]
        return Decoded(texts, sum(1 for r in found if not r.valid))
