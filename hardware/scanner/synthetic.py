"""Synthetic camera footage: gray frames showing QR or CODE128 symbols, written as an MJPG video or a PNG folder.

Used by tests, the bench and the demo in place of a camera. Frames carry mild sensor-like noise because decoders
tuned for real images can miss perfectly flat synthetic ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import barcode
import cv2
import numpy as np
import segno


@dataclass(frozen=True, slots=True)
class Scene:
    """`frames` consecutive frames showing `text` as `symbology` (or nothing when `text` is None)."""

    frames: int
    text: str | None = None
    symbology: Literal["QRCODE", "CODE128"] = "QRCODE"


def render_qr(text: str, *, scale: int = 6, border: int = 4) -> np.ndarray:
    """A QR symbol as a uint8 gray image (0 black, 255 white), `scale` pixels per module."""
    matrix = np.array([list(row) for row in segno.make(text, error="m", micro=False).matrix], dtype=np.uint8)
    image = np.where(matrix > 0, 0, 255).astype(np.uint8)
    image = np.pad(image, border, constant_values=255)
    return np.kron(image, np.ones((scale, scale), dtype=np.uint8))


def render_code128(text: str, *, module_px: int = 2, height: int = 120, quiet_modules: int = 10) -> np.ndarray:
    """A CODE128 symbol as a uint8 gray image, from python-barcode's module pattern."""
    modules = barcode.get("code128", text).build()[0]
    row = np.array([0 if bit == "1" else 255 for bit in modules], dtype=np.uint8)
    row = np.pad(row, quiet_modules, constant_values=255)
    return np.tile(np.repeat(row, module_px), (height, 1))


def _render(scene: Scene) -> np.ndarray | None:
    if scene.text is None:
        return None
    return render_qr(scene.text) if scene.symbology == "QRCODE" else render_code128(scene.text)


def frames(
    scenes: Sequence[Scene], *, width: int = 640, height: int = 480, seed: int = 7
) -> Iterator[np.ndarray]:
    """Yield gray frames for `scenes`: a light noisy background, the symbol (if any) centred and drifting slightly."""
    rng = np.random.default_rng(seed)
    index = 0
    for scene in scenes:
        symbol = _render(scene)
        for _ in range(scene.frames):
            frame = np.full((height, width), 200, dtype=np.uint8)
            if symbol is not None:
                sh, sw = symbol.shape
                if sh > height or sw > width:
                    raise ValueError(f"symbol {sw}x{sh} does not fit a {width}x{height} frame")
                y = (height - sh) // 2 + int(8 * np.sin(index / 5))
                x = (width - sw) // 2 + int(8 * np.cos(index / 7))
                y, x = min(max(y, 0), height - sh), min(max(x, 0), width - sw)
                frame[y : y + sh, x : x + sw] = symbol
            noise = rng.normal(0, 6, frame.shape)
            yield np.clip(frame + noise, 0, 255).astype(np.uint8)
            index += 1


def write_video(path: Path, scenes: Sequence[Scene], *, fps: float = 15.0, width: int = 640, height: int = 480) -> Path:
    """Write `scenes` as an MJPG .avi (a codec OpenCV's wheels can always write and read back)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height), True)
    if not writer.isOpened():
        raise OSError(f"cannot open a video writer for {path}")
    try:
        for frame in frames(scenes, width=width, height=height):
            writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    finally:
        writer.release()
    return path


def write_image_sequence(folder: Path, scenes: Sequence[Scene], *, width: int = 640, height: int = 480) -> Path:
    """Write `scenes` as numbered PNG files in `folder` (created if needed), played in name order."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, frame in enumerate(frames(scenes, width=width, height=height)):
        if not cv2.imwrite(str(folder / f"frame-{index:05d}.png"), frame):
            raise OSError(f"cannot write {folder}")
    return folder
