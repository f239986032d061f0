"""A camera corpus that looks like what customers hold up to the kiosk: generated from a seed, so it stays small.

Each *presentation* is a short clip at the camera's rate: a code comes into view (sliding in, motion-blurred),
then is held with a trembling hand. What it is shown on, and how, is drawn at random per presentation:
- a phone screen (QR of a signed e-ticket or appointment): a backlit screen in a dark bezel, its pixel grid (moiré
  once the camera resamples it), glare from a ceiling light, tilt, low light;
- a printed confirmation (QR or CODE128): white paper with lines of text, a shadow across it;
- a small code far from the lens (modules of 2–3 camera pixels);
- a thumb over part of the code (never over more than error correction survives).
Frames are 640×480 gray, noisy and JPEG-compressed like a webcam's MJPG stream. ``Frame.in_view`` marks frames
where the whole code is in the picture and sharp enough to read: decode rates count those, and first-decode
latency is measured from the first of them ("the code enters the frame").

Run ``python -m devtools.camera_corpus --out DIR`` to write a corpus as PNG files with a manifest, or
``--sample tests/hardware/scanner/corpus`` for the small sample committed with the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import barcode
import cv2
import numpy as np
import segno

from hardware.scanner.codes import sign_appointment, sign_ticket

WIDTH, HEIGHT = 640, 480
FPS = 15.0
SEED = 20261124
_KEY = b"corpus-branch-key-0123456789"
CONDITIONS = ("phone", "phone glare", "phone tilt", "phone low light", "paper", "paper code128", "small",
              "occluded")


@dataclass(frozen=True)
class Frame:
    """One camera frame of a presentation."""

    image: np.ndarray
    payload: str
    in_view: bool


@dataclass(frozen=True)
class Presentation:
    """A code being shown: its frames, what it encodes and how it was shown."""

    index: int
    condition: str
    payload: str
    symbology: str
    frames: list[Frame]

    @property
    def enters_at(self) -> int:
        """The first frame with the whole code in view."""
        return next(i for i, f in enumerate(self.frames) if f.in_view)


def presentations(count: int, seed: int = SEED, frames_each: int = 8) -> Iterator[Presentation]:
    """`count` presentations cycling through CONDITIONS, each drawn from `seed` and its index (stable)."""
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        condition = CONDITIONS[index % len(CONDITIONS)]
        yield _presentation(index, condition, rng, frames_each)


def _payload(rng: np.random.Generator, index: int) -> tuple[str, str]:
    day = dt.date(2026, 11, 24) + dt.timedelta(days=int(rng.integers(0, 60)))
    if rng.random() < 0.6:
        ticket = f"{'ABC'[index % 3]}{int(rng.integers(1, 999)):03d}-{day:%Y%m%d}"
        return sign_ticket(_KEY, branch_id="BR042", ticket_id=ticket), "QRCODE"
    slot = dt.datetime.combine(day, dt.time(int(rng.integers(8, 17)), int(rng.choice([0, 15, 30, 45]))))
    return sign_appointment(_KEY, branch_id="BR042", appointment_ref=f"RDV-{int(rng.integers(10000, 99999))}",
                            service=str(rng.choice(["accounts", "cash", "loans"])), slot=slot), "QRCODE"


def _qr(payload: str, module: int) -> np.ndarray:
    matrix = np.array([list(row) for row in segno.make(payload, error="m", micro=False).matrix], dtype=np.uint8)
    image = np.pad(np.where(matrix > 0, 0, 255).astype(np.uint8), 4, constant_values=255)
    return np.kron(image, np.ones((module, module), dtype=np.uint8))


def _code128(text: str, module: int, height: int) -> np.ndarray:
    modules = barcode.get("code128", text).build()[0]
    row = np.pad(np.array([0 if bit == "1" else 255 for bit in modules], dtype=np.uint8), 10, constant_values=255)
    return np.tile(np.repeat(row, module), (height, 1))


def _phone(symbol: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The code on a phone: a screen (bright, its pixel grid) with an app header, in a dark bezel."""
    sh, sw = symbol.shape
    screen = np.full((int(sh * 1.9), int(sw * 1.25)), 245, dtype=np.float32)
    screen[: int(sh * 0.18)] = rng.uniform(60, 140)  # the app's header bar
    top = int(sh * 0.35)
    left = (screen.shape[1] - sw) // 2
    screen[top:top + sh, left:left + sw] = symbol
    for line in range(3):  # lines of text under the code
        y = top + sh + 12 + line * 18
        if y + 8 < screen.shape[0]:
            screen[y:y + 8, left:left + int(sw * rng.uniform(0.4, 0.95))] = 90
    # the screen's pixel grid: one darker row and column every 3 source pixels
    grid = np.ones_like(screen)
    grid[::3, :] *= 0.82
    grid[:, ::3] *= 0.82
    screen *= grid
    screen *= rng.uniform(0.8, 1.0)  # screen brightness
    bezel = 18
    phone = np.full((screen.shape[0] + 2 * bezel + 30, screen.shape[1] + 2 * bezel), 22, dtype=np.float32)
    phone[bezel + 15:bezel + 15 + screen.shape[0], bezel:bezel + screen.shape[1]] = screen
    return phone


def _paper(symbol: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The code printed on a confirmation: white paper, text above and below."""
    sh, sw = symbol.shape
    paper = np.full((int(sh * 2.2) + 80, int(sw * 1.6) + 40), 232, dtype=np.float32)
    for line in range(4):
        y = 12 + line * 16
        paper[y:y + 7, 20:20 + int(paper.shape[1] * rng.uniform(0.3, 0.85))] = 70
    top = 90
    left = (paper.shape[1] - sw) // 2
    paper[top:top + sh, left:left + sw] = symbol
    return paper


def _quad(width: float, height: float, center: tuple[float, float], angle: float, tilt_x: float,
          tilt_y: float) -> np.ndarray:
    """Where the carrier's corners land in the frame: rotated, and foreshortened as if tilted away."""
    w, h = width / 2, height / 2
    corners = np.array([[-w * (1 - tilt_y), -h], [w * (1 - tilt_y), -h], [w * (1 + tilt_y), h],
                        [-w * (1 + tilt_y), h]], dtype=np.float32)
    corners[:, 1] *= 1 - abs(tilt_x)
    corners[:, 0] += np.sign(tilt_x) * corners[:, 1] * abs(tilt_x) * 0.3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    return corners @ rotation.T + np.array(center, dtype=np.float32)


def _background(rng: np.random.Generator) -> np.ndarray:
    """The scene behind the hand: low-frequency shapes (counter, sleeve, room)."""
    small = rng.uniform(40, 170, size=(6, 8)).astype(np.float32)
    return cv2.resize(small, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)


def _presentation(index: int, condition: str, rng: np.random.Generator, frames_each: int) -> Presentation:
    payload, symbology = _payload(rng, index)
    if condition == "paper code128":
        payload, symbology = f"A{int(rng.integers(1, 999)):03d}-20261124", "CODE128"
        symbol = _code128(payload, 3, 200)  # about a third as tall as wide, as on printed confirmations
    else:
        symbol = _qr(payload, 6)
    carrier = _paper(symbol, rng) if condition.startswith("paper") else _phone(symbol, rng)
    # how big the code appears, in camera pixels per module: a small code far from the lens has 2.5–3.2
    modules = symbol.shape[1] / (3 if symbology == "CODE128" else 6)
    per_module = rng.uniform(2.5, 3.2) if condition == "small" else rng.uniform(4.0, 7.0)
    if symbology == "CODE128":
        per_module = rng.uniform(1.7, 2.6)  # a one-dimensional code is wide: it fills the frame first
    scale = per_module * modules / symbol.shape[1]
    width, height = carrier.shape[1] * scale, carrier.shape[0] * scale
    # phones are held at any angle; a sheet of paper with a barcode roughly level (a 1D code needs a scan line
    # across every bar)
    angle = np.radians(rng.uniform(-8, 8) if symbology == "CODE128" else rng.uniform(-20, 20))
    tilt_x, tilt_y = (rng.uniform(-0.35, 0.35), rng.uniform(-0.3, 0.3)) if condition == "phone tilt" else (
        rng.uniform(-0.12, 0.12), rng.uniform(-0.1, 0.1))
    gain = rng.uniform(0.3, 0.5) if condition == "phone low light" else rng.uniform(0.8, 1.05)
    noise = rng.uniform(8, 14) if condition == "phone low light" else rng.uniform(2, 6)
    rest = np.array([WIDTH / 2 + rng.uniform(-60, 60), HEIGHT / 2 + rng.uniform(-40, 40)])
    entering = 2  # frames while the hand brings the code in
    start = rest + np.array([rng.choice([-1, 1]) * WIDTH * 0.75, rng.uniform(-60, 60)])
    background = _background(rng)
    glare = condition == "phone glare"
    thumb = condition == "occluded"
    frames = []
    for n in range(frames_each):
        progress = min(n / entering, 1.0)
        jitter = rng.normal(0, 2.0, size=2) if progress >= 1 else np.zeros(2)
        center = start + (rest - start) * (1 - (1 - progress) ** 2) + jitter
        motion = 0.0 if progress >= 1 else (1 - progress) * 40
        dst = _quad(width, height, (float(center[0]), float(center[1])), angle, tilt_x, tilt_y)
        src = np.array([[0, 0], [carrier.shape[1], 0], [carrier.shape[1], carrier.shape[0]],
                        [0, carrier.shape[0]]], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        # the hand aims the code, not the phone or the sheet, at the camera: move so the code is where aimed
        dst = dst + (center - _code_box(symbol, carrier, matrix, condition, symbology).mean(axis=0))
        matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        warped = cv2.warpPerspective(carrier, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_AREA,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=-1)
        mask = cv2.warpPerspective(np.ones_like(carrier), matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
        frame = background * (1 - mask) + np.where(warped < 0, 0, warped) * mask
        code_box = _code_box(symbol, carrier, matrix, condition, symbology)
        if thumb:
            frame = _thumb(frame, code_box, rng)
        frame = frame * gain * _shadow(rng, n)
        if glare:
            frame = _glare(frame, code_box, rng)
        if motion > 1:
            kernel = np.zeros((1, int(motion)), dtype=np.float32)
            kernel[0, :] = 1 / int(motion)
            frame = cv2.filter2D(frame, -1, kernel)
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.4, 1.0))
        frame = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
        _, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(65, 90))])
        frame = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
        inside = bool(code_box[:, 0].min() >= 0 and code_box[:, 1].min() >= 0 and code_box[:, 0].max() < WIDTH
                      and code_box[:, 1].max() < HEIGHT)
        frames.append(Frame(frame, payload, inside and motion <= 1))
    return Presentation(index, condition, payload, symbology, frames)


def _code_box(symbol: np.ndarray, carrier: np.ndarray, matrix: np.ndarray, condition: str,
              symbology: str) -> np.ndarray:
    """The code's corners in the frame."""
    sh, sw = symbol.shape
    if condition.startswith("paper"):
        top, left = 90, (carrier.shape[1] - sw) // 2
    else:
        top, left = 18 + 15 + int(sh * 0.35), 18 + (carrier.shape[1] - 36 - sw) // 2
    corners = np.array([[[left, top], [left + sw, top], [left + sw, top + sh], [left, top + sh]]],
                       dtype=np.float32)
    return cv2.perspectiveTransform(corners, matrix)[0]


def _shadow(rng: np.random.Generator, n: int) -> np.ndarray:
    """A soft light gradient across the frame (a ceiling light, the customer's own shadow)."""
    x = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    a, b = rng.uniform(-0.25, 0.25, size=2)
    return 1 + a * (x - 0.5) + b * (y - 0.5)


def _glare(frame: np.ndarray, box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A specular highlight over part of the code: a bright blob that washes out the modules under it."""
    center = box.mean(axis=0) + rng.uniform(-0.3, 0.3, size=2) * (box.max(axis=0) - box.min(axis=0))
    radius = (box.max(axis=0) - box.min(axis=0)).mean() * rng.uniform(0.12, 0.28)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    blob = np.exp(-(((xx - center[0]) ** 2 + (yy - center[1]) ** 2) / (2 * radius ** 2)))
    return frame + blob * rng.uniform(140, 230)  # enough to saturate the sensor at its centre


def _thumb(frame: np.ndarray, box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A thumb over one side of the code, covering at most about a tenth of it (between the finder patterns)."""
    side = int(rng.integers(0, 4))
    a, b = box[side], box[(side + 1) % 4]
    middle = (a + b) / 2
    inward = box.mean(axis=0) - middle
    size = np.linalg.norm(b - a)
    center = middle + inward * rng.uniform(-0.05, 0.12)
    axes = (int(size * rng.uniform(0.12, 0.18)), int(size * rng.uniform(0.2, 0.28)))
    angle = float(np.degrees(np.arctan2(inward[1], inward[0])))
    mask = np.zeros_like(frame, dtype=np.uint8)
    cv2.ellipse(mask, (int(center[0]), int(center[1])), axes, angle, 0, 360, 255, -1)
    skin = rng.uniform(120, 170)
    return np.where(mask > 0, skin, frame)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="write the whole corpus here (PNG + manifest.json)")
    target.add_argument("--sample", type=Path, help="write the small committed sample here (JPEG + manifest.json)")
    parser.add_argument("--count", type=int, default=40, help="presentations (8 frames each)")
    args = parser.parse_args(argv)
    folder: Path = args.out or args.sample
    folder.mkdir(parents=True, exist_ok=True)
    manifest = []
    if args.sample:
        # one held frame of each condition
        for shown in presentations(len(CONDITIONS)):
            frame = shown.frames[shown.enters_at + 2]
            name = f"{shown.index:02d}-{shown.condition.replace(' ', '-')}.jpg"
            cv2.imwrite(str(folder / name), frame.image, [cv2.IMWRITE_JPEG_QUALITY, 75])
            manifest.append({"file": name, "condition": shown.condition, "payload": shown.payload})
    else:
        for shown in presentations(args.count):
            for n, frame in enumerate(shown.frames):
                name = f"{shown.index:03d}-{n}.png"
                cv2.imwrite(str(folder / name), frame.image)
                manifest.append({"file": name, "condition": shown.condition, "payload": frame.payload,
                                 "in_view": frame.in_view})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(manifest)} frames written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
